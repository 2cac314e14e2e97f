"""A decoded frame becomes the picture painted: scaled down on the way to a smaller view,
left at its own size for the painter to scale up to a larger one, its colours kept."""

from __future__ import annotations

import av
import numpy as np
from PyQt6.QtCore import QRect, QSize
from PyQt6.QtGui import QColor, QImage, QPainter

from ui.devices.frames import FrameConverter


def halves(width: int, height: int) -> av.VideoFrame:
    """A frame whose left half is red and right half blue."""
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[:, : width // 2] = (220, 30, 30)
    rgb[:, width // 2 :] = (30, 30, 220)
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")


def near(color: QColor, red: int, blue: int) -> bool:
    return abs(color.red() - red) < 40 and abs(color.blue() - blue) < 40


def test_a_frame_is_scaled_down_to_a_smaller_view_and_kept_whole_for_a_larger_one() -> None:
    frame, converter = halves(640, 480), FrameConverter()
    small, _ = converter.to_image(frame, QSize(320, 240))
    assert (small.width(), small.height()) == (320, 240)
    large, pixels = converter.to_image(frame, QSize(960, 720))
    assert (large.width(), large.height()) == (640, 480), "the painter scales it up"
    assert pixels.shape[:2] == (480, 640)
    again, _ = converter.to_image(halves(320, 240))  # another size through the same context
    assert (again.width(), again.height()) == (320, 240)
    for image in (small, large, again):
        assert near(image.pixelColor(image.width() // 4, image.height() // 2), 220, 30)
        assert near(image.pixelColor(image.width() * 3 // 4, image.height() // 2), 30, 220)


def test_a_frame_kept_at_its_size_still_fills_the_larger_view_it_is_painted_in() -> None:
    image, _ = FrameConverter().to_image(halves(640, 480), QSize(960, 720))
    view = QImage(960, 720, QImage.Format.Format_RGB32)
    view.fill(QColor("#000000"))
    painter = QPainter(view)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.drawImage(QRect(0, 0, 960, 720), image)
    painter.end()
    assert near(view.pixelColor(10, 10), 220, 30) and near(view.pixelColor(950, 710), 30, 220)
    assert near(view.pixelColor(470, 360), 220, 30) and near(view.pixelColor(490, 360), 30, 220)
