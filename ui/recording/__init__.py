"""Recordings on screen: the recording light in the status bar and the player (the picture
led by its sound).
"""
