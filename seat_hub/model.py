"""The hub's memory: logged-in agents, waiting contacts, ringing offers, live calls.

Plain mutable records, changed only on the event loop, and the
``HubContext`` that bundles them with the services every handler needs
(ledger, event log, catalog, seats, settings, clock). The rules that change
them live in ``presence``, ``queueing``, ``dispatch`` and ``calls``; this
module only says what there is. The ledger is the durable record; this is
the live picture, rebuilt empty on every start.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from seat_common.catalog import Catalog, ServiceItem
from seat_common.protocol import (
    AgentState,
    AwayReason,
    Channel,
    CitizenInfo,
    ErrorCode,
    MediaKind,
    Priority,
    QueueEntry,
    SeatMode,
    WatchPhase,
)
from seat_hub.connections.seats import Seat, SeatRegistry
from seat_hub.connections.session import Session
from seat_hub.storage.eventlog import EventLog
from seat_hub.storage.ledger import HandleTime, WorkOrderLedger
from seat_hub.supervision.figures import TodayFigures


class Refusal(Exception):
    """A handler refuses a message; the hub answers the sender with an ``Error``."""

    def __init__(self, code: ErrorCode, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class HubSettings:
    """Tunables from the command line."""

    ring_timeout_s: float = 15.0
    max_missed: int = 3
    default_handle_s: float = 180.0
    #: Seconds of wrap-up allowed, per skill (the queue an item's calls wait in);
    #: ``wrap_up_limit_s`` for the rest. 0: no limit.
    wrap_up_limit_s: float = 0.0
    wrap_up_limits: tuple[tuple[str, float], ...] = ()
    #: Calls are recorded by the agent's workstation (``call_started.recorded``).
    record_calls: bool = True

    def wrap_up_limit_for(self, skill: str) -> float:
        """The wrap-up time limit of calls from ``skill``'s queue (0: none)."""
        for name, limit in self.wrap_up_limits:
            if name == skill:
                return limit
        return self.wrap_up_limit_s


@dataclass(eq=False)
class Agent:
    """A logged-in agent at their seat, with the state the hub decides for them.

    ``idle_since`` orders ready agents (longest idle first); ``snapshot`` is the
    last queue snapshot sent, so an unchanged one is not sent again.
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
    snapshot: tuple[QueueEntry, ...] | None = None

    @property
    def agent_id(self) -> str:
        return self.seat.agent_id


@dataclass(eq=False)
class Contact:
    """A citizen waiting for an agent (or being offered to one) with their work order.

    ``excluded`` holds agents who declined it or let it ring out; ``position``
    is the queue position last told to the citizen.
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
    position: int = 0
    #: The contact's queue entry and its encoded size, made once (they never change).
    entry: QueueEntry | None = None
    entry_bytes: int = 0


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

    @property
    def citizen_session(self) -> Session:
        return self.contact.session

    def has_party(self, session: Session) -> bool:
        return session is self.contact.session or session is self.agent.session

    def other_party(self, session: Session) -> Session:
        return self.agent.session if session is self.contact.session else self.contact.session


@dataclass(eq=False)
class Watch:
    """A supervisor watching a live call: media flows from the agent's workstation to the
    supervisor (and the supervisor's voice back into the call while ``phase`` is barging)."""

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


@dataclass(eq=False)
class HubContext:
    """Everything a message handler may read or change, built once by the composition root."""

    seats: SeatRegistry
    catalog: Catalog
    ledger: WorkOrderLedger
    log: EventLog
    settings: HubSettings
    clock: Callable[[], float] = time.time
    handle_times: dict[str, HandleTime] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    supervisors: dict[str, Session] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    contact_of_session: dict[str, Contact] = field(default_factory=dict)
    calls: dict[str, Call] = field(default_factory=dict)
    watches: dict[str, Watch] = field(default_factory=dict)
    call_of_session: dict[str, Call] = field(default_factory=dict)
    ended: dict[str, EndedCall] = field(default_factory=dict)
    #: Supervisors' sessions that subscribed to the seat wall, by session id.
    wall_subscribers: dict[str, Session] = field(default_factory=dict)
    #: Seats whose wall record changed since the last wall update.
    wall_dirty: set[str] = field(default_factory=set)
    wall_queue_version: int = -1
    wall_figures_version: int = -1
    wall_scheduled: bool = False
    #: Today's live figures for the wall (loaded from the ledger at start).
    today: TodayFigures = field(default_factory=TodayFigures)
    #: Background tasks the hub started from timers (kept so they are not lost).
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    queue_version: int = 0
    published_version: int = -1
    publish_scheduled: bool = False
    _seq: Iterator[int] = field(default_factory=itertools.count)

    def next_seq(self) -> int:
        return next(self._seq)

    def seat_changed(self, agent_id: str) -> None:
        """Mark a seat's wall record changed (published with the next wall update)."""
        if self.wall_subscribers:
            self.wall_dirty.add(agent_id)

    def queue_changed(self) -> None:
        """Mark the queue changed, so positions and snapshots are published."""
        self.queue_version += 1
