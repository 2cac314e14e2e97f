"""``seat-hub migrate``: a town hall's records (its SQLite ledger) into a cluster's
PostgreSQL database, checked row by row.

    seat-hub migrate --from sqlite:/var/lib/seat/ledger.sqlite3 \\
        --to postgresql://seat@db.dg.gov.cn/seat [--replace]

Stop the hall's hub first (the file is read as it is; writes made during the copy would
be missed). Progress goes to stderr, one line per table and step; the last line on stdout
says what was copied. A target that already holds records is refused unless
``--replace`` (which empties it, in the same transaction as the copy). Exits 0 when every
row checked out and the audit chain is whole on the target, 1 when the copy or the check
failed (the target is left as it was when the copy failed), 2 for a wrong command line.
The work itself is ``seat_hub.storage.migration``; the material files are not in the
database: copy the material folder to the cluster's shared storage as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence

from seat_hub.cli.options import store_address
from seat_hub.storage.interface import LedgerError
from seat_hub.storage.migration import MigrationError, migrate
from seat_hub.storage.stores import StoreAddress

#: Seconds between two progress lines of one table (besides its first and last).
_PROGRESS_EVERY_S = 2.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seat-hub migrate",
        description="把一个大厅的台账（SQLite）迁入集群的 PostgreSQL，并逐行核对"
        " / move a hall's ledger into a cluster's PostgreSQL, checked row by row",
    )
    parser.add_argument("--from", dest="source", required=True, type=store_address,
                        metavar="sqlite:PATH", help="the hall's ledger file")
    parser.add_argument("--to", dest="target", required=True, type=store_address,
                        metavar="postgresql://…", help="the cluster's database")
    parser.add_argument("--replace", action="store_true",
                        help="empty a target that already holds records first")
    return parser


class _Progress:
    """Progress lines on stderr: each table's start and end, and every few seconds."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, phase: str, table: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done not in (0, total) and now - self._last < _PROGRESS_EVERY_S:
            return
        if phase == "copy" and done == 0 and total:
            return  # the first chunk's line says it
        self._last = now
        word = "复制/copy" if phase == "copy" else "核对/check"
        print(f"seat-hub migrate: {word} {table}: {done}/{total}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    source: StoreAddress = args.source
    target: StoreAddress = args.target
    if source.path is None:
        parser.error("--from 应为 SQLite 台账文件（sqlite:路径）/ --from wants sqlite:PATH")
    if target.path is not None:
        parser.error("--to 应为 postgresql://… / --to wants a postgresql:// address")
    print(f"seat-hub migrate: {source.shown} → {target.shown}", file=sys.stderr, flush=True)
    try:
        report = asyncio.run(migrate(source.path, target.url, replace=args.replace,
                                     progress=_Progress()))
    except (MigrationError, LedgerError) as exc:
        print(f"seat-hub migrate: 失败 / failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("seat-hub migrate: 已中断，目标库未改动 / interrupted: target unchanged",
              file=sys.stderr)
        return 1
    rows = ", ".join(f"{table} {n}" for table, n in report.rows.items())
    print(f"seat-hub migrate: 完成，逐行核对一致 / done, every row checked: {rows};"
          f" audit chain whole ({report.audit_rows} rows, last {report.audit_last_hash[:12]}…)")
    return 0
