"""Widget-test fixtures: reference PNG snapshots with a tolerance and an update switch.

``pytest --update-snapshots`` rewrites the reference images under
``tests/ui/snapshots/`` from what the widgets paint now; without it a test
fails when more than ``max_diff_fraction`` of the pixels differ by more
than ``channel_tolerance`` in any channel (font hinting and antialiasing
wobble a little between machines; a moved or missing shape does not pass).
A failing comparison leaves the actual image next to the reference as
``<name>.actual.png`` for a look.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PyQt6.QtGui import QImage

SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshots"

Snapshot = Callable[..., None]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-snapshots", action="store_true", default=False,
                     help="rewrite the reference PNGs under tests/ui/snapshots/")


def _diff_fraction(a: QImage, b: QImage, channel_tolerance: int) -> float:
    import numpy as np

    def pixels(image: QImage) -> np.ndarray:  # type: ignore[type-arg]
        image = image.convertToFormat(QImage.Format.Format_RGB32)
        ptr = image.constBits()
        assert ptr is not None
        ptr.setsize(image.sizeInBytes())
        rows = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine())
        return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4)[..., :3]

    delta = np.abs(pixels(a).astype(np.int16) - pixels(b).astype(np.int16)).max(axis=2)
    return float((delta > channel_tolerance).mean())


@pytest.fixture
def snapshot(request: pytest.FixtureRequest) -> Snapshot:
    update = bool(request.config.getoption("--update-snapshots"))

    def check(image: QImage, name: str, *, channel_tolerance: int = 40,
              max_diff_fraction: float = 0.005) -> None:
        reference = SNAPSHOT_DIR / f"{name}.png"
        actual = SNAPSHOT_DIR / f"{name}.actual.png"
        if update or not reference.exists():
            SNAPSHOT_DIR.mkdir(parents=True, exist_ok=True)
            assert image.save(str(reference)), f"cannot write {reference}"
            actual.unlink(missing_ok=True)
            if not update:
                pytest.fail(f"no reference for {name}: wrote {reference.name}, check it in")
            return
        expected = QImage(str(reference))
        if expected.size() != image.size():
            image.save(str(actual))
            pytest.fail(f"{name}: size {image.width()}×{image.height()} "
                        f"!= reference {expected.width()}×{expected.height()}")
        fraction = _diff_fraction(expected, image, channel_tolerance)
        if fraction > max_diff_fraction:
            image.save(str(actual))
            pytest.fail(f"{name}: {fraction:.2%} of pixels differ (allowed "
                        f"{max_diff_fraction:.2%}); see {actual.name}, or --update-snapshots")
        actual.unlink(missing_ok=True)

    return check
