"""``seat-report`` (``python -m seat_hub.reports``): the statistics report of any period from
the ledger, read through the storage interface, broken down as asked, with clear errors for a
wrong period, breakdown or missing ledger; the year's report shows what the article shows."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seat_common.protocol import CitizenInfo
from seat_hub.reports.cli import main
from seat_hub.reports.periods import ReportPeriod
from seat_hub.storage.stores import StoreAddress, open_store

DAY = time.mktime((2026, 11, 28, 10, 0, 0, 0, 0, -1))
ROOT = Path(__file__).resolve().parents[2]
SEATS = {
    "version": 1,
    "seats": [
        {"agent_id": agent_id, "name": name, "role": "agent", "mode": "video",
         "skills": ["social_insurance"], "hall": hall, "token_sha256": token * 64}
        for agent_id, name, hall, token in (
            ("0001", "张三", "沙田镇", "0"), ("0002", "李四", "寮步镇", "1")
        )
    ],
}


async def _ledger(where: Path | str) -> None:
    """Two citizens served on 2026-11-28 by 0001, one of them again in March, and an
    abandoned contact on the next day; in an SQLite file or a PostgreSQL database."""
    store = await open_store(StoreAddress.parse(str(where)))
    ledger = store.ledger
    served = (
        ("王小明", "a" * 64, DAY, 10),
        ("李大华", "b" * 64, DAY + 600, 8),
        ("王小明", "a" * 64, DAY - 250 * 86_400, 10),  # March
    )
    for n, (name, key, at, rating) in enumerate(served):
        wo = await ledger.create_work_order(
            item_code="SI-UNEMP-QUERY", channel="kiosk" if n else "web", priority="normal",
            media="video", citizen=CitizenInfo(name=name, hall="沙田镇" if n else ""),
            queued_at=at, citizen_key=key,
        )
        ledger.record_offer(wo, f"C-{n}", "0001", at + 5)
        ledger.record_answer(wo, f"C-{n}", "0001", at + 10)
        await ledger.close_work_order(wo, "resolved", "", at + 310)
        await ledger.rate(wo, rating, "", at + 320)
    wo = await ledger.create_work_order(  # the next day: outside the day's report
        item_code="SI-UNEMP-QUERY", channel="web", priority="normal", media="video",
        citizen=CitizenInfo(), queued_at=DAY + 86_400,
    )
    await ledger.abandon(wo, DAY + 86_400 + 40)
    await store.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite3"
    asyncio.run(_ledger(path))
    return path


def _summary(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    return dict(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))


def test_the_day_report_sums_the_days_work_orders(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "day.pdf"
    assert main(["--db", str(db), "--day", "2026-11-28", "--out", str(out)]) == 0
    summary = _summary(capsys)
    assert summary["period"] == "2026年11月28日"
    assert (summary["work_orders"], summary["completed"], summary["users_served"]) == (2, 2, 2)
    assert (summary["average_rating"], summary["service_level"]) == (9.0, 1.0)
    assert summary["abandonment_rate"] == 0.0 and summary["average_speed_of_answer_s"] == 10.0
    assert out.read_bytes().startswith(b"%PDF")


def test_an_empty_period_has_no_ratios(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(db), "--day", "2026-11-20", "--out", str(tmp_path / "e.pdf")]) == 0
    summary = _summary(capsys)
    assert summary["work_orders"] == 0
    assert summary["service_level"] is None and summary["average_rating"] is None


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_the_year_report_shows_what_the_article_shows(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seats = tmp_path / "seats.json"
    seats.write_text(json.dumps(SEATS, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "year.pdf"
    args = ["--db", str(db), "--year", "2026", "--seats", str(seats), "--out", str(out)]
    assert main([*args, "--by", "theme,agent,channel,hall,item,month"]) == 0
    summary = _summary(capsys)
    # Four work orders, three completed, two different citizens (one served twice).
    assert (summary["work_orders"], summary["completed"], summary["users_served"]) == (4, 3, 2)
    assert summary["average_rating"] == pytest.approx(28 / 3, abs=0.01)
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for expected in (
        "统计周期：2026年",
        "办结工单数 3",
        "服务用户数 2",
        "满意度 9.33（3 条评价）",
        "本年截至报告生成时" if time.localtime().tm_year == 2026 else "（完整周期）",
        "按月份",
        "2026-03",
        "2026-11",
        "按大厅",
        "沙田镇",
        "按事项",
        "失业保险个人明细查询",
        "UNEMP-QUERY",
        "李四 0002",  # an agent with no work orders is listed
        "按渠道",
        "自助终端",
    ):
        assert expected in flat, expected


def test_a_custom_span_counts_its_days_inclusive(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "span.pdf"
    args = ["--db", str(db), "--from", "2026-11-28", "--to", "2026-11-29", "--out", str(out)]
    assert main(args) == 0
    summary = _summary(capsys)
    assert (summary["work_orders"], summary["abandoned"]) == (3, 1)
    assert summary["period"] == "2026年11月28日至2026年11月29日"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_only_one_hall_or_channel(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "shatian.pdf"
    args = ["--db", str(db), "--month", "2026-11", "--out", str(out)]
    assert main([*args, "--only", "hall=沙田镇"]) == 0
    assert _summary(capsys)["work_orders"] == 1  # the kiosk call from 沙田镇
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "东莞市视频办服务统计报告（大厅：沙田镇）" in text
    assert main([*args, "--only", "channel=web"]) == 0
    assert _summary(capsys)["work_orders"] == 2  # the web call and the abandoned one


def test_a_missing_ledger_or_a_wrong_period_or_breakdown_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "day.pdf"
    missing = tmp_path / "none.sqlite3"
    assert main(["--db", str(missing), "--day", "2026-11-28", "--out", str(out)]) == 2
    assert "cannot open ledger" in capsys.readouterr().err
    assert not missing.exists() and not out.exists()
    for wrong, says in (
        (["--day", "28.11.2026"], "--day '28.11.2026': want YYYY-MM-DD"),
        (["--day", "2026-11-28", "--month", "2026-11"], "give one of"),
        (["--from", "2026-11-28"], "--from and --to go together"),
        (["--from", "2026-11-28", "--to", "2026-11-01"], "is before --from"),
        (["--year", "2026", "--by", "theme,weather"], "--by 'theme,weather'"),
        (["--year", "2026", "--threshold", "0"], "--threshold must be"),
        (["--year", "2026", "--only", "weather=rain"], "--only 'weather=rain'"),
        (["--year", "2026", "--only", "hall="], "--only 'hall='"),
    ):
        with pytest.raises(SystemExit) as exited:
            main(["--db", str(missing), *wrong, "--out", str(out)])
        assert exited.value.code == 2
        assert says in capsys.readouterr().err, wrong


def test_periods_run_by_the_calendar() -> None:
    month = ReportPeriod.parse(month="2026-12")
    assert (month.end - month.start) / 86_400 == pytest.approx(31, abs=1 / 24)
    assert month.label == "2026年12月"
    year = ReportPeriod.parse(year="2024")  # a leap year
    assert (year.end - year.start) / 86_400 == pytest.approx(366, abs=1 / 24)
    assert "完整周期" in year.covered(time.time())
    assert "本月截至报告生成时" in month.covered(month.start + 3600)


def test_it_runs_as_a_module(db: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "seat_hub.reports", "--db", str(db), "--month", "2026-11",
         "--out", str(tmp_path / "month.pdf")],
        capture_output=True, text=True, timeout=60, check=True, cwd=ROOT,
    )
    # November holds the next day's work order too.
    assert json.loads(done.stdout.strip().splitlines()[-1])["work_orders"] == 3


def test_the_report_of_a_postgresql_ledger_is_the_report_of_the_same_file(
    db: Path, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_ledger(postgres_url))
    summaries = []
    for where in (str(db), postgres_url):
        out = tmp_path / "month.pdf"
        assert main(["--db", where, "--month", "2026-11", "--by", "hall,channel",
                     "--out", str(out)]) == 0
        assert out.read_bytes().startswith(b"%PDF")
        summaries.append({k: v for k, v in _summary(capsys).items() if k != "report"})
    assert summaries[0] == summaries[1]
    assert summaries[1]["work_orders"] == 3 and summaries[1]["users_served"] == 2


def test_a_postgresql_ledger_that_cannot_be_read_is_a_clear_error(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.pdf"
    assert main(["--db", postgres_url, "--day", "2026-11-28", "--out", str(out)]) == 2
    assert "holds no Seat records" in capsys.readouterr().err  # an empty database
    gone = "postgresql://seat:hunter2@127.0.0.1:1/seat"  # nothing listens on port 1
    assert main(["--db", gone, "--day", "2026-11-28", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cannot open ledger postgresql://seat:***@127.0.0.1:1/seat" in err
    assert "hunter2" not in err and not out.exists()
    with pytest.raises(SystemExit) as refused:
        main(["--db", "redis://127.0.0.1/0", "--day", "2026-11-28", "--out", str(out)])
    assert refused.value.code == 2 and "不支持的数据库地址" in capsys.readouterr().err
