"""The hub's memory: the live picture of who is logged in, who waits, what rings, what is on.

``LiveState`` is that picture in one record: logged-in agents and supervisors,
the contacts in the queue, live calls and their watches, work orders waiting
for wrap-up or rating, and today's figures and handle times. It and the records
it holds (``Agent``, ``Contact``, ``Ringing``, ``Call``, ``Watch``,
``EndedCall``) are plain and mutable, changed only on the event loop by the
rules in ``routing``, ``calls`` and ``supervision``; this module only says what
there is. The ledger is the durable record; this is rebuilt empty on every start
(today's figures and handle times are loaded from the ledger).

Publishing is not kept here: the queue views and the seat wall keep their own
bookkeeping and are told what changed (``HubContext.seat_changed``,
``HubContext.queue_changed``).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from seat_common.catalog import ServiceItem
from seat_common.protocol import (
    AgentState,
    AwayReason,
    Channel,
    CitizenInfo,
    ConsultPhase,
    MediaKind,
    Priority,
    PriorityCheck,
    SeatConsult,
    SeatMode,
    SeatWatch,
    TransferInfo,
    TransferTarget,
    WatchPhase,
)
from seat_hub.parties.seats import Seat
from seat_hub.parties.session import Session
from seat_hub.storage.records import HandleTime
from seat_hub.supervision.figures import TodayFigures


@dataclass(eq=False)
class LiveState:
    """The live picture, keyed for the lookups the rules make."""

    #: Logged-in agents by agent id.
    agents: dict[str, Agent] = field(default_factory=dict)
    #: Logged-in supervisors' sessions by agent id.
    supervisors: dict[str, Session] = field(default_factory=dict)
    #: Citizens in the queue (waiting or being offered) by work order id, and by session id.
    contacts: dict[str, Contact] = field(default_factory=dict)
    contact_of_session: dict[str, Contact] = field(default_factory=dict)
    #: Live calls by call id, and by the session id of either party.
    calls: dict[str, Call] = field(default_factory=dict)
    call_of_session: dict[str, Call] = field(default_factory=dict)
    #: Supervisors watching calls, by watch id.
    watches: dict[str, Watch] = field(default_factory=dict)
    #: Calls that are over, by work order id, until closed and rated.
    ended: dict[str, EndedCall] = field(default_factory=dict)
    #: Walk-ins being served at a counter, by agent id (kept while the seat's link is down).
    walk_ins: dict[str, WalkIn] = field(default_factory=dict)
    #: Per item: how long closed work orders took (for expected waits).
    handle_times: dict[str, HandleTime] = field(default_factory=dict)
    #: Today's running figures for the seat wall.
    today: TodayFigures = field(default_factory=TodayFigures)
    _seq: Iterator[int] = field(default_factory=itertools.count)

    def next_seq(self) -> int:
        """The next join order (breaks ties between citizens queued at the same time)."""
        return next(self._seq)

    def agent(self, agent_id: str) -> Agent | None:
        """The logged-in agent of seat ``agent_id``, if any."""
        return self.agents.get(agent_id)


@dataclass(frozen=True, slots=True)
class SeatWork:
    """What an agent is busy with: the contact ringing at them, their call, or the work
    order whose wrap-up they owe (``wrap_up_skill`` is then the queue it came from)."""

    work_order_id: str
    item_code: str
    item_name: str
    channel: str
    call_started_at: float = 0.0
    watched_by: str = ""
    watch_phase: SeatWatch = ""
    wrap_up_skill: str | None = None
    on_hold: bool = False
    transfer_to: str = ""
    #: A consult of this call (or the host's call, at the guest's seat): with whom, how far.
    consult_with: str = ""
    consult_phase: SeatConsult = ""


@dataclass(eq=False)
class WalkIn:
    """A citizen served at an agent's counter: a work order on channel ``counter``, open from
    ``opened_at`` until the clerk closes it. ``resume_state`` (and ``resume_reason``) is
    where a combined-mode seat goes back to when it closes."""

    work_order_id: str
    item_code: str
    item_name: str
    opened_at: float
    citizen_key: str = ""
    resume_state: AgentState = "away"
    resume_reason: AwayReason = ""


@dataclass(eq=False)
class Agent:
    """A logged-in agent at their seat, with the state the hub decides for them.

    ``idle_since`` orders ready agents (longest idle first).
    """

    seat: Seat
    session: Session
    state: AgentState
    mode: SeatMode
    since: float
    idle_since: float
    reason: AwayReason = ""
    missed_offers: int = 0
    offer: Ringing | None = None
    call: Call | None = None
    wrap_up: EndedCall | None = None
    #: The walk-in this seat serves at its counter (out of video routing meanwhile).
    walk_in: WalkIn | None = None
    #: The agent's raised hand (``supervision.hands``): reason, since when, who answered.
    hand: str = ""
    hand_since: float = 0.0
    hand_answered_by: str = ""
    #: The consult this seat is the guest of (``calls.consult``; the host's is ``Call.consult``).
    consult: Consultation | None = None

    @property
    def agent_id(self) -> str:
        return self.seat.agent_id

    def work(self) -> SeatWork | None:
        """What the agent is busy with: their call, else the offer ringing, else the
        wrap-up they owe, else the walk-in at their counter; None when free."""
        if self.call is not None:
            contact = self.call.contact
            watch = self.call.watch
            consult = self.call.consult
            return SeatWork(
                contact.work_order_id,
                contact.item.code,
                contact.item.name,
                contact.channel,
                call_started_at=self.call.answered_at,
                watched_by=watch.supervisor.name[:200] if watch is not None else "",
                watch_phase=watch.phase if watch is not None and watch.phase != "ended" else "",
                on_hold=self.call.on_hold,
                transfer_to=_transfer_target(contact),
                consult_with=consult.guest.seat.name[:200] if consult is not None else "",
                consult_phase=consult.phase if consult is not None else "",
            )
        if self.consult is not None:
            consult = self.consult
            contact = consult.call.contact
            return SeatWork(contact.work_order_id, contact.item.code, contact.item.name,
                            contact.channel, call_started_at=consult.started_at,
                            consult_with=consult.host.seat.name[:200],
                            consult_phase=consult.phase)
        if self.offer is not None:
            contact = self.offer.contact
            return SeatWork(
                contact.work_order_id, contact.item.code, contact.item.name, contact.channel
            )
        if self.wrap_up is not None:
            ended = self.wrap_up
            return SeatWork(
                ended.work_order_id,
                ended.item_code,
                ended.item_name,
                ended.channel,
                wrap_up_skill=ended.skill,
            )
        if self.walk_in is not None:
            walk_in = self.walk_in
            return SeatWork(walk_in.work_order_id, walk_in.item_code, walk_in.item_name,
                            "counter", call_started_at=walk_in.opened_at)
        return None


def _transfer_target(contact: Contact) -> str:
    """Whom a call is being handed to while the target rings ("" when not)."""
    ringing = contact.offer
    if contact.handover is None or ringing is None:
        return ""
    return ringing.agent.seat.name[:200]


@dataclass(eq=False)
class Contact:
    """A citizen waiting for an agent (or being offered to one) with their work order.

    ``excluded`` holds agents who declined it or let it ring out.
    """

    work_order_id: str
    item: ServiceItem
    channel: Channel
    priority: Priority
    media: MediaKind
    citizen: CitizenInfo
    session: Session
    queued_at: float
    seq: int
    excluded: set[str] = field(default_factory=set)
    offer: Ringing | None = None
    #: Whether ``priority`` is the citizen's word or was checked (``routing.admission``).
    priority_check: PriorityCheck = "claimed"
    #: The citizen chose large text (大字版): the agent's queue and offer say so.
    large_text: bool = False
    #: The cold transfer under way for this citizen (``calls.transfer``), if any, and how
    #: many agents have answered them so far (each one a leg of the call).
    handover: Handover | None = None
    legs: int = 0
    #: The citizen's link dropped: their place is kept until this hub time (the resume
    #: grace period's end) and they are not offered meanwhile. 0 while connected.
    link_lost_until: float = 0.0

    @property
    def skill(self) -> str:
        """The queue this contact waits in: the item's skill, or a transfer's target."""
        return self.handover.skill if self.handover is not None else self.item.skill


@dataclass(eq=False)
class Handover:
    """A cold transfer of a live call under way (``calls.transfer``).

    To a named agent (``target == "agent"``) the first agent keeps the call (``call``)
    while the target rings, and gets it back if they decline, let it ring out or log
    out. To a skill queue the first agent's leg ends at once and the citizen waits at
    the head of that queue (``call`` is then None)."""

    info: TransferInfo
    from_agent_id: str
    target: TransferTarget
    skill: str
    target_agent_id: str
    started_at: float
    call: Call | None = None
    #: The citizen was on hold when it was handed on: the next agent's call starts so.
    on_hold: bool = False


@dataclass(eq=False)
class Ringing:
    """An offer ringing at an agent; ``timer`` fires the ring timeout."""

    call_id: str
    contact: Contact
    agent: Agent
    offered_at: float
    timer: asyncio.TimerHandle | None = None


@dataclass(eq=False)
class Call:
    """A live call between a citizen (the caller) and an agent (the callee)."""

    call_id: str
    contact: Contact
    agent: Agent
    answered_at: float
    #: The supervisor watching this call, if any (one at a time).
    watch: Watch | None = None
    #: The citizen shares a screen (``screen_share``); the agent's marks need it.
    screen_sharing: bool = False
    #: The agent's share marks: a token bucket (tokens, when last counted).
    mark_tokens: float = 0.0
    mark_counted_at: float = 0.0
    mark_warned_at: float = float("-inf")
    #: The agent has put the citizen on hold (``calls.transfer.on_hold``).
    on_hold: bool = False
    #: The agent's consult of a colleague about this call (``calls.consult``).
    consult: Consultation | None = None
    #: Consent references the agent asked the citizen's device about
    #: (``certificate_consent_request``) and the citizen has not answered yet.
    consent_requests: set[str] = field(default_factory=set)

    @property
    def citizen_session(self) -> Session:
        return self.contact.session

    def has_party(self, session: Session) -> bool:
        return session is self.contact.session or session is self.agent.session

    def other_party(self, session: Session) -> Session:
        return self.agent.session if session is self.contact.session else self.contact.session


@dataclass(eq=False)
class Consultation:
    """A consult (``calls.consult``): the host, the agent of ``call``, talks to a colleague
    (the guest) agent to agent while the citizen is on hold, or all three together.
    ``held_before``: the citizen was on hold already when it began (so stays on hold when
    the host returns)."""

    consult_id: str
    call: Call
    host: Agent
    guest: Agent
    info: TransferInfo
    started_at: float
    held_before: bool = False
    phase: ConsultPhase = "ringing"
    timer: asyncio.TimerHandle | None = None


@dataclass(eq=False)
class Watch:
    """A supervisor watching a live call: media flows from the agent's workstation to the
    supervisor (and the supervisor's voice back into the call while ``phase`` is barging;
    their voice and picture, and the agent's picture to them, while ``joined``)."""

    watch_id: str
    call: Call
    supervisor: Session
    phase: WatchPhase = "watching"


@dataclass(eq=False)
class EndedCall:
    """A work order whose call is over: waiting for the agent's wrap-up and the
    citizen's rating. Forgotten once closed and rated (or the citizen is gone)."""

    work_order_id: str
    item_code: str
    agent_id: str
    citizen_session: Session
    answered_at: float
    ended_at: float
    closed: bool = False
    rated: bool = False
    #: The queue (skill) the call came from, and the wrap-up deadline timer.
    skill: str = ""
    item_name: str = ""
    channel: str = ""
    wrap_up_timer: asyncio.TimerHandle | None = None
