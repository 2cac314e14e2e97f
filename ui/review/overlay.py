"""The frame cache: the photo and its annotations rendered once, then blitted on every frame.

Drawing a thousand antialiased vectors costs ~35 ms, far too much for each
zoom or pan frame (CVAT issue #39 is what happens otherwise). This cache
renders the photo plus the layer's visible shapes at the current zoom over
the viewport and a margin; a steady frame is then one blit, however many
shapes there are. Panning inside the margin stays a blit. While the zoom
moves, the photo is drawn fresh from the pyramid and the shapes come from
the old overlay, scaled; once the zoom rests (``settle_ms``) the crisp
re-render runs in a worker thread and is swapped in, so the UI never waits
for it. A shape added on top is painted onto the cache; other edits, a
rotation, a drag's start or a pan past the margin re-render at once. Pen
paths and mosaic tiles are cached per shape value.
"""

from __future__ import annotations

import contextlib
import logging
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PyQt6.QtCore import QObject, QPointF, QRectF, QTimer, pyqtSignal
from PyQt6.QtGui import QColor, QImage, QPainter, QPainterPath, QTransform

from seat_client.review.annotations import AnnotationLayer, LayerChange
from seat_client.review.shapes import Box, Mosaic, Pen, Shape
from ui.review.render import PhotoLevel, draw_photo, mosaic_tile, paint_shapes, pen_path

log = logging.getLogger(__name__)

#: What forces a full re-render when it changes: rotation, the shape being dragged
#: (drawn live instead), and the pixels the mosaics are made from.
StaticKey = tuple[int, str, int]
BACKGROUND = QColor("#2d333b")


@dataclass(frozen=True, slots=True)
class _Job:
    """Everything a render needs, resolved on the UI thread so a worker can run it."""

    generation: int
    t: QTransform
    rect: QRectF
    zoom: float
    static: StaticKey
    photo: PhotoLevel
    shapes: tuple[Shape, ...]
    paths: dict[str, QPainterPath]
    tiles: dict[str, QImage | None]


@dataclass(frozen=True, slots=True)
class _Rendered:
    job: _Job
    overlay: QImage | None
    frame: QImage
    ms: float


def _run(job: _Job) -> _Rendered:
    """Render a job (thread-safe: only QImage painting and the job's own data)."""
    started = time.perf_counter()
    size = job.rect.size().toSize()
    to_pixels = job.t * QTransform.fromTranslate(-job.rect.x(), -job.rect.y())
    overlay: QImage | None = None
    if job.shapes:
        overlay = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        overlay.fill(0)
        painter = QPainter(overlay)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setTransform(to_pixels)
        paint_shapes(painter, job.shapes, lambda m: job.tiles.get(m.id),
                     lambda p: job.paths[p.id])
        painter.end()
    frame = QImage(size, QImage.Format.Format_RGB32)
    painter = QPainter(frame)
    painter.fillRect(frame.rect(), BACKGROUND)
    draw_photo(painter, to_pixels, QRectF(0, 0, job.rect.width(), job.rect.height()), job.photo)
    if overlay is not None:
        painter.resetTransform()
        painter.drawImage(0, 0, overlay)
    painter.end()
    return _Rendered(job, overlay, frame, (time.perf_counter() - started) * 1000)


class _Bridge(QObject):
    rendered = pyqtSignal(object)


class AnnotationOverlay:
    """The cached frame of one layer over one photo; ``on_settled`` asks for a repaint."""

    def __init__(self, owner: QObject, mosaic_source: Callable[[], tuple[QImage, float]],
                 on_settled: Callable[[], None], settle_ms: int = 120) -> None:
        self._mosaic_source = mosaic_source
        self._on_settled = on_settled
        self._paths: dict[str, tuple[Pen, QPainterPath]] = {}
        self._tiles: dict[str, tuple[Mosaic, int, QImage]] = {}
        self._image: QImage | None = None  # the shapes alone (transparent)
        self._frame: QImage | None = None  # photo + shapes, what a steady frame blits
        self._rect = QRectF()
        self._t0 = QTransform()
        self._zoom = 0.0
        self._static: StaticKey = (0, "", 0)
        self._generation = 0
        self._last: tuple[QTransform, QRectF, AnnotationLayer, float, StaticKey,
                          PhotoLevel] | None = None
        self._in_flight_zoom = 0.0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seat-overlay")
        # Parentless and held by the worker's closure: it outlives a widget deleted while
        # a render runs, so the worker never emits on a deleted object.
        self._bridge = _Bridge()
        self._bridge.rendered.connect(self._on_rendered)
        weakref.finalize(self, self._pool.shutdown, wait=False)
        self._timer = QTimer(owner)
        self._timer.setSingleShot(True)
        self._timer.setInterval(settle_ms)
        self._timer.timeout.connect(self._settle)
        self.renders = 0
        self.last_render_ms = 0.0

    # --- invalidation ---------------------------------------------------------------------

    def clear(self) -> None:
        self._paths.clear()
        self._tiles.clear()
        self.invalidate()

    def invalidate(self) -> None:
        """Render again on the next paint (keeps the per-shape caches)."""
        self._image = None
        self._frame = None
        self._generation += 1  # a render already in a worker is now stale
        self._in_flight_zoom = 0.0

    def pixels_changed(self) -> None:
        self._tiles.clear()
        self.invalidate()

    def layer_changed(self, change: LayerChange, layer: AnnotationLayer) -> None:
        """Keep the cache in step with an edit: a shape added on top is painted onto it
        (no re-render, however many shapes lie below); anything else renders again."""
        added = layer.get(change.shape_id) if change.kind == "added" else None
        if (added is not None and self._frame is not None and self._in_flight_zoom == 0.0
                and layer.index_of(added.id) == len(layer) - 1):
            to_pixels = self._t0 * QTransform.fromTranslate(-self._rect.x(), -self._rect.y())
            if self._image is None:
                self._image = QImage(self._frame.size(),
                                     QImage.Format.Format_ARGB32_Premultiplied)
                self._image.fill(0)
            for target in (self._image, self._frame):
                painter = QPainter(target)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setTransform(to_pixels)
                paint_shapes(painter, [added], self.mosaic_tile, self.pen_path)
                painter.end()
            return
        self.invalidate()

    def is_current(self, zoom: float) -> bool:
        """True when what is on screen was rendered at ``zoom`` (crisp)."""
        return self._frame is None or self._zoom == zoom

    # --- painting -------------------------------------------------------------------------

    def paint(self, painter: QPainter, t: QTransform, viewport: QRectF,
              layer: AnnotationLayer, zoom: float, static: StaticKey,
              photo: PhotoLevel) -> None:
        """Paint the photo and the layer (minus ``static``'s dragged shape) for image→view ``t``."""
        self._last = (QTransform(t), QRectF(viewport), layer, zoom, static, photo)
        if self._frame is not None and self._zoom == zoom and self._static == static:
            offset = t.map(QPointF(0, 0)) - self._t0.map(QPointF(0, 0))
            placed = self._rect.translated(offset)
            if placed.contains(viewport):
                painter.resetTransform()
                painter.drawImage(placed.topLeft(), self._frame)
                return
        if self._frame is not None and self._zoom != zoom and self._static == static:
            painter.fillRect(viewport, BACKGROUND)
            draw_photo(painter, t, viewport, photo)
            if self._image is not None:
                painter.setTransform(QTransform.fromTranslate(self._rect.x(), self._rect.y())
                                     * self._t0.inverted()[0] * t)
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
                painter.drawImage(QPointF(0, 0), self._image)
            if self._in_flight_zoom != zoom:
                self._timer.start()
            return
        self._apply(_run(self._job(t, viewport, layer, zoom, static, photo)))
        assert self._frame is not None
        painter.resetTransform()
        painter.drawImage(self._rect.topLeft(), self._frame)

    def paint_live(self, painter: QPainter, t: QTransform, shape: Shape) -> None:
        """A shape being drawn or dragged: painted directly on each frame."""
        painter.setTransform(t)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_shapes(painter, [shape], self.mosaic_tile, self.pen_path)

    def _job(self, t: QTransform, viewport: QRectF, layer: AnnotationLayer, zoom: float,
             static: StaticKey, photo: PhotoLevel) -> _Job:
        mx, my = viewport.width() * 0.25, viewport.height() * 0.25
        rect = viewport.adjusted(-mx, -my, mx, my)
        seen = t.inverted()[0].mapRect(rect)
        area = Box(seen.x(), seen.y(), seen.width(), seen.height())
        shapes = tuple(s for s in layer.visible(area) if s.id != static[1])
        paths = {s.id: self.pen_path(s) for s in shapes if isinstance(s, Pen)}
        tiles = {s.id: self.mosaic_tile(s) for s in shapes if isinstance(s, Mosaic)}
        return _Job(self._generation, QTransform(t), rect, zoom, static, photo, shapes,
                    paths, tiles)

    def _apply(self, result: _Rendered) -> None:
        job = result.job
        self._image, self._frame, self._rect, self._t0 = (result.overlay, result.frame,
                                                          job.rect, job.t)
        self._zoom, self._static = job.zoom, job.static
        self._in_flight_zoom = 0.0
        self.renders += 1
        self.last_render_ms = result.ms

    def _settle(self) -> None:
        """The zoom has rested: render it crisp in the worker, swap it in when done."""
        if self._last is None:
            return
        t, viewport, layer, zoom, static, photo = self._last
        job = self._job(t, viewport, layer, zoom, static, photo)
        self._in_flight_zoom = zoom

        def work() -> None:
            try:
                self._bridge.rendered.emit(_run(job))
            except RuntimeError:  # the widget went away while we rendered
                pass
            except Exception:
                log.exception("overlay render failed")

        try:
            self._pool.submit(work)
        except RuntimeError:  # shut down
            self._in_flight_zoom = 0.0

    def _on_rendered(self, result: _Rendered) -> None:
        if result.job.generation != self._generation or self._last is None:
            return  # an edit or a new material came in meanwhile
        if result.job.static != self._last[4]:
            return
        self._apply(result)
        with contextlib.suppress(RuntimeError):  # the viewer was deleted meanwhile
            self._on_settled()

    # --- per-shape caches -----------------------------------------------------------------

    def pen_path(self, shape: Pen) -> QPainterPath:
        cached = self._paths.get(shape.id)
        if cached is None or cached[0] is not shape:
            cached = (shape, pen_path(shape))
            self._paths[shape.id] = cached
        return cached[1]

    def mosaic_tile(self, shape: Mosaic) -> QImage | None:
        level, scale = self._mosaic_source()
        cached = self._tiles.get(shape.id)
        if cached is None or cached[0] is not shape or cached[1] != level.cacheKey():
            region = QRectF(shape.x * scale, shape.y * scale, shape.w * scale, shape.h * scale)
            cached = (shape, level.cacheKey(), mosaic_tile(level, region, shape.block * scale))
            self._tiles[shape.id] = cached
        return cached[2]
