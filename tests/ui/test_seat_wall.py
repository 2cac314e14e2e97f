"""The seat wall window at 37 and 200 seats: every seat readable, filters, actions.

The wall is fed plain protocol values (as the hub would push them) through
``WallModel``; screenshots land in ``out/wall/`` for a look.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PyQt6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from seat_client.supervision.wall_model import WallModel
from seat_common import catalog
from seat_common.protocol import (
    AgentState,
    WallFigures,
    WallQueueLine,
    WallSeat,
    WallSnapshot,
    WallUpdate,
)
from ui.supervision.seat_wall import COMPACT, LARGE
from ui.supervision.wall_window import SeatWallWindow

OUT = Path(__file__).resolve().parents[2] / "out" / "wall"
STATES: tuple[AgentState, ...] = ("ready", "on_call", "wrap_up", "away", "ringing", "counter")
HALLS = ("东莞市民服务中心", "松山湖分中心", "虎门镇便民服务中心", "长安镇便民服务中心")


def _seats(count: int, now: float) -> tuple[WallSeat, ...]:
    seats = []
    for i in range(count):
        state = STATES[i % len(STATES)] if i % 11 else "offline"
        busy = state in ("on_call", "wrap_up", "ringing")
        seats.append(
            WallSeat(
                agent_id=f"{i + 1:04d}",
                name=f"坐席{i + 1:03d}",
                hall=HALLS[i % len(HALLS)],
                themes=("social_security",) if i % 2 else ("housing",),
                state=state,
                mode="counter" if state == "counter" else "video",
                reason="break" if state == "away" else "",
                since=now - 37 - i,
                item_code="SI-UNEMP-QUERY" if busy else "",
                item_name="失业保险个人明细查询" if busy else "",
                channel="miniprogram" if busy else "",
                call_started_at=now - 95 - i if state in ("on_call",) else 0.0,
                wrap_up_limit_s=30.0 if state == "wrap_up" else 0.0,
            )
        )
    return tuple(seats)


def _snapshot(count: int) -> WallSnapshot:
    now = time.time()
    return WallSnapshot(
        seats=_seats(count, now),
        queue=(
            WallQueueLine(
                "SI-UNEMP-QUERY", "失业保险个人明细查询", "social_security", 5, 1, now - 48, "WO-1"
            ),
            WallQueueLine(
                "HF-RENT-WITHDRAW", "租赁自住住房提取住房公积金", "housing", 2, 0, now - 12, "WO-2"
            ),
        ),
        figures=WallFigures(
            offered=120,
            answered=112,
            abandoned=8,
            average_speed_of_answer_s=14.2,
            service_level_20s=0.86,
            service_level_60s=0.97,
            average_handling_s=412,
            work_orders_closed=104,
            users_served=99,
            average_rating=9.96,
            ratings=80,
        ),
        sent_at=now,
    )


def _window(qtbot: QtBot, count: int, size: tuple[int, int]) -> tuple[SeatWallWindow, WallModel]:
    model = WallModel()
    window = SeatWallWindow(model, catalog.load())
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    model.apply(_snapshot(count))
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
    # Painting all 200 tiles stays well inside a frame budget.
    start = time.perf_counter()
    grid.repaint()
    assert time.perf_counter() - start < 0.25
    assert window.side.figure_text("rating") == "9.96"
    assert window.side.figure_text("sl20") == "86%"
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
