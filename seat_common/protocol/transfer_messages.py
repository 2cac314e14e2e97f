"""Messages of holding a call (``hold`` / ``hold_state``) and of handing a live call on:
a cold transfer to a named agent or to a skill queue (by item or theme), with a note and
what the first agent knew (``TransferInfo``, carried in the new agent's ``offer``), and the
transfer's progress (``TransferUpdate``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal, TypeAlias

from seat_common.protocol.terms import ID_TEXT, SHORT_TEXT, Role
from seat_common.protocol.values import MaterialInfo, VerdictEntry

#: Where a transfer goes: a named agent, or the queue of a skill (chosen by item or theme).
TransferTarget: TypeAlias = Literal["agent", "skill"]
#: What ``Transfer.to`` names: a seat's agent id, a service item's code or a theme's code.
TransferTo: TypeAlias = Literal["agent", "item", "theme"]
#: How a transfer stands: ringing a named agent, waiting at the head of a queue, given
#: back to the first agent (the target declined, let it ring out or logged out), or done.
TransferPhase: TypeAlias = Literal["ringing", "waiting", "returned", "done"]


@dataclass(frozen=True, slots=True)
class FormValue:
    """One field of the first agent's form, as they left it."""

    name: str = field(metadata=ID_TEXT)
    value: str = field(default="", metadata={"max_len": 500})


@dataclass(frozen=True, slots=True)
class ChatLine:
    """One chat message of the call so far (the transcript the new agent reads)."""

    sender_role: Role
    sender_name: str = field(metadata=SHORT_TEXT)
    text: str = field(metadata={"max_len": 2000, "min_len": 1})
    sent_at: float = field(metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class TransferInfo:
    """What a transferred call's new agent is handed with the offer: who sends it and
    why (``note``), the pre-review verdicts so far (the newest revision's entries), the
    work order's materials (fetch them with ``fetch_material`` once the call is yours),
    the chat transcript and the first agent's form values. ``leg`` counts the agents the
    citizen has had (2 for the first transfer)."""

    from_agent_id: str = field(metadata=ID_TEXT)
    from_name: str = field(metadata=SHORT_TEXT)
    note: str = field(default="", metadata={"max_len": 500})
    target: TransferTarget = "skill"
    leg: int = field(default=2, metadata={"min": 2, "max": 100})
    verdicts: tuple[VerdictEntry, ...] = field(default=(), metadata={"max_items": 50})
    materials: tuple[MaterialInfo, ...] = field(default=(), metadata={"max_items": 60})
    chat: tuple[ChatLine, ...] = field(default=(), metadata={"max_items": 50})
    form: tuple[FormValue, ...] = field(default=(), metadata={"max_items": 100})


@dataclass(frozen=True, slots=True)
class Transfer:
    """Agent → hub: hand this live call on, cold, to ``to``: a seat's agent id (``to_kind``
    ``agent``; they must be ready), a service item's code (``item``: that item's skill
    queue, and the work order moves to the item) or a theme's code (``theme``: the queue
    of the skill most of the theme's items need). The citizen waits at the head of that
    queue, ahead of new arrivals."""

    TYPE: ClassVar[str] = "transfer"
    call_id: str = field(metadata=ID_TEXT)
    to_kind: TransferTo
    to: str = field(metadata=ID_TEXT)
    note: str = field(default="", metadata={"max_len": 500})
    form: tuple[FormValue, ...] = field(default=(), metadata={"max_items": 100})


@dataclass(frozen=True, slots=True)
class TransferUpdate:
    """Hub → the citizen (or kiosk) and the agents concerned: how a transfer stands.
    ``message`` is Chinese text to show as it is (正在为您转接…, why it came back)."""

    TYPE: ClassVar[str] = "transfer_update"
    work_order_id: str = field(metadata=ID_TEXT)
    phase: TransferPhase
    message: str = field(metadata={"max_len": 200, "min_len": 1})
    target_name: str = field(default="", metadata=SHORT_TEXT)


@dataclass(frozen=True, slots=True)
class Hold:
    """Agent → hub: put the citizen of this call on hold (``on``) or take them off it. The
    agent's workstation stops sending its voice and picture meanwhile (silence and a dark
    frame on the same tracks); the hub tells both sides with ``hold_state``."""

    TYPE: ClassVar[str] = "hold"
    call_id: str = field(metadata=ID_TEXT)
    on: bool


@dataclass(frozen=True, slots=True)
class HoldState:
    """Hub → both parties of a call: the citizen is on hold (``on``) or no longer. ``message``
    is Chinese text for the citizen's screen (请稍候，工作人员正在为您查询…)."""

    TYPE: ClassVar[str] = "hold_state"
    call_id: str = field(metadata=ID_TEXT)
    on: bool
    message: str = field(default="", metadata={"max_len": 200})


@dataclass(frozen=True, slots=True)
class RaiseHand:
    """Agent → hub: ask a supervisor for help (举手, ``raised``) with a short ``reason``, or
    lower the hand. The seat wall highlights the seat (``WallSeat.hand``); raising,
    lowering and the supervisor who answered (a whisper to the seat, or a watch of its
    call, while the hand is up) go to the audit log."""

    TYPE: ClassVar[str] = "raise_hand"
    raised: bool
    reason: str = field(default="", metadata={"max_len": 100})
