"""A decoded frame becomes the picture painted: scaled down on the way to a smaller view,
left at its own size for the painter to scale up to a larger one, its colours kept; a
picture converted to its view's size is painted pixel for pixel, a smaller one scaled."""

from __future__ import annotations

import av
import numpy as np
from PyQt6.QtCore import QRect, QSize
from PyQt6.QtGui import QColor, QImage, QPainter

from ui.devices.frames import FrameConverter, draw_fitted


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


def test_an_odd_view_gets_an_even_picture_whose_array_is_the_image_it_paints() -> None:
    image, pixels = FrameConverter().to_image(halves(640, 480), QSize(221, 167))
    assert (image.width(), image.height()) == (220, 166), "a pixel less, never more"
    assert pixels.shape == (166, 220, 4)
    # The array and the image are the same pixels (padding at the ends of lines skipped).
    for x, y in ((5, 5), (200, 100), (219, 165)):
        color = image.pixelColor(x, y)
        blue, green, red = (int(v) for v in pixels[y, x, :3])
        assert (color.red(), color.green(), color.blue()) == (red, green, blue)


def test_a_picture_of_its_view_size_is_copied_and_a_smaller_one_scaled_to_fill() -> None:
    converted, _ = FrameConverter().to_image(halves(640, 480), QSize(221, 167))
    view = QImage(300, 200, QImage.Format.Format_RGB32)
    view.fill(QColor("#000000"))
    painter = QPainter(view)
    draw_fitted(painter, QRect(10, 10, 221, 167), converted)
    painter.end()
    # Copied, centred in the target (half the missing pixel each side rounds to 0): the
    # converted picture's own pixels, one for one.
    for x, y in ((0, 0), (109, 80), (111, 80), (219, 165)):
        assert view.pixelColor(10 + x, 10 + y) == converted.pixelColor(x, y)
    small, _ = FrameConverter().to_image(halves(64, 48))
    view.fill(QColor("#000000"))
    painter = QPainter(view)
    draw_fitted(painter, QRect(0, 0, 256, 192), small)
    painter.end()
    assert near(view.pixelColor(2, 2), 220, 30) and near(view.pixelColor(253, 189), 30, 220)
