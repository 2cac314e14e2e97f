"""The receipt PDF says what the citizen needs, masks the ID number, embeds its font, has a QR."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from seat_client.acceptance.outbox_entries import OutboxEntry, OutboxState, Submission
from seat_client.acceptance.receipt import ReceiptData, receipt_for, render_receipt

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

DATA = ReceiptData(
    application_no="SL-20261128-000042", item_name="个体工商户设立登记",
    item_code="BR-INDIVIDUAL-SETUP", applicant_name="吴小梅",
    applicant_id_number="11010519491231002X", materials=("居民身份证", "经营场所使用证明"),
    accepted_at=datetime(2026, 11, 28, 14, 3), agent_id="0012", work_order_id="WO-7",
)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_receipt_text(tmp_path: Path) -> None:
    text = pdf_text(render_receipt(DATA), tmp_path)
    for expected in ("受理回执", "SL-20261128-000042", "个体工商户设立登记", "吴**",
                     "1101**********002X", "居民身份证", "经营场所使用证明",
                     "2026年11月28日 14:03", "工号 0012"):
        assert expected in text, expected
    assert "11010519491231002X" not in text and "吴小梅" not in text


def test_the_font_is_embedded_and_the_qr_is_drawn(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(render_receipt(DATA))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(r[-5] == "yes" for r in rows), fonts  # every font embedded
    assert any("WenQuanYi" in r[0] for r in rows)
    # The QR code is many small filled squares in the page content.
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(png)], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5_000


def test_receipt_for_an_outbox_entry() -> None:
    sub = Submission("WO-9", "SI-PENSION-CERT", "养老认证", "pension_certification",
                     {"a": "b"}, ("id_card",), ("居民身份证",), "吴小梅", "11010519491231002X",
                     "0012")
    entry = OutboxEntry(1, "k", sub, OutboxState.ACCEPTED, application_no="SL-1",
                        updated_at=1_800_000_000.0)
    data = receipt_for(entry)
    assert (data.application_no, data.materials) == ("SL-1", ("居民身份证",))
    with pytest.raises(ValueError):
        receipt_for(OutboxEntry(2, "k2", sub, OutboxState.QUEUED))


def test_the_receipt_names_the_item_and_lists_what_is_still_to_be_corrected(
        tmp_path: Path) -> None:
    note = ("申请人身份证号 1101**********002X 与来电人（自助终端读卡）4401**********1233 "
            "不一致，坐席工号 0012 于 2026-11-28 14:01 确认代他人申请")
    sub = Submission("WO-9", "BR-INDIVIDUAL-SETUP", "个体工商户设立登记", "individual_business",
                     {"a": "b"}, ("id_card",), ("经营者身份证",), "吴小梅", "11010519491231002X",
                     "0012", identity_note=note,
                     materials_to_correct=("经营场所证明（需补正：反光遮挡）",))
    stored = Submission.from_json(sub.to_json())  # as the outbox keeps it
    assert stored == sub
    entry = OutboxEntry(1, "k", stored, OutboxState.ACCEPTED, application_no="SL-1",
                        updated_at=1_800_000_000.0)
    text = pdf_text(render_receipt(receipt_for(entry)), tmp_path)
    flat = " ".join(text.split())
    assert "个体工商户设立登记" in flat and "BR-INDIVIDUAL-SETUP" in flat
    assert "待补正材料" in flat and "经营场所证明（需补正：反光遮挡）" in flat
    assert "身份核对" in flat and "确认代他人申请" in flat and "4401**********1233" in flat
    assert "11010519491231002X" not in flat


def test_a_receipt_with_nothing_to_correct_says_so(tmp_path: Path) -> None:
    text = pdf_text(render_receipt(DATA), tmp_path)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[lines.index("待补正材料") + 1] == "（无）"
    assert "身份核对" not in text, "no identity record when the caller was the applicant"
