"""Counter mode on screen: the walk-in intake pane and its wiring to the work tabs.
"""
