"""``seat-report``: the statistics report PDF (统计报告) for a day or a month, from the ledger.

    seat-report --db var/hub.sqlite3 --day 2026-11-28 --out day.pdf
    seat-report --db var/hub.sqlite3 --month 2026-11 --out month.pdf [--seats seats.json]
    python -m seat_hub.reports ...        # the same, without the console script

Opens the hub's records read-only (the hub may keep running), reads the work
orders queued in the period through the storage interface, masks personal
data like every list, and writes the PDF with ``stats_report``. Prints one JSON
line: the path and the headline figures. A wrong period, seats file, catalog or
database exits 2 with a message.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from seat_common import catalog as catalog_module
from seat_common.protocol import WorkOrderRow
from seat_hub.calls.workorder_search import row_of
from seat_hub.parties.seats import SeatsError, load_seats
from seat_hub.reports.stats_report import summarise, write_report
from seat_hub.storage.interface import LedgerError, WorkOrderLedger
from seat_hub.storage.stores import open_store

#: The report's title: it goes to the city's offices.
TITLE = "东莞市视频办服务统计报告"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="seat-report", description="statistics report PDF from the hub's ledger"
    )
    parser.add_argument("--db", type=Path, required=True, help="work-order ledger (SQLite)")
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--day", help="YYYY-MM-DD")
    when.add_argument("--month", help="YYYY-MM")
    parser.add_argument("--seats", type=Path, help="seats file, for agent names")
    parser.add_argument(
        "--catalog", type=Path, default=catalog_module.DEFAULT_PATH, help="service-item catalog"
    )
    parser.add_argument("--out", type=Path, required=True, help="the PDF to write")
    args = parser.parse_args(argv)
    try:
        args.period = period(args.day, args.month)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def period(day: str | None, month: str | None) -> tuple[float, float, str]:
    """[start, end) of the local day ``YYYY-MM-DD`` or month ``YYYY-MM``, and its label."""
    if day:
        start = dt.datetime.strptime(day, "%Y-%m-%d")
        end = start + dt.timedelta(days=1)
        return start.timestamp(), end.timestamp(), start.strftime("%Y年%m月%d日")
    if not month:
        raise ValueError("give --day or --month")
    start = dt.datetime.strptime(month, "%Y-%m")
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start.timestamp(), end.timestamp(), start.strftime("%Y年%m月")


async def work_order_rows(
    ledger: WorkOrderLedger, catalog: catalog_module.Catalog, since: float, until: float
) -> list[WorkOrderRow]:
    """The work orders queued in [``since``, ``until``) as lists show them (masked)."""
    return [row_of(catalog, w) for w in await ledger.work_orders_queued(since, until)]


async def _read(
    db: Path, catalog: catalog_module.Catalog, since: float, until: float
) -> list[WorkOrderRow]:
    store = await open_store(db, read_only=True)
    try:
        return await work_order_rows(store.ledger, catalog, since, until)
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    since, until, label = args.period
    try:
        items = catalog_module.load(args.catalog)
        names: dict[str, str] = {}
        if args.seats is not None:
            seats = load_seats(args.seats, known_skills=items.skills.keys())
            names = {seat.agent_id: seat.name for seat in seats.all()}
        rows = asyncio.run(_read(args.db, items, since, until))
    except (catalog_module.CatalogError, SeatsError, LedgerError) as exc:
        print(f"seat-report: {exc}", file=sys.stderr)
        return 2
    data = summarise(rows, title=TITLE, period=label)
    write_report(
        data,
        args.out,
        theme_names={code: t.name for code, t in items.themes.items()},
        agent_names=names,
    )
    total = data.total
    print(
        json.dumps(
            {
                "report": str(args.out),
                "work_orders": total.work_orders,
                "users_served": len(total.users),
                "average_rating": round(total.average_rating, 2),
                "service_level_20s": round(total.service_level_20s, 4),
            },
            ensure_ascii=False,
        )
    )
    return 0
