"""Messages of a consult (warm transfer): the agent of a call (the host) puts the citizen
on hold and calls a colleague (the guest) agent to agent with video, then returns to the
citizen, hands the call over to the guest, or brings the guest into a three-way call.

The host's workstation offers the consult's own peer (``consult_sdp``, relayed by the
hub like ``watch_sdp``); the citizen's peer is not touched. In a three-way call the
host's workstation is the centre: it forwards the citizen's picture and voice to the
guest and the guest's voice (and picture) to the citizen (docs/protocol.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal, TypeAlias

from seat_common.protocol.terms import (
    ID_TEXT,
    SHORT_TEXT,
    AgentState,
    ConsultPhase,
    MediaKind,
    SdpType,
)
from seat_common.protocol.transfer_messages import FormValue, TransferInfo, TransferTo

#: What the host chooses: back to the citizen alone, hand the call to the guest (the host
#: leaves), or all three together. The guest may only ``return`` (leave the consult).
ConsultChoiceKind: TypeAlias = Literal["return", "hand_over", "three_way"]
#: Who a ``consult_state`` is for: the host (the agent of the call) or the guest.
ConsultRole: TypeAlias = Literal["host", "guest"]
#: Why a consult ended.
ConsultEndReason: TypeAlias = Literal[
    "", "returned", "declined", "timeout", "agent_left", "handed_over", "call_ended"
]


@dataclass(frozen=True, slots=True)
class Consult:
    """Agent → hub: put the citizen of this call on hold and call ``to`` (a ready agent's
    id, or an item's or theme's code: the ready agent with that skill idle longest)
    agent to agent, with a ``note`` and the agent's form values (``TransferInfo``,
    shown to the colleague and carried if the call is handed over)."""

    TYPE: ClassVar[str] = "consult"
    call_id: str = field(metadata=ID_TEXT)
    to_kind: TransferTo
    to: str = field(metadata=ID_TEXT)
    note: str = field(default="", metadata={"max_len": 500})
    form: tuple[FormValue, ...] = field(default=(), metadata={"max_items": 100})


@dataclass(frozen=True, slots=True)
class ConsultAnswer:
    """The guest → hub: take the consult ringing at this seat (``accept``) or decline it."""

    TYPE: ClassVar[str] = "consult_answer"
    consult_id: str = field(metadata=ID_TEXT)
    accept: bool


@dataclass(frozen=True, slots=True)
class ConsultChoice:
    """Host → hub: end the consult as ``choice`` says, or go three-way; in a three-way call
    ``hand_over`` is the host leaving it to the guest. The guest sends ``return`` to leave."""

    TYPE: ClassVar[str] = "consult_choice"
    consult_id: str = field(metadata=ID_TEXT)
    choice: ConsultChoiceKind


@dataclass(frozen=True, slots=True)
class ConsultSdp:
    """The host (offer) → hub → the guest, who answers the same way back."""

    TYPE: ClassVar[str] = "consult_sdp"
    consult_id: str = field(metadata=ID_TEXT)
    sdp_type: SdpType
    sdp: str = field(metadata={"max_len": 65536, "min_len": 1})


@dataclass(frozen=True, slots=True)
class ConsultState:
    """Hub → host and guest: how the consult stands. The guest's first one (``ringing``)
    carries what the host knew (``info``: note, verdicts, materials, chat). ``message``
    is Chinese text to show as it is."""

    TYPE: ClassVar[str] = "consult_state"
    consult_id: str = field(metadata=ID_TEXT)
    call_id: str = field(metadata=ID_TEXT)
    work_order_id: str = field(metadata=ID_TEXT)
    role: ConsultRole
    phase: ConsultPhase
    host_id: str = field(metadata=ID_TEXT)
    host_name: str = field(metadata=SHORT_TEXT)
    guest_id: str = field(metadata=ID_TEXT)
    guest_name: str = field(metadata=SHORT_TEXT)
    item_name: str = field(default="", metadata=SHORT_TEXT)
    media: MediaKind = "video"
    reason: ConsultEndReason = ""
    message: str = field(default="", metadata={"max_len": 200})
    info: tuple[TransferInfo, ...] = field(default=(), metadata={"max_items": 1})


@dataclass(frozen=True, slots=True)
class ListAgents:
    """Agent → hub: who could take a transfer or a consult (answered with ``agent_list``)."""

    TYPE: ClassVar[str] = "list_agents"


@dataclass(frozen=True, slots=True)
class AgentEntry:
    """One logged-in agent for the transfer and consult dialogs."""

    agent_id: str = field(metadata=ID_TEXT)
    name: str = field(metadata=SHORT_TEXT)
    state: AgentState
    skills: tuple[str, ...] = field(default=(), metadata={"max_items": 50})
    #: the seat takes calls now (ready, in a mode the queue rings)
    takes_calls: bool = False


@dataclass(frozen=True, slots=True)
class AgentList:
    """Hub → agent: every other logged-in agent and its state (ready ones first)."""

    TYPE: ClassVar[str] = "agent_list"
    agents: tuple[AgentEntry, ...] = field(default=(), metadata={"max_items": 500})
