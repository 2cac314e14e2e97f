"""``python -m sandbox.kiosk``: run one simulated kiosk (see ``sandbox.kiosk.cli``)."""

from sandbox.kiosk.cli import main

main()
