"""The statistics report (统计报告): the PDF of a period's figures, with charts.

``write_report`` lays out what ``contact_figures.summarise`` counted: the
headline table (each figure beside its definition, so a reader of the city's
published numbers knows what was counted), the span the figures actually cover
(a month to date says so), bar charts with whole-number axes (work orders by
theme, by agent — every agent, those with none too —, by channel, the rating
distribution) and one table per breakdown asked for. A ratio with nothing to
divide shows "–". The report is in Chinese, in the embedded CJK font
(``pdf_fonts``): it goes to the city's offices. Blocking CPU work: run it off an
event loop.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from seat_common.documents.pdf_fonts import cjk_font
from seat_hub.reports.contact_figures import (
    SHORT_ABANDON_S,
    ContactFigures,
    Dimension,
    GroupFigures,
)

#: What a figure shows when there is nothing to divide.
NOTHING: Final = "–"

CHANNEL_NAMES: Final = {
    "web": "网页",
    "miniprogram": "小程序（i莞家）",
    "official_account": "公众号",
    "kiosk": "自助终端",
    "hotline": "热线",
    "counter": "窗口现场",
}

DIMENSION_NAMES: Final[dict[Dimension, str]] = {
    "hall": "大厅",
    "theme": "主题",
    "item": "事项",
    "agent": "坐席",
    "channel": "渠道",
    "month": "月份",
    "day": "日期",
}


@dataclass(frozen=True)
class ReportText:
    """The words around the figures: title, period, the span covered, and the names to
    show for codes, per dimension (a code without a name is shown as it is)."""

    title: str
    period: str
    covered: str
    names: Mapping[Dimension, Mapping[str, str]] = field(default_factory=dict)

    def name(self, dimension: Dimension, code: str) -> str:
        named = self.names.get(dimension, {}).get(code)
        if dimension == "agent" and named:
            return f"{named} {code}"
        if dimension == "channel" and not named:
            return CHANNEL_NAMES.get(code, code)
        return named or code


def percent(share: float | None) -> str:
    return NOTHING if share is None else f"{share * 100:.1f}%"


def seconds(value: float | None) -> str:
    return NOTHING if value is None else f"{value:.1f} 秒"


def minutes(value: float | None) -> str:
    return NOTHING if value is None else f"{value / 60:.1f} 分钟"


def rating(g: GroupFigures) -> str:
    average = g.average_rating
    return NOTHING if average is None else f"{average:.2f}"


def definitions(threshold_s: float) -> list[list[str]]:
    """The headline figures' names and definitions, as printed."""
    t = f"{threshold_s:g}"
    s = f"{SHORT_ABANDON_S:g}"
    return [
        ["工单数", "统计周期内进入排队的工单（含放弃），及窗口现场接待的工单"],
        ["办结工单数", "已接通并已结单的工单（坐席话后处理，或超时、中断后由系统结单），"
         "及已结单的窗口接待"],
        ["窗口接待", "综窗现场接待的市民（渠道“窗口现场”）：不经排队，不计入呼入量、接通、"
         "放弃及以下各项比率和等待时长"],
        [
            "服务用户数",
            "接通或窗口接待的不同市民：按身份证号（无则手机号）的加密标识去重；两者皆无的"
            "按工单各计一人",
        ],
        ["呼入量", "已接通与已放弃的工单（统计时仍在排队的不计）"],
        ["接通", "坐席接听的工单"],
        ["放弃", f"接通前市民离开的工单（括号内为{s}秒内放弃，不计入下列比率）"],
        [f"服务水平（{t}秒）", f"{t}秒内接通数 ÷（呼入量 − {s}秒内放弃数）"],
        ["放弃率", f"{s}秒后放弃数 ÷（呼入量 − {s}秒内放弃数）"],
        ["平均应答速度", "接通工单从排队到接通的平均时长"],
        ["平均等待时长", f"接通与{s}秒后放弃工单的平均排队时长"],
        ["平均处理时长", "办结工单从接通（窗口接待：开始接待）到结单的平均时长（含话后处理）"],
        ["满意度", "市民评价（1–10分）的平均分"],
    ]


def headline_values(g: GroupFigures) -> list[str]:
    """The headline figures of ``g``, in the order of ``definitions``."""
    return [
        str(g.work_orders),
        str(g.completed),
        str(g.walk_ins),
        str(len(g.users)),
        str(g.offered),
        str(g.answered),
        f"{g.abandoned}（{g.short_abandoned}）",
        percent(g.service_level),
        percent(g.abandonment_rate),
        seconds(g.average_speed_of_answer_s),
        seconds(g.average_wait_s),
        minutes(g.average_handling_s),
        f"{rating(g)}（{g.ratings} 条评价）" if g.ratings else NOTHING,
    ]


def whole_step(largest: float) -> tuple[int, int]:
    """A whole-number axis up to at least ``largest``: (step, top), at most about five
    steps of 1, 2 or 5 times a power of ten."""
    wanted = max(1.0, largest / 5)
    power = 10 ** math.floor(math.log10(wanted))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= wanted)
    return step, max(step, step * math.ceil(largest / step))


def _bar_chart(title: str, labels: list[str], values: list[int], font: str) -> Drawing:
    crowded = len(labels) > 12 or sum(len(label) + 2 for label in labels) > 60
    drawing = Drawing(180 * mm, 66 * mm if crowded else 58 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 20 * mm if crowded else 10 * mm
    chart.width, chart.height = 164 * mm, 36 * mm
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or ["-"]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if crowded else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if crowded else "n"
    step, top = whole_step(max(values, default=0))
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = "%d"
    chart.bars[0].fillColor = colors.HexColor("#0969da")
    # Past twenty bars their numbers run into each other: the tables give them.
    chart.barLabelFormat = "%d" if len(values) <= 20 else None
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(String(0, drawing.height - 5 * mm, title, fontName=font, fontSize=10))
    return drawing


def _table(rows: list[list[object]], font: str, widths: list[float] | None = None) -> Table:
    table = Table(rows, repeatRows=1, hAlign="LEFT", colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eaeef2")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#8c959f")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _group_row(g: GroupFigures) -> list[object]:
    return [
        str(g.work_orders),
        str(g.completed),
        str(g.walk_ins),
        str(len(g.users)),
        str(g.answered),
        str(g.abandoned),
        percent(g.service_level),
        percent(g.abandonment_rate),
        seconds(g.average_speed_of_answer_s),
        minutes(g.average_handling_s),
        rating(g),
    ]


def write_report(figures: ContactFigures, text: ReportText, path: Path) -> Path:
    """Write the PDF to ``path`` (blocking: run it off the event loop)."""
    font = cjk_font()
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=22)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    small = ParagraphStyle("small", fontName=font, fontSize=7.5, leading=10)
    section = ParagraphStyle(
        "section", fontName=font, fontSize=11, leading=16, spaceBefore=6, keepWithNext=1
    )
    threshold = figures.threshold_s
    headline = [
        [name, value, Paragraph(meaning, small)]
        for (name, meaning), value in zip(
            definitions(threshold), headline_values(figures.total), strict=True
        )
    ]
    story: list[object] = [
        Paragraph(escape(text.title), heading),
        Paragraph(escape(f"统计周期：{text.period}"), body),
        Paragraph(f"数据范围：{text.covered}", body),
        Spacer(1, 3 * mm),
        _table([["指标", "数值", "口径"], *headline], font, [34 * mm, 34 * mm, 112 * mm]),
        Paragraph(f"分母为零、无法计算的指标显示为“{NOTHING}”。", small),
        Spacer(1, 3 * mm),
    ]
    for dimension in ("theme", "agent", "channel"):
        groups = figures.breakdowns.get(dimension)
        if groups is None:
            continue
        story.append(
            _bar_chart(
                f"按{DIMENSION_NAMES[dimension]}的工单数",
                [text.name(dimension, code) for code in groups],
                [g.work_orders for g in groups.values()],
                font,
            )
        )
    story.append(
        _bar_chart(
            "满意度评分分布（条）",
            [str(score) for score in range(1, 11)],
            [figures.ratings.get(score, 0) for score in range(1, 11)],
            font,
        )
    )
    header = [
        "工单", "办结", "窗口", "人数", "接通", "放弃", f"服务水平\n（{threshold:g}秒）", "放弃率",
        "平均应答", "平均处理", "满意度",
    ]
    widths = [38 * mm] + [12 * mm] * 6 + [16 * mm, 12 * mm, 14 * mm, 14 * mm, 12 * mm]
    for dimension, groups in figures.breakdowns.items():
        title = DIMENSION_NAMES[dimension]
        rows = [
            [Paragraph(escape(text.name(dimension, code)), small), *_group_row(g)]
            for code, g in groups.items()
        ]
        story += [
            Paragraph(f"按{title}", section),
            _table([[title, *header], *rows], font, widths),
        ]
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        title=text.title,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    document.build(story)
    return path
