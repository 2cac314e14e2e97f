"""The hub's front desk: who may send what, and to which handler it goes.

``Hub.receive`` takes one decoded message from a session: before ``Hello``
only ``Hello`` is accepted; after it, ``protocol.SENDABLE_BY`` decides what
the session's role may send, and the message goes to its handler
(``presence``, ``queueing``, ``dispatch``, ``calls``). A handler refuses
with ``Refusal``; the hub answers the sender with an ``Error`` naming the
field and the message type, and nothing else happens. After every message
the ACD settles (offers whoever can be offered now). ``Hub.disconnected``
(``departures``) undoes what a gone client leaves behind; ``hello`` is checked by
``login.LoginDesk``. Queue joins are counted per address
(``ratelimit.AddressLimits``, which the server also uses for connections).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from seat_common.protocol import (
    SENDABLE_BY,
    Accept,
    AssistTrail,
    BargeIn,
    BookingMade,
    CertificateConsent,
    CertificateConsentAnswer,
    CertificateConsentRequest,
    Chat,
    Consult,
    ConsultAnswer,
    ConsultChoice,
    ConsultSdp,
    ContactSummary,
    Decline,
    FetchAudit,
    FetchBookedMaterial,
    FetchCatalog,
    FetchMaterial,
    FetchRecording,
    Hangup,
    Hello,
    Hold,
    Ice,
    JoinCall,
    JoinQueue,
    LeaveQueue,
    ListAgents,
    MakeReport,
    MediaState,
    Message,
    MoveContact,
    RaiseHand,
    Rate,
    ReceiptPdf,
    RecordingSaved,
    RecordingUploadStart,
    ReviewVerdict,
    ScreenShare,
    Sdp,
    SearchWorkOrders,
    SetMode,
    SetState,
    ShareMark,
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
)
from seat_common.review_reasons import ReasonCode, load_reasons
from seat_hub.calls import (
    colleagues,
    consult,
    recordings,
    screen_share,
    transfer,
    walk_ins,
    workorder_search,
)
from seat_hub.calls import lifecycle as calls
from seat_hub.connections import resumption
from seat_hub.connections.catalog_desk import CatalogDesk
from seat_hub.connections.departures import Departures
from seat_hub.connections.errors import error_reply
from seat_hub.connections.floor import Floor, HallFloor
from seat_hub.connections.ice_servers import IceDesk, IceSettings
from seat_hub.connections.login import LoginDesk
from seat_hub.connections.ratelimit import AddressLimits
from seat_hub.context import HubContext, Refusal
from seat_hub.materials import certificate_consent, summaries
from seat_hub.materials.uploads import MaterialDesk
from seat_hub.model import Agent
from seat_hub.parties.session import Session
from seat_hub.reports.wall_report import ReportDesk
from seat_hub.routing import dispatch, presence, queueing
from seat_hub.supervision import actions as supervision
from seat_hub.supervision import assist_trail, hands, watch


class Hub(Departures):
    """Takes decoded messages from sessions and applies the hub's rules to ``ctx``."""

    def __init__(
        self,
        ctx: HubContext,
        materials: MaterialDesk | None = None,
        *,
        ice: IceDesk | None = None,
        reasons: Iterable[ReasonCode] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        floor: Floor | None = None,
    ) -> None:
        self.ctx = ctx
        #: where the queue and calls are shared: this hub alone, or a cluster (``floor``)
        self.floor: Floor = floor if floor is not None else HallFloor()
        self.materials = materials
        self.monotonic = monotonic
        #: citizens' resume tokens and the parties whose link dropped (kept for a grace period)
        self.resume = resumption.ResumeDesk()
        #: set when the hub shuts down: links it closes then are not parked
        self.stopping = False
        #: the STUN/TURN servers and policy every party is welcomed with
        self.ice = ice if ice is not None else IceDesk(IceSettings(), ctx.clock)
        #: each channel's catalog (items, materials, reason codes) for clients to cache
        self.catalogs = CatalogDesk(
            ctx.catalog, load_reasons() if reasons is None else reasons, ctx.log
        )
        limits = ctx.settings
        #: Connections and queue joins per remote address (shared with the server).
        self.addresses = AddressLimits(
            limits.max_connections_per_address, limits.max_joins_per_minute
        )
        #: statistics reports made for the seat wall
        self.reports = ReportDesk(ctx)
        #: sessions logged in with a token (agents, supervisors, kiosks) until they close:
        #: what a reload of the seats file checks against the new file (``seat_reload``)
        self.credentialed: set[Session] = set()
        #: checks every hello (tokens, throttles, resume tokens)
        self.login = LoginDesk(ctx, self.ice, self.resume, self.credentialed, monotonic)

    async def receive_chunk(self, session: Session, frame: bytes) -> bool:
        """Handle one binary frame (a material chunk); False if it was refused or dropped."""
        try:
            if session.role is None:
                raise Refusal("not_authenticated", "binary frame refused: say hello first", "")
            accepted = await self._desk().on_chunk(session, frame)
        except Refusal as refusal:
            self.refuse(session, refusal, "chunk")
            return False
        except Exception as exc:
            self.ctx.log.event(
                "internal_error", session=session.session_id, type="chunk", error=repr(exc)
            )
            session.send(error_reply("internal", "the hub could not do this", "", "chunk"))
            return False
        return accepted

    def _desk(self) -> MaterialDesk:
        if self.materials is None:
            raise Refusal("not_allowed", "this hub does not take materials", "type")
        return self.materials

    async def receive(self, session: Session, message: Message) -> None:
        """Handle one message from ``session``; every refusal becomes an ``Error``."""
        ctx = self.ctx
        ctx.log.event("recv", session=session.session_id, type=message.TYPE)
        try:
            await self.floor.handle(session, message, lambda: self._route(session, message))
        except Refusal as refusal:
            self.refuse(session, refusal, message.TYPE)
        except Exception as exc:
            ctx.log.event(
                "internal_error", session=session.session_id, type=message.TYPE, error=repr(exc)
            )
            session.send(error_reply("internal", "the hub could not do this", "", message.TYPE))
        self.settle()

    def knows_resume_token(self, token: str) -> bool:
        """Whether a citizen's resume token names a session of this hub."""
        return self.resume.holder(token) is not None

    def disconnected(self, session: Session, *, dropped: bool = False) -> None:
        """Clean up after a closed connection (``Departures``), on this hub's floor."""
        self.floor.departed(
            session, dropped, lambda: Departures.disconnected(self, session, dropped=dropped)
        )

    def refuse(self, session: Session, refusal: Refusal, of: str) -> None:
        self.ctx.log.event(
            "refused",
            session=session.session_id,
            code=refusal.code,
            field=refusal.field,
            of=of,
            message=refusal.message,
        )
        session.send(error_reply(refusal.code, refusal.message, refusal.field, of))

    def settle(self) -> None:
        try:
            dispatch.settle(self.ctx)
        except Exception as exc:
            self.ctx.log.event("internal_error", where="settle", error=repr(exc))

    async def _route(self, session: Session, message: Message) -> None:
        ctx = self.ctx
        if session.role is None:
            if not isinstance(message, Hello):
                raise Refusal("not_authenticated", "say hello first", "type")
            self.login.hello(session, message)
            return
        if session.role not in SENDABLE_BY.get(message.TYPE, frozenset()):
            raise Refusal("not_allowed", f"a {session.role} may not send {message.TYPE}", "type")
        match message:
            case Hello():
                raise Refusal("bad_state", "this connection is already logged in", "type")
            case JoinQueue():
                if not self.addresses.join(session.address, self.monotonic()):
                    ctx.log.event("joins_limited", session=session.session_id)
                    raise Refusal("rate_limited", "您所在网络的排队请求过多，请稍后再试。", "")
                await queueing.on_join_queue(ctx, session, message)
            case LeaveQueue():
                await queueing.on_leave_queue(ctx, session)
            case SetState():
                presence.on_set_state(ctx, self._agent(session), message)
            case SetMode():
                presence.on_set_mode(ctx, self._agent(session), message)
            case Accept():
                dispatch.on_accept(ctx, self._agent(session), message)
            case Decline():
                dispatch.on_decline(ctx, self._agent(session), message)
            case Sdp() | Ice():
                calls.on_signal(ctx, session, message)
            case Chat():
                calls.on_chat(ctx, session, message)
            case MediaState():
                calls.on_media_state(ctx, session, message)
            case ScreenShare():
                screen_share.on_screen_share(ctx, session, message)
            case ShareMark():
                screen_share.on_share_mark(ctx, session, message)
            case Hangup():
                calls.on_hangup(ctx, session, message)
            case WrapUp():
                await calls.on_wrap_up(ctx, self._agent(session), message)
            case Rate():
                await calls.on_rate(ctx, session, message)
            case UploadStart():
                await self._desk().on_upload_start(session, message)
            case FetchMaterial():
                await self._desk().on_fetch(session, message)
            case ReviewVerdict():
                await self._desk().on_verdict(session, message)
            case ContactSummary():
                summaries.on_contact_summary(ctx, session, message)
            case ReceiptPdf():
                summaries.on_receipt_pdf(ctx, session, message)
            case CertificateConsent():
                await certificate_consent.on_certificate_consent(ctx, session, message)
            case CertificateConsentRequest():
                await certificate_consent.on_consent_request(ctx, session, message)
            case CertificateConsentAnswer():
                await certificate_consent.on_consent_answer(ctx, session, message)
            case SubscribeWall():
                ctx.wall.subscribe(session)
            case Whisper():
                await supervision.on_whisper(ctx, session, message)
            case SuperviseState():
                await supervision.on_supervise_state(ctx, session, message)
            case MoveContact():
                await supervision.on_move_contact(ctx, session, message)
            case FetchAudit():
                await supervision.on_fetch_audit(ctx, session, message)
            case WatchCall():
                await watch.on_watch_call(ctx, session, message)
            case BargeIn():
                await watch.on_barge_in(ctx, session, message)
            case JoinCall():
                await watch.on_join_call(ctx, session, message)
            case StopWatch():
                await watch.on_stop_watch(ctx, session, message)
            case WatchSdp():
                watch.on_watch_sdp(ctx, session, message)
            case SearchWorkOrders():
                await workorder_search.on_search(ctx, session, message)
            case RecordingSaved():
                await recordings.on_recording_saved(ctx, session, message)
            case RecordingUploadStart():
                await self._desk().recordings.on_upload_start(session, message)
            case FetchRecording():
                await self._desk().recordings.on_fetch(session, message)
            case AssistTrail():
                await assist_trail.on_assist_trail(ctx, session, message)
            case FetchCatalog():
                self.catalogs.on_fetch(session, message)
            case WalkInOpen():
                await walk_ins.on_walk_in_open(ctx, self._agent(session), message)
            case WalkInClose():
                await walk_ins.on_walk_in_close(ctx, self._agent(session), message)
            case BookingMade():
                await self._desk().on_booking_made(session, message)
            case FetchBookedMaterial():
                await self._desk().on_fetch_booked(session, message)
            case Transfer():
                await transfer.on_transfer(
                    ctx, self._agent(session), message,
                    self.materials.records if self.materials is not None else None,
                )
            case RaiseHand():
                await hands.on_raise_hand(ctx, self._agent(session), message)
            case Hold():
                transfer.on_hold(ctx, self._agent(session), message)
            case Consult():
                await consult.on_consult(
                    ctx, self._agent(session), message,
                    self.materials.records if self.materials is not None else None,
                )
            case ConsultAnswer():
                consult.on_consult_answer(ctx, self._agent(session), message)
            case ConsultSdp():
                consult.on_consult_sdp(ctx, self._agent(session), message)
            case ConsultChoice():
                consult.on_consult_choice(ctx, self._agent(session), message)
            case ListAgents():
                colleagues.on_list_agents(ctx, self._agent(session))
            case MakeReport():
                await self.reports.on_make_report(session, message)
            case _:
                raise Refusal("not_allowed", f"{message.TYPE} is not handled", "type")

    def _agent(self, session: Session) -> Agent:
        agent = self.ctx.live.agents.get(session.agent_id)
        if agent is None or agent.session is not session:
            raise Refusal("internal", "this seat is not logged in here", "")
        return agent
