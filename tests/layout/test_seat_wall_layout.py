"""The supervisor's seat wall with 200 seats holds on a 1366×768 PC and a 1080p wall screen:
the filters, the figures, the queue and every action readable, nothing cut."""

from __future__ import annotations

import asyncio

import pytest
from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from seat_client.supervision.wall_model import WallModel
from seat_common import catalog
from tests.layout.geometry import layout_problems
from tests.layout.harness import OUT
from tests.ui.wall_data import wall_snapshot
from ui import i18n
from ui.supervision.wall_window import SeatWallWindow
from ui.theme import apply_theme


@pytest.mark.parametrize(("size", "large_text"), [
    ((1366, 768), False), ((1366, 768), True), ((1920, 1080), False)])
async def test_two_hundred_seats_fit(qtbot: QtBot, size: tuple[int, int],
                                     large_text: bool) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")
    apply_theme(app, large_text=large_text)
    try:
        model = WallModel()
        window = SeatWallWindow(model, catalog.load())
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        model.apply(wall_snapshot(200))
        window.grid.select("0002")  # an agent on a call: every action is offered
        for _ in range(4):
            await asyncio.sleep(0.05)
        name = f"wall-200-{size[0]}x{size[1]}{'-large' if large_text else ''}"
        OUT.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(OUT / f"{name}.png"))
        assert layout_problems(window) == []
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
        apply_theme(app, large_text=False)
