"""The statistics report PDF: figures by theme and agent, charts, Chinese text that extracts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from seat_common.protocol import CitizenInfo, WorkOrderRow
from seat_hub.reports.stats_report import summarise, write_report

T0 = 1_795_800_000.0


def _row(
    n: int, *, theme: str, agent: str, wait: float, rating: int, abandoned: bool = False
) -> WorkOrderRow:
    queued = T0 + n * 100
    return WorkOrderRow(
        work_order_id=f"WO-20261128-{n:06d}",
        item_code="SI-UNEMP-QUERY",
        item_name="失业保险个人明细查询",
        theme=theme,
        channel="miniprogram",
        agent_id="" if abandoned else agent,
        citizen=CitizenInfo(name="王**", id_number=f"4419**********{n:04d}"),
        state="abandoned" if abandoned else "closed",
        outcome="abandoned" if abandoned else "resolved",
        queued_at=queued,
        answered_at=0.0 if abandoned else queued + wait,
        closed_at=queued + wait + 300,
        handle_s=0.0 if abandoned else 300.0,
        rating=0 if abandoned else rating,
    )


def test_summary_counts_service_level_and_ratings() -> None:
    rows = [
        _row(1, theme="social_security", agent="0012", wait=5, rating=10),
        _row(2, theme="social_security", agent="0012", wait=30, rating=10),
        _row(3, theme="housing", agent="0013", wait=90, rating=8),
        _row(4, theme="housing", agent="", wait=0, rating=0, abandoned=True),
    ]
    data = summarise(rows, title="t", period="2026-11-28")
    assert (data.total.work_orders, data.total.answered, data.total.abandoned) == (4, 3, 1)
    assert len(data.total.users) == 3
    assert data.total.service_level_20s == pytest.approx(1 / 3)
    assert data.total.service_level_60s == pytest.approx(2 / 3)
    assert data.total.average_rating == pytest.approx(28 / 3)
    assert data.by_agent["0012"].work_orders == 2 and data.by_theme["housing"].abandoned == 1
    assert data.ratings == {10: 2, 8: 1}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_the_pdf_says_it_in_chinese(tmp_path: Path) -> None:
    rows = [
        _row(
            n,
            theme="social_security" if n % 3 else "housing",
            agent=f"00{10 + n % 4}",
            wait=n % 40,
            rating=10 if n % 7 else 9,
        )
        for n in range(1, 41)
    ]
    data = summarise(rows, title="东莞市视频办服务统计报告", period="2026年11月")
    out = write_report(
        data,
        tmp_path / "report.pdf",
        theme_names={"social_security": "社会保障", "housing": "住房保障"},
        agent_names={"0010": "张三", "0011": "李四"},
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "东莞市视频办服务统计报告",
        "2026年11月",
        "工单数",
        "服务人数",
        "社会保障",
        "住房保障",
        "张三 0010",
        "满意度评分分布",
        "按坐席的工单数",
        "20秒内接通率",
    ):
        assert expected in text, expected
    assert "40" in text  # the work-order count
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert "yes" in fonts.splitlines()[-1]  # the CJK font is embedded
