"""The agent workstation as a whole: its composition root (``app``), the main window with its
docks and layout per seat mode, the status strip, the work tabs and their wiring, and the
autopilot the unattended demo drives.
"""
