"""Supervision on screen: the supervisor's seat wall (its program, window, tile grid and side
panel), the watch window, and the whisper banner on the agent's workstation.
"""
