"""Video frames between Qt and PyAV: a camera's frame in one copy, a decoded frame to paint.

Cameras hand Qt frames in their own pixel format (NV12 and YUYV from most webcams,
YUV420P, RGB32 from some drivers). ``to_av_frame`` maps the ``QVideoFrame`` and copies
its planes row by row into an ``av.VideoFrame`` of the same format (strides differ, the
pixels do not change), so the encoder converts once, as it would anyway. A format PyAV
has no name for goes through ``QVideoFrame.toImage`` (two copies; no common webcam
needs it).

``FrameConverter`` goes the other way, for painting: a decoded frame as a ``QImage``,
converted once with a swscale context kept between frames, scaled down on the way to the
size it is painted (``device_size``) or left at its own size for the painter to scale up;
``draw_fitted`` paints it, copied when it already has the painted size.
"""

from __future__ import annotations

from typing import Any, Final, cast

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from PyQt6.QtCore import QPoint, QRect, QSize, QSizeF
from PyQt6.QtGui import QImage, QPainter
from PyQt6.QtMultimedia import QVideoFrame, QVideoFrameFormat

_PF = QVideoFrameFormat.PixelFormat
#: Qt's pixel format → PyAV's name, and whether its chroma planes come V before U.
FORMATS: Final[dict[_PF, tuple[str, bool]]] = {
    _PF.Format_NV12: ("nv12", False),
    _PF.Format_NV21: ("nv21", False),
    _PF.Format_YUV420P: ("yuv420p", False),
    _PF.Format_YV12: ("yuv420p", True),
    _PF.Format_YUV422P: ("yuv422p", False),
    _PF.Format_YUYV: ("yuyv422", False),
    _PF.Format_UYVY: ("uyvy422", False),
    _PF.Format_BGRA8888: ("bgra", False),
    _PF.Format_BGRX8888: ("bgr0", False),
    _PF.Format_RGBA8888: ("rgba", False),
    _PF.Format_RGBX8888: ("rgb0", False),
    _PF.Format_ARGB8888: ("argb", False),
    _PF.Format_XRGB8888: ("0rgb", False),
    _PF.Format_ABGR8888: ("abgr", False),
    _PF.Format_XBGR8888: ("0bgr", False),
    _PF.Format_Y8: ("gray", False),
}


def to_av_frame(frame: QVideoFrame) -> av.VideoFrame | None:
    """``frame``'s picture as a new ``av.VideoFrame`` (None for an empty or unreadable one)."""
    width, height = frame.width(), frame.height()
    if width < 2 or height < 2:
        return None
    known = FORMATS.get(frame.pixelFormat())
    if known is None:
        return _through_image(frame)
    name, swapped = known
    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        return None
    try:
        out = av.VideoFrame(width - width % 2, height - height % 2, name)
        planes = list(out.planes)
        if swapped:
            planes[1], planes[2] = planes[2], planes[1]
        if frame.planeCount() != len(planes):
            return None
        for index, plane in enumerate(planes):
            _copy_plane(frame, index, plane)
        return out
    finally:
        frame.unmap()


def _copy_plane(frame: QVideoFrame, index: int, plane: av.video.plane.VideoPlane) -> None:
    stride = frame.bytesPerLine(index)
    size = frame.mappedBytes(index)
    rows = min(plane.height, size // stride if stride else 0)
    source = np.frombuffer(cast(Any, frame.bits(index).asarray(size)), np.uint8)
    target = np.frombuffer(cast(Any, plane), np.uint8)  # written through: the one copy
    row = min(stride, plane.line_size)
    if stride == plane.line_size:
        count = rows * stride
        target[:count] = source[:count]
        return
    target.reshape(-1, plane.line_size)[:rows, :row] = (
        source[: rows * stride].reshape(rows, stride)[:, :row])


def _through_image(frame: QVideoFrame) -> av.VideoFrame | None:
    image = frame.toImage()
    if image.isNull():
        return None
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height = image.width() - image.width() % 2, image.height() - image.height() % 2
    stride = image.bytesPerLine()
    bits = cast(Any, image.constBits()).asarray(stride * image.height())
    pixels = np.frombuffer(bits, np.uint8)
    rgba = pixels.reshape(image.height(), stride)[:height, : width * 4].reshape(height, width, 4)
    return av.VideoFrame.from_ndarray(np.ascontiguousarray(rgba), format="rgba")


class FrameConverter:
    """Turns decoded frames into pictures to paint, for one view.

    It keeps one swscale context from frame to frame: PyAV's ``VideoFrame.reformat`` makes
    a new one for every frame (and frees it with the frame), which cost 0.35–0.75 ms a
    640×480 frame here against 0.1 ms with the context kept. A view keeps one converter
    per picture it paints, so the context's sizes stay put.

    swscale runs on this thread alone: its slice threads (one per core) finished a small
    picture no sooner and cost a third more CPU in waking them (0.18 against 0.12 ms for a
    222×166 self view). A picture scaled down is made an even number of pixels wide and
    high: an odd width leaves swscale's fast paths (221×166 took 0.35 ms, 222×166 0.12 ms).
    The QImage is laid over the converted frame's own lines, padding and all: no copy.

    Scaling down is fast bilinear unless ``interpolation`` says otherwise: fine for a face,
    but it samples two source pixels a destination pixel, so at 0.8× a shared page's
    one-pixel lines and 16 px characters lose strokes. ``"AREA"`` averages every source
    pixel and keeps text legible, at the same cost (1.5 ms for 1366×768 to 1112×626).
    """

    def __init__(self, interpolation: str = "FAST_BILINEAR") -> None:
        self._reformatter = VideoReformatter()
        self._interpolation = interpolation

    def to_image(
        self, frame: Any, size: QSize | None = None
    ) -> tuple[QImage, np.ndarray[Any, Any]]:
        """A QImage over ``frame``'s BGRA pixels, scaled down on the way to about ``size``
        (to even sides, at most a pixel less) if it is smaller; keep the array (the pixels,
        height × width × 4) alive while the image is used.

        A frame no larger than ``size`` is converted at its own size and left for the
        painter to scale up: 640×480 to 880×660 took 1.3 ms in swscale, against 0.1 ms
        converted as it is plus 0.5 ms for ``QPainter`` to draw it scaled (smooth)."""
        if size is not None and (size.width() < frame.width or size.height() < frame.height):
            # Fast bilinear: ~0.65 ms for 720p to a 440 px view, half of swscale's default.
            bgra = self._reformatter.reformat(
                frame, width=max(2, size.width() & ~1), height=max(2, size.height() & ~1),
                format="bgra", interpolation=self._interpolation, threads=1)
        else:
            bgra = self._reformatter.reformat(frame, format="bgra", threads=1)
        plane = bgra.planes[0]
        height, width, stride = bgra.height, bgra.width, plane.line_size
        rows = np.frombuffer(cast(Any, plane), np.uint8).reshape(height, stride)
        pixels: np.ndarray[Any, Any] = rows[:, : width * 4].reshape(height, width, 4)
        image = QImage(cast(Any, rows.data), width, height, stride, QImage.Format.Format_RGB32)
        return image, pixels


def draw_fitted(painter: QPainter, target: QRect, image: QImage) -> None:
    """Draw ``image`` into ``target``: pixel for pixel, centred, when it was converted to
    the target's size (up to a pixel less each way, ``FrameConverter``'s even sides), so the
    painter copies it; scaled (smooth) otherwise."""
    ratio = image.devicePixelRatio()
    width, height = image.width() / ratio, image.height() / ratio
    if (target.width() - 1 <= width <= target.width()
            and target.height() - 1 <= height <= target.height()):
        painter.drawImage(QPoint(target.x() + int(target.width() - width) // 2,
                                 target.y() + int(target.height() - height) // 2), image)
        return
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.drawImage(target, image)


def device_size(area: QSizeF, ratio: float) -> QSize:
    """``area`` (logical pixels) in device pixels, at least 2×2."""
    return QSize(max(2, round(area.width() * ratio)), max(2, round(area.height() * ratio)))
