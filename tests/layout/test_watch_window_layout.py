"""The watch window holds at the sizes a supervisor's PC gives it, with the hardest data: a
long agent name, the catalog's longest item, both device problems, the microphone live.

Screenshots in ``out/layout/`` (``watch-window-*.png``): look at them after a change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sandbox.camera import StampedCameraTrack
from seat_client.media.devices import DeviceProblem
from seat_client.supervision.watch_viewer import WatchViewer
from seat_common import catalog, protocol
from tests.layout.geometry import layout_problems
from tests.layout.harness import LONG_NAME, LONGEST_ITEM, OUT
from ui import i18n
from ui.supervision.watch_window import WatchWindow
from ui.theme import apply_theme


@pytest.fixture
def themed_chinese(request: pytest.FixtureRequest) -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")
    apply_theme(app, large_text=bool(request.param))
    yield
    for translator in translators:
        QCoreApplication.removeTranslator(translator)
    i18n.install(app, "en")
    apply_theme(app, large_text=False)


@pytest.mark.parametrize(("size", "themed_chinese"), [
    ((1366, 768), False), ((1366, 768), True), ((800, 600), False), ((800, 600), True)],
    indirect=["themed_chinese"], ids=["1366x768", "1366x768-large", "800x600", "800x600-large"])
async def test_the_watch_window_shows_everything_with_the_hardest_data(
    qtbot: QtBot, size: tuple[int, int], themed_chinese: None, request: pytest.FixtureRequest
) -> None:
    async def send(message: protocol.Message) -> None:
        return None

    viewer = WatchViewer(send)
    viewer.apply(protocol.WatchState("w1", "c1", "0012", "S01", "王督导", "barging"))
    camera = StampedCameraTrack(1280, 720)
    viewer.frames.put(await camera.recv())
    camera.stop()
    item = catalog.load().items[LONGEST_ITEM].name
    window = WatchWindow(viewer, lambda agent_id: f"{LONG_NAME}（{agent_id}）· {item}")
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    try:
        window.show_devices({
            "microphone": DeviceProblem("microphone", "failed", "USB 耳麦（C-Media 音频适配器）"),
            "speaker": DeviceProblem("speaker", "missing"),
        })
        window.show_state(viewer.state)
        for _ in range(4):
            await asyncio.sleep(0.05)
        OUT.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(OUT / f"watch-window-{request.node.callspec.id}.png"))
        assert window.width() <= size[0] and window.height() <= size[1], "it fits the size"
        assert layout_problems(window) == []
    finally:
        window.close_for_hub()
        await viewer.close()
