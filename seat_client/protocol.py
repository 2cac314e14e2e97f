"""Protocol v1: the one definition of the wire format between hub and clients.

Every message is a JSON object sent as one websocket text frame::

    {"v": 1, "type": "join_queue", ...fields}

Each message type is a frozen dataclass below; ``encode`` turns one into
text and ``decode`` checks text from the wire and returns the typed value,
or raises ``ProtocolError`` naming the field that is wrong. Unknown types,
unknown fields, wrong types, out-of-range numbers and over-long strings are
all rejected: nothing unchecked gets past this module. The hub, the
workstation, the simulators and the citizen web page's script all follow
it; ``docs/protocol.md`` describes it for people.

Binary frames carry material files in chunks (``pack_chunk`` /
``unpack_chunk``): uploads to the hub after ``upload_start``, downloads from
it after ``material_download``. The header layout is ``CHUNK_HEADER``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import struct
import types
import typing
import zlib
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Literal, TypeAlias, get_args, get_origin

VERSION: Final = 1
#: Largest text frame either side accepts. SDP from a browser is ~10 KB.
MAX_MESSAGE_BYTES: Final = 256 * 1024

Role: TypeAlias = Literal["citizen", "agent", "supervisor", "kiosk"]
Channel: TypeAlias = Literal["web", "miniprogram", "official_account", "kiosk", "hotline"]
Priority: TypeAlias = Literal["normal", "elderly", "disabled"]
MediaKind: TypeAlias = Literal["video", "audio"]
AgentState: TypeAlias = Literal[
    "offline", "ready", "ringing", "on_call", "wrap_up", "away", "counter"
]
SeatMode: TypeAlias = Literal["video", "counter", "combined"]
AwayReason: TypeAlias = Literal["", "break", "meeting", "training", "missed_offers", "other"]
Outcome: TypeAlias = Literal[
    "resolved",  # question answered (咨询已解答)
    "guided",  # walked through the online form (指导办理)
    "pre_reviewed",  # materials pre-reviewed (材料预审)
    "accepted",  # application accepted (业务受理)
    "booked",  # counter appointment booked (代预约)
    "transferred",  # handed to another department (转办)
    "unresolved",  # could not be resolved (未解决)
    "dropped",  # the call broke off (通话中断)
    "abandoned",  # the citizen left the queue before an answer (set by the hub)
]
SdpType: TypeAlias = Literal["offer", "answer"]
WithdrawReason: TypeAlias = Literal["timeout", "declined", "citizen_left", "agent_left"]
EndReason: TypeAlias = Literal["hangup", "disconnected", "timeout", ""]
CallRole: TypeAlias = Literal["caller", "callee"]
#: A supervisor watching a call: only listening and looking, or talking into it too.
WatchPhase: TypeAlias = Literal["watching", "barging", "ended"]
WatchEndReason: TypeAlias = Literal[
    "", "stopped", "call_ended", "agent_left", "supervisor_left", "media_failed"
]
ErrorCode: TypeAlias = Literal[
    "bad_json",
    "bad_message",
    "unknown_type",
    "unsupported_version",
    "too_large",
    "not_authenticated",
    "bad_token",
    "already_logged_in",
    "not_allowed",
    "no_such_item",
    "no_such_call",
    "no_such_work_order",
    "no_such_material",
    "no_such_agent",
    "not_in_queue",
    "already_queued",
    "bad_state",
    "rate_limited",
    "internal",
]

#: Outcomes an agent may choose at wrap-up (``abandoned`` is the hub's alone).
MaterialSource: TypeAlias = Literal[
    "citizen_upload", "video_still", "document_camera", "agent_annotated"
]
ImageMime: TypeAlias = Literal["image/jpeg", "image/png"]
VerdictStatus: TypeAlias = Literal["accepted", "to_correct", "missing"]
UploadFailure: TypeAlias = Literal[
    "too_large",  # over the byte limit
    "too_many_pixels",  # header declares more pixels than allowed (a decompression bomb)
    "not_an_image",  # not a JPEG or PNG, or undecodable
    "truncated",  # the image data ends early
    "bad_metadata",  # absurd EXIF or oversized PNG text chunks
    "bad_checksum",  # a chunk's CRC32 or the file's SHA-256 does not match
    "bad_sequence",  # chunks out of order, or an upload id already in use
    "timeout",  # the upload stalled
    "disconnected",  # the uploader went away half way
    "quota",  # too many concurrent uploads, or too many bytes for the work order
    "no_such_work_order",  # not a work order this connection may add materials to
    "internal",
]

WRAP_UP_OUTCOMES: Final[tuple[Outcome, ...]] = tuple(
    o for o in get_args(Outcome) if o != "abandoned"
)

#: Largest upload or download id (they travel as u32 in chunk headers).
MAX_TRANSFER_ID: Final = 2**32 - 1

_SHORT = {"max_len": 200}
_ID = {"max_len": 64, "min_len": 1}


class ProtocolError(ValueError):
    """A message broke protocol v1. ``field`` names the offending field."""

    def __init__(self, code: ErrorCode, message: str, field: str = "") -> None:
        super().__init__(f"{message} ({field})" if field else message)
        self.code: ErrorCode = code
        self.message = message
        self.field = field


# --- values carried inside messages ---------------------------------------


@dataclass(frozen=True, slots=True)
class CitizenInfo:
    """Who is calling, as far as the citizen told us. The hub masks it for agents."""

    name: str = field(default="", metadata=_SHORT)
    id_number: str = field(default="", metadata={"max_len": 32})
    phone: str = field(default="", metadata={"max_len": 32})
    hall: str = field(default="", metadata=_SHORT)


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One waiting citizen as shown in an agent's queue pane (personal data masked)."""

    work_order_id: str = field(metadata=_ID)
    item_code: str = field(metadata=_ID)
    item_name: str = field(metadata=_SHORT)
    channel: Channel
    priority: Priority
    media: MediaKind
    citizen: CitizenInfo
    queued_at: float = field(metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class MaterialInfo:
    """A stored material as the hub describes it. ``width``/``height`` are upright
    (after the EXIF ``orientation``, which readers must apply: the file is stored as sent)."""

    material_id: str = field(metadata=_ID)
    work_order_id: str = field(metadata=_ID)
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

    material_code: str = field(metadata=_ID)
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

    agent_id: str = field(metadata=_ID)
    name: str = field(metadata=_SHORT)
    hall: str = field(metadata=_SHORT)
    themes: tuple[str, ...] = field(metadata={"max_items": 64})
    state: AgentState
    mode: SeatMode
    reason: AwayReason = ""
    since: float = field(default=0.0, metadata={"min": 0})
    item_code: str = field(default="", metadata={"max_len": 64})
    item_name: str = field(default="", metadata=_SHORT)
    channel: str = field(default="", metadata={"max_len": 32})
    work_order_id: str = field(default="", metadata={"max_len": 64})
    call_started_at: float = field(default=0.0, metadata={"min": 0})
    wrap_up_limit_s: float = field(default=0.0, metadata={"min": 0, "max": 86400})


@dataclass(frozen=True, slots=True)
class WallQueueLine:
    """The waiting citizens of one service item (only items with someone waiting)."""

    item_code: str = field(metadata=_ID)
    item_name: str = field(metadata=_SHORT)
    theme: str = field(metadata={"max_len": 64})
    waiting: int = field(metadata={"min": 0})
    priority_waiting: int = field(metadata={"min": 0})
    oldest_queued_at: float = field(metadata={"min": 0})
    #: The work order served next in this line (a supervisor may move it).
    next_work_order_id: str = field(default="", metadata={"max_len": 64})


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


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One supervisor action as the hub's audit log keeps it."""

    seq: int = field(metadata={"min": 1})
    at: float = field(metadata={"min": 0})
    supervisor_id: str = field(metadata=_ID)
    action: str = field(metadata=_ID)
    target: str = field(metadata={"max_len": 64})
    detail: str = field(metadata={"max_len": 500})
    result: str = field(metadata={"max_len": 64})


@dataclass(frozen=True, slots=True)
class WorkOrderRow:
    """One work order in a searchable list, personal data masked.

    Times are 0 when the step did not happen; ``rating`` is 0 when not rated;
    ``outcome`` is "" while the work order is open.
    """

    work_order_id: str = field(metadata=_ID)
    item_code: str = field(metadata=_ID)
    item_name: str = field(metadata=_SHORT)
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


# --- messages ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hello:
    """First message on every connection: who this is. Agents and supervisors
    prove it with their token; citizens and kiosks may give a display name."""

    TYPE: ClassVar[str] = "hello"
    role: Role
    token: str = field(default="", metadata={"max_len": 256})
    name: str = field(default="", metadata=_SHORT)


@dataclass(frozen=True, slots=True)
class Welcome:
    """Hub → client: the login worked. ``agent_id`` and ``skills`` for seats."""

    TYPE: ClassVar[str] = "welcome"
    session_id: str = field(metadata=_ID)
    role: Role
    name: str = field(default="", metadata=_SHORT)
    agent_id: str = field(default="", metadata={"max_len": 64})
    skills: tuple[str, ...] = field(default=(), metadata={"max_items": 64})
    ring_timeout_s: float = field(default=15.0, metadata={"min": 0, "max": 600})


@dataclass(frozen=True, slots=True)
class JoinQueue:
    """Citizen → hub: queue for a service item on a channel."""

    TYPE: ClassVar[str] = "join_queue"
    item_code: str = field(metadata=_ID)
    channel: Channel
    citizen: CitizenInfo = CitizenInfo()
    priority: Priority = "normal"
    media: MediaKind = "video"


@dataclass(frozen=True, slots=True)
class Queued:
    """Hub → citizen: you are in the queue; a work order now exists."""

    TYPE: ClassVar[str] = "queued"
    work_order_id: str = field(metadata=_ID)
    item_code: str = field(metadata=_ID)
    item_name: str = field(metadata=_SHORT)
    position: int = field(metadata={"min": 1})
    expected_wait_s: float = field(metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class QueuePosition:
    """Hub → citizen: your place in the queue moved."""

    TYPE: ClassVar[str] = "queue_position"
    work_order_id: str = field(metadata=_ID)
    position: int = field(metadata={"min": 1})
    expected_wait_s: float = field(metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class LeaveQueue:
    """Citizen → hub: stop waiting."""

    TYPE: ClassVar[str] = "leave_queue"


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    """Hub → agent: everyone waiting for items this agent serves, oldest first."""

    TYPE: ClassVar[str] = "queue_snapshot"
    entries: tuple[QueueEntry, ...] = field(default=(), metadata={"max_items": 2000})


@dataclass(frozen=True, slots=True)
class SetState:
    """Agent → hub: I am ready, or away for a reason."""

    TYPE: ClassVar[str] = "set_state"
    state: Literal["ready", "away"]
    reason: AwayReason = ""


@dataclass(frozen=True, slots=True)
class SetMode:
    """Agent → hub: video seat, counter clerk, or both."""

    TYPE: ClassVar[str] = "set_mode"
    mode: SeatMode


@dataclass(frozen=True, slots=True)
class Presence:
    """Hub → agent: the seat's state as the hub sees it (the hub decides).

    ``work_order_id`` names the work order being offered, handled or wrapped
    up, so a workstation that reconnects into wrap-up knows what to close.
    """

    TYPE: ClassVar[str] = "presence"
    state: AgentState
    mode: SeatMode
    reason: AwayReason = ""
    since: float = field(default=0.0, metadata={"min": 0})
    missed_offers: int = field(default=0, metadata={"min": 0})
    work_order_id: str = field(default="", metadata={"max_len": 64})


@dataclass(frozen=True, slots=True)
class Offer:
    """Hub → agent: a citizen for you; accept within ``ring_timeout_s``."""

    TYPE: ClassVar[str] = "offer"
    call_id: str = field(metadata=_ID)
    work_order_id: str = field(metadata=_ID)
    item_code: str = field(metadata=_ID)
    item_name: str = field(metadata=_SHORT)
    channel: Channel
    priority: Priority
    media: MediaKind
    citizen: CitizenInfo
    queued_at: float = field(metadata={"min": 0})
    ring_timeout_s: float = field(metadata={"min": 0, "max": 600})


@dataclass(frozen=True, slots=True)
class OfferWithdrawn:
    """Hub → agent: the offer is gone (it timed out, you declined, the citizen left)."""

    TYPE: ClassVar[str] = "offer_withdrawn"
    call_id: str = field(metadata=_ID)
    reason: WithdrawReason


@dataclass(frozen=True, slots=True)
class Accept:
    """Agent → hub: take the offered call."""

    TYPE: ClassVar[str] = "accept"
    call_id: str = field(metadata=_ID)


@dataclass(frozen=True, slots=True)
class Decline:
    """Agent → hub: pass on the offered call; it goes to the next agent."""

    TYPE: ClassVar[str] = "decline"
    call_id: str = field(metadata=_ID)


@dataclass(frozen=True, slots=True)
class CallStarted:
    """Hub → both parties: the call is on. The ``caller`` sends the SDP offer."""

    TYPE: ClassVar[str] = "call_started"
    call_id: str = field(metadata=_ID)
    work_order_id: str = field(metadata=_ID)
    call_role: CallRole
    peer_name: str = field(metadata=_SHORT)
    item_code: str = field(metadata=_ID)
    item_name: str = field(metadata=_SHORT)
    channel: Channel
    media: MediaKind
    #: The call is recorded (the citizen is told before the media starts).
    recorded: bool = False


@dataclass(frozen=True, slots=True)
class Sdp:
    """Either party → hub → the other: a session description."""

    TYPE: ClassVar[str] = "sdp"
    call_id: str = field(metadata=_ID)
    sdp_type: SdpType
    sdp: str = field(metadata={"max_len": 65536, "min_len": 1})


@dataclass(frozen=True, slots=True)
class Ice:
    """Either party → hub → the other: one trickled ICE candidate ("" ends them)."""

    TYPE: ClassVar[str] = "ice"
    call_id: str = field(metadata=_ID)
    candidate: str = field(metadata={"max_len": 1024})
    sdp_mid: str = field(default="", metadata={"max_len": 64})
    sdp_mline_index: int = field(default=0, metadata={"min": 0, "max": 64})


@dataclass(frozen=True, slots=True)
class Chat:
    """Either party → hub: a text message in the call."""

    TYPE: ClassVar[str] = "chat"
    call_id: str = field(metadata=_ID)
    text: str = field(metadata={"max_len": 2000, "min_len": 1})


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """Hub → both parties: a chat message as delivered, with sender and time."""

    TYPE: ClassVar[str] = "chat_message"
    call_id: str = field(metadata=_ID)
    text: str = field(metadata={"max_len": 2000, "min_len": 1})
    sender_role: Role
    sender_name: str = field(metadata=_SHORT)
    sent_at: float = field(metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class Hangup:
    """Either party → hub: end the call."""

    TYPE: ClassVar[str] = "hangup"
    call_id: str = field(metadata=_ID)


@dataclass(frozen=True, slots=True)
class CallEnded:
    """Hub → both parties: the call is over (who ended it, and why)."""

    TYPE: ClassVar[str] = "call_ended"
    call_id: str = field(metadata=_ID)
    work_order_id: str = field(metadata=_ID)
    ended_by: Literal["citizen", "agent", "kiosk", "hub"]
    reason: EndReason = "hangup"


@dataclass(frozen=True, slots=True)
class WrapUp:
    """Agent → hub: the outcome and notes of a finished call; back to ready after."""

    TYPE: ClassVar[str] = "wrap_up"
    work_order_id: str = field(metadata=_ID)
    outcome: Outcome
    notes: str = field(default="", metadata={"max_len": 2000})


@dataclass(frozen=True, slots=True)
class WorkOrderClosed:
    """Hub → agent (and citizen): the work order is closed with this outcome."""

    TYPE: ClassVar[str] = "work_order_closed"
    work_order_id: str = field(metadata=_ID)
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Rate:
    """Citizen → hub: the 1–10 rating of the contact (满意度评价)."""

    TYPE: ClassVar[str] = "rate"
    work_order_id: str = field(metadata=_ID)
    score: int = field(metadata={"min": 1, "max": 10})
    comment: str = field(default="", metadata={"max_len": 500})


@dataclass(frozen=True, slots=True)
class Ack:
    """Hub → client: the request named by ``of`` was done."""

    TYPE: ClassVar[str] = "ack"
    of: str = field(metadata=_ID)
    work_order_id: str = field(default="", metadata={"max_len": 64})


@dataclass(frozen=True, slots=True)
class Error:
    """Hub → client: the last message was refused; ``field`` names what was wrong."""

    TYPE: ClassVar[str] = "error"
    code: ErrorCode
    message: str = field(metadata={"max_len": 500})
    field: str = dataclasses.field(default="", metadata={"max_len": 100})
    of: str = dataclasses.field(default="", metadata={"max_len": 64})


@dataclass(frozen=True, slots=True)
class UploadStart:
    """Client → hub: a material file of ``byte_size`` bytes follows as binary chunks
    (kind ``CHUNK_UPLOAD``, this ``upload_id``, sequence from 0)."""

    TYPE: ClassVar[str] = "upload_start"
    upload_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})
    work_order_id: str = field(metadata=_ID)
    filename: str = field(metadata={"max_len": 200, "min_len": 1})
    mime: ImageMime
    byte_size: int = field(metadata={"min": 0, "max": 2**31})
    sha256: str = field(metadata={"max_len": 64, "min_len": 64})
    source: MaterialSource = "citizen_upload"
    material_code: str = field(default="", metadata={"max_len": 64})


@dataclass(frozen=True, slots=True)
class UploadProgress:
    """Hub → uploader and the other party of the call: bytes received so far."""

    TYPE: ClassVar[str] = "upload_progress"
    upload_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})
    work_order_id: str = field(metadata=_ID)
    filename: str = field(metadata={"max_len": 200, "min_len": 1})
    received_bytes: int = field(metadata={"min": 0, "max": 2**31})
    byte_size: int = field(metadata={"min": 0, "max": 2**31})
    uploader_role: Role


@dataclass(frozen=True, slots=True)
class UploadFailed:
    """Hub → uploader and the other party: the upload was refused or broke off;
    nothing of it was stored."""

    TYPE: ClassVar[str] = "upload_failed"
    upload_id: int = field(metadata={"min": 0, "max": MAX_TRANSFER_ID})
    work_order_id: str = field(metadata={"max_len": 64})
    filename: str = field(metadata={"max_len": 200})
    reason: UploadFailure
    message: str = field(metadata={"max_len": 500})
    uploader_role: Role


@dataclass(frozen=True, slots=True)
class MaterialAdded:
    """Hub → uploader and the other party: a material passed every check and is
    stored with the work order. ``upload_id`` is the uploader's (0 for the other party)."""

    TYPE: ClassVar[str] = "material_added"
    upload_id: int = field(metadata={"min": 0, "max": MAX_TRANSFER_ID})
    material: MaterialInfo


@dataclass(frozen=True, slots=True)
class FetchMaterial:
    """Client → hub: send me this material's file (under the client's ``download_id``)."""

    TYPE: ClassVar[str] = "fetch_material"
    material_id: str = field(metadata=_ID)
    download_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})


@dataclass(frozen=True, slots=True)
class MaterialDownload:
    """Hub → client: the file follows as binary chunks (kind ``CHUNK_DOWNLOAD``,
    this ``download_id``, sequence from 0) until ``material.byte_size`` bytes."""

    TYPE: ClassVar[str] = "material_download"
    download_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})
    material: MaterialInfo


@dataclass(frozen=True, slots=True)
class ReviewVerdict:
    """Agent → hub: the pre-review of the work order's materials (材料预审结果)."""

    TYPE: ClassVar[str] = "review_verdict"
    work_order_id: str = field(metadata=_ID)
    item_code: str = field(metadata=_ID)
    entries: tuple[VerdictEntry, ...] = field(metadata={"max_items": 50})


@dataclass(frozen=True, slots=True)
class PreReviewNotice:
    """Hub → the work order's citizen: the agent's verdict as stored (``revision`` counts
    the verdicts of this work order from 1)."""

    TYPE: ClassVar[str] = "pre_review_verdict"
    work_order_id: str = field(metadata=_ID)
    item_code: str = field(metadata=_ID)
    entries: tuple[VerdictEntry, ...] = field(metadata={"max_items": 50})
    revision: int = field(metadata={"min": 1, "max": 10000})
    decided_at: float = field(metadata={"min": 0})


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
    agent_id: str = field(metadata=_ID)
    text: str = field(metadata={"max_len": 2000, "min_len": 1})


@dataclass(frozen=True, slots=True)
class WhisperMessage:
    """Hub → the agent: a supervisor's private message."""

    TYPE: ClassVar[str] = "whisper_message"
    supervisor_id: str = field(metadata=_ID)
    supervisor_name: str = field(metadata=_SHORT)
    text: str = field(metadata={"max_len": 2000, "min_len": 1})
    sent_at: float = field(metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class SuperviseState:
    """Supervisor → hub: put an agent ready or away (with a reason)."""

    TYPE: ClassVar[str] = "supervise_state"
    agent_id: str = field(metadata=_ID)
    state: Literal["ready", "away"]
    reason: AwayReason = ""


@dataclass(frozen=True, slots=True)
class MoveContact:
    """Supervisor → hub: move a waiting citizen to a ready agent (``to_agent_id``: offered
    to that agent now) or to another item's queue (``to_item_code``). Exactly one is given."""

    TYPE: ClassVar[str] = "move_contact"
    work_order_id: str = field(metadata=_ID)
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
    work_order_id: str = field(metadata=_ID)
    call_id: str = field(metadata=_ID)
    duration_s: float = field(metadata={"min": 0, "max": 86400})
    byte_size: int = field(metadata={"min": 0, "max": 2**40})
    sha256: str = field(metadata={"min_len": 64, "max_len": 64})
    video_frames: int = field(default=0, metadata={"min": 0, "max": 2**31})


@dataclass(frozen=True, slots=True)
class WatchCall:
    """Supervisor → hub: watch this agent's current call (one-way video and audio from
    the agent's workstation; the agent sees that they are watched)."""

    TYPE: ClassVar[str] = "watch_call"
    agent_id: str = field(metadata=_ID)


@dataclass(frozen=True, slots=True)
class BargeIn:
    """Supervisor → hub: start (``on``) or stop talking into the watched call."""

    TYPE: ClassVar[str] = "barge_in"
    watch_id: str = field(metadata=_ID)
    on: bool = True


@dataclass(frozen=True, slots=True)
class StopWatch:
    """Supervisor or the watched agent → hub: end the watch."""

    TYPE: ClassVar[str] = "stop_watch"
    watch_id: str = field(metadata=_ID)


@dataclass(frozen=True, slots=True)
class WatchState:
    """Hub → the watched agent and the watching supervisor: the watch began, changed
    phase or ended (``reason`` says why it ended)."""

    TYPE: ClassVar[str] = "watch_state"
    watch_id: str = field(metadata=_ID)
    call_id: str = field(metadata=_ID)
    agent_id: str = field(metadata=_ID)
    supervisor_id: str = field(metadata=_ID)
    supervisor_name: str = field(metadata=_SHORT)
    phase: WatchPhase
    reason: WatchEndReason = ""


@dataclass(frozen=True, slots=True)
class WatchSdp:
    """The watched agent (offer) → hub → the supervisor, who answers the same way back."""

    TYPE: ClassVar[str] = "watch_sdp"
    watch_id: str = field(metadata=_ID)
    sdp_type: SdpType
    sdp: str = field(metadata={"max_len": 65536, "min_len": 1})


Message: TypeAlias = (
    Hello
    | Welcome
    | JoinQueue
    | Queued
    | QueuePosition
    | LeaveQueue
    | QueueSnapshot
    | SetState
    | SetMode
    | Presence
    | Offer
    | OfferWithdrawn
    | Accept
    | Decline
    | CallStarted
    | Sdp
    | Ice
    | Chat
    | ChatMessage
    | Hangup
    | CallEnded
    | WrapUp
    | WorkOrderClosed
    | Rate
    | Ack
    | Error
    | UploadStart
    | UploadProgress
    | UploadFailed
    | MaterialAdded
    | FetchMaterial
    | MaterialDownload
    | ReviewVerdict
    | PreReviewNotice
    | SubscribeWall
    | WallSnapshot
    | WallUpdate
    | Whisper
    | WhisperMessage
    | SuperviseState
    | MoveContact
    | FetchAudit
    | AuditLog
    | SearchWorkOrders
    | WorkOrderList
    | RecordingSaved
    | WatchCall
    | BargeIn
    | StopWatch
    | WatchState
    | WatchSdp
)

MESSAGE_TYPES: Final[dict[str, type[Message]]] = {
    cls.TYPE: cls for cls in typing.get_args(Message)
}

#: Which roles may send which message types to the hub. Everything else the
#: hub sends; a client sending it is refused.
SENDABLE_BY: Final[dict[str, frozenset[Role]]] = {
    "hello": frozenset({"citizen", "agent", "supervisor", "kiosk"}),
    "join_queue": frozenset({"citizen", "kiosk"}),
    "leave_queue": frozenset({"citizen", "kiosk"}),
    "set_state": frozenset({"agent"}),
    "set_mode": frozenset({"agent"}),
    "accept": frozenset({"agent"}),
    "decline": frozenset({"agent"}),
    "sdp": frozenset({"citizen", "kiosk", "agent"}),
    "ice": frozenset({"citizen", "kiosk", "agent"}),
    "chat": frozenset({"citizen", "kiosk", "agent"}),
    "hangup": frozenset({"citizen", "kiosk", "agent"}),
    "wrap_up": frozenset({"agent"}),
    "rate": frozenset({"citizen", "kiosk"}),
    "upload_start": frozenset({"citizen", "kiosk", "agent"}),
    "fetch_material": frozenset({"citizen", "kiosk", "agent"}),
    "review_verdict": frozenset({"agent"}),
    "subscribe_wall": frozenset({"supervisor"}),
    "whisper": frozenset({"supervisor"}),
    "supervise_state": frozenset({"supervisor"}),
    "move_contact": frozenset({"supervisor"}),
    "fetch_audit": frozenset({"supervisor"}),
    "search_work_orders": frozenset({"agent", "supervisor"}),
    "recording_saved": frozenset({"agent"}),
    "watch_call": frozenset({"supervisor"}),
    "barge_in": frozenset({"supervisor"}),
    "stop_watch": frozenset({"supervisor", "agent"}),
    "watch_sdp": frozenset({"supervisor", "agent"}),
}


# --- encoding ----------------------------------------------------------------


def to_wire(value: Any) -> Any:
    """Plain JSON-ready data for a message or a value inside one."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_wire(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [to_wire(v) for v in value]
    return value


def encode(message: Message) -> str:
    """The text frame for ``message``."""
    body = {"v": VERSION, "type": message.TYPE}
    body.update(to_wire(message))
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


# --- decoding ----------------------------------------------------------------


def decode(frame: str | bytes) -> Message:
    """Check one text frame from the wire and return its typed message.

    Raises ``ProtocolError`` with a code and the offending field.
    """
    if isinstance(frame, bytes):
        if len(frame) > MAX_MESSAGE_BYTES:
            raise ProtocolError("too_large", f"message over {MAX_MESSAGE_BYTES} bytes")
        try:
            frame = frame.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError("bad_json", "message is not UTF-8") from exc
    # Characters are up to 4 bytes in UTF-8: count bytes only when it could matter.
    if len(frame) > MAX_MESSAGE_BYTES or (
        len(frame) * 4 > MAX_MESSAGE_BYTES
        and len(frame.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES
    ):
        raise ProtocolError("too_large", f"message over {MAX_MESSAGE_BYTES} bytes")
    try:
        raw = json.loads(frame, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("bad_json", f"not JSON: {exc}") from exc
    return from_wire(raw)


def from_wire(raw: Any) -> Message:
    """Check already-parsed JSON data and return its typed message."""
    if not isinstance(raw, dict):
        raise ProtocolError("bad_message", "a message must be a JSON object")
    version = raw.get("v")
    if version != VERSION or isinstance(version, bool):
        raise ProtocolError(
            "unsupported_version", f"protocol version must be {VERSION}", "v"
        )
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("bad_message", "message type missing", "type")
    cls = MESSAGE_TYPES.get(kind)
    if cls is None:
        raise ProtocolError("unknown_type", f"unknown message type {kind[:40]!r}", "type")
    body = {k: v for k, v in raw.items() if k not in ("v", "type")}
    result: Message = _build(cls, body, "")
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _build(cls: type[Any], body: dict[str, Any], path: str) -> Any:
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in body:
        if key not in fields:
            raise ProtocolError("bad_message", "unknown field", _join(path, str(key)[:40]))
    values: dict[str, Any] = {}
    for name, f in fields.items():
        where = _join(path, name)
        if name not in body:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ProtocolError("bad_message", "required field missing", where)
            continue
        values[name] = _check(hints[name], body[name], f.metadata, where)
    return cls(**values)


def _check(hint: Any, value: Any, meta: typing.Mapping[str, Any], where: str) -> Any:
    origin = get_origin(hint)
    if origin is Literal:
        allowed = get_args(hint)
        if not isinstance(value, str) or value not in allowed:
            raise ProtocolError(
                "bad_message", f"must be one of {', '.join(map(repr, allowed))}", where
            )
        return value
    if origin in (typing.Union, types.UnionType):
        raise TypeError(f"unions are not part of protocol v1 ({where})")
    if origin is tuple:
        (item_hint, _ellipsis) = get_args(hint)
        if not isinstance(value, list):
            raise ProtocolError("bad_message", "must be a list", where)
        if len(value) > meta.get("max_items", 100):
            raise ProtocolError("bad_message", "too many items", where)
        return tuple(
            _check(item_hint, v, {}, f"{where}[{i}]") for i, v in enumerate(value)
        )
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ProtocolError("bad_message", "must be an object", where)
        return _build(hint, value, where)  # type: ignore[arg-type]
    if hint is str:
        if not isinstance(value, str):
            raise ProtocolError("bad_message", "must be a string", where)
        if len(value) > meta.get("max_len", 200):
            raise ProtocolError("bad_message", "too long", where)
        if len(value) < meta.get("min_len", 0):
            raise ProtocolError("bad_message", "must not be empty", where)
        if "\x00" in value:
            raise ProtocolError("bad_message", "must not contain NUL", where)
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ProtocolError("bad_message", "must be true or false", where)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProtocolError("bad_message", "must be a whole number", where)
        _check_range(value, meta, where)
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProtocolError("bad_message", "must be a number", where)
        if not math.isfinite(value):
            raise ProtocolError("bad_message", "must be finite", where)
        _check_range(value, meta, where)
        return float(value)
    raise TypeError(f"no wire form for {hint!r} ({where})")


def _check_range(value: float, meta: typing.Mapping[str, Any], where: str) -> None:
    if "min" in meta and value < meta["min"]:
        raise ProtocolError("bad_message", f"must be at least {meta['min']}", where)
    if "max" in meta and value > meta["max"]:
        raise ProtocolError("bad_message", f"must be at most {meta['max']}", where)
    if abs(value) > 2**53:
        raise ProtocolError("bad_message", "number out of range", where)


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    cached = _HINTS.get(cls)
    if cached is None:
        cached = typing.get_type_hints(cls)
        _HINTS[cls] = cached
    return cached


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# --- binary chunks -------------------------------------------------------------

#: Chunk header: magic "SM", version 1, kind, transfer id, sequence, data length,
#: CRC-32 of the data; all big-endian; then the data.
CHUNK_HEADER: Final = struct.Struct(">2sBBIIII")
CHUNK_MAGIC: Final = b"SM"
CHUNK_VERSION: Final = 1
#: Chunk kinds: client → hub upload data, hub → client download data.
CHUNK_UPLOAD: Final = 1
CHUNK_DOWNLOAD: Final = 2
#: Most data bytes in one chunk (senders use exactly this, except the last chunk).
CHUNK_BYTES: Final = 256 * 1024


@dataclass(frozen=True, slots=True)
class Chunk:
    """One binary frame of a material transfer. ``crc_ok`` says the data matches its CRC."""

    kind: int
    transfer_id: int
    seq: int
    data: bytes
    crc_ok: bool


def pack_chunk(kind: int, transfer_id: int, seq: int, data: bytes) -> bytes:
    """The binary frame for one chunk of ``data``."""
    if kind not in (CHUNK_UPLOAD, CHUNK_DOWNLOAD):
        raise ValueError(f"unknown chunk kind {kind}")
    if len(data) > CHUNK_BYTES:
        raise ValueError(f"chunk over {CHUNK_BYTES} bytes")
    header = CHUNK_HEADER.pack(
        CHUNK_MAGIC, CHUNK_VERSION, kind, transfer_id, seq, len(data), zlib.crc32(data)
    )
    return header + data


def unpack_chunk(frame: bytes) -> Chunk:
    """Check a binary frame's header and return the chunk.

    A wrong magic, version, kind or length raises ``ProtocolError``; a wrong CRC
    does not (the chunk names its transfer, so the receiver can fail that transfer).
    """
    if len(frame) < CHUNK_HEADER.size:
        raise ProtocolError("bad_message", "binary frame shorter than a chunk header")
    magic, version, kind, transfer_id, seq, length, crc = CHUNK_HEADER.unpack_from(frame)
    if magic != CHUNK_MAGIC:
        raise ProtocolError("bad_message", "binary frame is not a material chunk (bad magic)")
    if version != CHUNK_VERSION:
        raise ProtocolError("unsupported_version", f"chunk version must be {CHUNK_VERSION}")
    if kind not in (CHUNK_UPLOAD, CHUNK_DOWNLOAD):
        raise ProtocolError("bad_message", f"unknown chunk kind {kind}")
    data = bytes(frame[CHUNK_HEADER.size :])
    if len(data) != length or length > CHUNK_BYTES:
        raise ProtocolError("bad_message", "chunk length does not match its header")
    return Chunk(kind, transfer_id, seq, data, zlib.crc32(data) == crc)


def chunk_frames(kind: int, transfer_id: int, data: bytes) -> list[bytes]:
    """All chunk frames for ``data`` (one empty chunk for empty data)."""
    pieces = [data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)] or [b""]
    return [pack_chunk(kind, transfer_id, seq, piece) for seq, piece in enumerate(pieces)]
