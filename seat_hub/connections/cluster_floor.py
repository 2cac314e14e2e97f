"""A cluster's hub: the queue, the seats' states, the offers and the calls shared with the
other hubs through Redis (``seat-hub --cluster redis://…``).

Redis decides (``cluster.live_queue``'s scripts); each hub keeps in its ``LiveState`` only
what it serves, and runs the hub's own rules for it unchanged:

- **Joining.** The citizen's hub numbers the work order in the database (the rule), then
  writes what an agent's hub needs to offer the contact (``{seat}:details:<wo>``) and
  joins the shared queue. The citizen is the party ``citizen.<work order>``.
- **Offers** are planned by the dispatch script for every hub at once (``ctx.plans_offers``
  is off), after any event that may free a seat or add a contact, and once a second. The
  offer reaches the agent's stream; the hub holding the agent (``agent.<seat>``) rings
  them with the rule (``dispatch.offer``), the citizen standing in as a
  ``RemoteSession``. A call's rules run on the agent's hub: its home.
- **Answers, declines, hang-ups, wrap-ups** run the script first (which also appends the
  ledger write: ``storage.scripted_ledger`` keeps the rules from writing it twice), then
  the rule.
- **A citizen in a call homed elsewhere**: what it says in the call is relayed to the
  home's agent stream (``relay``), and the home hands it to ``Hub.receive`` as from the
  citizen's ``RemoteSession``; what the home sends the citizen comes back as ``frame``.
- **Departures**: a queued citizen who leaves is abandoned in Redis, a dropped one parked
  (its hub's presence key parked too; the sweeper lets it go after the grace); an agent
  who leaves is logged out. A party another hub took over is told ``taken_over`` and
  closed. A hub stopping cleanly leaves its parties to the survivors' sweepers.
- **Coming back.** A party is welcomed only once its stream is read and its presence
  held. A citizen resuming here whose place or call another hub held (lost, or left) is
  adopted from Redis (its token names its party); a seat logging in here takes up its
  call, owed wrap-up or ringing offer from Redis (``cluster_seats``); a seat whose link
  drops in a call lets the call go from memory without ending it, so it is taken up the
  same way wherever it comes back.
- **The seat wall** a supervisor here subscribes to is the whole city's, read from Redis
  and the ledger once a second (``cluster_wall``); a whisper reaches a seat on any hub
  (``cluster_supervision``).
- **Not yet shared** (transfer, consult, watching, walk-ins, hands, moving a contact):
  refused with ``not_allowed`` and a message saying so, never half done.

``ClusterFloor`` builds the parts and hands each what it needs: the parties held here
(``cluster_parties``), their arrivals (``cluster_arrivals``: joining, adoption, a seat's
login) and departures with the sweep (``cluster_departures``), a message's route through
the shared step (``cluster_steps``), the loops that dispatch, time out rings and tell
places (``cluster_clock``). What the streams bring is ``cluster_mail``'s; what this hub's
parties are shown of the shared queue, ``cluster_views``'; a seat's work taken up from
another hub, ``cluster_seats``'; the stand-ins of offers rung here, dropped once an offer
ends unanswered (checked after every message, delivery and departure),
``cluster_stand_ins``'.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

from seat_common.protocol import Message, Outcome
from seat_common.tasks import TaskOwner
from seat_hub.cluster.bus import Signal, SignalReader
from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.cluster.outbox import StreamOutbox
from seat_hub.cluster.presence import Presence, holder
from seat_hub.cluster.sweeper import Sweep
from seat_hub.connections.cluster_arrivals import Arrivals
from seat_hub.connections.cluster_clock import SharedQueueClock
from seat_hub.connections.cluster_departures import SharedDepartures
from seat_hub.connections.cluster_mail import HubMail
from seat_hub.connections.cluster_parties import SHARED_ERRORS, HeldParties
from seat_hub.connections.cluster_seats import SeatBack
from seat_hub.connections.cluster_stand_ins import OfferStandIns
from seat_hub.connections.cluster_steps import SharedSteps
from seat_hub.connections.cluster_supervision import SharedSupervision
from seat_hub.connections.cluster_views import SharedQueueViews, agent_party
from seat_hub.connections.cluster_wall import SharedWall
from seat_hub.connections.floor import FloorHub
from seat_hub.context import HubContext
from seat_hub.parties.session import Session


class ClusterFloor:
    """The shared floor of a cluster's hub (see the module's docstring). Built by the
    composition root; ``attach`` the hub, then ``start``; ``close`` at stop."""

    def __init__(self, ctx: HubContext, client: aioredis.Redis, reader_client: aioredis.Redis,
                 *, queue: LiveQueue, presence: Presence, outbox: StreamOutbox,
                 tasks: TaskOwner, name: str) -> None:
        self.ctx = ctx
        self._redis = client
        self.queue = queue
        self.presence = presence
        self.outbox = outbox
        self._tasks = tasks
        self._hub: FloorHub | None = None
        self.reader = SignalReader(reader_client, self._deliver, name=name)
        #: the parties this hub holds, and holding them in the cluster
        self.parties = HeldParties(ctx, client, presence=presence, reader=self.reader,
                                   outbox=outbox, tasks=tasks)
        #: the stand-ins made for offers rung here, dropped once one ends unanswered
        self.stand_ins = OfferStandIns(ctx, self.parties.remotes)
        #: what the streams bring for the parties this hub holds
        self.mail = HubMail(ctx, client, queue, outbox, lambda: self.hub,
                            local=self.parties.local, homes=self.parties.homes,
                            remotes=self.parties.remotes, stand_ins=self.stand_ins)
        #: takes up the call, wrap-up or offer of a seat logging in here from another hub
        self.seats = SeatBack(ctx, client, outbox.post, self.parties.remotes, self.mail.ring)
        ctx.plans_offers = False
        ctx.shared_close = self._close_overdue
        #: what this hub's citizens and seats are shown of the shared queue
        self.views = SharedQueueViews(ctx, client, self.parties.local)
        #: dispatch passes, ring timeouts, places told
        self.clock = SharedQueueClock(ctx, queue, self.views)
        self.arrivals = Arrivals(ctx, client, queue=queue, outbox=outbox, parties=self.parties,
                                 seats=self.seats, hub=lambda: self.hub,
                                 want_pass=self.clock.want_pass,
                                 want_positions=self.clock.want_positions)
        self.departures = SharedDepartures(ctx, client, queue=queue, outbox=outbox,
                                           parties=self.parties, tasks=tasks,
                                           hub=lambda: self.hub,
                                           want_pass=self.clock.want_pass)
        #: the whole city's seat wall for the supervisors held here
        self.wall = SharedWall(ctx, client, self.views)
        self.steps = SharedSteps(ctx, client, queue=queue, outbox=outbox, parties=self.parties,
                                 arrivals=self.arrivals, seats=self.seats, wall=self.wall,
                                 supervision=SharedSupervision(ctx, client, outbox,
                                                               self.parties.local, hub=name),
                                 want_pass=self.clock.want_pass)

    def attach(self, hub: FloorHub) -> None:
        """The hub this floor serves."""
        self._hub = hub

    @property
    def hub(self) -> FloorHub:
        if self._hub is None:
            raise RuntimeError("the cluster floor serves no hub yet (attach it)")
        return self._hub

    async def start(self) -> None:
        """Beat, renew, read the streams, post, dispatch and time out rings (on ``tasks``)."""
        await self.presence.start()
        self._tasks.spawn(self.reader.run(), "cluster signaling reader")
        self._tasks.spawn(self.outbox.run(), "cluster stream outbox")
        self.clock.start(self._tasks)
        self._tasks.spawn(self.wall.run(), "cluster seat wall")

    async def close(self) -> None:
        """Stop reading and posting; the hub's key goes, so the survivors' sweepers park
        what this hub held."""
        await self.outbox.close()
        await self.reader.close()
        try:
            await self.presence.close()
        except SHARED_ERRORS as exc:
            self.ctx.log.event("cluster_error", where="presence close", error=repr(exc))

    async def _close_overdue(self, agent_id: str, work_order_id: str, outcome: Outcome,
                             notes: str) -> bool:
        """A wrap-up over its queue's limit. If the seat is held by another hub now, that
        hub took its wrap-up up with its own limit: this hub lets its copy go. Otherwise the
        wrap-up's script closes it as the agent's own would (the seat back to work in
        Redis, the close in the ledger) and this hub closes its copy."""
        party = agent_party(agent_id)
        try:
            if party not in self.parties.local:
                held = await holder(self._redis, party)
                if held is not None and held.hub != self.presence.hub:
                    self.ctx.log.event("cluster_wrap_up_elsewhere", work_order_id=work_order_id,
                                       agent_id=agent_id, hub=held.hub)
                    return False
            done = await self.queue.wrap_up_done(agent_id, work_order_id, outcome, notes)
        except SHARED_ERRORS as exc:
            self.ctx.log.event("cluster_error", where="wrap-up overdue",
                               work_order_id=work_order_id, error=repr(exc))
            return True  # closed here; the shared state is told when the seat is back
        self.ctx.log.event("cluster_wrap_up_overdue", work_order_id=work_order_id,
                           agent_id=agent_id, status=done.status)
        self.clock.want_pass()
        return True

    def want_pass(self) -> None:
        """Ask for a dispatch pass soon (passes asked for meanwhile are one), and for this
        hub's waiting citizens to be told their places after it."""
        self.clock.want_pass()

    async def handle(self, session: Session, message: Message,
                     route: Callable[[], Awaitable[None]]) -> None:
        """``Floor.handle``: through the shared step (``cluster_steps``)."""
        try:
            await self.steps.handle(session, message, route)
        finally:
            self.stand_ins.drop_unanswered()  # a decline, a leave: an offer may have ended

    def departed(self, session: Session, dropped: bool, clean_up: Callable[[], None]) -> None:
        """``Floor.departed``: let go in the cluster (``cluster_departures``)."""
        self.wall.unsubscribe(session)
        self.departures.departed(session, dropped, clean_up)
        self.stand_ins.drop_unanswered()  # a seat gone: its ringing offer ended

    def taken_over(self, party: str) -> None:
        """Another hub holds ``party`` now: this hub's connection is told and closed."""
        self.parties.taken_over(party)

    def restored(self, party: str) -> None:
        """A sweeper parked ``party`` while this hub could not beat (stalled, or Redis
        away), and this hub still holds it: the sweep undone (``cluster_departures``)."""
        self._tasks.spawn(self.departures.restored(party), f"cluster restored {party}")

    async def on_sweep(self, sweep: Sweep) -> None:
        """A sweeper's pass: parked and let-go parties (``cluster_departures``)."""
        await self.departures.on_sweep(sweep)

    async def _deliver(self, party: str, entry_id: str, signal: Signal) -> None:
        self.presence.delivered(party, entry_id)
        if signal.type == "taken":
            self.parties.taken(party, signal.body)
            return
        await self.mail.deliver(party, entry_id, signal)
        self.stand_ins.drop_unanswered()  # withdrawn by the script: rung out, citizen gone
