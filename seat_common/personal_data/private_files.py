"""Folders and files that hold citizens' personal data are the owner's alone: 0700 and 0600.

Names, ID numbers, phones, ID-card photos and recordings sit in the hub's ledger and
material store and in the workstation's state folder. Made by a process with the usual
umask (022) they would be readable by every account on the machine. ``private_dir`` makes
a folder (and any missing parents it creates) 0700 and puts an existing one we own back to
0700; ``private_file`` does the same for a file. What lies inside a 0700 folder cannot be
reached by anyone else whatever its own mode, so each program makes its root private and
everything it writes below is covered.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

#: Owner only.
DIR_MODE: Final = 0o700
FILE_MODE: Final = 0o600


def private_dir(path: Path) -> Path:
    """``path`` as a folder only its owner can enter (created if missing)."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _restrict(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner can read (created empty if missing)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    _restrict(path, FILE_MODE)
    return path


def _restrict(path: Path, mode: int) -> None:
    info = path.stat()
    if info.st_uid == os.getuid() and info.st_mode & 0o777 != mode:
        path.chmod(mode)
