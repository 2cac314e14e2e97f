"""The review pane with real photos: first paint, checklist, verdict with flattened PNGs, notice."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import QSize
from PyQt6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from seat_client.materials.values import MaterialRef, PreReviewVerdict
from seat_client.review.annotation_commands import AddShape
from seat_client.review.session import ReviewSession, ReviewStore, load_reasons
from seat_client.review.shapes import Mosaic, Rect
from seat_common import catalog
from tests.review_photos import make_document_photo
from ui.review.pane import ReviewPane

ITEM = catalog.load().items["SI-CARD-APPLY"]


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("photos")
    return [make_document_photo(folder / f"IMG_{i}.jpg", stored_size=(1600, 1200), seed=i)
            for i in range(2)]


def ref(path: Path, mid: str, code: str = "") -> MaterialRef:
    data = path.read_bytes()
    return MaterialRef(mid, "WO-9", path, hashlib.sha256(data).hexdigest(), "image/jpeg",
                       1600, 1200, len(data), path.name, "citizen_upload", time.time(), code)


def open_pane(qtbot: QtBot, tmp_path: Path, photos: list[Path]) -> tuple[ReviewPane,
                                                                         ReviewSession]:
    pane = ReviewPane(store=ReviewStore(tmp_path), agent_id="0012", agent_name="张三")
    qtbot.addWidget(pane)
    pane.resize(1366, 768)
    pane.show()
    session = ReviewSession("WO-9", ITEM, load_reasons())
    pane.set_session(session)
    with qtbot.waitSignal(pane.viewer.first_painted, timeout=5000):
        pane.add_material(ref(photos[0], "m1", "id_card"))
    pane.add_material(ref(photos[1], "m2"))
    qtbot.waitUntil(lambda: pane.images.pyramid("m1") is not None, timeout=5000)
    qtbot.waitUntil(lambda: len(pane.viewer._levels) > 1, timeout=5000)
    return pane, session


async def open_pane_on_the_loop(qtbot: QtBot, tmp_path: Path, photos: list[Path]
                                ) -> tuple[ReviewPane, ReviewSession]:
    """``open_pane`` for async tests: waits on the event loop, not in a nested Qt loop."""
    pane = ReviewPane(store=ReviewStore(tmp_path), agent_id="0012", agent_name="张三")
    qtbot.addWidget(pane)
    pane.resize(1366, 768)
    pane.show()
    session = ReviewSession("WO-9", ITEM, load_reasons())
    pane.set_session(session)
    painted = next_emission(pane.viewer.first_painted)
    pane.add_material(ref(photos[0], "m1", "id_card"))
    await asyncio.wait_for(painted, 5)
    pane.add_material(ref(photos[1], "m2"))
    await until(lambda: pane.images.pyramid("m1") is not None)
    await until(lambda: len(pane.viewer._levels) > 1)
    return pane, session


def next_emission(signal: Any) -> asyncio.Future[tuple[Any, ...]]:
    """A future holding the arguments of ``signal``'s next emission."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def on_emit(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(on_emit)
    return future


async def until(condition: Callable[[], object], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_first_paint_is_upright_then_the_full_image_follows(qtbot: QtBot, tmp_path: Path,
                                                            photos: list[Path]) -> None:
    pane, _ = open_pane(qtbot, tmp_path, photos)
    levels = pane.images.pyramid("m1")
    assert levels is not None and (levels[0].width(), levels[0].height()) == (1200, 1600)
    qtbot.waitUntil(lambda: pane.images.thumbnail("m2") is not None, timeout=5000)
    assert pane.strip.count() == 2
    first = pane.strip.item(0)
    assert first is not None and "有效身份证件" in first.text()


def test_other_work_orders_materials_do_not_enter(qtbot: QtBot, tmp_path: Path,
                                                  photos: list[Path]) -> None:
    pane, session = open_pane(qtbot, tmp_path, photos)
    stray = ref(photos[0], "x")
    pane.add_material(MaterialRef(**{**{f: getattr(stray, f) for f in stray.__slots__},
                                     "work_order_id": "WO-other"}))
    assert pane.strip.count() == 2 and "x" not in session.materials
    ours = MaterialRef(**{**{f: getattr(stray, f) for f in stray.__slots__},
                          "work_order_id": "WO-9", "source": "agent_annotated"})
    pane.add_material(ours)
    assert pane.strip.count() == 2, "the agent's own annotated copy is not reviewed again"


def test_verdict_needs_every_material_marked(qtbot: QtBot, tmp_path: Path,
                                             photos: list[Path]) -> None:
    pane, session = open_pane(qtbot, tmp_path, photos)
    with qtbot.assertNotEmitted(pane.verdict_ready, wait=100):
        pane.send.click()
    assert "东莞市社会保障卡照片回执单" in pane.status.text()
    assert session.history == []


async def test_send_flattens_annotations_and_hides_the_mosaic_region(
        qtbot: QtBot, tmp_path: Path, photos: list[Path]) -> None:
    pane, session = await open_pane_on_the_loop(qtbot, tmp_path, photos)
    row = pane.checklist.rows["id_card"]
    row.reason.setCurrentIndex(row.reason.findData("glare"))
    row.buttons["to_correct"].click()
    pane.checklist.rows["photo_receipt"].buttons["missing"].click()
    assert session.marks["id_card"].reason_code == "glare"
    # Hide the ID number line (upright image coordinates) and frame the card.
    session.stacks["m1"].push(AddShape(Mosaic("mo", 200, 560, 700, 60, 20)))
    session.stacks["m1"].push(AddShape(Rect("r", 100, 300, 1000, 600, "#d1242f", 10)))
    ready = next_emission(pane.verdict_ready)
    pane.send.click()
    verdict, pngs = await asyncio.wait_for(ready, 10)
    assert isinstance(verdict, PreReviewVerdict) and session.history == [verdict]
    assert set(pngs) == {"m1"}, "only annotated images go back flattened"
    image = QImage.fromData(pngs["m1"], "PNG")
    assert (image.width(), image.height()) == (1200, 1600)
    assert QColor(image.pixel(100, 600)).red() > 180, "the red frame is burned in"
    # Inside the mosaic, each 20 px block is one flat colour: the digits are gone.
    block = {image.pixel(x, y) for x in range(402, 418) for y in range(562, 578)}
    assert len(block) == 1
    assert pane.history.count() == 1


async def test_notice_pdf_comes_back_from_the_worker(qtbot: QtBot, tmp_path: Path,
                                                     photos: list[Path]) -> None:
    pane, session = await open_pane_on_the_loop(qtbot, tmp_path, photos)
    session.mark("id_card", "accepted")
    session.mark("photo_receipt", "to_correct", "blurry")
    ready = next_emission(pane.notice_ready)
    pane.notice.click()
    pdf, name = await asyncio.wait_for(ready, 10)
    assert pdf.startswith(b"%PDF") and name == "预审意见书_WO-9.pdf"


def test_annotations_are_saved_and_come_back_in_a_new_pane(qtbot: QtBot, tmp_path: Path,
                                                           photos: list[Path]) -> None:
    pane, session = open_pane(qtbot, tmp_path, photos)
    session.stacks["m1"].push(AddShape(Rect("r", 1, 2, 30, 40)))
    pane.viewer.rotate_by(1)
    pane.close_pane()
    store = ReviewStore(tmp_path)
    again = ReviewSession("WO-9", ITEM, load_reasons())
    stored = store.load("WO-9")
    assert stored is not None
    again.restore(stored)
    again.add_material(ref(photos[0], "m1", "id_card"))
    assert again.layers["m1"].shapes() == (Rect("r", 1, 2, 30, 40),)
    assert again.rotations["m1"] == 1


def test_pane_fits_a_1366_by_768_screen(qtbot: QtBot, tmp_path: Path, photos: list[Path]) -> None:
    pane, _ = open_pane(qtbot, tmp_path, photos)
    hint = pane.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    assert pane.viewer.size().width() >= 600 and pane.viewer.size().height() >= 500
    assert pane.tools.sizeHint().width() <= pane.viewer.width() + 40, (
        "the tool bar fits above the viewer", QSize(pane.tools.sizeHint()))
