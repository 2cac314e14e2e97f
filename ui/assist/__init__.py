"""Remote assistance on screen: the kiosk's shared screen, driven by the agent's input.
"""
