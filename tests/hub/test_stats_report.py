"""The statistics report's figures as contact centres define them, and the PDF that says
what each figure means: service level over offered (short abandons left out), abandonment
rate, waits, "–" where nothing divides, every agent listed, a breakdown by channel."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from seat_common import catalog as catalog_module
from seat_hub.reports.contact_figures import summarise
from seat_hub.reports.periods import ReportPeriod
from seat_hub.reports.stats_report import ReportText, whole_step, write_report
from seat_hub.storage.records import WorkOrder

CATALOG = catalog_module.load()
T0 = 1_795_800_000.0
SI, HF = "SI-UNEMP-QUERY", "HF-PURCHASE-WITHDRAW"

_BLANK = WorkOrder(
    id="", item_code=SI, channel="miniprogram", priority="normal", media="video",
    citizen_name="王小明", citizen_id_number="", citizen_phone="", hall="", agent_id=None,
    queued_at=T0, offered_at=None, answered_at=None, ended_at=None, closed_at=None,
    ended_by=None, outcome=None, notes="", rating=None, rating_comment="", rated_at=None,
    state="queued",
)
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)"
)


def answered(
    n: int, wait: float, *, agent: str = "0012", item: str = SI, channel: str = "miniprogram",
    rating: int | None = None, handle: float = 300.0, key: str = "",
) -> WorkOrder:
    queued = T0 + n * 1000
    return replace(
        _BLANK, id=f"WO-{n}", item_code=item, channel=channel, agent_id=agent,
        queued_at=queued, answered_at=queued + wait, closed_at=queued + wait + handle,
        rating=rating, state="closed", outcome="resolved", citizen_key=key or f"k{n}",
    )


def abandoned(n: int, after: float, *, item: str = SI, channel: str = "web") -> WorkOrder:
    queued = T0 + n * 1000
    return replace(
        _BLANK, id=f"WO-{n}", item_code=item, channel=channel, queued_at=queued,
        closed_at=queued + after, state="abandoned", outcome="abandoned",
    )


def test_service_level_on_a_day_with_abandons_counts_them() -> None:
    # The day: one caller answered in 10 s, two gave up after 30 and 45 s; and
    # one left after 3 s (a wrong tap: out of the ratios, as contact centres count).
    day = [answered(1, 10, rating=10), abandoned(2, 30), abandoned(3, 45), abandoned(4, 3)]
    total = summarise(day, CATALOG).total
    assert (total.work_orders, total.offered, total.answered) == (4, 4, 1)
    assert (total.abandoned, total.short_abandoned) == (3, 1)
    assert total.service_level == pytest.approx(1 / 3)  # not 100 %: 1 of 3 within 20 s
    assert total.abandonment_rate == pytest.approx(2 / 3)
    assert total.average_speed_of_answer_s == pytest.approx(10)
    assert total.average_wait_s == pytest.approx((10 + 30 + 45) / 3)
    assert total.average_handling_s == pytest.approx(300)
    assert (total.completed, len(total.users), total.average_rating) == (1, 1, 10)


def test_a_group_with_nothing_to_divide_has_no_ratio() -> None:
    figures = summarise([answered(1, 5), abandoned(2, 2, item=HF)], CATALOG)
    housing = figures.breakdowns["theme"]["housing"]
    assert (housing.work_orders, housing.short_abandoned) == (1, 1)
    assert housing.service_level is None and housing.abandonment_rate is None
    assert housing.average_rating is None and housing.average_handling_s is None


def test_every_agent_is_listed_and_channels_are_broken_down() -> None:
    figures = summarise(
        [answered(1, 5, agent="0012"), answered(2, 5, agent="0012", channel="kiosk")],
        CATALOG,
        agents=["0012", "0013"],
    )
    agents = figures.breakdowns["agent"]
    assert list(agents) == ["0012", "0013"] and agents["0013"].work_orders == 0
    assert {c: g.work_orders for c, g in figures.breakdowns["channel"].items()} == {
        "kiosk": 1, "miniprogram": 1,
    }


def test_users_are_counted_by_key_not_by_name() -> None:
    # Same shown name everywhere; two keys, and one order with no identity at all.
    orders = [answered(1, 5, key="a"), answered(2, 5, key="a"), answered(3, 5, key="b"),
              replace(answered(4, 5), citizen_key="")]
    assert len(summarise(orders, CATALOG).total.users) == 3


def test_count_axes_step_in_whole_numbers() -> None:
    assert whole_step(0) == (1, 1)
    assert whole_step(3) == (1, 3)
    assert whole_step(7) == (2, 8)
    assert whole_step(53) == (20, 60)
    assert whole_step(387) == (100, 400)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@needs_pdftotext
def test_the_report_prints_each_figure_with_its_definition_and_period(tmp_path: Path) -> None:
    orders = [
        answered(1, 10, rating=10, agent="0010"),
        answered(2, 25, rating=9, agent="0011", channel="kiosk"),
        abandoned(3, 30),
        abandoned(4, 3, item=HF),
    ]
    figures = summarise(orders, CATALOG, agents=["0010", "0011", "0014"])
    period = ReportPeriod.parse(month="2026-11")
    mid_month = period.start + 6.5 * 86_400
    text = ReportText(
        title="东莞市视频办服务统计报告",
        period=period.label,
        covered=period.covered(mid_month),
        names={
            "theme": {c: t.name for c, t in CATALOG.themes.items()},
            "agent": {"0010": "张三", "0011": "李四", "0014": "赵六"},
        },
    )
    out = write_report(figures, text, tmp_path / "report.pdf")
    page = pdf_text(out)
    flat = " ".join(page.split())
    for expected in (
        "东莞市视频办服务统计报告",
        "统计周期：2026年11月",
        "2026年11月01日 00:00 至 2026年11月07日 12:00（本月截至报告生成时，周期未结束）",
        "服务水平（20秒） 33.3%",  # 1 of 3 counted within 20 s (the 3 s abandon left out)
        "20秒内接通数 ÷（呼入量 − 5秒内放弃数）",
        "放弃率 33.3%",
        "5秒内放弃",
        "平均应答速度 17.5 秒",
        "服务用户数 2",
        "按主题",
        "按坐席",
        "赵六 0014",  # an agent who served nobody is listed
        "按渠道",
        "自助终端",
        "小程序（i莞家）",
    ):
        assert expected in flat, expected
    housing = next(line for line in page.splitlines() if line.strip().startswith("住房保障"))
    assert "–" in housing and "0.0%" not in housing  # nothing to divide: a dash
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert "yes" in fonts.splitlines()[-1]  # the CJK font is embedded
