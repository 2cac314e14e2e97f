"""Parties arriving at a cluster's hub: logging in, joining the shared queue, coming back.

- **Welcome.** A party is welcomed (its ``hello`` answered) only once it is reachable in
  the cluster: its stream read and its presence held (``Session.cork``).
- **Joining.** The citizen's hub numbers the work order (the rule), writes what an
  agent's hub needs to offer the contact (``{seat}:details:<wo>``), holds the party
  ``citizen.<work order>`` and joins the shared queue; a join Redis refuses lets the
  citizen go here and answers ``busy``.
- **Adoption.** A citizen resuming here whose place or call another hub held (lost, or
  left) is adopted from Redis (its token names its party): a waiting place is kept here
  (``rehomed``: offered again in its place), a call is held here with the call's home
  told (``caller back``: the home sends ``call_started`` again).
- **A seat logging in** is held as ``agent.<seat>``, logged in to the shared queue, and
  takes up its call, owed wrap-up or ringing offer from Redis (``cluster_seats``).
- **Redis away at a login**: the party is not welcomed; it is told ``busy`` (排队服务暂时
  不可用，请稍后重试, which clients retry), the connection closed and the failure logged
  (``cluster_error``, ``login``); the hub goes on, and a login once Redis is back works. A
  citizen whose resume here already took its place or call back keeps them (logged only):
  closing it would end them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Final

import redis.asyncio as aioredis

from seat_common.protocol import Hello, Message
from seat_hub.cluster import keys
from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.cluster.outbox import StreamOutbox
from seat_hub.cluster.presence import NAME, resume_party
from seat_hub.cluster.queue_results import MalformedState
from seat_hub.connections.cluster_details import DETAILS_TTL_S, BadDetails, ContactDetails
from seat_hub.connections.cluster_parties import SHARED_ERRORS, HeldParties
from seat_hub.connections.cluster_seats import SeatBack
from seat_hub.connections.cluster_views import agent_party, citizen_party
from seat_hub.connections.errors import error_reply
from seat_hub.connections.floor import FloorHub
from seat_hub.context import HubContext, Refusal
from seat_hub.model import Contact
from seat_hub.parties.seats import hash_token
from seat_hub.parties.session import TRY_AGAIN_LATER, Session
from seat_hub.routing import queueing

#: What a party logging in is told when the cluster's Redis cannot be reached.
LOGIN_UNAVAILABLE: Final = ("排队服务暂时不可用，请稍后重试。 (the shared queue cannot be reached;"
                            " try again shortly)")


class Arrivals:
    """Welcomes, joins and adopts this hub's parties in the cluster (see the module's
    docstring). ``want_pass`` asks for a dispatch pass, ``want_positions`` for the shared
    queue shown to this hub's parties (``cluster_clock``)."""

    def __init__(self, ctx: HubContext, client: aioredis.Redis, *, queue: LiveQueue,
                 outbox: StreamOutbox, parties: HeldParties, seats: SeatBack,
                 hub: Callable[[], FloorHub], want_pass: Callable[[], None],
                 want_positions: Callable[[], None]) -> None:
        self.ctx = ctx
        self._redis = client
        self.queue = queue
        self.outbox = outbox
        self._parties = parties
        self._seats = seats
        self._hub = hub
        self._want_pass = want_pass
        self._want_positions = want_positions

    async def welcome(self, session: Session, message: Message,
                      route: Callable[[], Awaitable[None]]) -> None:
        """A ``hello`` (or anything before one): the login's rule, held back from the party
        until it is reachable in the cluster; a citizen resuming is adopted first."""
        token = message.resume if isinstance(message, Hello) \
            and message.role == "citizen" else ""
        resuming = bool(token)
        in_call: tuple[str, str] | None = None
        # Welcomed once reachable in the cluster: its stream read, its presence held.
        session.cork()
        routed = False
        try:
            if resuming and not self._hub().knows_resume_token(token):
                in_call = await self._adopt(token)
            await route()
            routed = True
            if session.role == "agent" and session.agent_id:
                await self._agent_arrived(session)
            elif resuming and session.role == "citizen":
                contact = self.ctx.live.contact_of_session.get(session.session_id)
                if contact is not None:
                    await self._rehomed(session, contact)
                elif in_call is not None:
                    await self._caller_back(session, *in_call)
        except SHARED_ERRORS as exc:
            self.ctx.log.event("cluster_error", where="login", session=session.session_id,
                               role=session.role or "", agent_id=session.agent_id,
                               error=repr(exc))
            # A citizen's resume already handed it its place or call here: closing would
            # end them, so it stays (welcomed, logged); anyone else is refused for now.
            if not routed or session.role != "citizen":
                self._unreachable(session, message)
        finally:
            session.uncork()

    def _unreachable(self, session: Session, message: Message) -> None:
        """Redis failed during a login: the party is not welcomed (what was held back for
        it is dropped), is told to try again (``busy``, which clients retry) and is closed;
        its departure undoes what the login did here."""
        session.uncork(send=False)
        session.send(error_reply("busy", LOGIN_UNAVAILABLE, "", message.TYPE))
        session.close(TRY_AGAIN_LATER, "the shared queue cannot be reached")

    async def join_shared(self, session: Session, contact: Contact) -> None:
        """The shared queue's join, or the citizen is let go here and refused."""
        try:
            await self._joined(session, contact)
        except SHARED_ERRORS as exc:
            self.ctx.log.event("cluster_error", where="join", error=repr(exc),
                               work_order_id=contact.work_order_id)
            await queueing.abandon(self.ctx, contact)
            party = citizen_party(contact.work_order_id)
            with contextlib.suppress(*SHARED_ERRORS):  # Redis away: nothing held there
                await self._parties.let_go_here(party)
            raise Refusal("busy", "排队服务暂时不可用，请稍后再试。 (the shared queue cannot be"
                          " reached)", "") from None

    async def _joined(self, session: Session, contact: Contact) -> None:
        """A citizen numbered and queued here joins the shared queue."""
        party = citizen_party(contact.work_order_id)
        details = ContactDetails.of(contact, party)
        await self._redis.set(keys.details_key(contact.work_order_id), details.encode(),
                              ex=DETAILS_TTL_S)
        await self._parties.keep(party, session)
        await self._parties.hold_citizen(party, session)
        await self.queue.join(contact.work_order_id, contact.skill, contact.priority, None,
                              party=party)
        self._want_pass()

    async def _adopt(self, token: str) -> tuple[str, str] | None:
        """A citizen resumes here whose place or call another hub held (lost, or left): a
        place still waiting in the shared queue is kept here for its token; for a call,
        the token is (its party and the call's home are answered: ``_caller_back``)."""
        key = hash_token(token)
        party = await resume_party(self._redis, key)
        if party is None or not party.startswith("citizen."):
            return None  # unknown or expired: the login refuses the resume
        work_order_id = party.removeprefix("citizen.")
        waiting = await self.queue.contact(work_order_id) is not None
        home = None if waiting else await self._redis.get(keys.home_key(party))
        if not waiting and not isinstance(home, str):
            return None  # answered and over, or gone meanwhile
        try:
            details = ContactDetails.decode(
                await self._redis.get(keys.details_key(work_order_id)), work_order_id)
        except BadDetails as exc:
            self.ctx.log.event("cluster_message_skipped", party=party, type="details",
                               error=str(exc)[:300])
            return None
        if isinstance(home, str):
            self._hub().adopt_caller(role=details.role, name=details.name, resume_key=key)
            return party, home
        item = self.ctx.catalog.item(details.item_code)
        if item is not None:
            self._hub().adopt_place(lambda session: details.contact(item, session),
                                    role=details.role, name=details.name, resume_key=key)
        return None

    async def _caller_back(self, session: Session, party: str, home: str) -> None:
        """A citizen in a call homed on ``home`` resumed here: held here, and the home
        sends ``call_started`` again (signaling resumes; both sides renew the media)."""
        self._parties.homes[session.session_id] = home
        await self._parties.keep(party, session)
        await self._parties.hold_citizen(party, session)
        self.outbox.post(home, "back", {"from": party})
        self.ctx.log.event("cluster_rehomed", party=party, session=session.session_id,
                           home=home)

    async def _rehomed(self, session: Session, contact: Contact) -> None:
        """A waiting citizen resumed on this hub: held here, offered again in its place."""
        party = citizen_party(contact.work_order_id)
        await self._parties.keep(party, session)
        await self._parties.hold_citizen(party, session)
        await self.queue.park(contact.work_order_id, False)
        self.ctx.log.event("cluster_rehomed", party=party, session=session.session_id)
        self._want_pass()

    async def _agent_arrived(self, session: Session) -> None:
        agent = self.ctx.live.agents.get(session.agent_id)
        if agent is None or agent.session is not session or not NAME.fullmatch(
                session.agent_id):
            return
        party = agent_party(agent.agent_id)
        await self._parties.keep(party, session)
        await self._parties.hold(party, session)
        await self.queue.log_in(agent.agent_id, party, agent.mode, agent.seat.skills)
        self._want_positions()  # the seat's queue view from the shared queue
        try:
            await self._seats.take_up(agent, party, await self.queue.agent(agent.agent_id))
        except (BadDetails, MalformedState) as exc:
            self.ctx.log.event("cluster_message_skipped", party=party, type="seat",
                               error=str(exc)[:300])
