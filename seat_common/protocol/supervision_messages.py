"""Messages of supervision: the seat wall, supervisor actions, the audit log, the
work-order list, watching a call, barging in and joining it, and call recordings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from seat_common.protocol.terms import (
    ID_TEXT,
    SHORT_TEXT,
    AwayReason,
    PartyKind,
    PartyPhase,
    SdpType,
    WatchEndReason,
    WatchPhase,
)
from seat_common.protocol.values import (
    AuditRecord,
    WallFigures,
    WallQueueLine,
    WallSeat,
    WorkOrderRow,
)


@dataclass(frozen=True, slots=True)
class SubscribeWall:
    """Supervisor → hub: send me the seat wall (a ``wall_snapshot``, then ``wall_update``s)."""

    TYPE: ClassVar[str] = "subscribe_wall"


@dataclass(frozen=True, slots=True)
class WallSnapshot:
    """Hub → supervisor: every seat, the queue and today's figures; ``sent_at`` is hub time."""

    TYPE: ClassVar[str] = "wall_snapshot"
    seats: tuple[WallSeat, ...] = field(metadata={"max_items": 1000})
    queue: tuple[WallQueueLine, ...] = field(metadata={"max_items": 1000})
    figures: WallFigures
    sent_at: float = field(metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class WallUpdate:
    """Hub → supervisor: what changed since the last wall message (pushed, coalesced per
    event-loop turn). ``seats`` are whole records of the changed seats; ``queue`` is the
    whole queue panel when ``queue_changed``; ``figures`` are always current."""

    TYPE: ClassVar[str] = "wall_update"
    seats: tuple[WallSeat, ...] = field(metadata={"max_items": 1000})
    queue_changed: bool
    queue: tuple[WallQueueLine, ...] = field(metadata={"max_items": 1000})
    figures: WallFigures
    sent_at: float = field(metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class Whisper:
    """Supervisor → hub: a private message to one agent (seen by that agent only)."""

    TYPE: ClassVar[str] = "whisper"
    agent_id: str = field(metadata=ID_TEXT)
    text: str = field(metadata={"max_len": 2000, "min_len": 1})


@dataclass(frozen=True, slots=True)
class WhisperMessage:
    """Hub → the agent: a supervisor's private message."""

    TYPE: ClassVar[str] = "whisper_message"
    supervisor_id: str = field(metadata=ID_TEXT)
    supervisor_name: str = field(metadata=SHORT_TEXT)
    text: str = field(metadata={"max_len": 2000, "min_len": 1})
    sent_at: float = field(metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class SuperviseState:
    """Supervisor → hub: put an agent ready or away (with a reason)."""

    TYPE: ClassVar[str] = "supervise_state"
    agent_id: str = field(metadata=ID_TEXT)
    state: Literal["ready", "away"]
    reason: AwayReason = ""


@dataclass(frozen=True, slots=True)
class MoveContact:
    """Supervisor → hub: move a waiting citizen to a ready agent (``to_agent_id``: offered
    to that agent now) or to another item's queue (``to_item_code``). Exactly one is given."""

    TYPE: ClassVar[str] = "move_contact"
    work_order_id: str = field(metadata=ID_TEXT)
    to_agent_id: str = field(default="", metadata={"max_len": 64})
    to_item_code: str = field(default="", metadata={"max_len": 64})


@dataclass(frozen=True, slots=True)
class FetchAudit:
    """Supervisor → hub: the newest ``limit`` entries of the audit log."""

    TYPE: ClassVar[str] = "fetch_audit"
    limit: int = field(default=100, metadata={"min": 1, "max": 1000})


@dataclass(frozen=True, slots=True)
class AuditLog:
    """Hub → supervisor: audit log entries, newest first."""

    TYPE: ClassVar[str] = "audit_log"
    entries: tuple[AuditRecord, ...] = field(metadata={"max_items": 1000})


@dataclass(frozen=True, slots=True)
class SearchWorkOrders:
    """Agent or supervisor → hub: work orders queued in [``since``, ``until``) matching
    ``text`` (in the id, item code or name, outcome or agent id), newest first. An agent
    gets only their own; a supervisor gets all, or one agent's with ``agent_id``."""

    TYPE: ClassVar[str] = "search_work_orders"
    text: str = field(default="", metadata={"max_len": 100})
    since: float = field(default=0.0, metadata={"min": 0})
    until: float = field(default=0.0, metadata={"min": 0})
    agent_id: str = field(default="", metadata={"max_len": 64})
    limit: int = field(default=200, metadata={"min": 1, "max": 500})


@dataclass(frozen=True, slots=True)
class WorkOrderList:
    """Hub → the searcher: the matching work orders (masked), newest first;
    ``truncated`` when more matched than ``limit`` or than fit in one message."""

    TYPE: ClassVar[str] = "work_order_list"
    rows: tuple[WorkOrderRow, ...] = field(metadata={"max_items": 500})
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class RecordingSaved:
    """Agent → hub: the call's recording is stored on the workstation (an MP4 file)."""

    TYPE: ClassVar[str] = "recording_saved"
    work_order_id: str = field(metadata=ID_TEXT)
    call_id: str = field(metadata=ID_TEXT)
    duration_s: float = field(metadata={"min": 0, "max": 86400})
    byte_size: int = field(metadata={"min": 0, "max": 2**40})
    sha256: str = field(metadata={"min_len": 64, "max_len": 64})
    video_frames: int = field(default=0, metadata={"min": 0, "max": 2**31})


@dataclass(frozen=True, slots=True)
class WatchCall:
    """Supervisor → hub: watch this agent's current call (one-way video and audio from
    the agent's workstation; the agent sees that they are watched)."""

    TYPE: ClassVar[str] = "watch_call"
    agent_id: str = field(metadata=ID_TEXT)
    #: One click from the wall: watch and join the call at once (``join_call``'s rules).
    join: bool = False


@dataclass(frozen=True, slots=True)
class BargeIn:
    """Supervisor → hub: start (``on``) or stop talking into the watched call."""

    TYPE: ClassVar[str] = "barge_in"
    watch_id: str = field(metadata=ID_TEXT)
    on: bool = True


@dataclass(frozen=True, slots=True)
class JoinCall:
    """Supervisor → hub: join the watched call as its third party (``on``: camera and
    microphone to the citizen and the agent, who both are seen), or leave it and go back to
    watching."""

    TYPE: ClassVar[str] = "join_call"
    watch_id: str = field(metadata=ID_TEXT)
    on: bool = True


@dataclass(frozen=True, slots=True)
class PartyUpdate:
    """Hub → the citizen (or kiosk) of a call: a third party joined the call or left it
    (a supervisor from the seat wall, or the colleague of a three-way call); ``message``
    is what to show (Chinese)."""

    TYPE: ClassVar[str] = "party_update"
    call_id: str = field(metadata=ID_TEXT)
    party: PartyKind
    phase: PartyPhase
    message: str = field(default="", metadata=SHORT_TEXT)


@dataclass(frozen=True, slots=True)
class StopWatch:
    """Supervisor or the watched agent → hub: end the watch."""

    TYPE: ClassVar[str] = "stop_watch"
    watch_id: str = field(metadata=ID_TEXT)


@dataclass(frozen=True, slots=True)
class WatchState:
    """Hub → the watched agent and the watching supervisor: the watch began, changed
    phase or ended (``reason`` says why it ended)."""

    TYPE: ClassVar[str] = "watch_state"
    watch_id: str = field(metadata=ID_TEXT)
    call_id: str = field(metadata=ID_TEXT)
    agent_id: str = field(metadata=ID_TEXT)
    supervisor_id: str = field(metadata=ID_TEXT)
    supervisor_name: str = field(metadata=SHORT_TEXT)
    phase: WatchPhase
    reason: WatchEndReason = ""


@dataclass(frozen=True, slots=True)
class WatchSdp:
    """The watched agent (offer) → hub → the supervisor, who answers the same way back."""

    TYPE: ClassVar[str] = "watch_sdp"
    watch_id: str = field(metadata=ID_TEXT)
    sdp_type: SdpType
    sdp: str = field(metadata={"max_len": 65536, "min_len": 1})
