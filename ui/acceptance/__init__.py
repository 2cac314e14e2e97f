"""Acceptance on screen: the form pane and its editors, the outbox list and the receipt view.
"""
