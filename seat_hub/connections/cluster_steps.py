"""A message from a party of a cluster's hub, through the shared queue's step to the rule.

``ClusterFloor.handle`` hands every message here with the rule that handles it
(``route``):

- a ``hello`` (or anything before one) is the party's arrival (``cluster_arrivals``);
- what a citizen in a call homed on another hub says in the call is relayed to the home's
  agent stream (``relay``), where the home hands it to ``Hub.receive`` as from the
  citizen's ``RemoteSession``; materials and consents, which live with the call's home,
  are refused;
- a ``hold`` runs the rule at the call's home and is kept on the call's hash, so a seat
  taking the call up elsewhere has the citizen still on hold (``cluster_seats``);
- what a cluster's hubs do not share yet (transfer, consult, watching, walk-ins, moving
  a contact) is refused with ``not_allowed`` and a message saying so, never half
  done;
- a supervisor's ``subscribe_wall`` is shown the whole city's wall (``cluster_wall``),
  a ``whisper`` or ``supervise_state`` reaches its seat on any hub, and a raised hand
  shows on every hub's wall (``cluster_supervision``);
- the rest runs the shared queue's step: joining (told ``Queued`` only once in the shared
  queue), leaving, set-state and set-mode (the rule, then the script); accept, decline,
  hang-up and wrap-up (the script first, which also appends the ledger write, then the
  rule).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

import redis.asyncio as aioredis

from seat_common.protocol import (
    Accept,
    AssistTrail,
    BargeIn,
    CertificateConsent,
    CertificateConsentAnswer,
    Chat,
    Consult,
    ConsultAnswer,
    ConsultChoice,
    ConsultSdp,
    Decline,
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
from seat_hub.cluster import keys
from seat_hub.cluster.live_queue import LiveQueue
from seat_hub.cluster.outbox import StreamOutbox
from seat_hub.connections.cluster_arrivals import Arrivals
from seat_hub.connections.cluster_details import DETAILS_TTL_S
from seat_hub.connections.cluster_parties import HeldParties
from seat_hub.connections.cluster_seats import SeatBack
from seat_hub.connections.cluster_supervision import SharedSupervision
from seat_hub.connections.cluster_views import citizen_party
from seat_hub.connections.cluster_wall import SharedWall
from seat_hub.context import HubContext, Refusal
from seat_hub.parties.remote_session import RemoteSession
from seat_hub.parties.session import Session

#: What a citizen in a call homed on another hub says that goes to that hub.
RELAYED: Final = (Sdp, Ice, Chat, MediaState, Hangup, Rate, ScreenShare)
#: What a citizen in a call homed on another hub may not send yet (materials and consents
#: live with the call's home): refused, never half done.
NOT_RELAYED: Final = (UploadStart, CertificateConsent, CertificateConsentAnswer)
#: What a cluster's hubs do not share yet: refused, never half done.
NOT_SHARED: Final = (
    Transfer, Consult, ConsultAnswer, ConsultSdp, ConsultChoice, WatchCall, BargeIn,
    JoinCall, StopWatch, WatchSdp, WalkInOpen, WalkInClose, MoveContact,
    AssistTrail,
)


class SharedSteps:
    """Routes this hub's messages through the shared queue (see the module's docstring).
    ``want_pass`` asks for a dispatch pass (``cluster_clock``)."""

    def __init__(self, ctx: HubContext, client: aioredis.Redis, *, queue: LiveQueue,
                 outbox: StreamOutbox, parties: HeldParties, arrivals: Arrivals,
                 seats: SeatBack, wall: SharedWall, supervision: SharedSupervision,
                 want_pass: Callable[[], None]) -> None:
        self.ctx = ctx
        self._redis = client
        self.queue = queue
        self.outbox = outbox
        self._parties = parties
        self._arrivals = arrivals
        self._seats = seats
        self._wall = wall
        self._supervision = supervision
        self._want_pass = want_pass

    async def handle(self, session: Session, message: Message,
                     route: Callable[[], Awaitable[None]]) -> None:
        """``message`` from a session of this hub (or a citizen's stand-in here): relayed to
        its call's home, refused, or the shared step and the rule (``route``)."""
        if isinstance(session, RemoteSession):
            await self._shared_step(session, message, route)
            return
        if session.role is None or isinstance(message, Hello):
            await self._arrivals.welcome(session, message, route)
            return
        home = self._parties.homes.get(session.session_id)
        if home is not None:
            if isinstance(message, RELAYED):
                self.outbox.post(home, "relay", {
                    "from": self._parties.party_of.get(session.session_id, ""),
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
                        await self._arrivals.join_shared(session, contact)
                    joined = True
                finally:
                    session.uncork(send=joined)
            case LeaveQueue():
                contact = ctx.live.contact_of_session.get(session.session_id)
                await route()
                if contact is not None:
                    await self.queue.abandon(contact.work_order_id)
                    await self._parties.let_go_here(citizen_party(contact.work_order_id))
                    self._want_pass()
            case SetState():
                await route()
                await self.queue.set_state(session.agent_id, message.state, message.reason)
                self._want_pass()
            case SetMode():
                await route()
                await self.queue.set_mode(session.agent_id, message.mode)
                self._want_pass()
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
                self._want_pass()
            case Hangup():
                call = ctx.live.calls.get(message.call_id)
                if call is not None and call.has_party(session) and session.role in (
                        "citizen", "kiosk", "agent"):
                    await self.queue.hang_up(call.call_id, session.role)
                await route()
            case SubscribeWall():
                await self._wall.subscribe(session)  # the city's wall, not this hub's
            case Whisper():
                await self._supervision.whisper(session, message, route)
            case SuperviseState():
                await self._supervision.supervise_state(session, message, route)
            case Hold():
                await route()
                await self._seats.keep_hold(message.call_id)  # for a take-up elsewhere
            case RaiseHand():
                await route()
                await self._supervision.hand_changed(session.agent_id)  # for every wall
            case WrapUp():
                ended = ctx.live.ended.get(message.work_order_id)
                if ended is not None and ended.agent_id == session.agent_id \
                        and not ended.closed and message.outcome != "abandoned":
                    await self.queue.wrap_up_done(session.agent_id, message.work_order_id,
                                                  message.outcome, message.notes)
                await route()
                self._want_pass()
            case _:
                await route()
