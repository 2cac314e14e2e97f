"""The acceptance receipt (受理回执): a one-page A4 PDF for the citizen, made with reportlab.

It carries the application number (also as a QR code), the item by its Chinese name
and its catalog code, the applicant with the ID number masked, the materials received
and those still to be corrected (with the reason), the date and the agent, and, when
the agent confirmed an application for someone other than the caller, that record. The
CJK font is embedded (``pdf_fonts``), so it reads the same on any viewer or printer.
Rendering takes tens of milliseconds: call ``render_receipt`` off the event loop
(``asyncio.to_thread``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from seat_client.acceptance.outbox_entries import OutboxEntry
from seat_common.documents.pdf_fonts import cjk_font
from seat_common.personal_data.pii import mask_id_number, mask_name

ISSUER = "东莞市政务服务数据管理局 视频办"


@dataclass(frozen=True, slots=True)
class ReceiptData:
    application_no: str
    item_name: str
    item_code: str
    applicant_name: str
    applicant_id_number: str
    materials: tuple[str, ...]
    accepted_at: datetime
    agent_id: str
    work_order_id: str
    #: materials the pre-review did not accept, one line each (name, status, reason)
    materials_to_correct: tuple[str, ...] = ()
    #: the agent's confirmation that the applicant is not the caller (masked), or ""
    identity_note: str = ""


def receipt_for(entry: OutboxEntry, accepted_at: datetime | None = None) -> ReceiptData:
    """The receipt of an accepted outbox entry."""
    if not entry.application_no:
        raise ValueError("an application without a number has no receipt yet")
    s = entry.submission
    return ReceiptData(
        application_no=entry.application_no,
        item_name=s.item_name,
        item_code=s.item_code,
        applicant_name=s.applicant_name,
        applicant_id_number=s.applicant_id_number,
        materials=s.material_names,
        accepted_at=accepted_at or datetime.fromtimestamp(entry.updated_at),
        agent_id=s.agent_id,
        work_order_id=s.work_order_id,
        materials_to_correct=s.materials_to_correct,
        identity_note=s.identity_note,
    )


def render_receipt(data: ReceiptData) -> bytes:
    """The receipt as PDF bytes."""
    font = cjk_font()
    out = io.BytesIO()
    width, height = A4
    c = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=font)
    c.setTitle(f"受理回执 {data.application_no}")
    c.setAuthor(ISSUER)
    c.setSubject(data.item_name)
    left, right = 25 * mm, width - 25 * mm

    c.setFillColor(HexColor("#0969da"))
    c.rect(0, height - 14 * mm, width, 14 * mm, stroke=0, fill=1)
    c.setFillColor(HexColor("#ffffff"))
    c.setFont(font, 11)
    c.drawString(left, height - 9 * mm, ISSUER)

    c.setFillColor(HexColor("#24292f"))
    c.setFont(font, 22)
    c.drawCentredString(width / 2, height - 35 * mm, "受 理 回 执")

    qr_size = 38 * mm
    qr_top = height - 45 * mm
    _draw_qr(c, data.application_no, right - qr_size, qr_top - qr_size, qr_size)
    c.setFont(font, 8)
    c.drawCentredString(right - qr_size / 2, qr_top - qr_size - 4 * mm, "扫码查询办理进度")

    rows = [
        ("申请编号", data.application_no),
        ("办理事项", data.item_name),
        ("事项编码", data.item_code),
        ("申 请 人", mask_name(data.applicant_name) if data.applicant_name else "—"),
        ("身份证号", mask_id_number(data.applicant_id_number)
         if data.applicant_id_number else "—"),
        ("受理日期", data.accepted_at.strftime("%Y年%m月%d日 %H:%M")),
        ("受理坐席", f"工号 {data.agent_id}" if data.agent_id else "—"),
        ("工 单 号", data.work_order_id or "—"),
    ]
    y = qr_top - 6 * mm
    for label, value in rows:
        c.setFont(font, 11)
        c.setFillColor(HexColor("#57606a"))
        c.drawString(left, y, label)
        c.setFillColor(HexColor("#24292f"))
        c.setFont(font, 13 if label == "申请编号" else 11)
        for i, line in enumerate(_wrap(value, 22)):
            c.drawString(left + 24 * mm, y - i * 6 * mm, line)
            if i:
                y -= 6 * mm
        y -= 9 * mm

    y -= 2 * mm
    c.setStrokeColor(HexColor("#d0d7de"))
    c.line(left, y + 4 * mm, right, y + 4 * mm)
    c.setFont(font, 12)
    c.drawString(left, y - 2 * mm, "已收材料")
    c.setFont(font, 11)
    y -= 10 * mm
    materials = data.materials or ("（无）",)
    for n, name in enumerate(materials, 1):
        c.drawString(left + 4 * mm, y, f"{n}. {name}")
        y -= 7 * mm

    y -= 2 * mm
    c.setFont(font, 12)
    c.drawString(left, y, "待补正材料")
    c.setFont(font, 11)
    y -= 8 * mm
    if not data.materials_to_correct:
        c.drawString(left + 4 * mm, y, "（无）")
        y -= 7 * mm
    for n, line in enumerate(data.materials_to_correct, 1):
        c.setFillColor(HexColor("#9a6700"))
        for i, part in enumerate(_wrap(f"{n}. {line}", 38)):
            c.drawString(left + 4 * mm + (5 * mm if i else 0), y, part)
            y -= 6 * mm
        y -= 1 * mm
    c.setFillColor(HexColor("#24292f"))

    if data.identity_note:
        y -= 2 * mm
        c.setFont(font, 12)
        c.drawString(left, y, "身份核对")
        c.setFont(font, 10)
        y -= 7 * mm
        for part in _wrap_at_breaks(data.identity_note, 42):
            c.drawString(left + 4 * mm, y, part)
            y -= 6 * mm

    y -= 6 * mm
    c.setFont(font, 9.5)
    c.setFillColor(HexColor("#57606a"))
    notes = (
        "您的申请已受理。请凭申请编号在“i莞家”或广东政务服务网查询办理进度。",
        "如需补正材料，工作人员将通过您预留的手机号码与您联系。",
        "本回执由视频办坐席出具，申请人身份证号已作遮挡处理。",
    )
    for note in notes:
        c.drawString(left, y, note)
        y -= 6 * mm

    c.setFont(font, 8)
    c.drawRightString(right, 12 * mm, f"{data.application_no}  第 1 页 / 共 1 页")
    c.showPage()
    c.save()
    return out.getvalue()


def _draw_qr(c: Canvas, value: str, x: float, y: float, size: float) -> None:
    """The QR code's modules as filled squares. (renderPDF would also select Helvetica,
    an unembedded font, into the page; drawing the modules ourselves keeps the PDF clean.)"""
    widget = QrCodeWidget(value, barLevel="M")
    widget.qr.make()
    modules = widget.qr.modules
    count = len(modules) + 8  # a quiet zone of four modules on each side
    step = size / count
    c.setFillColor(HexColor("#ffffff"))
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(HexColor("#000000"))
    for r, row in enumerate(modules):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + (col + 4) * step, y + size - (r + 5) * step, step, step,
                       stroke=0, fill=1)


def _wrap(text: str, per_line: int) -> list[str]:
    return [text[i:i + per_line] for i in range(0, len(text), per_line)] or [""]


def _wrap_at_breaks(text: str, per_line: int) -> list[str]:
    """Lines of at most ``per_line`` characters, broken after a blank or a Chinese comma
    where possible, so a masked number is never cut in two."""
    pieces = re.findall(r"[^ ，]+[ ，]?|[ ，]", text)
    lines = [""]
    for piece in pieces:
        if lines[-1] and len(lines[-1]) + len(piece.rstrip()) > per_line:
            lines.append("")
        lines[-1] += piece
    return [line for chunk in lines for line in _wrap(chunk.rstrip(), per_line)]
