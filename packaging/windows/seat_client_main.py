"""The frozen workstation's entry point (PyInstaller runs this as ``seat-client``)."""

import sys

from ui.workstation.app import main

if __name__ == "__main__":
    sys.exit(main())
