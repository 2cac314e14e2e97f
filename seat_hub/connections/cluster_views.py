"""What a cluster's hub shows its own parties of the shared queue: each waiting citizen it
holds its place among every hub's citizens (``QueuePosition``), each seat it holds the
queue of its skills (``QueueSnapshot``).

A hub's ``QueueViews`` count only the contacts in its own memory; on a cluster's hub they
are told not to tell positions nor publish snapshots (the snapshot at login stays), and
``SharedQueueViews`` does it from Redis: the rank of each citizen in its skill's queue and
the agents on duty for it (``{seat}:staff:<skill>``), and the first ``SHOWN_PER_SKILL``
waiting citizens of each skill, in the ACD's order, built from their details. Each is
sent when it changed since last sent from here. A citizen whose link is down keeps its
place and is marked (``link_lost_until``) with what is left of its grace, as on a single
hub.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Final

import redis.asyncio as aioredis

from seat_common.protocol import QueueEntry, QueuePosition, QueueSnapshot
from seat_hub.cluster import keys
from seat_hub.connections.cluster_details import BadDetails, ContactDetails
from seat_hub.context import HubContext
from seat_hub.model import Contact
from seat_hub.parties.remote_session import RemoteSession
from seat_hub.parties.session import Session
from seat_hub.routing import queueviews

#: Waiting citizens of one skill shown to the seats (the first ones, served next).
SHOWN_PER_SKILL: Final = 500
#: Parked citizens' grace deadlines kept moved to this hub's clock (forgotten past it).
MOVED_KEPT: Final = 4096


def agent_party(agent_id: str) -> str:
    """The party of a seat: the same on every hub, across reconnects."""
    return f"agent.{agent_id}"


def citizen_party(work_order_id: str) -> str:
    """The party of a waiting citizen: its work order, the same on every hub."""
    return f"citizen.{work_order_id}"


def _nowhere(party: str, kind: str, body: Mapping[str, Any]) -> None:
    """Where a contact only listed in a seat's queue view would post: it never does."""


class SharedQueueViews:
    """The shared queue as this hub's parties see it (see the module's docstring).
    ``local`` is the hub's party → session map (the floor's, read here)."""

    def __init__(self, ctx: HubContext, client: aioredis.Redis,
                 local: Mapping[str, Session]) -> None:
        self.ctx = ctx
        self._redis = client
        self._local = local
        ctx.queue_views.tells_positions = False
        ctx.queue_views.shows_snapshots = False
        #: work order → (position, agents on duty) its citizen was last told from here
        self._told: dict[str, tuple[int, int]] = {}
        #: agent id → the shared queue's snapshot last sent to the seat from here
        self._shown: dict[str, tuple[QueueEntry, ...]] = {}
        #: the session of a contact only listed in a queue view (``show_queue``)
        self._listed = RemoteSession("listed", "listed", "citizen", "", _nowhere)
        #: work order → (grace deadline in Redis's ms, the same on this hub's clock)
        self._moved: dict[str, tuple[float, float]] = {}

    async def show_queue(self) -> None:
        """Each seat held here shown the shared queue of its skills (``QueueSnapshot``),
        when it changed since last shown: the citizens waiting on every hub, in the ACD's
        order (band and join time; an offered contact is out of the queue)."""
        agents = [agent for agent in self.ctx.live.agents.values()
                  if self._local.get(agent_party(agent.agent_id)) is agent.session]
        skills = {skill for agent in agents for skill in agent.seat.skills}
        if not skills:
            return
        rows = queueviews.queue_rows(await self.waiting(skills))
        shown, self._shown = self._shown, {}
        for agent in agents:
            entries = self._shown[agent.agent_id] = queueviews.snapshot_for(agent, rows)
            if shown.get(agent.agent_id) != entries:
                agent.session.send(QueueSnapshot(entries=entries))

    async def waiting(self, skills: Collection[str]) -> list[Contact]:
        """The citizens waiting for ``skills`` on every hub (the first ``SHOWN_PER_SKILL``
        of each), in the ACD's order, as contacts only listed here, marked when their link
        is down. Contacts whose details are gone or unreadable are left out."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for skill in sorted(skills):
                pipe.zrange(keys.queue_key(skill), 0, SHOWN_PER_SKILL - 1, withscores=True)
            lines = await pipe.execute()
        order: list[tuple[float, str]] = [
            (float(score), str(wo)) for line in lines for wo, score in line]
        order.sort()
        details, lost = await self._details(order)
        contacts: list[Contact] = []
        for (_, work_order_id), raw in zip(order, details, strict=True):
            try:
                known = ContactDetails.decode(raw, work_order_id)
            except BadDetails:
                continue  # written a moment later, or not a hub's: left out of the view
            item = self.ctx.catalog.item(known.item_code)
            if item is not None:
                contact = known.contact(item, self._listed)
                contact.link_lost_until = lost.get(work_order_id, 0.0)
                contacts.append(contact)
        return contacts

    async def _details(self, order: list[tuple[float, str]]
                       ) -> tuple[list[Any], dict[str, float]]:
        """The details of the listed work orders, and for those whose citizen's link is
        down (parked, ``{seat}:parked``) the end of its grace on this hub's clock: the
        deadline is in Redis's ms, so it is read beside Redis's time and moved over."""
        if not order:
            return [], {}
        listed = [wo for _, wo in order]
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.mget([keys.details_key(wo) for wo in listed])
            pipe.zmscore(keys.PARKED, [citizen_party(wo) for wo in listed])
            pipe.time()
            details, deadlines, (seconds, micros) = await pipe.execute()
        redis_now = int(seconds) + int(micros) / 1e6
        now = self.ctx.clock()
        if len(self._moved) > MOVED_KEPT:
            self._moved.clear()
        lost: dict[str, float] = {}
        for wo, deadline in zip(listed, deadlines, strict=True):
            if deadline is None:
                self._moved.pop(wo, None)
                continue
            same = self._moved.get(wo)  # the same deadline keeps its time: no resend
            if same is None or same[0] != deadline:
                same = self._moved[wo] = (
                    deadline, now + max(0.0, float(deadline) / 1000 - redis_now))
            lost[wo] = same[1]
        return list(details), lost

    async def tell_positions(self) -> None:
        """Each waiting citizen held here told its place (rank in its skill's queue) and
        the agents on duty for it, when either changed since last told."""
        waiting = [contact for contact in self.ctx.live.contacts.values()
                   if contact.offer is None and contact.session.open
                   and self._local.get(citizen_party(contact.work_order_id)) is contact.session]
        told, self._told = self._told, {}
        if not waiting:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for contact in waiting:
                pipe.zrank(keys.queue_key(contact.skill), contact.work_order_id)
                pipe.scard(keys.staff_key(contact.skill))
            answers = await pipe.execute()
        for i, contact in enumerate(waiting):
            rank, duty = answers[2 * i], answers[2 * i + 1]
            if not isinstance(rank, int) or not isinstance(duty, int):
                continue  # offered or parked meanwhile: no place to tell
            place = (rank + 1, duty)
            self._told[contact.work_order_id] = place
            if told.get(contact.work_order_id) != place:
                contact.session.send(QueuePosition(
                    work_order_id=contact.work_order_id, position=place[0],
                    expected_wait_s=self.ctx.queue_views.expected_wait(contact, place[0],
                                                                       duty),
                    agents_on_duty=duty))
