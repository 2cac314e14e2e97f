"""Raised hands (举手) on the seat wall: a hand that goes up sounds once, selects its seat
(so Whisper…, Watch call and Join call are one click away: Ctrl+J joins the call) and is
said in the result line; the tile
itself is drawn highlighted by ``SeatWallGrid`` (``WallSeat.hand``)."""

from __future__ import annotations

from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QApplication

from seat_client.supervision.wall_model import WallModel
from ui.supervision.wall_window import SeatWallWindow


class RaisedHands:
    """Watches the wall model for hands going up (see the module's docstring)."""

    def __init__(self, window: SeatWallWindow, model: WallModel) -> None:
        self.window = window
        self.model = model
        #: seats whose current hand was already announced (agent id → since)
        self.announced: dict[str, float] = {}
        self.sounded = 0
        model.changed.connect(self._on_changed)

    def _on_changed(self, _ids: frozenset[str]) -> None:
        up = {s.agent_id: s for s in self.model.seats.values() if s.hand}
        for agent_id in list(self.announced):
            if agent_id not in up:
                del self.announced[agent_id]
        for agent_id, seat in up.items():
            if self.announced.get(agent_id) == seat.hand_since:
                continue
            self.announced[agent_id] = seat.hand_since
            if seat.hand_answered_by:
                continue  # already answered when we first saw it (a snapshot)
            self.sounded += 1
            QApplication.beep()
            self.window.grid.select(agent_id)
            said = QCoreApplication.translate(
                "RaisedHands", "%1 raises a hand for help: %2").replace("%1", seat.name).replace(
                "%2", seat.hand)
            if seat.state == "on_call":
                said += QCoreApplication.translate(
                    "RaisedHands", " · Ctrl+J joins the call, Ctrl+W watches it")
            self.window.show_result(said)
