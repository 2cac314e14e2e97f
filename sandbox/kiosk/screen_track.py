"""The kiosk's shared screen: its window rendered to video frames, personal data painted over.

``KioskScreenTrack`` is an aiortc video track. Each ``recv`` (paced at
``fps``, 12 by default) renders the kiosk window into a QImage on the Qt
thread — ``recv`` runs on the qasync loop, which is the Qt thread —,
covers every widget flagged as personal data (the ID number) with an
opaque box, and wraps the pixels in an ``av.VideoFrame`` (one copy, BGRA);
the encoder's colour conversion happens in aiortc's encoder thread. The
frame is the window at its own size, so the agent's normalised pointer
coordinates are fractions of the window.
"""

from __future__ import annotations

import fractions
from collections.abc import Callable
from typing import Any, Final, cast

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from PyQt6.QtCore import QPoint, QRect, Qt
from PyQt6.QtGui import QColor, QImage, QPainter
from PyQt6.QtWidgets import QWidget

from sandbox.pacing import FramePacer

VIDEO_CLOCK_RATE: Final = 90_000
VIDEO_TIME_BASE: Final = fractions.Fraction(1, VIDEO_CLOCK_RATE)
MASK_TEXT: Final = "已遮挡"


def render_shared_screen(window: QWidget, personal: Callable[[], list[QWidget]]) -> QImage:
    """The window as the agent will see it: rendered, personal data covered, even-sized."""
    width, height = window.width() & ~1, window.height() & ~1
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#ffffff"))
    window.render(image)
    painter = QPainter(image)
    for widget in personal():
        top_left = widget.mapTo(window, QPoint(0, 0))
        box = QRect(top_left, widget.size())
        painter.fillRect(box, QColor("#5b6675"))
        painter.setPen(QColor("#ffffff"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, MASK_TEXT)
    painter.end()
    return image


def image_to_frame(image: QImage) -> av.VideoFrame:
    """An ``av.VideoFrame`` (bgra) with a copy of the image's pixels."""
    width, height = image.width(), image.height()
    bits = image.constBits()
    assert bits is not None
    bits.setsize(image.sizeInBytes())
    # sip.voidptr exposes the buffer protocol, which numpy's stubs do not know.
    rows = np.frombuffer(cast(Any, bits), dtype=np.uint8).reshape(height, image.bytesPerLine())
    pixels = rows[:, : width * 4].reshape(height, width, 4)
    return av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="bgra")


class KioskScreenTrack(MediaStreamTrack):
    """The kiosk window as a video track; ``frames_sent`` counts frames handed to the encoder."""

    kind = "video"

    def __init__(
        self,
        window: QWidget,
        personal: Callable[[], list[QWidget]],
        fps: float = 12.0,
    ) -> None:
        super().__init__()
        if not 1 <= fps <= 30:
            raise ValueError(f"fps out of range: {fps}")
        self.window = window
        self.fps = fps
        self._personal = personal
        self._pacer = FramePacer(self.fps)
        self.frames_sent = 0
        self.last_image: QImage | None = None

    async def recv(self) -> Any:
        if self.readyState != "live":
            raise MediaStreamError
        index = await self._pacer.next_slot()
        if self.readyState != "live":
            raise MediaStreamError
        image = render_shared_screen(self.window, self._personal)
        self.last_image = image
        frame = image_to_frame(image)
        frame.pts = round(index * VIDEO_CLOCK_RATE / self.fps)
        frame.time_base = VIDEO_TIME_BASE
        self.frames_sent += 1
        return frame
