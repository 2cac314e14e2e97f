"""Values carried inside messages: citizens, queue entries, materials, verdicts, the
seat wall's records, audit entries and work-order rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from seat_common.protocol.codec import TextPattern
from seat_common.protocol.terms import (
    ID_TEXT,
    SHORT_TEXT,
    AgentState,
    AwayReason,
    Channel,
    ImageMime,
    MaterialSource,
    MediaKind,
    Priority,
    PriorityCheck,
    ProtocolError,
    SeatConsult,
    SeatMode,
    SeatWatch,
    VerdictStatus,
)

_HOST: Final = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)"
_PORT: Final = r"(?::[0-9]{1,5})?"
#: A STUN or TURN server's URL (RFC 7064, RFC 7065); only TURN names a transport.
ICE_URL: Final = TextPattern(
    rf"stuns?:{_HOST}{_PORT}|turns?:{_HOST}{_PORT}(?:\?transport=(?:udp|tcp))?",
    "a stun:, stuns:, turn: or turns: URL (host, optional port, TURN's ?transport=udp|tcp)",
)


@dataclass(frozen=True, slots=True)
class CitizenInfo:
    """Who is calling, as far as the citizen told us. The hub masks it for agents."""

    name: str = field(default="", metadata=SHORT_TEXT)
    id_number: str = field(default="", metadata={"max_len": 32})
    phone: str = field(default="", metadata={"max_len": 32})
    hall: str = field(default="", metadata=SHORT_TEXT)


@dataclass(frozen=True, slots=True)
class IceServer:
    """One STUN or TURN server a party's WebRTC peers may use. A TURN server comes with
    short-lived credentials (the TURN REST scheme: ``username`` is
    ``"<expiry unix time>:<party id>"``, ``credential`` the base64 HMAC-SHA1 of it)."""

    url: str = field(metadata={"max_len": 300, "min_len": 1, "pattern": ICE_URL})
    username: str = field(default="", metadata={"max_len": 200})
    credential: str = field(default="", metadata={"max_len": 200})

    @property
    def is_turn(self) -> bool:
        return self.url.startswith("turn")

    def check_across_fields(self) -> None:
        if self.is_turn and not (self.username and self.credential):
            raise ProtocolError(
                "bad_message", "a TURN server needs a username and a credential", "username"
            )


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One waiting citizen as shown in an agent's queue pane (personal data masked)."""

    work_order_id: str = field(metadata=ID_TEXT)
    item_code: str = field(metadata=ID_TEXT)
    item_name: str = field(metadata=SHORT_TEXT)
    channel: Channel
    priority: Priority
    media: MediaKind
    citizen: CitizenInfo
    queued_at: float = field(metadata={"min": 0})
    #: Whether ``priority`` is only the citizen's word or was checked (see ``PriorityCheck``).
    priority_check: PriorityCheck = "claimed"
    #: The citizen chose large text (大字版) on their page or kiosk.
    large_text: bool = False
    #: The citizen's link dropped and the hub keeps their place until this hub time (unix
    #: seconds); they are not offered meanwhile. 0: connected.
    link_lost_until: float = field(default=0.0, metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class MaterialInfo:
    """A stored material as the hub describes it. ``width``/``height`` are upright
    (after the EXIF ``orientation``, which readers must apply: the file is stored as sent)."""

    material_id: str = field(metadata=ID_TEXT)
    work_order_id: str = field(metadata=ID_TEXT)
    filename: str = field(metadata={"max_len": 200, "min_len": 1})
    mime: ImageMime
    byte_size: int = field(metadata={"min": 1, "max": 2**31})
    sha256: str = field(metadata={"max_len": 64, "min_len": 64})
    width: int = field(metadata={"min": 1, "max": 2**20})
    height: int = field(metadata={"min": 1, "max": 2**20})
    orientation: int = field(metadata={"min": 1, "max": 8})
    source: MaterialSource
    added_at: float = field(metadata={"min": 0})
    #: The checklist material (catalog ``Material.code``) the uploader says this is.
    material_code: str = field(default="", metadata={"max_len": 64})


@dataclass(frozen=True, slots=True)
class VerdictEntry:
    """The agent's decision on one checklist material (a catalog material code)."""

    material_code: str = field(metadata=ID_TEXT)
    status: VerdictStatus
    reason_code: str = field(default="", metadata={"max_len": 64})
    note: str = field(default="", metadata={"max_len": 500})
    material_ids: tuple[str, ...] = field(default=(), metadata={"max_items": 20})


@dataclass(frozen=True, slots=True)
class WallSeat:
    """One seat as the supervisor's wall shows it (every agent seat, logged in or not).

    ``since`` is when the seat entered ``state``; ``call_started_at`` is 0 without a
    call. ``item_code``/``channel`` describe the contact being offered, served or
    wrapped up ("" when none). ``themes`` are the catalog themes of the seat's skills.
    """

    agent_id: str = field(metadata=ID_TEXT)
    name: str = field(metadata=SHORT_TEXT)
    hall: str = field(metadata=SHORT_TEXT)
    themes: tuple[str, ...] = field(metadata={"max_items": 64})
    state: AgentState
    mode: SeatMode
    reason: AwayReason = ""
    since: float = field(default=0.0, metadata={"min": 0})
    item_code: str = field(default="", metadata={"max_len": 64})
    item_name: str = field(default="", metadata=SHORT_TEXT)
    channel: str = field(default="", metadata={"max_len": 32})
    work_order_id: str = field(default="", metadata={"max_len": 64})
    call_started_at: float = field(default=0.0, metadata={"min": 0})
    wrap_up_limit_s: float = field(default=0.0, metadata={"min": 0, "max": 86400})
    #: The supervisor watching this seat's call ("" when no one watches).
    watched_by: str = field(default="", metadata=SHORT_TEXT)
    #: How: only watching, talking in (barge-in), or joined as the call's third party.
    watch_phase: SeatWatch = ""
    #: The citizen of this seat's call is on hold.
    on_hold: bool = False
    #: Whom this seat's call is being transferred to, while it rings there ("" otherwise).
    transfer_to: str = field(default="", metadata=SHORT_TEXT)
    #: The colleague this seat consults (or is consulted by) about a call, and how far
    #: the consult is ("" when none): talking with the citizen on hold, or three-way.
    consult_with: str = field(default="", metadata=SHORT_TEXT)
    consult_phase: SeatConsult = ""
    #: The agent's raised hand (举手): its reason ("" when no hand is up), since when, and
    #: the supervisor who answered it, if any.
    hand: str = field(default="", metadata={"max_len": 100})
    hand_since: float = field(default=0.0, metadata={"min": 0})
    hand_answered_by: str = field(default="", metadata=SHORT_TEXT)


@dataclass(frozen=True, slots=True)
class WallQueueLine:
    """The waiting citizens of one service item (only items with someone waiting)."""

    item_code: str = field(metadata=ID_TEXT)
    item_name: str = field(metadata=SHORT_TEXT)
    theme: str = field(metadata={"max_len": 64})
    waiting: int = field(metadata={"min": 0})
    priority_waiting: int = field(metadata={"min": 0})
    oldest_queued_at: float = field(metadata={"min": 0})
    #: The work order served next in this line (a supervisor may move it).
    next_work_order_id: str = field(default="", metadata={"max_len": 64})
    #: Of ``waiting``, those whose link dropped: their place is kept for the resume grace
    #: period, but they cannot be offered until they come back.
    link_lost: int = field(default=0, metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class WallFigures:
    """Today's live figures (local day of the hub), from the ledger and live state.

    Service levels are the share (0–1) of answered contacts answered within 20 s
    and 60 s of queueing; times are in seconds; ``average_rating`` is 0 with no
    ratings yet.
    """

    offered: int = field(default=0, metadata={"min": 0})
    answered: int = field(default=0, metadata={"min": 0})
    abandoned: int = field(default=0, metadata={"min": 0})
    average_speed_of_answer_s: float = field(default=0.0, metadata={"min": 0})
    service_level_20s: float = field(default=0.0, metadata={"min": 0, "max": 1})
    service_level_60s: float = field(default=0.0, metadata={"min": 0, "max": 1})
    average_handling_s: float = field(default=0.0, metadata={"min": 0})
    work_orders_closed: int = field(default=0, metadata={"min": 0})
    users_served: int = field(default=0, metadata={"min": 0})
    average_rating: float = field(default=0.0, metadata={"min": 0, "max": 10})
    ratings: int = field(default=0, metadata={"min": 0})
    #: Citizens served at a counter today (walk-ins: no call, not in offered or answered).
    walk_ins: int = field(default=0, metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One supervisor action as the hub's audit log keeps it."""

    seq: int = field(metadata={"min": 1})
    at: float = field(metadata={"min": 0})
    supervisor_id: str = field(metadata=ID_TEXT)
    action: str = field(metadata=ID_TEXT)
    target: str = field(metadata={"max_len": 64})
    detail: str = field(metadata={"max_len": 500})
    result: str = field(metadata={"max_len": 64})


@dataclass(frozen=True, slots=True)
class WorkOrderRow:
    """One work order in a searchable list, personal data masked.

    Times are 0 when the step did not happen; ``rating`` is 0 when not rated;
    ``outcome`` is "" while the work order is open.
    """

    work_order_id: str = field(metadata=ID_TEXT)
    item_code: str = field(metadata=ID_TEXT)
    item_name: str = field(metadata=SHORT_TEXT)
    theme: str = field(metadata={"max_len": 64})
    channel: str = field(metadata={"max_len": 32})
    agent_id: str = field(metadata={"max_len": 64})
    citizen: CitizenInfo
    state: str = field(metadata={"max_len": 32})
    outcome: str = field(metadata={"max_len": 32})
    queued_at: float = field(metadata={"min": 0})
    answered_at: float = field(default=0.0, metadata={"min": 0})
    closed_at: float = field(default=0.0, metadata={"min": 0})
    handle_s: float = field(default=0.0, metadata={"min": 0})
    rating: int = field(default=0, metadata={"min": 0, "max": 10})
    rating_comment: str = field(default="", metadata={"max_len": 500})
    #: Length of the call's recording in seconds (0: not recorded).
    recording_s: float = field(default=0.0, metadata={"min": 0, "max": 86400})
