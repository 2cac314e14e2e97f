"""Decoding material photos off the UI thread, with a small memory budget.

For each material the pane asks for a thumbnail (for the strip) and, when
it is shown, a quick preview (decoded at reduced size to fit the viewer:
the first paint) followed by the full image as a pyramid of levels. The
work runs in a thread pool; results come back as queued Qt signals. Only
the ``keep_full`` most recently shown full images stay in memory (a 12 MP
photo is 48 MB decoded), so 30 open materials cost 30 thumbnails, not
1.4 GB.

Signals: ``thumbnail_ready(material_id, QImage)``,
``preview_ready(material_id, QImage, full_width, full_height)``,
``full_ready(material_id, list[QImage])``, ``failed(material_id, message)``.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PyQt6.QtCore import QObject, QRectF, QSize, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QImage, QPainter, QPixmap

from ui.review.render import (
    ImageDecodeError,
    build_pyramid,
    decode_full,
    decode_scaled,
    upright_size,
)

log = logging.getLogger(__name__)

#: Decoded once per photo; sharp up to 200 % scaling of the strip's 72 px icons.
THUMB_SIZE = QSize(160, 160)


class _Relay(QObject):
    """Parentless, kept alive by the workers' references: a worker may finish after the
    pane (and ``MaterialImages``) is gone, and must never emit on a deleted object."""

    thumbnail_ready = pyqtSignal(str, QImage)
    preview_ready = pyqtSignal(str, QImage, int, int)
    full_ready = pyqtSignal(str, object)
    failed = pyqtSignal(str, str)


class MaterialImages(QObject):
    """Thumbnails, previews and full pyramids of material photos, decoded in workers."""

    thumbnail_ready = pyqtSignal(str, QImage)
    preview_ready = pyqtSignal(str, QImage, int, int)
    full_ready = pyqtSignal(str, object)
    failed = pyqtSignal(str, str)

    def __init__(self, parent: QObject | None = None, *, keep_full: int = 2,
                 workers: int = 2) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="seat-decode")
        self._keep_full = keep_full
        self._full: OrderedDict[str, list[QImage]] = OrderedDict()
        self._thumbs: dict[str, QImage] = {}
        self._pending_full: set[str] = set()
        self._futures: set[Future[None]] = set()
        self._relay = _Relay()
        self._relay.thumbnail_ready.connect(self.thumbnail_ready)
        self._relay.preview_ready.connect(self.preview_ready)
        self._relay.full_ready.connect(self.full_ready)
        self._relay.failed.connect(self.failed)
        self.full_ready.connect(self._on_full_ready)
        self.thumbnail_ready.connect(self._on_thumbnail_ready)

    def close(self) -> None:
        """Stop taking work and wait for running decodes (call on shutdown)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    # --- queries --------------------------------------------------------------------------

    def thumbnail(self, material_id: str) -> QImage | None:
        return self._thumbs.get(material_id)

    def pyramid(self, material_id: str) -> list[QImage] | None:
        levels = self._full.get(material_id)
        if levels is not None:
            self._full.move_to_end(material_id)
        return levels

    def cached_full_count(self) -> int:
        return len(self._full)

    # --- requests -------------------------------------------------------------------------

    def request_thumbnail(self, material_id: str, path: Path) -> None:
        if material_id in self._thumbs:
            self.thumbnail_ready.emit(material_id, self._thumbs[material_id])
            return
        self._submit(material_id, self._thumb_job, material_id, path)

    def request_image(self, material_id: str, path: Path, fit: QSize) -> None:
        """Preview now (if the full image is not cached), the full pyramid after."""
        levels = self.pyramid(material_id)
        if levels is not None:
            self.full_ready.emit(material_id, levels)
            return
        if material_id in self._pending_full:
            return
        self._pending_full.add(material_id)
        self._submit(material_id, self._preview_job, material_id, path, fit)
        self._submit(material_id, self._full_job, material_id, path)

    # --- workers (run in the pool: touch only QImage and emit signals) ---------------------

    def _submit(self, material_id: str, job: object, *args: object) -> None:
        try:
            future: Future[None] = self._pool.submit(job, *args)  # type: ignore[arg-type]
        except RuntimeError:  # shut down
            return
        self._futures.add(future)
        future.add_done_callback(self._futures.discard)

    def _thumb_job(self, material_id: str, path: Path) -> None:
        try:
            self._relay.thumbnail_ready.emit(material_id, decode_scaled(path, THUMB_SIZE))
        except ImageDecodeError as exc:
            self._relay.failed.emit(material_id, str(exc))

    def _preview_job(self, material_id: str, path: Path, fit: QSize) -> None:
        try:
            width, height = upright_size(path)
            self._relay.preview_ready.emit(material_id, decode_scaled(path, fit), width, height)
        except ImageDecodeError as exc:
            self._relay.failed.emit(material_id, str(exc))

    def _full_job(self, material_id: str, path: Path) -> None:
        try:
            self._relay.full_ready.emit(material_id, build_pyramid(decode_full(path)))
        except ImageDecodeError as exc:
            self._pending_full.discard(material_id)
            self._relay.failed.emit(material_id, str(exc))
        except Exception:
            self._pending_full.discard(material_id)
            log.exception("decoding %s failed", path)
            self._relay.failed.emit(material_id, f"{path.name}: decoding failed")

    def _on_full_ready(self, material_id: str, levels: list[QImage]) -> None:
        self._pending_full.discard(material_id)
        self._full[material_id] = levels
        self._full.move_to_end(material_id)
        while len(self._full) > self._keep_full:
            self._full.popitem(last=False)

    def _on_thumbnail_ready(self, material_id: str, image: QImage) -> None:
        self._thumbs[material_id] = image


def badged_thumbnail(thumb: QImage, colour: str) -> QPixmap:
    """The thumbnail with a status dot in its corner (the text under it says the status too).

    Drawn at twice its size (device pixel ratio 2), so it stays sharp on a 4K screen at
    200 % as on a 1366×768 one."""
    side, ratio = 96, 2.0
    pixmap = QPixmap(int(side * ratio), int(side * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QColor("#eaeef2"))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    fitted = thumb.size().scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio)
    painter.drawImage(QRectF((side - fitted.width()) / 2, (side - fitted.height()) / 2,
                             fitted.width(), fitted.height()), thumb)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("white"))
    painter.setBrush(QColor(colour))
    painter.drawEllipse(78, 78, 15, 15)
    painter.end()
    return pixmap
