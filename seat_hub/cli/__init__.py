"""``seat-hub``: run the hub, and its commands (the composition root that builds and wires
every part).

    seat-hub --host 127.0.0.1 --port 0 --seats seats.json --db ledger.sqlite3
    seat-hub --seats seats.json --db postgresql://seat@db/seat --materials /srv/seat/materials \\
        --citizen-key-file /etc/seat/citizen-key.secret

With ``--port 0`` a free port is chosen. Once listening it prints exactly one
line to stdout, ``seat-hub listening on ws://HOST:PORT/ws`` (``wss://`` with
``--tls-cert`` and ``--tls-key``, when the citizen page is on ``https://`` too), so a
launcher can read the port; everything else (one JSON line per event) goes to stderr.
SIGTERM or SIGINT closes every connection, lets the ledger finish its
writes and exits 0. SIGHUP reads the seats file again (``seat-admin`` keeps it): a
revoked token's connections are closed, a bad file is logged and the old seats kept
(``connections/seat_reload.py``).

A wrong seats file, catalog, review reasons, database, certificate,
key or citizen-key secret exits 2.

The rooms of this package: ``options`` (the command line and the config file), ``serve``
(building and running the hub), ``migrate`` (``seat-hub migrate --from sqlite:… --to
postgresql://…``: a town hall's records into a cluster's database, checked row by row).
``seat-hub audit verify|keygen|export|check-export`` checks the audit log's hash chain
and writes signed day files of it (``reports/audit_cli.py``).

``seat-hub --sandbox`` is a test hub for client teams in one command: demo seats, a
printed agent token and the conformance agent answering (``sandbox.sandbox_hub``, run
as its own program; see docs/protocol.md, "Standing up a hub to test against").
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from seat_hub.cli import migrate
from seat_hub.cli.options import parse_args
from seat_hub.cli.serve import run
from seat_hub.reports import audit_cli

__all__ = ["main", "parse_args", "run"]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["audit"]:  # seat-hub audit verify|keygen|export|check-export
        return audit_cli.main(argv[1:])
    if argv[:1] == ["migrate"]:  # seat-hub migrate --from sqlite:… --to postgresql://…
        return migrate.main(argv[1:])
    if "--sandbox" in argv:
        _hand_over_to_sandbox([a for a in argv if a != "--sandbox"])
    args = parse_args(argv)
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 0


def _hand_over_to_sandbox(rest: list[str]) -> NoReturn:
    """``--sandbox``: become ``sandbox.sandbox_hub`` (a hub with demo seats and the
    conformance agent), so signals reach it directly; the hub's code imports nothing of
    the stand-ins."""
    os.execv(sys.executable, [sys.executable, "-m", "sandbox.sandbox_hub", *rest])


