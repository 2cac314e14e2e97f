"""The seat wall window at 37 and 200 seats: every seat readable, filters, actions.

The wall is fed plain protocol values (as the hub would push them) through
``WallModel``; screenshots land in ``out/wall/`` for a look.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from seat_client.supervision.wall_model import WallModel
from seat_common import catalog
from seat_common.protocol import WallFigures, WallSeat, WallUpdate
from tests.ui.wall_data import wall_snapshot
from ui.supervision.seat_wall import COMPACT, LARGE
from ui.supervision.wall_window import SeatWallWindow

OUT = Path(__file__).resolve().parents[2] / "out" / "wall"


def _window(qtbot: QtBot, count: int, size: tuple[int, int]) -> tuple[SeatWallWindow, WallModel]:
    model = WallModel()
    window = SeatWallWindow(model, catalog.load())
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    model.apply(wall_snapshot(count))
    qtbot.waitExposed(window)
    return window, model


@pytest.mark.parametrize(
    ("count", "size", "geometry"),
    [(37, (1920, 1080), LARGE), (37, (1366, 768), COMPACT), (200, (1920, 1080), COMPACT)],
)
def test_every_seat_has_a_tile_and_the_screenshot_is_saved(
    qtbot: QtBot, count: int, size: tuple[int, int], geometry: object
) -> None:
    window, _model = _window(qtbot, count, size)
    grid = window.grid
    assert len(grid.seats()) == count
    assert grid.tile_geometry() is geometry
    last = grid.tile_rect(count - 1)
    if count == 37:
        # All 37 fit without scrolling, on a 1080p wall and on a 1366×768 counter PC.
        assert last.bottom() < grid.parentWidget().height()  # type: ignore[union-attr]
    # Tiles never overlap and stay inside the grid's width.
    assert grid.tile_rect(1).left() >= grid.tile_rect(0).right()
    assert last.right() <= grid.width()
    OUT.mkdir(parents=True, exist_ok=True)
    image = window.grab()
    assert image.save(str(OUT / f"wall-{count}-{size[0]}x{size[1]}.png"))
    assert window.side.figure_text("rating") == "9.96"
    assert window.side.figure_text("sl20") == "86%"
    # Every figure is readable whole (English captions are long: they wrap, the numbers
    # keep their width).
    for value in window.side.findChildren(QLabel, "wallFigure"):
        assert value.width() >= value.sizeHint().width(), (value.text(), value.width())
    assert "7" in window.side.summary.text()  # 5 + 2 waiting


def test_filters_and_pushed_updates_change_the_tiles(qtbot: QtBot) -> None:
    window, model = _window(qtbot, 37, (1920, 1080))
    hall = window.hall_filter.findData("松山湖分中心")
    window.hall_filter.setCurrentIndex(hall)
    shown = window.grid.seats()
    assert shown and {s.hall for s in shown} == {"松山湖分中心"}
    window.hall_filter.setCurrentIndex(0)
    window.state_filter.setCurrentIndex(window.state_filter.findData("ready"))
    assert {s.state for s in window.grid.seats()} == {"ready"}
    before = len(window.grid.seats())
    # The hub pushes: seat 0002 becomes ready; the filtered grid shows it at once.
    seat = model.seats["0002"]
    model.apply(
        WallUpdate(
            seats=(WallSeat(**{**_as_dict(seat), "state": "ready", "item_code": ""}),),
            queue_changed=False,
            queue=(),
            figures=model.figures,
            sent_at=time.time(),
        )
    )
    assert len(window.grid.seats()) == before + (seat.state != "ready")
    assert "0002" in [s.agent_id for s in window.grid.seats()]


def test_selecting_a_tile_enables_actions_and_emits_intents(qtbot: QtBot) -> None:
    window, _model = _window(qtbot, 37, (1920, 1080))
    grid = window.grid
    index = next(i for i, s in enumerate(grid.seats()) if s.state == "ready")
    agent_id = grid.seats()[index].agent_id
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.tile_rect(index).center())
    assert grid.selected() == agent_id
    assert window.ready_button.isEnabled()
    with qtbot.waitSignal(window.state_requested) as blocker:
        window.ready_button.click()
    assert blocker.args == [agent_id, "ready", ""]
    offline = next(i for i, s in enumerate(grid.seats()) if s.state == "offline")
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.tile_rect(offline).center())
    assert not window.whisper_button.isEnabled()
    assert grid.seat_at(QPoint(-5, -5)) == ""


def _as_dict(seat: WallSeat) -> dict[str, object]:
    return {name: getattr(seat, name) for name in seat.__dataclass_fields__}


def test_figures_with_nothing_to_divide_show_a_dash(qtbot: QtBot) -> None:
    window, model = _window(qtbot, 37, (1366, 768))
    model.apply(replace(wall_snapshot(37), figures=WallFigures(offered=3)))  # all waiting
    for key in ("sl20", "sl60", "asa", "aht", "rating"):
        assert window.side.figure_text(key) == "–", key
    assert window.side.figure_text("offered") == "3"


def test_the_queue_says_how_many_waiting_citizens_lost_their_link(qtbot: QtBot) -> None:
    window, model = _window(qtbot, 37, (1366, 768))
    snapshot = wall_snapshot(37)
    lines = (replace(snapshot.queue[0], link_lost=2), snapshot.queue[1])
    model.apply(replace(snapshot, queue=lines))
    side = window.side
    # Still counted as waiting (5 + 2), and said apart: they cannot be given to anyone now.
    assert "Waiting 7" in side.summary.text() and "2 link lost" in side.summary.text()
    assert side.table.item(0, 1).text() == "5"  # type: ignore[union-attr]
    assert side.table.item(0, 3).text() == "2"  # type: ignore[union-attr]
    assert "2 link lost" in side.table.item(0, 3).toolTip()  # type: ignore[union-attr]
    assert side.table.item(1, 3).text() == ""  # type: ignore[union-attr]
    model.apply(snapshot)  # they came back
    assert "link lost" not in side.summary.text()
    assert side.table.item(0, 3).text() == ""  # type: ignore[union-attr]
