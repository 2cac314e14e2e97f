"""``seat-report`` (``python -m seat_hub.reports``): the statistics report from the ledger, read
through the storage interface, with clear errors for a wrong period or a missing ledger."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seat_common.protocol import CitizenInfo
from seat_hub.reports.cli import main, period
from seat_hub.storage.sqlite.store import SqliteStore

DAY = time.mktime((2026, 11, 28, 10, 0, 0, 0, 0, -1))


async def _ledger_with_one_day(path: Path) -> None:
    store = await SqliteStore.open(path)
    ledger = store.ledger
    for n, (name, rating) in enumerate((("王小明", 10), ("李大华", 8))):
        wo = await ledger.create_work_order(
            item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
            citizen=CitizenInfo(name=name, id_number=f"44190019900101123{n}"),
            queued_at=DAY + n * 600,
        )
        ledger.record_offer(wo, f"C-{n}", "0001", DAY + n * 600 + 5)
        ledger.record_answer(wo, f"C-{n}", "0001", DAY + n * 600 + 10)
        await ledger.close_work_order(wo, "resolved", "", DAY + n * 600 + 310)
        await ledger.rate(wo, rating, "", DAY + n * 600 + 320)
    await ledger.create_work_order(  # the next day: outside the day's report
        item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
        citizen=CitizenInfo(), queued_at=DAY + 86_400,
    )
    await store.close()


def test_the_report_sums_the_days_work_orders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "ledger.sqlite3"
    asyncio.run(_ledger_with_one_day(db))
    out = tmp_path / "day.pdf"
    assert main(["--db", str(db), "--day", "2026-11-28", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary == {
        "report": str(out),
        "work_orders": 2,
        "users_served": 2,
        "average_rating": 9.0,
        "service_level_20s": 1.0,
    }
    assert out.read_bytes().startswith(b"%PDF")


def test_a_missing_ledger_or_a_wrong_period_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "day.pdf"
    missing = tmp_path / "none.sqlite3"
    assert main(["--db", str(missing), "--day", "2026-11-28", "--out", str(out)]) == 2
    assert "cannot open ledger" in capsys.readouterr().err
    assert not missing.exists() and not out.exists()
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(missing), "--day", "28.11.2026", "--out", str(out)])
    assert exited.value.code == 2


def test_a_month_runs_to_the_first_of_the_next() -> None:
    start, end, label = period(None, "2026-12")
    assert (end - start) / 86_400 == pytest.approx(31, abs=1 / 24)  # a DST hour at most
    assert label == "2026年12月"


def test_it_runs_as_a_module(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite3"
    asyncio.run(_ledger_with_one_day(db))
    done = subprocess.run(
        [sys.executable, "-m", "seat_hub.reports", "--db", str(db), "--month", "2026-11",
         "--out", str(tmp_path / "month.pdf")],
        capture_output=True, text=True, timeout=60, check=True,
    )
    # November holds the next day's work order too.
    assert json.loads(done.stdout.strip().splitlines()[-1])["work_orders"] == 3
