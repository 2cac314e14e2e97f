"""Parties leaving a cluster's hub, and the sweep of parties no hub holds any more.

- **Departures.** A queued citizen who leaves is abandoned in the shared queue, a dropped
  one parked (its presence key parked too; a sweeper lets it go after the grace); a
  citizen in a call homed elsewhere tells the home (``gone``, or ``link`` down for the
  grace); an agent who leaves is logged out, one dropped in a call parked (its call waits
  for it on any hub). A hub stopping cleanly leaves its parties to the survivors'
  sweepers.
- **A seat dropped in a call** lets the call go from this hub's memory without ending it
  (``release_call``), so it is taken up wherever the seat comes back.
- **The sweep** (``on_sweep``, from ``cluster.sweeper``): the parties of dead hubs parked
  (a waiting citizen is not offered until back; a seat's citizen told its link is down),
  and parties whose grace ran out let go, as the single hub does (a seat logged out, its
  call ended and its wrap-up owed). A hub that was only stalled (it could not beat for
  the hub key's 3 s) finds its parties parked at its next renewal and undoes it
  (``restored``): a waiting citizen unparked, a call's other side told the link is up.
"""

from __future__ import annotations

from collections.abc import Callable

import redis.asyncio as aioredis

from seat_common.protocol import CallEnded, PeerLink, encode
from seat_common.tasks import TaskOwner
from seat_hub.cluster import keys
from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.cluster.outbox import StreamOutbox
from seat_hub.cluster.presence import NAME
from seat_hub.cluster.sweeper import Sweep
from seat_hub.connections.cluster_parties import SHARED_ERRORS, HeldParties
from seat_hub.connections.floor import FloorHub
from seat_hub.context import HubContext
from seat_hub.parties.session import Session


class SharedDepartures:
    """Lets this hub's parties go in the cluster (see the module's docstring).
    ``want_pass`` asks for a dispatch pass (``cluster_clock``)."""

    def __init__(self, ctx: HubContext, client: aioredis.Redis, *, queue: LiveQueue,
                 outbox: StreamOutbox, parties: HeldParties, tasks: TaskOwner,
                 hub: Callable[[], FloorHub], want_pass: Callable[[], None]) -> None:
        self.ctx = ctx
        self._redis = client
        self.queue = queue
        self.outbox = outbox
        self._parties = parties
        self._tasks = tasks
        self._hub = hub
        self._want_pass = want_pass

    def departed(self, session: Session, dropped: bool, clean_up: Callable[[], None]) -> None:
        """``session`` closed: the hub's rules undo it (``clean_up``), then the shared
        state is told, on a task of its own."""
        parties = self._parties
        party = parties.party_of.pop(session.session_id, None)
        home = parties.homes.pop(session.session_id, None)
        if dropped and not self._hub().stopping and party is not None \
                and parties.local.get(party) is session:
            self._release_call(session)
        clean_up()
        if party is None or parties.local.get(party) is not session:
            return
        del parties.local[party]
        if self._hub().stopping:
            return  # the survivors' sweepers park what this hub held; clients come back
        self._tasks.spawn(self._party_gone(session, party, home, dropped),
                          f"cluster departure {party}")

    def _release_call(self, session: Session) -> None:
        """A seat whose link dropped in a call: the call is let go from this hub's memory
        without ending it (the citizen is told ``peer_link`` down). It lives on in Redis;
        wherever the seat logs in again within the grace, this hub or another, takes it up
        (``cluster_seats``); a seat not back is let go by a sweeper, which ends it. (Kept
        here instead, its end at the grace would reach the citizen from this hub even
        after the call went on elsewhere.)"""
        ctx = self.ctx
        agent = ctx.live.agents.get(session.agent_id)
        if session.role != "agent" or agent is None or agent.session is not session \
                or agent.call is None or ctx.settings.resume_grace_s <= 0:
            return
        call = agent.call
        agent.call = None
        ctx.live.calls.pop(call.call_id, None)
        ctx.live.call_of_session.pop(session.session_id, None)
        ctx.live.call_of_session.pop(call.citizen_session.session_id, None)
        call.citizen_session.send(PeerLink(call_id=call.call_id, up=False))
        del ctx.live.agents[agent.agent_id]
        ctx.seat_changed(agent.agent_id)
        ctx.log.event("link_lost", role="agent", agent_id=agent.agent_id,
                      call_id=call.call_id, grace_s=ctx.settings.resume_grace_s, kept="redis")

    async def _party_gone(self, session: Session, party: str, home: str | None,
                          dropped: bool) -> None:
        ctx = self.ctx
        presence, reader = self._parties.presence, self._parties.reader

        def back() -> bool:
            # Back here already (a quick reconnect's hello ran while this awaited): parking
            # it, letting it go or not reading its stream would rob its new session.
            return party in self._parties.local

        async def keep_for_grace() -> None:
            if not back():
                await presence.park(party)
            if not back():
                await reader.remove(party)

        async def let_go() -> None:
            if not back():
                await self._parties.let_go_here(party)

        try:
            if home is not None and dropped and ctx.settings.resume_grace_s > 0:
                # In a call: kept for the grace (any hub may take the resume); the sweeper
                # lets it go after, and the home ends the call then.
                self.outbox.post(home, "link", {"from": party, "up": False})
                await keep_for_grace()
            elif home is not None:
                self.outbox.post(home, "gone", {"from": party})
                await let_go()
            elif party.startswith("citizen."):
                work_order_id = party.removeprefix("citizen.")
                if work_order_id in ctx.live.contacts:  # parked here for the grace
                    await self._park_place(party, work_order_id)
                    await keep_for_grace()
                else:
                    await self.queue.abandon(work_order_id)
                    await let_go()
            else:
                record = await self.queue.agent(session.agent_id)
                if dropped and record is not None and record.state == "on_call" \
                        and ctx.settings.resume_grace_s > 0:
                    await keep_for_grace()  # its call waits for it (any hub)
                elif not back():  # back: its login's ``log_in`` is the newer word
                    await self.queue.log_out(session.agent_id)
                    await let_go()
        except SHARED_ERRORS as exc:
            ctx.log.event("cluster_error", where="departure", party=party, error=repr(exc))
        except Exception as exc:  # a bug: said as one, in the hub's log
            ctx.log.event("internal_error", where="departure", party=party, error=repr(exc))
        self._want_pass()

    async def _park_place(self, party: str, work_order_id: str) -> None:
        """A dropped citizen's place kept, not offered, unless it is back here: its resume
        unparks it (``cluster_arrivals``); back while the park was on its way (the unpark
        may have landed first), unparked again, else it would wait unoffered."""
        if party in self._parties.local:
            return
        await self.queue.park(work_order_id, True)
        if party in self._parties.local:
            await self.queue.park(work_order_id, False)

    async def on_sweep(self, sweep: Sweep) -> None:
        """Parties of dead hubs parked (a waiting citizen is not offered until back), and
        parties whose grace ran out let go, as the single hub does."""
        for party in sweep.parked:
            try:
                if party.startswith("citizen."):
                    await self.queue.park(party.removeprefix("citizen."), True)
                    home = await self._redis.get(keys.home_key(party))
                    if isinstance(home, str) and NAME.fullmatch(home):
                        self.outbox.post(home, "link", {"from": party, "up": False})
                elif party.startswith("agent."):
                    await self._seat_lost(party)
            except SHARED_ERRORS as exc:
                self.ctx.log.event("cluster_error", where="park", party=party, error=repr(exc))
        for party in sweep.let_go:
            try:
                if party.startswith("citizen."):
                    await self.queue.abandon(party.removeprefix("citizen."))
                    home = await self._redis.getdel(keys.home_key(party))
                    if isinstance(home, str) and NAME.fullmatch(home):
                        self.outbox.post(home, "gone", {"from": party})
                elif party.startswith("agent."):
                    await self._seat_let_go(party)
            except SHARED_ERRORS as exc:
                self.ctx.log.event("cluster_error", where="let go", party=party,
                                   error=repr(exc))
            self.ctx.log.event("cluster_let_go", party=party)
        if sweep.dead_hubs:
            self.ctx.log.event("cluster_hubs_dead", hubs=sweep.dead_hubs, parked=sweep.parked)
        self._want_pass()

    async def restored(self, party: str) -> None:
        """A party this hub still holds, parked by a sweeper while this hub could not
        beat: its waiting citizen unparked in the shared queue (else never offered again),
        its call's other side told the link is up again."""
        session = self._parties.local.get(party)
        if session is None:
            return
        try:
            if party.startswith("citizen."):
                home = self._parties.homes.get(session.session_id)
                work_order_id = party.removeprefix("citizen.")
                if home is not None:  # as a resume: the home says call_started again
                    self.outbox.post(home, "back", {"from": party})
                elif work_order_id in self.ctx.live.contacts:
                    await self.queue.park(work_order_id, False)
            elif party.startswith("agent."):
                await self._seat_link(party, up=True)
        except SHARED_ERRORS as exc:
            self.ctx.log.event("cluster_error", where="restored", party=party,
                               error=repr(exc))
        self.ctx.log.event("cluster_restored", party=party)
        self._want_pass()

    async def _seat_lost(self, party: str) -> None:
        """A seat's hub died: the citizen of its call is told the agent's link is down."""
        await self._seat_link(party, up=False)

    async def _seat_link(self, party: str, *, up: bool) -> None:
        """The citizen of the seat's call told the agent's link is down or up again."""
        record = await self.queue.agent(party.removeprefix("agent."))
        if record is None or record.state != "on_call" or not record.call:
            return
        citizen = await self._redis.hget(keys.call_key(record.call), "citizen")
        if isinstance(citizen, str) and NAME.fullmatch(citizen):
            self.outbox.post(citizen, "frame", {
                "frame": encode(PeerLink(call_id=record.call, up=up)), "from": party})

    async def _seat_let_go(self, party: str) -> None:
        """A seat not back within the grace: logged out; its call ends as the single hub
        ends it (``hub``, ``disconnected``), its wrap-up owed for its next login."""
        agent_id = party.removeprefix("agent.")
        out = await self.queue.log_out(agent_id)
        if out.status != "refused" or not out.call_id:
            return
        ended = await self.queue.hang_up(out.call_id, "hub")
        if ended.status == "ended" and NAME.fullmatch(ended.citizen):
            self.outbox.post(ended.citizen, "frame", {"frame": encode(CallEnded(
                call_id=out.call_id, work_order_id=ended.work_order_id, ended_by="hub",
                reason="disconnected")), "from": party})
        await self.queue.log_out(agent_id)
