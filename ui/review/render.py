"""Pixels for the review pane: safe photo decoding, annotation painting, flattening to PNG.

Photos are decoded with ``QImageReader`` (EXIF auto-transform on) after the
header's size is checked against ``MAX_PIXELS``; ``decode_scaled`` asks the
JPEG decoder for a reduced size (DCT scaling: ~30 ms for a 12 MP photo
instead of ~170 ms), which is what makes the first paint fast. Everything
here works on ``QImage`` (not ``QPixmap``), so it can run in worker threads.

``paint_shapes`` draws annotation vectors with whatever transform the
painter has (the viewer's image-to-view transform, or a flatten scale), so
shapes stay crisp at any zoom. ``flatten`` burns them into a PNG only when
an image is sent back or printed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PyQt6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PyQt6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QImageIOHandler,
    QImageReader,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTransform,
)

from seat_client.review.shapes import Arrow, Ellipse, Highlight, Mosaic, Pen, Rect, Shape, Text

#: Largest photo we decode (header-checked before any pixel is allocated): 48 MP.
MAX_PIXELS = 48_000_000


class ImageDecodeError(ValueError):
    """A material file is not a readable image, or too large to decode."""


def _reader(path: Path) -> tuple[QImageReader, QSize]:
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    stored = reader.size()
    if not stored.isValid() or stored.isEmpty():
        raise ImageDecodeError(f"{path.name}: not a readable image ({reader.errorString()})")
    if stored.width() * stored.height() > MAX_PIXELS:
        raise ImageDecodeError(
            f"{path.name}: {stored.width()}×{stored.height()} exceeds {MAX_PIXELS} pixels")
    return reader, stored


def _read(reader: QImageReader, path: Path) -> QImage:
    image = reader.read()
    if image.isNull():
        raise ImageDecodeError(f"{path.name}: {reader.errorString()}")
    fast = (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32_Premultiplied)
    if image.format() not in fast:
        image = image.convertToFormat(fast[1] if image.hasAlphaChannel() else fast[0])
    return image


def decode_scaled(path: Path, fit: QSize) -> QImage:
    """The upright photo scaled to fit ``fit`` (never enlarged), decoded at reduced size."""
    reader, stored = _reader(path)
    # The stored size may be sideways (EXIF rotation): fit either orientation's long side.
    long_fit = max(fit.width(), fit.height())
    short_fit = min(fit.width(), fit.height())
    long_side = max(stored.width(), stored.height())
    short_side = min(stored.width(), stored.height())
    scale = min(1.0, long_fit / long_side, short_fit / short_side)
    if scale < 1.0:
        reader.setScaledSize(QSize(max(1, round(stored.width() * scale)),
                                   max(1, round(stored.height() * scale))))
    return _read(reader, path)


def decode_full(path: Path) -> QImage:
    reader, _ = _reader(path)
    return _read(reader, path)


def build_pyramid(full: QImage, smallest: int = 1024) -> list[QImage]:
    """The image at 1, 1/2, 1/4 … until the long side is below ``smallest``.

    The viewer draws from the level just above the zoom, so a zoomed-out
    repaint scales a small image instead of 12 MP, and bilinear filtering
    between 1× and 0.5× stays free of aliasing.
    """
    levels = [full]
    while max(levels[-1].width(), levels[-1].height()) > smallest:
        last = levels[-1]
        levels.append(last.scaled(max(1, last.width() // 2), max(1, last.height() // 2),
                                  Qt.AspectRatioMode.IgnoreAspectRatio,
                                  Qt.TransformationMode.SmoothTransformation))
    return levels


def mosaic_tile(source: QImage, region: QRectF, block_px: float) -> QImage:
    """``region`` of ``source`` averaged down to one pixel per mosaic block."""
    rect = region.toAlignedRect().intersected(source.rect())
    if rect.isEmpty():
        return QImage()
    cols = max(1, math.ceil(rect.width() / max(1.0, block_px)))
    rows = max(1, math.ceil(rect.height() / max(1.0, block_px)))
    return source.copy(rect).scaled(cols, rows, Qt.AspectRatioMode.IgnoreAspectRatio,
                                    Qt.TransformationMode.SmoothTransformation)


_FONT_CACHE: dict[int, QFont] = {}


def label_font(pixel_size: float) -> QFont:
    size = max(1, round(pixel_size))
    font = _FONT_CACHE.get(size)
    if font is None:
        font = QFont()
        font.setPixelSize(size)
        font.setBold(True)
        _FONT_CACHE[size] = font
    return font


def arrow_head(shape: Arrow) -> QPolygonF:
    angle = math.atan2(shape.y2 - shape.y1, shape.x2 - shape.x1)
    size = shape.head_size()
    tip = QPointF(shape.x2, shape.y2)
    wings = [QPointF(shape.x2 - size * math.cos(angle + a), shape.y2 - size * math.sin(angle + a))
             for a in (-0.45, 0.45)]
    return QPolygonF([tip, *wings])


def pen_path(shape: Pen) -> QPainterPath:
    path = QPainterPath(QPointF(*shape.points[0]))
    for x, y in shape.points[1:]:
        path.lineTo(x, y)
    return path


@dataclass(frozen=True, slots=True)
class PhotoLevel:
    """One pyramid level of the upright photo and how it maps to image coordinates."""

    image: QImage
    scale: float  # level pixels per image pixel
    full_width: float
    full_height: float
    smooth: bool


def draw_photo(painter: QPainter, t: QTransform, clip: QRectF, photo: PhotoLevel) -> None:
    """The photo through image→device ``t``, reading only source pixels landing in ``clip``.

    Pure (no widget state), so the overlay can call it from a worker thread.
    """
    inverse, _ = t.inverted()
    visible = inverse.mapRect(clip).intersected(QRectF(0, 0, photo.full_width,
                                                       photo.full_height))
    if visible.isEmpty():
        return
    s = photo.scale
    painter.setTransform(t)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, photo.smooth)
    painter.drawImage(visible, photo.image,
                      QRectF(visible.x() * s, visible.y() * s, visible.width() * s,
                             visible.height() * s))


MosaicSource = Callable[[Mosaic], QImage | None]
PathSource = Callable[[Pen], QPainterPath]


def paint_shapes(painter: QPainter, shapes: Iterable[Shape], mosaic: MosaicSource,
                 paths: PathSource = pen_path) -> None:
    """Draw shapes in image coordinates through the painter's current transform."""
    for shape in shapes:
        colour = QColor(shape.colour)
        if isinstance(shape, Mosaic):
            tile = mosaic(shape)
            rect = QRectF(shape.x, shape.y, shape.w, shape.h)
            if tile is None or tile.isNull():
                painter.fillRect(rect, QColor("#8c959f"))
            else:
                hints = painter.renderHints()
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
                painter.drawImage(rect, tile)
                painter.setRenderHints(hints)
            continue
        if isinstance(shape, Highlight):
            colour.setAlpha(96)
            painter.fillRect(QRectF(shape.x, shape.y, shape.w, shape.h), colour)
            continue
        if isinstance(shape, Text):
            font = label_font(shape.size)
            painter.setFont(font)
            box = shape.box()
            backing = QColor(255, 255, 255, 200)
            measured = painter.boundingRect(QRectF(box.x, box.y, 1e6, box.h),
                                            Qt.AlignmentFlag.AlignLeft
                                            | Qt.AlignmentFlag.AlignVCenter, shape.text)
            painter.fillRect(measured.adjusted(-shape.size * 0.15, 0, shape.size * 0.15, 0),
                             backing)
            painter.setPen(colour)
            painter.drawText(measured, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             shape.text)
            continue
        pen = QPen(colour, shape.stroke)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if isinstance(shape, Rect):
            painter.drawRect(QRectF(shape.x, shape.y, shape.w, shape.h))
        elif isinstance(shape, Ellipse):
            painter.drawEllipse(QRectF(shape.x, shape.y, shape.w, shape.h))
        elif isinstance(shape, Arrow):
            painter.drawLine(QPointF(shape.x1, shape.y1), QPointF(shape.x2, shape.y2))
            painter.setBrush(QBrush(colour))
            painter.drawPolygon(arrow_head(shape))
        elif isinstance(shape, Pen):
            painter.drawPath(paths(shape))


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def rotated(image: QImage, quarter_turns: int) -> QImage:
    if quarter_turns % 4 == 0:
        return image
    return image.transformed(QTransform().rotate(90 * (quarter_turns % 4)))


def flatten(path: Path, shapes: Iterable[Shape], rotation: int = 0,
            max_side: int = 2048) -> bytes:
    """The photo with its annotations burned in, turned upright, as PNG bytes.

    Scaled down so the long side is at most ``max_side`` (a phone screen and
    a printed notice need no more). Safe to call from a worker thread.
    """
    full_w, _ = upright_size(path)
    image = decode_scaled(path, QSize(max_side, max_side))
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    scale = image.width() / full_w if full_w else 1.0
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(scale, scale)
    source = image.copy()

    def tile(shape: Mosaic) -> QImage:
        region = QRectF(shape.x * scale, shape.y * scale, shape.w * scale, shape.h * scale)
        return mosaic_tile(source, region, shape.block * scale)

    paint_shapes(painter, shapes, tile)
    painter.end()
    return png_bytes(rotated(image, rotation))


def upright_size(path: Path) -> tuple[int, int]:
    """The full upright size without decoding pixels (header + EXIF orientation)."""
    reader, stored = _reader(path)
    # Reading the transformation needs the header only.
    turned = bool(reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90)
    return (stored.height(), stored.width()) if turned else (stored.width(), stored.height())
