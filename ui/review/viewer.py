"""The material viewer: zoom, pan, rotate, and annotation tools over one photo.

A custom QWidget, not a QGraphicsScene, so the cost of a frame stays
bounded with a thousand shapes: the photo is drawn from the pyramid level
just above the zoom, clipped to the visible source rectangle; annotations
are culled to the visible image area and drawn as vectors through the
image-to-view transform (crisp at any zoom). The ``AnnotationOverlay``
caches photo plus shapes per zoom, so a steady frame is one blit (see
ui/review/overlay.py). Mouse and keys go to the core ``ToolController`` in
image coordinates.

Keys: wheel or +/- zoom around the cursor, 0 or F fit, 1 actual size
(1:1), arrows pan, R / Shift+R rotate 90°, Delete removes the selection,
Esc cancels. Middle or right drag (or left drag on empty space with the
select tool) pans.

Signals: ``rotated(int)`` quarter turns added by the agent;
``first_painted(str)`` the first time a material's pixels reach the screen;
``zoom_changed(float)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PyQt6.QtCore import QPointF, QRectF, QSize, Qt, pyqtSignal
from PyQt6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PyQt6.QtWidgets import QSizePolicy, QWidget

from seat_client.review.annotation_tools import ToolController, handle_points
from seat_client.review.annotations import AnnotationLayer, LayerChange
from seat_client.review.shapes import Box, Shape
from ui.review.overlay import BACKGROUND, AnnotationOverlay
from ui.review.render import PhotoLevel

MIN_ZOOM, MAX_ZOOM = 0.02, 16.0


class ReviewViewer(QWidget):
    """Shows one material with its annotation layer; edits go through the controller."""

    rotated = pyqtSignal(int)
    first_painted = pyqtSignal(str)
    zoom_changed = pyqtSignal(float)

    def __init__(self, controller: ToolController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.controller = controller
        controller.changed.connect(lambda _: self.update())
        self.material_id = ""
        self._layer: AnnotationLayer | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._levels: list[QImage] = []
        self._full_w = 0.0
        self._full_h = 0.0
        self._rotation = 0
        self._zoom = 1.0
        self._pan = QPointF(0, 0)
        self._fit = True
        self._panning: QPointF | None = None
        self._placeholder = ""
        self._painted_material = ""
        self.last_paint_ms = 0.0
        self.overlay = AnnotationOverlay(self, self._mosaic_source, self.update)

    def sizeHint(self) -> QSize:
        return QSize(800, 600)

    # --- what is shown --------------------------------------------------------------------

    def show_material(self, material_id: str, layer: AnnotationLayer, rotation: int = 0) -> None:
        """Switch to a material; its pixels follow with ``set_preview``/``set_levels``."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.material_id = material_id
        self._layer = layer
        self._unsubscribe = layer.changed.connect(self._on_layer_changed)
        self._levels = []
        self._full_w = self._full_h = 0.0
        self._rotation = rotation % 4
        self.overlay.clear()
        self._painted_material = ""
        self._placeholder = self.tr("Loading…")
        self._fit = True
        self.update()

    def clear(self, placeholder: str = "") -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.material_id = ""
        self._layer = None
        self._levels = []
        self._placeholder = placeholder
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def set_preview(self, image: QImage, full_width: int, full_height: int) -> None:
        """A reduced decode for the first paint; ignored once the full pyramid is in."""
        if len(self._levels) > 1 or (self._levels and self._levels[0].width() >= full_width):
            return
        self._full_w, self._full_h = float(full_width), float(full_height)
        self._levels = [image]
        self._after_pixels()

    def set_levels(self, levels: list[QImage]) -> None:
        self._full_w, self._full_h = float(levels[0].width()), float(levels[0].height())
        self._levels = levels
        self.overlay.pixels_changed()
        self._after_pixels()

    def has_pixels(self) -> bool:
        return bool(self._levels)

    def _after_pixels(self) -> None:
        self._placeholder = ""
        if self._fit:
            self._zoom = self._fit_zoom()
            self._pan = QPointF(0, 0)
        self.update()

    # --- zoom, pan, rotate ----------------------------------------------------------------

    @property
    def zoom(self) -> float:
        return self._zoom

    @property
    def rotation(self) -> int:
        return self._rotation

    def _fit_zoom(self) -> float:
        if not self._full_w:
            return 1.0
        w, h = (self._full_h, self._full_w) if self._rotation % 2 else (self._full_w, self._full_h)
        return max(MIN_ZOOM, min((self.width() - 16) / w, (self.height() - 16) / h))

    def fit(self) -> None:
        self._fit = True
        self._zoom = self._fit_zoom()
        self._pan = QPointF(0, 0)
        self.zoom_changed.emit(self._zoom)
        self.update()

    def actual_size(self) -> None:
        self.set_zoom(1.0)

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom keeping the image point under ``anchor`` (view coords; default centre) still."""
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        anchor = anchor if anchor is not None else QPointF(self.width() / 2, self.height() / 2)
        before = self.to_image(anchor)
        self._zoom = zoom
        self._fit = False
        after = self.transform().map(before)
        self._pan += anchor - after
        self.zoom_changed.emit(self._zoom)
        self.update()

    def pan_by(self, dx: float, dy: float) -> None:
        self._pan += QPointF(dx, dy)
        self._fit = False
        self.update()

    def rotate_by(self, quarter_turns: int) -> None:
        self._rotation = (self._rotation + quarter_turns) % 4
        if self._fit:
            self._zoom = self._fit_zoom()
            self._pan = QPointF(0, 0)
        self.rotated.emit(quarter_turns)
        self.update()

    def transform(self) -> QTransform:
        """Image coordinates to view coordinates."""
        t = QTransform()
        t.translate(self.width() / 2 + self._pan.x(), self.height() / 2 + self._pan.y())
        t.rotate(90 * self._rotation)
        t.scale(self._zoom, self._zoom)
        t.translate(-self._full_w / 2, -self._full_h / 2)
        return t

    def to_image(self, point: QPointF) -> QPointF:
        inverse, _ = self.transform().inverted()
        return inverse.map(point)

    # --- painting -------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent | None) -> None:
        started = time.perf_counter()
        painter = QPainter(self)
        if not self._levels or self._layer is None:
            painter.fillRect(self.rect(), BACKGROUND)
            painter.setPen(QColor("#d0d7de"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
            painter.end()
            return
        t = self.transform()
        self.controller.view_scale = self._zoom
        preview = self.controller.preview
        # A shape being moved or resized is left out of the cache and drawn live; a new
        # one being drawn is not in the layer yet, so the cache stays as it is.
        dragged = preview.id if preview is not None and preview.id in self._layer else ""
        static = (self._rotation, dragged, self._levels[0].cacheKey())
        self.overlay.paint(painter, t, QRectF(self.rect()), self._layer, self._zoom, static,
                           self._photo())
        if preview is not None:
            self.overlay.paint_live(painter, t, preview)
        painter.resetTransform()
        self._paint_selection(painter, t)
        painter.end()
        self.last_paint_ms = (time.perf_counter() - started) * 1000
        if self._painted_material != self.material_id:
            self._painted_material = self.material_id
            self.first_painted.emit(self.material_id)

    def _photo(self) -> PhotoLevel:
        level, scale = self._level_for(self._zoom)
        return PhotoLevel(level, scale, self._full_w, self._full_h, self._zoom < 3)

    def _level_for(self, zoom: float) -> tuple[QImage, float]:
        """The smallest pyramid level still at least as detailed as the zoom needs."""
        best = self._levels[0]
        for level in self._levels:
            if level.width() / self._full_w >= zoom:
                best = level
        return best, best.width() / self._full_w

    def annotations_settled(self) -> bool:
        """The annotations on screen are rendered at the current zoom (not a scaled overlay)."""
        return self.overlay.is_current(self._zoom)

    def _mosaic_source(self) -> tuple[QImage, float]:
        return self._level_for(1.0)

    def _paint_selection(self, painter: QPainter, t: QTransform) -> None:
        shape = self.controller.preview or self.controller.selected()
        if shape is None or (self.controller.preview is not None
                             and self.controller.selected_id != shape.id):
            return
        box = shape.box()
        outline = t.mapRect(QRectF(box.x, box.y, box.w, box.h))
        pen = QPen(QColor("#0969da"), 1, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(outline)
        painter.setPen(QPen(QColor("#0969da"), 1))
        painter.setBrush(QColor("white"))
        for hx, hy in handle_points(box):
            p = t.map(QPointF(hx, hy))
            painter.drawRect(QRectF(p.x() - 4, p.y() - 4, 8, 8))

    # --- input ----------------------------------------------------------------------------

    def _on_layer_changed(self, change: LayerChange) -> None:
        if self._layer is not None:
            self.overlay.layer_changed(change, self._layer)
        self.update()

    def _grab(self) -> float:
        return 6.0 / self._zoom

    def mousePressEvent(self, event: QMouseEvent | None) -> None:
        if event is None or not self._levels:
            return
        pos = event.position()
        if event.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.RightButton):
            self._panning = pos
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        p = self.to_image(pos)
        self.controller.press(p.x(), p.y(), self._grab())
        if self.controller.tool == "select" and not self.controller.is_dragging():
            self._panning = pos

    def mouseMoveEvent(self, event: QMouseEvent | None) -> None:
        if event is None:
            return
        pos = event.position()
        if self._panning is not None:
            delta = pos - self._panning
            self._panning = pos
            self.pan_by(delta.x(), delta.y())
            return
        p = self.to_image(pos)
        self.controller.move(p.x(), p.y())

    def mouseReleaseEvent(self, event: QMouseEvent | None) -> None:
        if event is None:
            return
        if self._panning is not None:
            self._panning = None
            return
        p = self.to_image(event.position())
        self.controller.release(p.x(), p.y(), min_size=4.0 / self._zoom)

    def wheelEvent(self, event: QWheelEvent | None) -> None:
        if event is None or not self._levels:
            return
        steps = event.angleDelta().y() / 120.0
        self.set_zoom(self._zoom * (1.2 ** steps), event.position())

    def keyPressEvent(self, event: QKeyEvent | None) -> None:
        if event is None:
            return
        key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        step = 60.0
        actions: dict[int, Callable[[], None]] = {
            Qt.Key.Key_Plus: lambda: self.set_zoom(self._zoom * 1.25),
            Qt.Key.Key_Equal: lambda: self.set_zoom(self._zoom * 1.25),
            Qt.Key.Key_Minus: lambda: self.set_zoom(self._zoom / 1.25),
            Qt.Key.Key_0: self.fit,
            Qt.Key.Key_F: self.fit,
            Qt.Key.Key_1: self.actual_size,
            Qt.Key.Key_Left: lambda: self.pan_by(step, 0),
            Qt.Key.Key_Right: lambda: self.pan_by(-step, 0),
            Qt.Key.Key_Up: lambda: self.pan_by(0, step),
            Qt.Key.Key_Down: lambda: self.pan_by(0, -step),
            Qt.Key.Key_R: lambda: self.rotate_by(-1 if shift else 1),
            Qt.Key.Key_Delete: self._delete,
            Qt.Key.Key_Backspace: self._delete,
            Qt.Key.Key_Escape: self._escape,
        }
        action = actions.get(key)
        if action is None:
            super().keyPressEvent(event)
            return
        action()

    def _delete(self) -> None:
        self.controller.delete_selected()

    def _escape(self) -> None:
        self.controller.cancel()
        self.controller.select(None)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        if self._fit and self._levels:
            self._zoom = self._fit_zoom()
        super().resizeEvent(event)

    def visible_shapes(self) -> list[Shape]:
        """Shapes the last paint would draw (for tests and the benchmark)."""
        if self._layer is None or not self._levels:
            return []
        inverse, _ = self.transform().inverted()
        r = inverse.mapRect(QRectF(self.rect()))
        return list(self._layer.visible(Box(r.x(), r.y(), r.width(), r.height())))
