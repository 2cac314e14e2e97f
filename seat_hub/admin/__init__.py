"""Seat administration (``seat-admin``): the seats file's seats, kiosks and tokens.

``book`` edits the file (checked as the hub checks it, written atomically with mode
0600), ``csv_import`` reads a list of agents, ``cli`` is the command.
"""
