"""Seat's version, in one place: the wheels' version (setup.cfg reads ``VERSION`` from
here) and what every program's ``--version`` prints, with the hub protocol's version.

``add_version_flag`` gives a command its ``--version``; the protocol version is the
envelope's ``v`` (``seat_common.protocol.VERSION``), which the workstation compares
with the hub's (it refuses a hub that speaks a newer major).
"""

from __future__ import annotations

import argparse
from typing import Final

from seat_common.protocol.terms import VERSION as PROTOCOL_VERSION

#: The release, PEP 440; bump it for every package built for the halls.
VERSION: Final = "0.1.0"


def version_text(program: str) -> str:
    """``seat-hub 0.1.0 (协议版本 1)``: what ``--version`` prints."""
    return f"{program} {VERSION} (协议版本 {PROTOCOL_VERSION} / protocol {PROTOCOL_VERSION})"


def add_version_flag(parser: argparse.ArgumentParser) -> None:
    """``--version``: print the program's version and protocol version, then exit 0."""
    parser.add_argument("--version", action="version", version=version_text(parser.prog),
                        help="print the version and exit (显示版本)")
