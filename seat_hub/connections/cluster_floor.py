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
- **Not yet shared** (transfer, consult, watching, walk-ins, the wall, hands, moving a
  contact): refused with ``not_allowed`` and a message saying so, never half done.

What the streams bring is ``cluster_mail``'s; what this hub's parties are shown of the
shared queue, ``cluster_views``'.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from seat_common.protocol import (
    Accept,
    AssistTrail,
    BargeIn,
    CallEnded,
    CertificateConsent,
    CertificateConsentAnswer,
    Chat,
    Consult,
    ConsultAnswer,
    ConsultChoice,
    ConsultSdp,
    Decline,
    Error,
    Hangup,
    Hello,
    Hold,
    Ice,
    JoinCall,
    JoinQueue,
    LeaveQueue,
    MediaState,
    Message,
    MoveContact,
    PeerLink,
    RaiseHand,
    Rate,
    ScreenShare,
    Sdp,
    SetMode,
    SetState,
    StopWatch,
    SubscribeWall,
    SuperviseState,
    Transfer,
    UploadStart,
    WalkInClose,
    WalkInOpen,
    WatchCall,
    WatchSdp,
    Whisper,
    WrapUp,
    encode,
)
from seat_common.tasks import TaskOwner
from seat_hub.cluster import keys
from seat_hub.cluster.bus import Signal, SignalReader
from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.cluster.outbox import StreamOutbox
from seat_hub.cluster.presence import (
    NAME,
    SHA256,
    Presence,
    PresenceError,
    issue_resume,
    resume_party,
)
from seat_hub.cluster.queue_results import MalformedState
from seat_hub.cluster.sweeper import Sweep
from seat_hub.connections.cluster_details import BadDetails, ContactDetails
from seat_hub.connections.cluster_mail import HubMail
from seat_hub.connections.cluster_seats import SeatBack
from seat_hub.connections.cluster_views import SharedQueueViews, agent_party, citizen_party
from seat_hub.connections.floor import FloorHub
from seat_hub.context import HubContext, Refusal
from seat_hub.model import Contact
from seat_hub.parties.remote_session import RemoteSession
from seat_hub.parties.seats import hash_token
from seat_hub.parties.session import POLICY_VIOLATION, Session
from seat_hub.routing import queueing

#: What a citizen in a call homed on another hub says that goes to that hub.
RELAYED: Final = (Sdp, Ice, Chat, MediaState, Hangup, Rate, ScreenShare)
#: What a citizen in a call homed on another hub may not send yet (materials and consents
#: live with the call's home): refused, never half done.
NOT_RELAYED: Final = (UploadStart, CertificateConsent, CertificateConsentAnswer)
#: What a cluster's hubs do not share yet: refused, never half done.
NOT_SHARED: Final = (
    Transfer, Hold, Consult, ConsultAnswer, ConsultSdp, ConsultChoice, WatchCall, BargeIn,
    JoinCall, StopWatch, WatchSdp, WalkInOpen, WalkInClose, RaiseHand, MoveContact,
    SubscribeWall, Whisper, SuperviseState, AssistTrail,
)
#: How long a contact's details are kept (a day: longer than any wait).
DETAILS_TTL_S: Final = 86_400
#: How often a dispatch pass runs when nothing asked for one, and rings are timed out.
PASS_EVERY_S: Final = 1.0
RINGS_EVERY_S: Final = 0.5
#: How often waiting citizens are told their places when nothing here moved them.
POSITIONS_EVERY_S: Final = 2.0

_SHARED_ERRORS: Final = (RedisError, OSError, MalformedState, PresenceError, ValueError)


class ClusterFloor:
    """The shared floor of a cluster's hub (see the module's docstring). Built by the
    composition root; ``attach`` the hub, then ``start``; ``close`` at stop."""

    def __init__(self, ctx: HubContext, client: aioredis.Redis, reader_client: aioredis.Redis,
                 *, queue: LiveQueue, presence: Presence, outbox: StreamOutbox,
                 tasks: TaskOwner, name: str) -> None:
        self.ctx = ctx
        self.queue = queue
        self.presence = presence
        self.outbox = outbox
        self._redis = client
        self._tasks = tasks
        self._hub: FloorHub | None = None
        #: party → the local session holding it, and back
        self._local: dict[str, Session] = {}
        self._party_of: dict[str, str] = {}
        #: local citizen's session id → the party whose hub runs its call (its agent)
        self._homes: dict[str, str] = {}
        #: citizen party → its stand-in here, for calls homed on this hub
        self._remotes: dict[str, RemoteSession] = {}
        #: what the streams bring for the parties this hub holds
        self.mail = HubMail(ctx, client, queue, outbox, lambda: self.hub, local=self._local,
                            homes=self._homes, remotes=self._remotes)
        self.reader = SignalReader(reader_client, self._deliver, name=name)
        #: takes up the call, wrap-up or offer of a seat logging in here from another hub
        self.seats = SeatBack(ctx, client, outbox.post, self._remotes, self.mail.ring)
        self._pass_wanted = asyncio.Event()
        self._positions_wanted = asyncio.Event()
        ctx.plans_offers = False
        #: what this hub's citizens and seats are shown of the shared queue
        self.views = SharedQueueViews(ctx, client, self._local)

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
        self._tasks.spawn(self._dispatching(), "cluster dispatch")
        self._tasks.spawn(self._timing_rings(), "cluster ring timeouts")
        self._tasks.spawn(self._telling_positions(), "cluster queue positions")

    async def close(self) -> None:
        """Stop reading and posting; the hub's key goes, so the survivors' sweepers park
        what this hub held."""
        await self.outbox.close()
        await self.reader.close()
        try:
            await self.presence.close()
        except _SHARED_ERRORS as exc:
            self.ctx.log.event("cluster_error", where="presence close", error=repr(exc))

    def want_pass(self) -> None:
        """Ask for a dispatch pass soon (passes asked for meanwhile are one), and for this
        hub's waiting citizens to be told their places after it."""
        self._pass_wanted.set()

    # --- messages from this hub's sessions ----------------------------------------------

    async def handle(self, session: Session, message: Message,
                     route: Callable[[], Awaitable[None]]) -> None:
        if isinstance(session, RemoteSession):
            await self._shared_step(session, message, route)
            return
        if session.role is None or isinstance(message, Hello):
            token = message.resume if isinstance(message, Hello) \
                and message.role == "citizen" else ""
            resuming = bool(token)
            in_call: tuple[str, str] | None = None
            if resuming and not self.hub.knows_resume_token(token):
                in_call = await self._adopt(token)
            # Welcomed once reachable in the cluster: its stream read, its presence held.
            session.cork()
            try:
                await route()
                if session.role == "agent" and session.agent_id:
                    await self._agent_arrived(session)
                elif resuming and session.role == "citizen":
                    contact = self.ctx.live.contact_of_session.get(session.session_id)
                    if contact is not None:
                        await self._rehomed(session, contact)
                    elif in_call is not None:
                        await self._caller_back(session, *in_call)
            finally:
                session.uncork()
            return
        home = self._homes.get(session.session_id)
        if home is not None:
            if isinstance(message, RELAYED):
                self.outbox.post(home, "relay", {
                    "from": self._party_of.get(session.session_id, ""),
                    "role": session.role, "name": session.name, "frame": encode(message)})
                return
            if isinstance(message, JoinQueue):
                raise Refusal("already_queued", "you are in a call", "item_code")
            if isinstance(message, NOT_RELAYED):
                raise Refusal("not_allowed", f"多中心模式下暂不支持此功能（{message.TYPE}，通话在"
                              f"另一中心） / not yet shared by a city's hubs", "type")
        if isinstance(message, NOT_SHARED):
            raise Refusal("not_allowed", f"多中心模式下暂不支持此功能（{message.TYPE}）"
                          f" / not yet shared by a city's hubs", "type")
        await self._shared_step(session, message, route)

    async def _shared_step(self, session: Session, message: Message,
                           route: Callable[[], Awaitable[None]]) -> None:
        """The shared queue's step for ``message`` (a script), then the hub's rule."""
        ctx = self.ctx
        match message:
            case JoinQueue():
                # Told ``Queued`` only once in the shared queue, where the agents are.
                session.cork()
                joined = False
                try:
                    await route()
                    contact = ctx.live.contact_of_session.get(session.session_id)
                    if contact is not None:
                        await self._join_shared(session, contact)
                    joined = True
                finally:
                    session.uncork(send=joined)
            case LeaveQueue():
                contact = ctx.live.contact_of_session.get(session.session_id)
                await route()
                if contact is not None:
                    await self.queue.abandon(contact.work_order_id)
                    await self._let_go_here(citizen_party(contact.work_order_id))
                    self.want_pass()
            case SetState():
                await route()
                await self.queue.set_state(session.agent_id, message.state, message.reason)
                self.want_pass()
            case SetMode():
                await route()
                await self.queue.set_mode(session.agent_id, message.mode)
                self.want_pass()
            case Accept():
                answer = await self.queue.accept(session.agent_id, message.call_id)
                if answer.status not in ("started", "already"):
                    raise Refusal("no_such_call", "no such offer ringing at this seat",
                                  "call_id")
                await route()
                call = ctx.live.calls.get(message.call_id)
                if call is not None and isinstance(call.citizen_session, RemoteSession):
                    # Where the citizen's hub, or the one it comes back to, finds the call.
                    await self._redis.set(keys.home_key(call.citizen_session.party),
                                          call.citizen_session.home, ex=DETAILS_TTL_S)
            case Decline():
                await self.queue.decline(session.agent_id, message.call_id)
                await route()
                self.want_pass()
            case Hangup():
                call = ctx.live.calls.get(message.call_id)
                if call is not None and call.has_party(session) and session.role in (
                        "citizen", "kiosk", "agent"):
                    await self.queue.hang_up(call.call_id, session.role)
                await route()
            case WrapUp():
                ended = ctx.live.ended.get(message.work_order_id)
                if ended is not None and ended.agent_id == session.agent_id \
                        and not ended.closed and message.outcome != "abandoned":
                    await self.queue.wrap_up_done(session.agent_id, message.work_order_id,
                                                  message.outcome, message.notes)
                await route()
                self.want_pass()
            case _:
                await route()

    async def _join_shared(self, session: Session, contact: Contact) -> None:
        """The shared queue's join, or the citizen is let go here and refused."""
        try:
            await self._joined(session, contact)
        except _SHARED_ERRORS as exc:
            self.ctx.log.event("cluster_error", where="join", error=repr(exc),
                               work_order_id=contact.work_order_id)
            await queueing.abandon(self.ctx, contact)
            party = citizen_party(contact.work_order_id)
            with contextlib.suppress(*_SHARED_ERRORS):  # Redis away: nothing held there
                await self._let_go_here(party)
            raise Refusal("busy", "排队服务暂时不可用，请稍后再试。 (the shared queue cannot be"
                          " reached)", "") from None

    async def _joined(self, session: Session, contact: Contact) -> None:
        """A citizen numbered and queued here joins the shared queue."""
        party = citizen_party(contact.work_order_id)
        details = ContactDetails.of(contact, party)
        await self._redis.set(keys.details_key(contact.work_order_id), details.encode(),
                              ex=DETAILS_TTL_S)
        self._local[party] = session
        self._party_of[session.session_id] = party
        await self.reader.add(party)
        await self._hold_citizen(party, session)
        await self.queue.join(contact.work_order_id, contact.skill, contact.priority, None,
                              party=party)
        self.want_pass()

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
            self.hub.adopt_caller(role=details.role, name=details.name, resume_key=key)
            return party, home
        item = self.ctx.catalog.item(details.item_code)
        if item is not None:
            self.hub.adopt_place(lambda session: details.contact(item, session),
                                 role=details.role, name=details.name, resume_key=key)
        return None

    async def _caller_back(self, session: Session, party: str, home: str) -> None:
        """A citizen in a call homed on ``home`` resumed here: held here, and the home
        sends ``call_started`` again (signaling resumes; both sides renew the media)."""
        self._local[party] = session
        self._party_of[session.session_id] = party
        self._homes[session.session_id] = home
        await self.reader.add(party)
        await self._hold_citizen(party, session)
        self.outbox.post(home, "back", {"from": party})
        self.ctx.log.event("cluster_rehomed", party=party, session=session.session_id,
                           home=home)

    async def _rehomed(self, session: Session, contact: Contact) -> None:
        """A waiting citizen resumed on this hub: held here, offered again in its place."""
        party = citizen_party(contact.work_order_id)
        self._local[party] = session
        self._party_of[session.session_id] = party
        await self.reader.add(party)
        await self._hold_citizen(party, session)
        await self.queue.park(contact.work_order_id, False)
        self.ctx.log.event("cluster_rehomed", party=party, session=session.session_id)
        self.want_pass()

    async def _hold_citizen(self, party: str, session: Session) -> None:
        resume = session.resume_key if SHA256.fullmatch(session.resume_key) else ""
        await self._hold(party, session, resume)
        if resume:
            timing = self.presence.timing
            await issue_resume(self._redis, resume, party, timing.party_ttl_ms + timing.grace_ms)

    async def _agent_arrived(self, session: Session) -> None:
        agent = self.ctx.live.agents.get(session.agent_id)
        if agent is None or agent.session is not session or not NAME.fullmatch(
                session.agent_id):
            return
        party = agent_party(agent.agent_id)
        self._local[party] = session
        self._party_of[session.session_id] = party
        await self.reader.add(party)
        await self._hold(party, session)
        await self.queue.log_in(agent.agent_id, party, agent.mode, agent.seat.skills)
        self._positions_wanted.set()  # the seat's queue view from the shared queue
        try:
            await self.seats.take_up(agent, party, await self.queue.agent(agent.agent_id))
        except (BadDetails, MalformedState) as exc:
            self.ctx.log.event("cluster_message_skipped", party=party, type="seat",
                               error=str(exc)[:300])

    # --- departures ---------------------------------------------------------------------

    def departed(self, session: Session, dropped: bool, clean_up: Callable[[], None]) -> None:
        party = self._party_of.pop(session.session_id, None)
        home = self._homes.pop(session.session_id, None)
        if dropped and not self.hub.stopping and party is not None \
                and self._local.get(party) is session:
            self._release_call(session)
        clean_up()
        if party is None or self._local.get(party) is not session:
            return
        del self._local[party]
        if self.hub.stopping:
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
        try:
            if home is not None and dropped and ctx.settings.resume_grace_s > 0:
                # In a call: kept for the grace (any hub may take the resume); the sweeper
                # lets it go after, and the home ends the call then.
                self.outbox.post(home, "link", {"from": party, "up": False})
                await self.presence.park(party)
                await self.reader.remove(party)
            elif home is not None:
                self.outbox.post(home, "gone", {"from": party})
                await self._let_go_here(party)
            elif party.startswith("citizen."):
                work_order_id = party.removeprefix("citizen.")
                if work_order_id in ctx.live.contacts:  # parked here for the grace
                    await self.queue.park(work_order_id, True)
                    await self.presence.park(party)
                    await self.reader.remove(party)
                else:
                    await self.queue.abandon(work_order_id)
                    await self._let_go_here(party)
            else:
                record = await self.queue.agent(session.agent_id)
                if dropped and record is not None and record.state == "on_call" \
                        and ctx.settings.resume_grace_s > 0:
                    await self.presence.park(party)  # its call waits for it (any hub)
                    await self.reader.remove(party)
                else:
                    await self.queue.log_out(session.agent_id)
                    await self._let_go_here(party)
        except _SHARED_ERRORS as exc:
            ctx.log.event("cluster_error", where="departure", party=party, error=repr(exc))
        self.want_pass()

    async def _let_go_here(self, party: str) -> None:
        """This hub no longer holds ``party`` (it left, or moved on)."""
        session = self._local.pop(party, None)
        if session is not None:
            self._party_of.pop(session.session_id, None)
        await self.reader.remove(party)
        await self.presence.release(party)

    async def _hold(self, party: str, session: Session, resume: str = "") -> None:
        """Hold ``party`` on ``session`` here; a holder elsewhere is told at once (``taken``
        on the party's stream, which it reads), not only at its next renewal."""
        connection = _connection(session)
        previous, _ = await self.presence.hold(party, connection, resume_sha256=resume)
        if previous is not None and (previous.hub, previous.connection) != (
                self.presence.hub, connection):
            self.outbox.post(party, "taken", {"by": f"{self.presence.hub}:{connection}"})

    def _taken(self, party: str, body: Mapping[str, Any]) -> None:
        """A ``taken`` on a party's stream: unless it names this hub's own connection for
        it, another holds the party now."""
        by = body.get("by")
        session = self._local.get(party)
        if session is None or not isinstance(by, str):
            return
        if by != f"{self.presence.hub}:{_connection(session)}":
            self.taken_over(party)

    def taken_over(self, party: str) -> None:
        """Another hub holds ``party`` now: this hub's connection is told and closed."""
        session = self._local.pop(party, None)
        if session is None:
            return
        self._party_of.pop(session.session_id, None)
        self._homes.pop(session.session_id, None)
        self.ctx.log.event("login_takeover", session=session.session_id, party=party,
                           by="another hub")
        session.send(Error(code="taken_over", field="", of="hello",
                           message="logged in again on another hub; this connection is closed"))
        session.close(POLICY_VIOLATION, "taken over by a newer login")
        self._tasks.spawn(self.reader.remove(party), f"cluster stop reading {party}")

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
            except _SHARED_ERRORS as exc:
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
            except _SHARED_ERRORS as exc:
                self.ctx.log.event("cluster_error", where="let go", party=party,
                                   error=repr(exc))
            self.ctx.log.event("cluster_let_go", party=party)
        if sweep.dead_hubs:
            self.ctx.log.event("cluster_hubs_dead", hubs=sweep.dead_hubs, parked=sweep.parked)
        self.want_pass()

    async def _seat_lost(self, party: str) -> None:
        """A seat's hub died: the citizen of its call is told the agent's link is down."""
        record = await self.queue.agent(party.removeprefix("agent."))
        if record is None or record.state != "on_call" or not record.call:
            return
        citizen = await self._redis.hget(keys.call_key(record.call), "citizen")
        if isinstance(citizen, str) and NAME.fullmatch(citizen):
            self.outbox.post(citizen, "frame", {
                "frame": encode(PeerLink(call_id=record.call, up=False)), "from": party})

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

    async def _deliver(self, party: str, entry_id: str, signal: Signal) -> None:
        self.presence.delivered(party, entry_id)
        if signal.type == "taken":
            self._taken(party, signal.body)
            return
        await self.mail.deliver(party, entry_id, signal)

    # --- the shared queue's clock -------------------------------------------------------

    async def _dispatching(self) -> None:
        """Dispatch passes: when asked for, and once a second (a hub that died between a
        join and its pass leaves nothing waiting for long)."""
        while True:
            try:
                async with asyncio.timeout(PASS_EVERY_S):
                    await self._pass_wanted.wait()
            except TimeoutError:
                pass
            self._pass_wanted.clear()
            try:
                plan = await self.queue.dispatch()
            except _SHARED_ERRORS as exc:
                self.ctx.log.event("cluster_error", where="dispatch", error=repr(exc))
                await asyncio.sleep(PASS_EVERY_S)  # Redis away: the next pass after a pause
                continue
            for offered in plan.offers:
                self.ctx.log.event("cluster_offer", call_id=offered.call_id,
                                   work_order_id=offered.work_order_id,
                                   agent_id=offered.agent_id, dispatch_ms=offered.dispatch_ms)
            self._positions_wanted.set()

    async def _telling_positions(self) -> None:
        """This hub's waiting citizens told their places in the shared queue: after a
        dispatch pass here, and every ``POSITIONS_EVERY_S`` (other hubs' passes and joins
        move them too)."""
        while True:
            try:
                async with asyncio.timeout(POSITIONS_EVERY_S):
                    await self._positions_wanted.wait()
            except TimeoutError:
                pass
            self._positions_wanted.clear()
            try:
                await self.views.tell_positions()
                await self.views.show_queue()
            except _SHARED_ERRORS as exc:
                self.ctx.log.event("cluster_error", where="positions", error=repr(exc))

    async def _timing_rings(self) -> None:
        while True:
            await asyncio.sleep(RINGS_EVERY_S)  # a period, not a wait for a condition
            try:
                if await self.queue.ring_timeouts():
                    self.want_pass()
            except _SHARED_ERRORS as exc:
                self.ctx.log.event("cluster_error", where="ring timeouts", error=repr(exc))


def _connection(session: Session) -> str:
    """A session's id as a presence value's connection part."""
    return session.session_id if NAME.fullmatch(session.session_id) else "connection"

