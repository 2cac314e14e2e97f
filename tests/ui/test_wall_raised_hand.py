"""A raised hand on the seat wall: the tile says why (and, once answered, who answered), the
hand sounds once and selects the seat so Whisper… and Watch are one click away; holds and
transfers in progress are said on their tiles. Screenshot at 1366×768 in ``out/wall/``."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot

from seat_client.supervision.wall_model import WallModel
from seat_common import catalog
from seat_common.protocol import WallSeat, WallUpdate
from tests.ui.wall_data import wall_snapshot
from ui.supervision.raised_hands import RaisedHands
from ui.supervision.wall_window import SeatWallWindow

OUT = Path(__file__).resolve().parents[2] / "out" / "wall"


def push(model: WallModel, *seats: WallSeat) -> None:
    model.apply(WallUpdate(seats=seats, queue_changed=False, queue=(), figures=model.figures,
                           sent_at=time.time()))


def test_a_raised_hand_is_highlighted_sounded_once_and_selected(qtbot: QtBot) -> None:
    model = WallModel()
    window = SeatWallWindow(model, catalog.load())
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    hands = RaisedHands(window, model)
    model.apply(wall_snapshot(37))
    qtbot.waitExposed(window)
    on_call = [s for s in model.seats.values() if s.state == "on_call"]
    first, second = on_call[0], on_call[1]
    now = time.time()
    push(model, replace(first, hand="市民情绪激动，请支援", hand_since=now),
         replace(second, on_hold=True, transfer_to="李四"))
    assert hands.sounded == 1
    assert window.grid.selected() == first.agent_id
    assert window.whisper_button.isEnabled() and window.watch_button.isEnabled()
    assert "市民情绪激动" in window.grid._activity(model.seats[first.agent_id], now)
    held = window.grid._activity(model.seats[second.agent_id], now)
    assert "李四" in held and ("保持" in held or "hold" in held)
    OUT.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(OUT / "wall-raised-hand-1366x768.png"))
    # The same hand again (answered now) does not sound again; lowering it clears it.
    push(model, replace(model.seats[first.agent_id], hand_answered_by="王主管"))
    assert hands.sounded == 1
    assert "王主管" in window.grid._activity(model.seats[first.agent_id], now)
    push(model, replace(model.seats[first.agent_id], hand="", hand_since=0.0,
                        hand_answered_by=""))
    assert "市民情绪激动" not in window.grid._activity(model.seats[first.agent_id], now)
    push(model, replace(model.seats[first.agent_id], hand="又需要帮助", hand_since=now + 5))
    assert hands.sounded == 2


def test_consults_and_three_way_calls_are_said_on_both_tiles(qtbot: QtBot) -> None:
    model = WallModel()
    window = SeatWallWindow(model, catalog.load())
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    model.apply(wall_snapshot(37))
    on_call = [s for s in model.seats.values() if s.state == "on_call"]
    host, guest = on_call[0], on_call[1]
    now = time.time()
    push(model, replace(host, on_hold=True, consult_with="李四", consult_phase="talking"),
         replace(guest, consult_with="张三", consult_phase="talking"))
    said = window.grid._activity(model.seats[host.agent_id], now)
    assert ("会商 李四" in said or "Consulting 李四" in said) and ("保持" in said or "hold" in said)
    said = window.grid._activity(model.seats[guest.agent_id], now)
    assert "会商 张三" in said or "Consulting 张三" in said
    push(model, replace(model.seats[host.agent_id], on_hold=False, consult_phase="three_way"))
    said = window.grid._activity(model.seats[host.agent_id], now)
    assert "与李四三方通话" in said or "Three-way with 李四" in said
    OUT.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(OUT / "wall-consult-1366x768.png"))
    push(model, replace(model.seats[host.agent_id], consult_with="", consult_phase=""))
    assert "李四" not in window.grid._activity(model.seats[host.agent_id], now)
