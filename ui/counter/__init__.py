"""Counter mode on screen: the walk-in intake pane (its wiring into the window is
``ui.workstation.counter_link``).
"""
