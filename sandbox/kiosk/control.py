"""The kiosk's consent gate: input from the agent counts only while the citizen allows it.

States: ``IDLE`` (no request) → ``ASKING`` (the consent prompt is up) →
``GRANTED`` (the "under remote assistance" banner is up) → ``STOPPED``
(either side stopped it; a new request asks again) and ``ENDED`` (the call
is over: nothing more is accepted). The kiosk's stop button changes the
state here first, before anything is sent, so input already on its way
is refused. Every refused input is counted and kept (bounded) with why.
Pure Python: the window and the peer drive it.
"""

from __future__ import annotations

import enum
import time
from collections import deque
from dataclasses import dataclass
from typing import Final

from seat_common.events import Event
from seat_common.protocol import assist as wire

_KEEP: Final = 1000


class ControlState(enum.Enum):
    IDLE = "idle"
    ASKING = "asking"
    GRANTED = "granted"
    STOPPED = "stopped"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class RefusedInput:
    seq: int
    kind: str
    reason: wire.RefusalReason
    at: float


class ControlGate:
    """Decides whether agent input may drive the kiosk. Event: ``state_changed``."""

    def __init__(self) -> None:
        self.state = ControlState.IDLE
        self.session = ""
        self.stopped_by = ""
        self.refused: deque[RefusedInput] = deque(maxlen=_KEEP)
        self.refused_count = 0
        self.state_changed: Event[ControlState] = Event()

    def request(self, session: str) -> bool:
        """The agent asks; True if the consent prompt should show."""
        if self.state in (ControlState.IDLE, ControlState.STOPPED):
            self.session = session
            self._set(ControlState.ASKING)
            return True
        return False

    def answer(self, granted: bool) -> bool:
        if self.state is not ControlState.ASKING:
            return False
        self._set(ControlState.GRANTED if granted else ControlState.IDLE)
        return True

    def stop(self, by: wire.StoppedBy) -> bool:
        """Stop (the kiosk's button, the agent, or the end of the call); True if it was on."""
        if by == "call_end":
            was_on = self.state in (ControlState.ASKING, ControlState.GRANTED)
            self.stopped_by = by
            self._set(ControlState.ENDED)
            return was_on
        if self.state not in (ControlState.ASKING, ControlState.GRANTED):
            return False
        self.stopped_by = by
        self._set(ControlState.STOPPED)
        return True

    def admit(self, seq: int, kind: str) -> bool:
        """May this input drive the kiosk? A refusal is recorded."""
        if self.state is ControlState.GRANTED:
            return True
        self.refuse(seq, kind, "no_control")
        return False

    def refuse(self, seq: int, kind: str, reason: wire.RefusalReason) -> None:
        self.refused_count += 1
        self.refused.append(RefusedInput(seq, kind, reason, time.monotonic()))

    @property
    def granted(self) -> bool:
        return self.state is ControlState.GRANTED

    def _set(self, state: ControlState) -> None:
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state)
