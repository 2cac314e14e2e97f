"""Small reportlab helpers the built-in plugins share: a titled document with key-value
rows and tables, in the embedded CJK font the plugin API names."""

from __future__ import annotations

import io
import time
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from seat_client.plugin_api import PluginContext


def table_pdf(
    title: str,
    subtitle: str,
    pairs: Sequence[tuple[str, str]],
    header: Sequence[str] = (),
    rows: Sequence[Sequence[str]] = (),
    footer: str = "",
) -> bytes:
    """An A4 page: a title, key-value lines, an optional ruled table and a footer."""
    font = PluginContext.pdf_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    pdf.setTitle(title)
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, height - 70, title)
    pdf.setFont(font, 10)
    pdf.drawCentredString(width / 2, height - 90, subtitle)
    y = height - 130
    pdf.setFont(font, 11)
    for key, value in pairs:
        pdf.drawString(70, y, f"{key}：")
        pdf.drawString(200, y, value)
        y -= 20
    if header:
        y -= 10
        col = (width - 140) / len(header)
        pdf.setLineWidth(0.6)
        pdf.line(70, y + 14, width - 70, y + 14)
        pdf.setFont(font, 10)
        for i, h in enumerate(header):
            pdf.drawString(74 + i * col, y, h)
        pdf.line(70, y - 6, width - 70, y - 6)
        y -= 22
        for row in rows:
            for i, cell in enumerate(row):
                pdf.drawString(74 + i * col, y, cell)
            y -= 18
        pdf.line(70, y + 10, width - 70, y + 10)
    pdf.setFont(font, 9)
    pdf.drawString(70, 60, footer)
    pdf.drawRightString(width - 70, 60, time.strftime("打印时间 %Y-%m-%d %H:%M"))
    pdf.showPage()
    pdf.save()
    return out.getvalue()
