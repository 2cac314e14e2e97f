"""The pre-review notice PDF: its text read back with pdftotext, its page rendered by pdftoppm."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from PIL import Image

from seat_client.materials.values import MaterialVerdict, PreReviewVerdict
from seat_client.review.notice_pdf import NoticeThumbnail, build_notice_pdf
from seat_client.review.session import load_reasons
from seat_common import catalog

ITEM = catalog.load().items["SI-CARD-APPLY"]


def thumbnail(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 400), colour).save(out, "PNG")
    return out.getvalue()


def make_pdf(tmp_path: Path) -> Path:
    verdict = PreReviewVerdict(
        "WO-20261128-0042", ITEM.code,
        (MaterialVerdict("id_card", "to_correct", "glare", "请避开灯光重新拍摄正面", ("m1",)),
         MaterialVerdict("photo_receipt", "missing")),
        1_764_300_000.0, "0012",
    )
    pdf = build_notice_pdf(verdict, ITEM, agent_name="张三",
                           reason_names={r.code: r.name for r in load_reasons()},
                           thumbnails=[NoticeThumbnail(thumbnail((220, 40, 40)), "有效身份证件")])
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    return path


def test_notice_text_names_item_materials_verdicts_reasons_agent_and_time(tmp_path: Path) -> None:
    path = make_pdf(tmp_path)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    text = "".join(text.split())  # table cells wrap long names over lines
    for expected in ("材料预审意见书", "社会保障卡申领", "WO-20261128-0042", "有效身份证件",
                     "需补正", "反光遮挡", "请避开灯光重新拍摄正面", "东莞市社会保障卡照片回执单",
                     "缺失", "张三", "0012", "2025-11-28"):
        assert expected in text, f"{expected!r} missing from the notice"
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout
    assert "yes" in fonts.splitlines()[-1].split()[-4:-1][0], "the CJK font must be embedded"


def test_notice_page_renders_with_the_thumbnail(tmp_path: Path) -> None:
    path = make_pdf(tmp_path)
    subprocess.run(["pdftoppm", "-png", "-r", "72", "-singlefile", str(path),
                    str(tmp_path / "page")], check=True)
    page = Image.open(tmp_path / "page.png").convert("RGB")
    assert page.width < page.height, "A4 portrait"
    colours = page.getcolors(maxcolors=1 << 20) or []
    red = sum(n for n, (r, g, b) in colours if r > 180 and g < 90 and b < 90)
    dark = sum(n for n, (r, g, b) in colours if r + g + b < 300)
    assert red > 500, "the annotated thumbnail is on the page"
    assert dark > 2000, "the text is drawn (not blank boxes)"
