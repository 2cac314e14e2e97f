"""What the workstation knows of a call: the one in progress, the wrap-up it owes, notices
for the agent and the work orders closed in this session (``workstation.Workstation``
keeps them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from seat_client.call.session import CallSession
from seat_common import protocol


@dataclass
class ActiveCall:
    """The call in progress: who, what, its media session and its chat."""

    started: protocol.CallStarted
    offer: protocol.Offer | None
    session: CallSession
    started_at: float
    chat: list[protocol.ChatMessage] = field(default_factory=list)
    #: What the citizen last said of their camera and microphone (None: nothing yet).
    peer_media: protocol.MediaState | None = None

    @property
    def work_order_id(self) -> str:
        return self.started.work_order_id


@dataclass(frozen=True, slots=True)
class WrapUpRequest:
    """A finished call waiting for its outcome."""

    work_order_id: str
    item_name: str
    ended_by: str
    reason: str
    duration_s: float


@dataclass(frozen=True, slots=True)
class Notice:
    """A message for the agent: ``code`` is an error code from the hub or our own."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class ClosedWorkOrder:
    """A work order this agent closed in this session, for the history list."""

    work_order_id: str
    item_name: str
    channel: str
    outcome: protocol.Outcome
    closed_at: float
    chat_lines: int
