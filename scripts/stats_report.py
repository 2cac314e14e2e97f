"""Make the statistics report PDF (统计报告) for a day or a month from the hub's ledger.

    .venv/bin/python scripts/stats_report.py --db var/hub.sqlite3 --day 2026-11-28 --out day.pdf
    .venv/bin/python scripts/stats_report.py --db var/hub.sqlite3 --month 2026-11 --out month.pdf \
        [--seats seats.json]   # agent names on the charts

Reads the work-order ledger read-only (the hub may keep running), masks
personal data like every list, and writes the PDF with
``seat_hub.reports.stats_report``. Prints the path and the headline figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seat_common import catalog  # noqa: E402
from seat_hub.calls.workorder_search import row_of  # noqa: E402
from seat_hub.reports.stats_report import summarise, write_report  # noqa: E402


def period(args: argparse.Namespace) -> tuple[float, float, str]:
    if args.day:
        start = dt.datetime.strptime(args.day, "%Y-%m-%d")
        return (
            start.timestamp(),
            (start + dt.timedelta(days=1)).timestamp(),
            start.strftime("%Y年%m月%d日"),
        )
    start = dt.datetime.strptime(args.month, "%Y-%m")
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start.timestamp(), end.timestamp(), start.strftime("%Y年%m月")


def main() -> int:
    parser = argparse.ArgumentParser(description="statistics report PDF from the ledger")
    parser.add_argument("--db", type=Path, required=True)
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--day", help="YYYY-MM-DD")
    when.add_argument("--month", help="YYYY-MM")
    parser.add_argument("--seats", type=Path, help="seats file, for agent names")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    since, until, label = period(args)
    items = catalog.load()
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True, timeout=10)
    db.row_factory = sqlite3.Row
    try:
        rows = [
            row_of(items, r)
            for r in db.execute(
                "SELECT * FROM work_orders WHERE queued_at >= ? AND queued_at < ?"
                " ORDER BY queued_at",
                (since, until),
            )
        ]
    finally:
        db.close()
    names: dict[str, str] = {}
    if args.seats is not None:
        seats = json.loads(args.seats.read_text(encoding="utf-8"))["seats"]
        names = {s["agent_id"]: s["name"] for s in seats}
    data = summarise(rows, title="东莞市视频办服务统计报告", period=label)
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


if __name__ == "__main__":
    sys.exit(main())
