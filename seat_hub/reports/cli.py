"""``seat-report``: the statistics report PDF (统计报告) of any period, from the ledger.

    seat-report --db var/hub.sqlite3 --day 2026-11-28 --out day.pdf   # or --db postgresql://…
    seat-report --db var/hub.sqlite3 --month 2026-11 --out month.pdf [--seats seats.json]
    seat-report --db var/hub.sqlite3 --year 2026 --out year.pdf
    seat-report --db var/hub.sqlite3 --from 2026-10-01 --to 2026-12-31 --by hall,item --out q4.pdf
    seat-report --db var/hub.sqlite3 --month 2026-11 --only hall=沙田镇 --out shatian.pdf
    python -m seat_hub.reports ...        # the same, without the console script

Opens the hub's records read-only (the hub may keep running), reads the work
orders queued in the period through the storage interface, counts them
(``contact_figures``: users by the citizens' pseudonymous keys, never by what is
shown of them) and writes the PDF with ``stats_report``, broken down by the
dimensions of ``--by`` (default theme, agent and channel; a year adds months);
``--only DIMENSION=VALUE`` (repeatable) keeps the work orders of one hall, theme,
item (code), agent or channel, and the title says so.
With ``--seats`` every agent is listed, by name, those who served nobody too.
Prints one JSON line: the path and the headline figures (null where there is
nothing to divide). A wrong period, dimension, seats file, catalog or database
exits 2 with a message.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

from seat_common import catalog as catalog_module
from seat_common.version import add_version_flag
from seat_hub.parties.seats import SeatsError, load_seats
from seat_hub.reports.contact_figures import (
    DEFAULT_THRESHOLD_S,
    DIMENSIONS,
    ContactFigures,
    Dimension,
    summarise,
    value_of,
)
from seat_hub.reports.periods import ReportPeriod
from seat_hub.reports.stats_report import DIMENSION_NAMES, ReportText, write_report
from seat_hub.storage.interface import LedgerError
from seat_hub.storage.records import WorkOrder
from seat_hub.storage.stores import StoreAddress, address_argument, open_store

#: The report's title: it goes to the city's offices.
TITLE = "东莞市视频办服务统计报告"
DEFAULT_BY: tuple[Dimension, ...] = ("theme", "agent", "channel")
FILTERABLE: tuple[Dimension, ...] = ("hall", "theme", "item", "agent", "channel")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="seat-report", description="statistics report PDF from the hub's ledger"
    )
    add_version_flag(parser)
    parser.add_argument("--db", type=address_argument, required=True,
                        help="the ledger: an SQLite file (PATH, sqlite:PATH) or postgresql://…")
    when = parser.add_argument_group("period (one of)")
    when.add_argument("--day", help="YYYY-MM-DD")
    when.add_argument("--month", help="YYYY-MM")
    when.add_argument("--year", help="YYYY")
    when.add_argument("--from", dest="from_day", metavar="YYYY-MM-DD", help="first day")
    when.add_argument("--to", dest="to_day", metavar="YYYY-MM-DD", help="last day (included)")
    parser.add_argument(
        "--by",
        help=f"breakdowns, comma-separated, of {', '.join(DIMENSIONS)}"
        " (default: theme,agent,channel; a year adds month)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="DIMENSION=VALUE",
        help="only the work orders of one hall, theme, item, agent or channel (repeatable),"
        " e.g. hall=沙田镇, channel=kiosk",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD_S,
        metavar="S",
        help=f"the service level's threshold in seconds (default {DEFAULT_THRESHOLD_S:g})",
    )
    parser.add_argument("--seats", type=Path, help="seats file: agent names, every agent listed")
    parser.add_argument(
        "--catalog", type=Path, default=catalog_module.DEFAULT_PATH, help="service-item catalog"
    )
    parser.add_argument("--out", type=Path, required=True, help="the PDF to write")
    args = parser.parse_args(argv)
    try:
        args.period = ReportPeriod.parse(
            day=args.day, month=args.month, year=args.year,
            from_day=args.from_day, to_day=args.to_day,
        )
        args.dimensions = dimensions(args.by, args.period)
        args.filters = filters(args.only)
    except ValueError as exc:
        parser.error(str(exc))
    if not 0 < args.threshold <= 3600:
        parser.error("--threshold must be in (0, 3600]")
    return args


def dimensions(by: str | None, period: ReportPeriod) -> tuple[Dimension, ...]:
    """The breakdowns asked for, checked; the default when none were."""
    if by is None:
        return (*DEFAULT_BY, "month") if period.kind == "year" else DEFAULT_BY
    asked = [part.strip() for part in by.split(",") if part.strip()]
    wrong = [part for part in asked if part not in DIMENSIONS]
    if wrong or not asked:
        raise ValueError(f"--by {by!r}: want a comma-separated list of {', '.join(DIMENSIONS)}")
    return tuple(cast(Dimension, part) for part in dict.fromkeys(asked))


def filters(only: Sequence[str]) -> tuple[tuple[Dimension, str], ...]:
    """``--only`` as (dimension, value) pairs, checked."""
    pairs: list[tuple[Dimension, str]] = []
    for spec in only:
        name, _, value = spec.partition("=")
        if name not in FILTERABLE or not value.strip():
            raise ValueError(
                f"--only {spec!r}: want DIMENSION=VALUE, DIMENSION one of {', '.join(FILTERABLE)}"
            )
        pairs.append((name, value.strip()))
    return tuple(pairs)


async def read_work_orders(
    db: Path | StoreAddress, since: float, until: float
) -> list[WorkOrder]:
    """The work orders queued in [``since``, ``until``), read-only beside a running hub."""
    store = await open_store(db, read_only=True)
    try:
        return await store.ledger.work_orders_queued(since, until)
    finally:
        await store.close()


def headline(figures: ContactFigures) -> dict[str, object]:
    """The headline figures as the JSON line gives them."""
    total = figures.total

    def rounded(value: float | None, digits: int) -> float | None:
        return None if value is None else round(value, digits)

    return {
        "work_orders": total.work_orders,
        "completed": total.completed,
        "walk_ins": total.walk_ins,
        "users_served": len(total.users),
        "offered": total.offered,
        "answered": total.answered,
        "abandoned": total.abandoned,
        "short_abandoned": total.short_abandoned,
        "service_level": rounded(total.service_level, 4),
        "abandonment_rate": rounded(total.abandonment_rate, 4),
        "average_speed_of_answer_s": rounded(total.average_speed_of_answer_s, 1),
        "average_wait_s": rounded(total.average_wait_s, 1),
        "average_handling_s": rounded(total.average_handling_s, 1),
        "average_rating": rounded(total.average_rating, 2),
        "ratings": total.ratings,
    }


def assemble(
    work_orders: Sequence[WorkOrder],
    items: catalog_module.Catalog,
    period: ReportPeriod,
    now: float,
    *,
    dimensions: Sequence[Dimension],
    only: Sequence[tuple[Dimension, str]] = (),
    threshold_s: float = DEFAULT_THRESHOLD_S,
    agent_names: Mapping[str, str] | None = None,
    agent_halls: Mapping[str, str] | None = None,
) -> tuple[ContactFigures, ReportText]:
    """The figures and the words of one report (the command line's and the seat wall's)."""
    names = dict(agent_names or {})
    halls = dict(agent_halls or {})
    kept = [w for w in work_orders if all(value_of(w, d, items, halls) == v for d, v in only)]
    figures = summarise(kept, items, by=dimensions, threshold_s=threshold_s,
                        agents=sorted(names), agent_halls=halls)
    text = ReportText(
        title=TITLE + "".join(f"（{DIMENSION_NAMES[d]}：{v}）" for d, v in only),
        period=period.label,
        covered=period.covered(now),
        names={
            "theme": {code: theme.name for code, theme in items.themes.items()},
            "item": {code: f"{item.name}（{code}）" for code, item in items.items.items()},
            "agent": names,
        },
    )
    return figures, text


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    period: ReportPeriod = args.period
    now = time.time()
    try:
        items = catalog_module.load(args.catalog)
        agent_names: dict[str, str] = {}
        agent_halls: dict[str, str] = {}
        if args.seats is not None:
            seats = load_seats(args.seats, known_skills=items.skills.keys())
            for seat in seats.all():
                if seat.role == "agent":
                    agent_names[seat.agent_id] = seat.name
                    agent_halls[seat.agent_id] = seat.hall
        work_orders = asyncio.run(
            read_work_orders(args.db, period.start, period.covered_until(now))
        )
    except (catalog_module.CatalogError, SeatsError, LedgerError) as exc:
        print(f"seat-report: {exc}", file=sys.stderr)
        return 2
    figures, text = assemble(work_orders, items, period, now, dimensions=args.dimensions,
                             only=args.filters, threshold_s=args.threshold,
                             agent_names=agent_names, agent_halls=agent_halls)
    write_report(figures, text, args.out)
    print(
        json.dumps(
            {"report": str(args.out), "period": period.label, **headline(figures)},
            ensure_ascii=False,
        )
    )
    return 0
