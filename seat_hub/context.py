"""What every message handler is given: the live state, the services, and who to tell.

``HubContext`` is built once by the composition root (``seat_hub.cli``) and
handed to the rules in ``routing``, ``calls``, ``materials`` and
``supervision``. It holds three kinds of thing:

- ``live``: the live picture (``model.LiveState``), which the rules change;
- the services: ``seats``, ``catalog``, the records (``ledger`` and ``audit``,
  typed against ``storage.interface``), ``log``, ``settings``, ``clock``, the
  hub's ``tasks`` (every background task goes through it) and ``citizen_keys``
  (who a citizen is, for counting people, without keeping who they are);
- the two publishers, which keep their own bookkeeping: ``queue_views`` (queue
  positions and snapshots) and ``wall`` (the seat wall). A rule tells them what
  changed with ``seat_changed`` and ``queue_changed``; after each event the hub
  asks them to ``publish_soon``, and what changed in one turn of the event loop
  goes out once.

A handler that refuses a message raises ``Refusal``; the hub answers the sender
with an ``Error``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from seat_common.catalog import Catalog
from seat_common.protocol import ErrorCode, Outcome
from seat_common.tasks import TaskOwner
from seat_hub.model import Agent, LiveState
from seat_hub.parties.citizen_keys import CitizenKeys
from seat_hub.parties.seats import SeatRegistry
from seat_hub.routing.queueviews import QueueViews
from seat_hub.settings import HubSettings
from seat_hub.storage.eventlog import EventLog
from seat_hub.storage.interface import AuditTrail, WorkOrderLedger
from seat_hub.supervision.wall import SeatWall

#: Closes a work order in the shared state (agent id, work order, outcome, notes); whether
#: this hub closes its own copy too (False: the seat's wrap-up is another hub's now).
SharedClose = Callable[[str, str, Outcome, str], Awaitable[bool]]


class Refusal(Exception):
    """A handler refuses a message; the hub answers the sender with an ``Error``."""

    def __init__(self, code: ErrorCode, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
        self.field = field


class HubContext:
    """Everything a message handler may read or change (see the module's docstring)."""

    def __init__(
        self,
        *,
        seats: SeatRegistry,
        catalog: Catalog,
        ledger: WorkOrderLedger,
        audit: AuditTrail,
        log: EventLog,
        settings: HubSettings,
        tasks: TaskOwner,
        citizen_keys: CitizenKeys,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.live = LiveState()
        self.seats = seats
        self.catalog = catalog
        self.ledger = ledger
        self.audit = audit
        self.log = log
        self.settings = settings
        self.tasks = tasks
        self.citizen_keys = citizen_keys
        self.clock = clock
        self.queue_views = QueueViews(self.live, settings, log)
        self.wall = SeatWall(self.live, seats, catalog, settings, log, clock)
        #: Whether this hub plans offers from its own ``live`` contacts (``dispatch.settle``).
        #: False for a cluster's hub: the offers are planned in Redis for every hub at once,
        #: and ring here when they reach a seat this hub holds (``connections.cluster_floor``).
        self.plans_offers = True
        #: How a close the hub makes by itself (a wrap-up over its limit) reaches the shared
        #: state before the hub's rules close it: ``None`` on a single hub; a cluster's hub
        #: runs the wrap-up's script there (``connections.cluster_floor``), which also
        #: writes the close to the ledger, or lets its copy go if another hub holds it.
        self.shared_close: SharedClose | None = None

    def agent_at_seat(self, agent_id: str) -> Agent:
        """The logged-in agent of seat ``agent_id`` (refused: no such seat, or not logged in)."""
        agent = self.live.agents.get(agent_id)
        if agent is None:
            if self.seats.get(agent_id) is None:
                raise Refusal("no_such_agent", "no such agent", "agent_id")
            raise Refusal("bad_state", "that agent is not logged in", "agent_id")
        return agent

    def seat_changed(self, agent_id: str) -> None:
        """A seat's wall record changed (published with the next wall update)."""
        self.wall.seat_changed(agent_id)

    def queue_changed(self) -> None:
        """The queue changed, so positions, snapshots and the wall's queue are published."""
        self.queue_views.changed()
        self.wall.queue_changed()

    def publish_soon(self) -> None:
        """Publish what changed once the events now being handled are done."""
        self.queue_views.publish_soon()
        self.wall.publish_soon()
