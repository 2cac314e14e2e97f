"""The individual business licence (营业执照) as an A4 PDF for the kiosk's printer."""

from __future__ import annotations

import io
from collections.abc import Mapping

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from seat_client.plugin_api import PluginContext

FORM_ZH = {"individual": "个人经营", "family": "家庭经营"}


def licence_pdf(values: Mapping[str, str], licence_no: str, registered_on: str) -> bytes:
    font = PluginContext.pdf_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    pdf.setTitle(f"营业执照 {licence_no}")
    pdf.setStrokeColorRGB(0.65, 0.1, 0.1)
    pdf.setLineWidth(3)
    pdf.rect(40, 40, width - 80, height - 80)
    pdf.setLineWidth(1)
    pdf.rect(48, 48, width - 96, height - 96)
    pdf.setFillColorRGB(0.65, 0.1, 0.1)
    pdf.setFont(font, 34)
    pdf.drawCentredString(width / 2, height - 130, "营 业 执 照")
    pdf.setFont(font, 12)
    pdf.drawCentredString(width / 2, height - 155, "（个体工商户）")
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont(font, 12)
    pdf.drawString(80, height - 195, f"统一社会信用代码  {licence_no}")
    rows = [
        ("名　　称", values.get("business_name") or "（无字号）"),
        ("经 营 者", values.get("operator_name", "")),
        ("组成形式", FORM_ZH.get(values.get("operator_type", ""), values.get("operator_type", ""))),
        ("经营场所", values.get("premises_address", "")),
        ("经营范围", values.get("business_scope", "")),
        ("资金数额", f"{values.get('capital_wan_yuan', '')} 万元"),
        ("注册日期", registered_on),
    ]
    y = height - 250
    for label, value in rows:
        pdf.setFont(font, 13)
        pdf.drawString(90, y, label)
        pdf.setFont(font, 12)
        text = str(value)
        while text:
            pdf.drawString(190, y, text[:28])
            text = text[28:]
            y -= 20
        y -= 16
    pdf.setFont(font, 14)
    pdf.drawRightString(width - 90, 150, "登记机关：东莞市市场监督管理局")
    pdf.drawRightString(width - 90, 125, registered_on)
    pdf.setFont(font, 8)
    pdf.drawCentredString(width / 2, 60, "视频办即时办结 · 沙盒环境生成，仅供演示")
    pdf.showPage()
    pdf.save()
    return out.getvalue()
