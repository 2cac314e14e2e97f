"""The review viewer offscreen: what it paints (snapshots), zoom/pan/rotate, tools by mouse."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PyQt6.QtCore import QPoint, QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QWheelEvent
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from seat_client.review.annotation_commands import AddShape, UndoStack
from seat_client.review.annotation_tools import ToolController
from seat_client.review.annotations import AnnotationLayer
from seat_client.review.shapes import Arrow, Ellipse, Highlight, Mosaic, Pen, Rect, Text
from tests.review_photos import make_document_photo
from tests.ui.conftest import Snapshot
from ui.review.render import ImageDecodeError, build_pyramid, decode_full, decode_scaled, flatten
from ui.review.tools import ReviewToolBar
from ui.review.viewer import ReviewViewer


def document_image() -> QImage:
    """A deterministic 1200×900 'document': grey grid, a card, dark text-like bars."""
    image = QImage(1200, 900, QImage.Format.Format_RGB32)
    image.fill(QColor("#b9a58c"))
    p = QPainter(image)
    p.setPen(QColor("#a08c73"))
    for x in range(0, 1200, 40):
        p.drawLine(x, 0, x, 900)
    for y in range(0, 900, 40):
        p.drawLine(0, y, 1200, y)
    p.fillRect(150, 150, 900, 560, QColor("#e2ecf4"))
    for i in range(6):
        p.fillRect(200, 220 + i * 70, 420 + (i % 3) * 60, 24, QColor(40, 40, 40))
    p.fillRect(760, 240, 220, 280, QColor("#b4bec8"))
    p.end()
    return image


SHAPES = (
    Highlight("h", 190, 210, 520, 44),
    Rect("r", 150, 150, 900, 560, stroke=8),
    Ellipse("e", 740, 220, 260, 320, "#0969da", 6),
    Arrow("a", 1150, 860, 960, 660, stroke=8),
    Pen("p", tuple((200.0 + i * 12, 780.0 + (i % 4) * 14) for i in range(40)), "#1a7f37", 6),
    Text("t", 180, 730, "反光遮挡", 60),
    Mosaic("m", 190, 560, 560, 50, 16),
)


def make_viewer(qtbot: QtBot, shapes: tuple[object, ...] = SHAPES,
                size: tuple[int, int] = (480, 360)) -> ReviewViewer:
    stack = UndoStack(AnnotationLayer())
    for s in shapes:
        stack.push(AddShape(s))  # type: ignore[arg-type]
    controller = ToolController(stack)
    viewer = ReviewViewer(controller)
    qtbot.addWidget(viewer)
    viewer.resize(*size)
    viewer.show_material("m1", stack.layer)
    viewer.set_levels(build_pyramid(document_image(), smallest=256))
    QApplication.instance().setFont(QFont("WenQuanYi Micro Hei", 10))  # type: ignore[union-attr]
    return viewer


def test_fit_view_paints_every_kind_of_shape(qtbot: QtBot, snapshot: Snapshot) -> None:
    viewer = make_viewer(qtbot)
    viewer.controller.select("e")
    snapshot(viewer.grab().toImage(), "viewer_fit_all_shapes")


def test_zoomed_in_shapes_stay_sharp(qtbot: QtBot, snapshot: Snapshot) -> None:
    viewer = make_viewer(qtbot)
    viewer.grab()  # annotations rendered at the fit zoom
    anchor = viewer.transform().map(QPointF(743, 380))  # the ellipse's left edge
    viewer.set_zoom(4.0, anchor)
    blurred = viewer.grab().toImage()  # the old overlay, scaled, while the zoom moves
    assert not viewer.annotations_settled()
    qtbot.waitUntil(viewer.annotations_settled, timeout=2000)
    image = viewer.grab().toImage()
    assert image != blurred, "re-rendered crisp once the zoom rested"
    snapshot(image, "viewer_zoom_4x")
    still = viewer.to_image(anchor)
    assert (still.x(), still.y()) == pytest.approx((743, 380), abs=0.5), "zoom keeps the anchor"
    # Crisp, not a blown-up bitmap: the 6 px ellipse outline at 4× spans ~24 view px of solid
    # blue with a sharp edge, no wide blur ramp.
    row = [QColor(image.pixel(x, int(anchor.y()))) for x in range(image.width())]
    blue = [i for i, c in enumerate(row) if c.blue() > 180 and c.red() < 60]
    assert 15 <= len(blue) <= 40


def test_rotated_view_turns_image_and_shapes_together(qtbot: QtBot, snapshot: Snapshot) -> None:
    viewer = make_viewer(qtbot)
    viewer.rotate_by(1)
    snapshot(viewer.grab().toImage(), "viewer_rotated_90")
    corner = viewer.transform().map(QPointF(0, 0))
    assert corner.x() > 240 and corner.y() < 180, "the image's top-left is now top-right"


def test_wheel_zoom_keeps_the_point_under_the_cursor(qtbot: QtBot) -> None:
    viewer = make_viewer(qtbot)
    cursor = QPointF(100, 80)
    before = viewer.to_image(cursor)
    zoom = viewer.zoom
    event = QWheelEvent(cursor, viewer.mapToGlobal(cursor), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewer, event)
    assert viewer.zoom == pytest.approx(zoom * 1.44)
    after = viewer.to_image(cursor)
    assert (after.x(), after.y()) == pytest.approx((before.x(), before.y()), abs=0.5)


def test_keys_fit_actual_size_rotate_and_delete(qtbot: QtBot) -> None:
    viewer = make_viewer(qtbot)
    fit = viewer.zoom
    qtbot.keyClick(viewer, Qt.Key.Key_1)
    assert viewer.zoom == 1.0
    qtbot.keyClick(viewer, Qt.Key.Key_Plus)
    assert viewer.zoom == pytest.approx(1.25)
    qtbot.keyClick(viewer, Qt.Key.Key_0)
    assert viewer.zoom == pytest.approx(fit)
    qtbot.keyClick(viewer, Qt.Key.Key_R)
    assert viewer.rotation == 1
    qtbot.keyClick(viewer, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
    assert viewer.rotation == 0
    viewer.controller.select("r")
    qtbot.keyClick(viewer, Qt.Key.Key_Delete)
    assert "r" not in viewer.controller.stack.layer


def drag(viewer: ReviewViewer, start: QPointF, end: QPointF) -> None:
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    mods = Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(viewer, QMouseEvent(QMouseEvent.Type.MouseButtonPress, start,
                                               viewer.mapToGlobal(start), left, left, mods))
    for i in range(1, 6):
        p = start + (end - start) * (i / 5)
        QApplication.sendEvent(viewer, QMouseEvent(QMouseEvent.Type.MouseMove, p,
                                                   viewer.mapToGlobal(p), none, left, mods))
    QApplication.sendEvent(viewer, QMouseEvent(QMouseEvent.Type.MouseButtonRelease, end,
                                               viewer.mapToGlobal(end), left, none, mods))


def test_drawing_with_the_mouse_stores_the_shape_in_image_coordinates(qtbot: QtBot) -> None:
    viewer = make_viewer(qtbot, shapes=())
    toolbar = ReviewToolBar(viewer.controller, viewer)
    qtbot.addWidget(toolbar)
    toolbar.tool_buttons["ellipse"].click()
    start, end = QPointF(100, 100), QPointF(200, 150)
    drag(viewer, start, end)
    (shape,) = viewer.controller.stack.layer.shapes()
    a, b = viewer.to_image(start), viewer.to_image(end)
    assert isinstance(shape, Ellipse)
    assert (shape.x, shape.y, shape.x + shape.w, shape.y + shape.h) == pytest.approx(
        (a.x(), a.y(), b.x(), b.y()))
    assert toolbar.undo.isEnabled()
    toolbar.undo.click()
    assert len(viewer.controller.stack.layer) == 0
    toolbar.redo.click()
    assert len(viewer.controller.stack.layer) == 1


def test_select_tool_drags_a_shape_and_empty_space_pans(qtbot: QtBot) -> None:
    viewer = make_viewer(qtbot, shapes=(Rect("r", 150, 150, 900, 560, stroke=8),))
    viewer.controller.set_tool("select")
    edge = viewer.transform().map(QPointF(150, 400))
    drag(viewer, edge, edge + QPointF(40, 0))
    moved = viewer.controller.stack.layer.get("r")
    assert isinstance(moved, Rect) and moved.x == pytest.approx(150 + 40 / viewer.zoom)
    before = viewer.transform().map(QPointF(0, 0))
    drag(viewer, QPointF(240, 180), QPointF(260, 190))  # inside the box: nothing to grab
    after = viewer.transform().map(QPointF(0, 0))
    assert (after - before) == QPointF(20, 10)


def test_culling_paints_only_what_is_on_screen(qtbot: QtBot) -> None:
    many = tuple(Rect(f"r{i}", (i % 40) * 30, (i // 40) * 36, 20, 20) for i in range(1000))
    viewer = make_viewer(qtbot, shapes=many)
    assert len(viewer.visible_shapes()) == 1000
    viewer.set_zoom(8.0)
    assert len(viewer.visible_shapes()) < 40


def test_decoding_honours_exif_rotation_and_scales_at_decode(tmp_path: Path) -> None:
    photo = make_document_photo(tmp_path / "p.jpg", stored_size=(1600, 1200))
    full = decode_full(photo)
    assert (full.width(), full.height()) == (1200, 1600), "upright, as the citizen held it"
    small = decode_scaled(photo, QRectF(0, 0, 400, 400).size().toSize())
    assert (small.width(), small.height()) == (300, 400)


def test_a_header_claiming_a_huge_image_is_refused_before_decoding(tmp_path: Path) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000,
                                                                           8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    with pytest.raises(ImageDecodeError, match="exceeds"):
        decode_full(bomb)
    (tmp_path / "junk.jpg").write_bytes(b"not an image")
    with pytest.raises(ImageDecodeError):
        decode_scaled(tmp_path / "junk.jpg", QRectF(0, 0, 10, 10).size().toSize())


def test_a_shape_added_on_top_of_a_thousand_does_not_render_them_all_again(qtbot: QtBot) -> None:
    many = tuple(Rect(f"r{i}", (i % 40) * 30, (i // 40) * 36, 20, 20) for i in range(1000))
    viewer = make_viewer(qtbot, shapes=many)
    viewer.grab()
    renders = viewer.overlay.renders
    viewer.controller.stack.push(AddShape(Ellipse("new", 500, 400, 200, 100, "#0969da", 12)))
    image = viewer.grab().toImage()
    assert viewer.overlay.renders == renders
    centre = viewer.transform().map(QPointF(500, 450))  # on the ellipse's left edge
    assert QColor(image.pixel(int(centre.x()) + 1, int(centre.y()))).blue() > 150
    viewer.controller.stack.undo()
    viewer.grab()
    assert viewer.overlay.renders == renders + 1, "removing needs a real re-render"


def test_flatten_burns_shapes_in_and_turns_the_image_as_the_agent_did(tmp_path: Path) -> None:
    photo = make_document_photo(tmp_path / "p.jpg", stored_size=(1600, 1200))
    box = Highlight("h", 100, 1300, 300, 200, "#0000ff")
    png = flatten(photo, [box], rotation=1, max_side=800)
    image = QImage.fromData(png, "PNG")
    assert (image.width(), image.height()) == (800, 600), "turned a quarter clockwise, scaled"
    # Upright (x, y) → turned (H - y, x), at half scale: the box's centre (250, 1400).
    turned = QColor(image.pixel(int((1600 - 1400) / 2), int(250 / 2)))
    assert turned.blue() > turned.red() + 40, "the highlighter is in the turned place"
