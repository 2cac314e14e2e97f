"""Messages of login, the queue, presence, offers, the call itself, wrap-up and the hub's
replies (``ack``, ``error``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from seat_common.protocol.terms import (
    ID_TEXT,
    SHORT_TEXT,
    AgentState,
    AwayReason,
    CallRole,
    CameraState,
    Channel,
    EndReason,
    ErrorCode,
    IcePolicy,
    MediaKind,
    MicrophoneState,
    Outcome,
    Priority,
    PriorityCheck,
    ProtocolError,
    Role,
    SdpType,
    SeatMode,
    WithdrawReason,
)
from seat_common.protocol.transfer_messages import TransferInfo
from seat_common.protocol.values import (
    CitizenInfo,
    IceServer,
    QueueEntry,
)


@dataclass(frozen=True, slots=True)
class Hello:
    """First message on every connection: who this is. Agents, supervisors and kiosks
    prove it with their token; citizens may give a display name. ``seat_id`` names the
    seat (agent id) or kiosk (device id) the token is for: a kiosk must give it, a seat
    may (then failed logins are also counted against that seat).

    ``resume`` is a citizen's resume token from an earlier ``Welcome``: the hub hands the
    new connection that citizen's queue place or call, if it is still kept (within the
    hub's grace period), or refuses with ``resume_refused``. A seat resumes by logging in
    again: the newest login of a seat takes over its call from a stale connection."""

    TYPE: ClassVar[str] = "hello"
    role: Role
    token: str = field(default="", metadata={"max_len": 256})
    name: str = field(default="", metadata=SHORT_TEXT)
    seat_id: str = field(default="", metadata={"max_len": 64})
    resume: str = field(default="", metadata={"max_len": 64})


@dataclass(frozen=True, slots=True)
class Welcome:
    """Hub → client: the login worked. ``agent_id`` and ``skills`` for seats.

    ``ice_servers`` and ``ice_policy`` are how this party's WebRTC peers reach the
    other side: the STUN and TURN servers (TURN with credentials for this party that
    expire), and ``"relay"`` when only TURN relays may carry media, so no internal
    address is offered (then at least one TURN server comes with it).

    ``resume_token`` (citizens): give it as ``Hello.resume`` after a dropped link or a
    reloaded page to get this queue place or call back within the grace period."""

    TYPE: ClassVar[str] = "welcome"
    session_id: str = field(metadata=ID_TEXT)
    role: Role
    name: str = field(default="", metadata=SHORT_TEXT)
    agent_id: str = field(default="", metadata={"max_len": 64})
    skills: tuple[str, ...] = field(default=(), metadata={"max_items": 64})
    ring_timeout_s: float = field(default=15.0, metadata={"min": 0, "max": 600})
    ice_servers: tuple[IceServer, ...] = field(default=(), metadata={"max_items": 16})
    ice_policy: IcePolicy = "all"
    resume_token: str = field(default="", metadata={"max_len": 64})

    def check_across_fields(self) -> None:
        if self.ice_policy == "relay" and not any(s.is_turn for s in self.ice_servers):
            raise ProtocolError(
                "bad_message", "relay-only ICE needs at least one TURN server", "ice_servers"
            )


@dataclass(frozen=True, slots=True)
class JoinQueue:
    """Citizen → hub: queue for a service item on a channel."""

    TYPE: ClassVar[str] = "join_queue"
    item_code: str = field(metadata=ID_TEXT)
    channel: Channel
    citizen: CitizenInfo = CitizenInfo()
    priority: Priority = "normal"
    media: MediaKind = "video"
    #: The citizen chose large text (大字版): the agent is told, to speak plainly and slowly.
    large_text: bool = False


@dataclass(frozen=True, slots=True)
class Queued:
    """Hub → citizen: you are in the queue; a work order now exists."""

    TYPE: ClassVar[str] = "queued"
    work_order_id: str = field(metadata=ID_TEXT)
    item_code: str = field(metadata=ID_TEXT)
    item_name: str = field(metadata=SHORT_TEXT)
    position: int = field(metadata={"min": 1})
    expected_wait_s: float = field(metadata={"min": 0})
    #: Agents logged in, in a routed mode, with the item's skill; -1 from a hub too old to say.
    agents_on_duty: int = field(default=-1, metadata={"min": -1, "max": 100_000})


@dataclass(frozen=True, slots=True)
class QueuePosition:
    """Hub → citizen: your place in the queue moved."""

    TYPE: ClassVar[str] = "queue_position"
    work_order_id: str = field(metadata=ID_TEXT)
    position: int = field(metadata={"min": 1})
    expected_wait_s: float = field(metadata={"min": 0})
    #: Agents logged in, in a routed mode, with the item's skill; -1 from a hub too old to say.
    agents_on_duty: int = field(default=-1, metadata={"min": -1, "max": 100_000})


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
    call_id: str = field(metadata=ID_TEXT)
    work_order_id: str = field(metadata=ID_TEXT)
    item_code: str = field(metadata=ID_TEXT)
    item_name: str = field(metadata=SHORT_TEXT)
    channel: Channel
    priority: Priority
    media: MediaKind
    citizen: CitizenInfo
    queued_at: float = field(metadata={"min": 0})
    ring_timeout_s: float = field(metadata={"min": 0, "max": 600})
    #: Whether ``priority`` is only the citizen's word or was checked (see ``PriorityCheck``).
    priority_check: PriorityCheck = "claimed"
    #: The citizen chose large text (大字版) on their page or kiosk.
    large_text: bool = False
    #: One entry when another agent hands the call on (``transfer``): their note and what
    #: they knew; empty for a citizen from the queue. (The wire format has no optional
    #: records, so "none or one" is a tuple of at most one.)
    transfer: tuple[TransferInfo, ...] = field(default=(), metadata={"max_items": 1})


@dataclass(frozen=True, slots=True)
class OfferWithdrawn:
    """Hub → agent: the offer is gone (it timed out, you declined, the citizen left)."""

    TYPE: ClassVar[str] = "offer_withdrawn"
    call_id: str = field(metadata=ID_TEXT)
    reason: WithdrawReason


@dataclass(frozen=True, slots=True)
class Accept:
    """Agent → hub: take the offered call."""

    TYPE: ClassVar[str] = "accept"
    call_id: str = field(metadata=ID_TEXT)


@dataclass(frozen=True, slots=True)
class Decline:
    """Agent → hub: pass on the offered call; it goes to the next agent."""

    TYPE: ClassVar[str] = "decline"
    call_id: str = field(metadata=ID_TEXT)


@dataclass(frozen=True, slots=True)
class CallStarted:
    """Hub → both parties: the call is on. The ``caller`` sends the SDP offer."""

    TYPE: ClassVar[str] = "call_started"
    call_id: str = field(metadata=ID_TEXT)
    work_order_id: str = field(metadata=ID_TEXT)
    call_role: CallRole
    peer_name: str = field(metadata=SHORT_TEXT)
    item_code: str = field(metadata=ID_TEXT)
    item_name: str = field(metadata=SHORT_TEXT)
    channel: Channel
    media: MediaKind
    #: The call is recorded (the citizen is told before the media starts).
    recorded: bool = False


@dataclass(frozen=True, slots=True)
class Sdp:
    """Either party → hub → the other: a session description."""

    TYPE: ClassVar[str] = "sdp"
    call_id: str = field(metadata=ID_TEXT)
    sdp_type: SdpType
    sdp: str = field(metadata={"max_len": 65536, "min_len": 1})


@dataclass(frozen=True, slots=True)
class Ice:
    """Either party → hub → the other: one trickled ICE candidate ("" ends them)."""

    TYPE: ClassVar[str] = "ice"
    call_id: str = field(metadata=ID_TEXT)
    candidate: str = field(metadata={"max_len": 1024})
    sdp_mid: str = field(default="", metadata={"max_len": 64})
    sdp_mline_index: int = field(default=0, metadata={"min": 0, "max": 64})


@dataclass(frozen=True, slots=True)
class Chat:
    """Either party → hub: a text message in the call."""

    TYPE: ClassVar[str] = "chat"
    call_id: str = field(metadata=ID_TEXT)
    text: str = field(metadata={"max_len": 2000, "min_len": 1})


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """Hub → both parties: a chat message as delivered, with sender and time."""

    TYPE: ClassVar[str] = "chat_message"
    call_id: str = field(metadata=ID_TEXT)
    text: str = field(metadata={"max_len": 2000, "min_len": 1})
    sender_role: Role
    sender_name: str = field(metadata=SHORT_TEXT)
    sent_at: float = field(metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class MediaState:
    """Either party → hub → the other: my camera and microphone now (sent when the call
    starts and on every change), so the other side can say why the picture is dark."""

    TYPE: ClassVar[str] = "media_state"
    call_id: str = field(metadata=ID_TEXT)
    camera: CameraState
    microphone: MicrophoneState


@dataclass(frozen=True, slots=True)
class PeerLink:
    """Hub → a party of a call: the other party's link to the hub dropped (``up`` false;
    the call is kept for the grace period) or is back (``up`` true). When it is back, and
    whenever a party gets ``call_started`` again for a call it already had, both make the
    call's media afresh: the caller a new peer and a new offer, the callee a new peer
    that answers it (aiortc has no ICE restart, so media comes back by renegotiation)."""

    TYPE: ClassVar[str] = "peer_link"
    call_id: str = field(metadata=ID_TEXT)
    up: bool


@dataclass(frozen=True, slots=True)
class Hangup:
    """Either party → hub: end the call."""

    TYPE: ClassVar[str] = "hangup"
    call_id: str = field(metadata=ID_TEXT)


@dataclass(frozen=True, slots=True)
class CallEnded:
    """Hub → both parties: the call is over (who ended it, and why)."""

    TYPE: ClassVar[str] = "call_ended"
    call_id: str = field(metadata=ID_TEXT)
    work_order_id: str = field(metadata=ID_TEXT)
    ended_by: Literal["citizen", "agent", "kiosk", "hub"]
    reason: EndReason = "hangup"


@dataclass(frozen=True, slots=True)
class WrapUp:
    """Agent → hub: the outcome and notes of a finished call; back to ready after."""

    TYPE: ClassVar[str] = "wrap_up"
    work_order_id: str = field(metadata=ID_TEXT)
    outcome: Outcome
    notes: str = field(default="", metadata={"max_len": 2000})


@dataclass(frozen=True, slots=True)
class WorkOrderClosed:
    """Hub → agent (and citizen): the work order is closed with this outcome."""

    TYPE: ClassVar[str] = "work_order_closed"
    work_order_id: str = field(metadata=ID_TEXT)
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Rate:
    """Citizen → hub: the 1–10 rating of the contact (满意度评价)."""

    TYPE: ClassVar[str] = "rate"
    work_order_id: str = field(metadata=ID_TEXT)
    score: int = field(metadata={"min": 1, "max": 10})
    comment: str = field(default="", metadata={"max_len": 500})


@dataclass(frozen=True, slots=True)
class Ack:
    """Hub → client: the request named by ``of`` was done."""

    TYPE: ClassVar[str] = "ack"
    of: str = field(metadata=ID_TEXT)
    work_order_id: str = field(default="", metadata={"max_len": 64})


@dataclass(frozen=True, slots=True)
class Error:
    """Hub → client: the last message was refused; ``field`` names what was wrong."""

    TYPE: ClassVar[str] = "error"
    code: ErrorCode
    message: str = field(metadata={"max_len": 500})
    field: str = dataclasses.field(default="", metadata={"max_len": 100})
    of: str = dataclasses.field(default="", metadata={"max_len": 64})
