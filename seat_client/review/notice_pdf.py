"""The pre-review notice (材料预审意见书): a PDF the citizen can keep or the counter can print.

Made with reportlab and the embedded CJK font (``pdf_fonts``): the item, the
work order, each checklist material with its verdict, reason and note, the
annotated images as thumbnails (PNG bytes flattened by the UI), the agent
and the time. CPU-bound (~0.1 s): call it off the UI loop.
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from seat_client.materials.values import PreReviewVerdict
from seat_common.catalog import ServiceItem
from seat_common.documents.pdf_fonts import cjk_font

STATUS_NAMES = {"accepted": "通过", "to_correct": "需补正", "missing": "缺失"}
STATUS_COLOURS = {"accepted": "#1a7f37", "to_correct": "#9a6700", "missing": "#cf222e"}


@dataclass(frozen=True, slots=True)
class NoticeThumbnail:
    """An annotated image for the notice, with the caption printed under it."""

    png: bytes
    caption: str


def format_time(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))


def build_notice_pdf(
    verdict: PreReviewVerdict,
    item: ServiceItem,
    *,
    agent_name: str,
    reason_names: Mapping[str, str],
    thumbnails: Sequence[NoticeThumbnail] = (),
) -> bytes:
    """The notice as PDF bytes."""
    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=12,
                           textColor=colors.HexColor("#57606a"))
    caption = ParagraphStyle("caption", parent=small, alignment=TA_CENTER)
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER)
    head = ParagraphStyle("head", parent=base, fontSize=12, leading=18, spaceBefore=6,
                          spaceAfter=4)
    names = {m.code: m.name for m in item.materials}

    story: list[object] = [Paragraph("材料预审意见书", title), Spacer(1, 4 * mm)]
    agent = f"{agent_name}（工号 {verdict.agent_id}）" if agent_name else verdict.agent_id
    facts = [
        ["办理事项", Paragraph(f"{item.name}（{item.code}）", base)],
        ["受理部门", Paragraph(item.department, base)],
        ["工单编号", verdict.work_order_id],
        ["预审坐席", agent],
        ["预审时间", format_time(verdict.decided_at)],
    ]
    facts_table = Table(facts, colWidths=[28 * mm, 142 * mm])
    facts_table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 10.5),
        ("TEXTCOLOR", (0, 0), (0, -1), colors.HexColor("#57606a")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    story += [facts_table, Paragraph("预审结论", head)]

    rows: list[list[object]] = [["序号", "材料名称", "结论", "原因及说明"]]
    style = [
        ("FONT", (0, 0), (-1, -1), font, 10.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eaeef2")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#d0d7de")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for i, mv in enumerate(verdict.verdicts, start=1):
        reason = reason_names.get(mv.reason_code, mv.reason_code) if mv.reason_code else ""
        detail = "；".join(p for p in (reason, mv.note) if p) or "—"
        rows.append([str(i), Paragraph(names.get(mv.material_code, mv.material_code), base),
                     STATUS_NAMES.get(mv.status, mv.status), Paragraph(detail, base)])
        style.append(("TEXTCOLOR", (2, i), (2, i),
                      colors.HexColor(STATUS_COLOURS.get(mv.status, "#24292f"))))
    table = Table(rows, colWidths=[12 * mm, 62 * mm, 18 * mm, 78 * mm], repeatRows=1)
    table.setStyle(TableStyle(style))
    story.append(table)

    corrections = [mv for mv in verdict.verdicts if mv.status != "accepted"]
    summary = ("全部材料预审通过，请按预约时间办理。" if not corrections else
               f"共 {len(corrections)} 项材料需补正或补交，请按上述意见准备后重新提交。")
    story += [Spacer(1, 3 * mm), Paragraph(summary, base)]

    if thumbnails:
        story.append(Paragraph("标注图片", head))
        cells: list[object] = []
        for thumb in thumbnails:
            reader = ImageReader(io.BytesIO(thumb.png))
            w, h = reader.getSize()
            scale = min(80 * mm / w, 60 * mm / h)
            cells.append([Image(io.BytesIO(thumb.png), w * scale, h * scale),
                          Paragraph(thumb.caption, caption)])
        grid = [cells[i:i + 2] + [""] * (2 - len(cells[i:i + 2])) for i in range(0, len(cells), 2)]
        thumbs = Table(grid, colWidths=[85 * mm, 85 * mm])
        thumbs.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("ALIGN", (0, 0), (-1, -1), "CENTER")]))
        story.append(thumbs)

    story += [Spacer(1, 6 * mm),
              Paragraph("本意见书为材料预审意见，最终以受理部门审核结果为准。", small),
              Paragraph("东莞市政务服务数据管理局 · 视频办", small)]

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm,
                            title="材料预审意见书", author=agent_name or verdict.agent_id)
    doc.build(story)
    return out.getvalue()
