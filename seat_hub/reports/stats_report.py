"""The statistics report (统计报告): a PDF for a day or a month, with charts.

``summarise`` turns work-order rows (``protocol.WorkOrderRow``, personal data
already masked) into figures: work orders, users served, answered,
abandoned, service level within 20 s and 60 s, average handling time and
rating, and the same per theme and per agent. ``write_report`` lays them
out with reportlab: a headline table, bar charts (work orders by theme, by
agent, the rating distribution) and the two breakdown tables, all in the
embedded CJK font (``pdf_fonts``). The report is in Chinese: it goes to the
city's offices. CPU work: call it from an executor on the UI's loop.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from seat_common.pdf_fonts import cjk_font
from seat_common.protocol import WorkOrderRow


@dataclass
class GroupFigures:
    """Figures of one group of work orders (all, a theme, an agent)."""

    work_orders: int = 0
    answered: int = 0
    abandoned: int = 0
    within_20s: int = 0
    within_60s: int = 0
    wait_sum_s: float = 0.0
    handle_sum_s: float = 0.0
    handled: int = 0
    rating_sum: int = 0
    ratings: int = 0
    users: set[str] = field(default_factory=set)

    def add(self, row: WorkOrderRow) -> None:
        self.work_orders += 1
        if row.state == "abandoned":
            self.abandoned += 1
        if row.answered_at:
            waited = max(0.0, row.answered_at - row.queued_at)
            self.answered += 1
            self.wait_sum_s += waited
            self.within_20s += waited <= 20
            self.within_60s += waited <= 60
            c = row.citizen
            self.users.add(c.id_number or c.phone or c.name or row.work_order_id)
        if row.handle_s:
            self.handled += 1
            self.handle_sum_s += row.handle_s
        if row.rating:
            self.ratings += 1
            self.rating_sum += row.rating

    @property
    def service_level_20s(self) -> float:
        return self.within_20s / self.answered if self.answered else 0.0

    @property
    def service_level_60s(self) -> float:
        return self.within_60s / self.answered if self.answered else 0.0

    @property
    def average_rating(self) -> float:
        return self.rating_sum / self.ratings if self.ratings else 0.0

    @property
    def average_handling_s(self) -> float:
        return self.handle_sum_s / self.handled if self.handled else 0.0


@dataclass
class ReportData:
    """Everything the report shows."""

    title: str
    period: str
    total: GroupFigures
    by_theme: dict[str, GroupFigures]
    by_agent: dict[str, GroupFigures]
    ratings: Counter[int]


def summarise(rows: Iterable[WorkOrderRow], *, title: str, period: str) -> ReportData:
    total = GroupFigures()
    by_theme: dict[str, GroupFigures] = defaultdict(GroupFigures)
    by_agent: dict[str, GroupFigures] = defaultdict(GroupFigures)
    ratings: Counter[int] = Counter()
    for row in rows:
        total.add(row)
        by_theme[row.theme or "-"].add(row)
        if row.agent_id:
            by_agent[row.agent_id].add(row)
        if row.rating:
            ratings[row.rating] += 1
    return ReportData(title, period, total, dict(by_theme), dict(by_agent), ratings)


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} 分钟"


def _bar_chart(title: str, labels: list[str], values: list[float], font: str) -> Drawing:
    drawing = Drawing(170 * mm, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, 14 * mm
    chart.width, chart.height = 150 * mm, 38 * mm
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or ["-"]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(labels) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 6 else "n"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#0969da")
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(String(0, 58 * mm, title, fontName=font, fontSize=10))
    return drawing


def _table(header: list[str], body: list[list[str]], font: str) -> Table:
    table = Table([header, *body], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eaeef2")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#8c959f")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def _group_row(name: str, g: GroupFigures) -> list[str]:
    return [
        name,
        str(g.work_orders),
        str(len(g.users)),
        str(g.answered),
        _percent(g.service_level_20s),
        _percent(g.service_level_60s),
        _minutes(g.average_handling_s),
        f"{g.average_rating:.2f}" if g.ratings else "-",
    ]


def write_report(
    data: ReportData,
    path: Path,
    *,
    theme_names: Mapping[str, str] | None = None,
    agent_names: Mapping[str, str] | None = None,
) -> Path:
    """Write the PDF to ``path`` (blocking: run it off the event loop)."""
    font = cjk_font()
    theme_names = theme_names or {}
    agent_names = agent_names or {}
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=22)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    total = data.total
    story: list[object] = [
        Paragraph(data.title, heading),
        Paragraph(f"统计周期：{data.period}", body),
        Spacer(1, 4 * mm),
        _table(
            ["指标", "数值"],
            [
                ["工单数", str(total.work_orders)],
                ["服务人数", str(len(total.users))],
                ["接通", str(total.answered)],
                ["放弃", str(total.abandoned)],
                ["20秒内接通率", _percent(total.service_level_20s)],
                ["60秒内接通率", _percent(total.service_level_60s)],
                ["平均处理时长", _minutes(total.average_handling_s)],
                [
                    "平均满意度（1–10）",
                    f"{total.average_rating:.2f}（{total.ratings} 条评价）"
                    if total.ratings
                    else "-",
                ],
            ],
            font,
        ),
        Spacer(1, 4 * mm),
    ]
    themes = sorted(data.by_theme.items(), key=lambda kv: -kv[1].work_orders)
    story.append(
        _bar_chart(
            "按主题的工单数",
            [theme_names.get(code, code) for code, _ in themes],
            [g.work_orders for _, g in themes],
            font,
        )
    )
    agents = sorted(data.by_agent.items(), key=lambda kv: kv[0])
    story.append(
        _bar_chart(
            "按坐席的工单数",
            [agent_names.get(a, a) for a, _ in agents],
            [g.work_orders for _, g in agents],
            font,
        )
    )
    story.append(
        _bar_chart(
            "满意度评分分布",
            [str(score) for score in range(1, 11)],
            [data.ratings.get(score, 0) for score in range(1, 11)],
            font,
        )
    )
    header = ["", "工单", "人数", "接通", "20秒", "60秒", "平均处理", "满意度"]
    story += [
        Paragraph("按主题", body),
        _table(
            ["主题", *header[1:]], [_group_row(theme_names.get(c, c), g) for c, g in themes], font
        ),
        Spacer(1, 4 * mm),
        Paragraph("按坐席", body),
        _table(
            ["坐席", *header[1:]],
            [_group_row(f"{agent_names.get(a, '')} {a}".strip(), g) for a, g in agents],
            font,
        ),
    ]
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        title=data.title,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    document.build(story)
    return path
