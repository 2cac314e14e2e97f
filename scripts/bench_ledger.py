#!/usr/bin/env python3
"""Benchmark the work-order ledger at the size of a busy year; the last line is one JSON object.

    .venv/bin/python scripts/bench_ledger.py [--rows 200000] [--samples 200]

On a fresh SQLite ledger in a temporary folder (the hub's own store, WAL,
``synchronous=FULL``):

- ``insert_ms_p50_at_1k``: median time of one ``create_work_order`` through the
  ledger while the first 1,000 are written;
- ``insert_ms_p50_at_200k``: the same for ``samples`` more once the ledger holds
  ``rows`` work orders (filled in bulk, the same days and numbering the hub uses,
  spread over one year): the id scheme must not walk the table (goal ≤ 1.5 × at 1k);
- ``search_ms_p99_at_200k``: the supervisor's work-order search (text, newest 100)
  at that size (goal ≤ 50 ms);
- ``report_year_s_at_200k``: ``seat-report --year`` over the whole year, reading
  included, six breakdowns (goal ≤ 10 s);
- ``audit_verify_s_at_100k``: null until the audit log is a hash chain with
  ``seat-hub audit verify``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seat_common import catalog  # noqa: E402
from seat_common.protocol import CitizenInfo  # noqa: E402
from seat_hub.reports.cli import main as report_main  # noqa: E402
from seat_hub.storage.records import WorkOrderQuery  # noqa: E402
from seat_hub.storage.sqlite.store import SqliteStore  # noqa: E402

YEAR = 2025
ITEMS = sorted(catalog.load().items)


def _ms(seconds: list[float], quantile: float) -> float:
    ordered = sorted(seconds)
    return round(ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] * 1000, 3)


async def _create(store: SqliteStore, at: float, rng: random.Random) -> float:
    started = time.perf_counter()
    await store.ledger.create_work_order(
        item_code=rng.choice(ITEMS), channel="web", priority="normal", media="video",
        citizen=CitizenInfo(name="王小明"), queued_at=at, citizen_key=f"{rng.getrandbits(64):064x}",
    )
    return time.perf_counter() - started


def _fill(path: Path, rows: int, rng: random.Random) -> None:
    """``rows`` work orders over the year, numbered per day as the ledger numbers them."""
    start = dt.datetime(YEAR, 1, 1)
    per_day = rows // 365 + 1
    batch = []
    db = sqlite3.connect(path)
    for n in range(rows):
        day = start + dt.timedelta(days=n // per_day)
        queued = day.timestamp() + rng.uniform(8 * 3600, 18 * 3600)
        waited = rng.expovariate(1 / 25)
        gave_up = rng.random() < 0.08
        batch.append((
            f"WO-{day:%Y%m%d}-{n % per_day + 1:06d}", rng.choice(ITEMS),
            rng.choice(("web", "miniprogram", "kiosk")), "normal", "video", "王小明",
            f"{rng.randrange(rows // 3):064x}", None if gave_up else f"00{rng.randrange(10, 47)}",
            queued, None if gave_up else queued + waited, queued + waited + (0 if gave_up else 300),
            "abandoned" if gave_up else "closed",
            None if gave_up or rng.random() < 0.3 else rng.choice((10, 10, 10, 9, 8)),
        ))
        if len(batch) == 10_000:
            _insert(db, batch)
    _insert(db, batch)
    db.close()


def _insert(db: sqlite3.Connection, batch: list[tuple[object, ...]]) -> None:
    db.executemany(
        "INSERT INTO work_orders (id, item_code, channel, priority, media, citizen_name,"
        " citizen_key, agent_id, queued_at, answered_at, closed_at, state, rating)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        batch,
    )
    db.commit()
    batch.clear()


async def _bench(folder: Path, rows: int, samples: int) -> dict[str, object]:
    rng = random.Random(18)
    small = folder / "small.sqlite3"
    store = await SqliteStore.open(small)
    at = dt.datetime(YEAR, 6, 1, 9).timestamp()
    at_1k = [await _create(store, at + i, rng) for i in range(1000)]
    await store.close()

    big = folder / "year.sqlite3"
    store = await SqliteStore.open(big)  # the hub's tables, then the year in bulk
    await store.close()
    _fill(big, rows, rng)
    store = await SqliteStore.open(big)
    midsummer = dt.datetime(YEAR, 7, 1, 9).timestamp()
    at_big = [await _create(store, midsummer + i, rng) for i in range(samples)]
    searches = []
    for i in range(samples):
        query = WorkOrderQuery(text=rng.choice(("WO-2025", "0012", "resolved", ITEMS[i % 50])))
        started = time.perf_counter()
        await store.ledger.search(query)
        searches.append(time.perf_counter() - started)
    await store.close()

    report = [
        "--db", str(big), "--year", str(YEAR), "--out", str(folder / "year.pdf"),
        "--by", "theme,agent,channel,hall,item,month",
    ]
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = await asyncio.to_thread(report_main, report)  # it runs its own event loop
    report_s = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"seat-report failed ({code})")
    return {
        "insert_ms_p50_at_1k": _ms(at_1k, 0.5),
        "insert_ms_p50_at_200k": _ms(at_big, 0.5),
        "search_ms_p99_at_200k": _ms(searches, 0.99),
        "report_year_s_at_200k": round(report_s, 2),
        "audit_verify_s_at_100k": None,
        "rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as folder:
        results = asyncio.run(_bench(Path(folder), args.rows, args.samples))
    print(json.dumps({"bench": "ledger", "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
