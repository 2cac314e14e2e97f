"""The hub's front desk: login, who may send what, and clean-up when a client goes.

``Hub.receive`` takes one decoded message from a session: before ``Hello``
only ``Hello`` is accepted; after it, ``protocol.SENDABLE_BY`` decides what
the session's role may send, and the message goes to its handler
(``presence``, ``queueing``, ``dispatch``, ``calls``). A handler refuses
with ``Refusal``; the hub answers the sender with an ``Error`` naming the
field and the message type, and nothing else happens. After every message
the ACD settles (offers whoever can be offered now). ``Hub.disconnected``
undoes what a gone client leaves behind.

Login: agents and supervisors give their seat's token, kiosks their device id
(``seat_id``) and token; a wrong one gets ``bad_token`` and the connection is
closed. Failed logins are counted per address and per named seat or kiosk
(``ratelimit.LoginThrottle``); a locked one is refused with ``rate_limited``
before its token is looked at. Queue joins are counted per address
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
    ContactSummary,
    Decline,
    Error,
    ErrorCode,
    FetchAudit,
    FetchBookedMaterial,
    FetchCatalog,
    FetchMaterial,
    FetchRecording,
    Hangup,
    Hello,
    Hold,
    Ice,
    JoinQueue,
    LeaveQueue,
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
    Welcome,
    Whisper,
    WrapUp,
)
from seat_common.review_reasons import ReasonCode, load_reasons
from seat_hub.calls import lifecycle as calls
from seat_hub.calls import recordings, screen_share, transfer, walk_ins, workorder_search
from seat_hub.connections import resumption
from seat_hub.connections.catalog_desk import CatalogDesk
from seat_hub.connections.ice_servers import IceDesk, IceSettings
from seat_hub.connections.ratelimit import AddressLimits, LoginThrottle
from seat_hub.context import HubContext, Refusal
from seat_hub.materials import certificate_consent, summaries
from seat_hub.materials.uploads import MaterialDesk
from seat_hub.model import Agent
from seat_hub.parties.session import POLICY_VIOLATION, Session
from seat_hub.reports.wall_report import ReportDesk
from seat_hub.routing import dispatch, presence, queueing
from seat_hub.storage.records import QueuePlace
from seat_hub.supervision import actions as supervision
from seat_hub.supervision import assist_trail, hands, watch


def error_reply(code: ErrorCode, message: str, field: str, of: str) -> Error:
    """An ``Error`` cut to the protocol's limits."""
    return Error(code=code, message=message[:500], field=field[:100], of=of[:64])


class Hub:
    """Takes decoded messages from sessions and applies the hub's rules to ``ctx``."""

    def __init__(
        self,
        ctx: HubContext,
        materials: MaterialDesk | None = None,
        *,
        ice: IceDesk | None = None,
        reasons: Iterable[ReasonCode] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ctx = ctx
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
        throttle = (
            limits.login_failures,
            limits.login_failure_window_s,
            limits.login_lockout_s,
            limits.login_lockout_max_s,
        )
        #: statistics reports made for the seat wall
        self.reports = ReportDesk(ctx)
        self.logins_by_address = LoginThrottle(*throttle)
        self.logins_by_seat = LoginThrottle(*throttle)
        #: sessions logged in with a token (agents, supervisors, kiosks) until they close:
        #: what a reload of the seats file checks against the new file (``seat_reload``)
        self.credentialed: set[Session] = set()

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
            await self._route(session, message)
        except Refusal as refusal:
            self.refuse(session, refusal, message.TYPE)
        except Exception as exc:
            ctx.log.event(
                "internal_error", session=session.session_id, type=message.TYPE, error=repr(exc)
            )
            session.send(error_reply("internal", "the hub could not do this", "", message.TYPE))
        self.settle()

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
            self._hello(session, message)
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
            case MakeReport():
                await self.reports.on_make_report(session, message)
            case _:
                raise Refusal("not_allowed", f"{message.TYPE} is not handled", "type")

    def _agent(self, session: Session) -> Agent:
        agent = self.ctx.live.agents.get(session.agent_id)
        if agent is None or agent.session is not session:
            raise Refusal("internal", "this seat is not logged in here", "")
        return agent

    def _hello(self, session: Session, message: Hello) -> None:
        ctx = self.ctx
        if message.resume and message.role != "citizen":
            raise Refusal("bad_message", "only a citizen resumes with a token", "resume")
        if message.role != "citizen" and not self._login_allowed(session, message):
            return
        if message.role == "kiosk":
            self._kiosk_hello(session, message)
            return
        if message.role == "agent" or message.role == "supervisor":
            seat = ctx.seats.authenticate(message.role, message.token, message.seat_id)
            if seat is None:
                self._login_failed(session, message, "unknown token")
                return
            self.logins_by_seat.succeeded(f"seat:{seat.agent_id}", session.address)
            stale = ctx.live.supervisors.get(seat.agent_id)
            if stale is not None:
                resumption.take_over_connection(ctx, stale, session)
            session.role = message.role
            session.name = seat.name
            session.agent_id = seat.agent_id
            session.token_sha256 = seat.token_sha256
            self.credentialed.add(session)
            session.send(
                Welcome(
                    session_id=session.session_id,
                    role=message.role,
                    name=seat.name,
                    agent_id=seat.agent_id,
                    skills=tuple(sorted(seat.skills)),
                    ring_timeout_s=ctx.settings.ring_timeout_s,
                    ice_servers=self.ice.servers_for(seat.agent_id),
                    ice_policy=self.ice.policy,
                )
            )
            ctx.log.event(
                "login", session=session.session_id, role=message.role, agent_id=seat.agent_id
            )
            if message.role == "agent":
                live_agent = ctx.live.agents.get(seat.agent_id)
                if live_agent is not None:
                    # The newest login of a seat takes over (its call too, if parked).
                    resumption.resume_agent(ctx, self.resume, live_agent, session)
                else:
                    agent = presence.log_in(ctx, session, seat)
                    ctx.queue_views.send_snapshot(agent)
            else:
                ctx.live.supervisors[seat.agent_id] = session
            return
        self._citizen_hello(session, message)

    def _citizen_hello(self, session: Session, message: Hello) -> None:
        ctx = self.ctx
        old = self.resume.holder(message.resume) if message.resume else None
        if message.resume and old is None:
            lockout = self.logins_by_address.failed(session.address, self.monotonic())
            ctx.log.event("resume_refused", session=session.session_id, lockout_s=lockout)
            session.send(
                error_reply(
                    "resume_refused",
                    "此前的会话已失效（超时或无效），请重新排队。"
                    " (nothing to resume: unknown or expired token)",
                    "resume",
                    "hello",
                )
            )
            session.close(POLICY_VIOLATION, "nothing to resume")
            return
        session.role = message.role
        session.name = message.name
        if old is not None:
            token = message.resume
            session.name = message.name or old.name
        else:
            token = self.resume.new_token(session)
        session.send(
            Welcome(
                session_id=session.session_id,
                role=message.role,
                name=session.name,
                ring_timeout_s=ctx.settings.ring_timeout_s,
                ice_servers=self.ice.servers_for(session.session_id),
                ice_policy=self.ice.policy,
                resume_token=token,
            )
        )
        ctx.log.event("login", session=session.session_id, role=message.role)
        if old is not None:
            resumption.resume_citizen(ctx, self.resume, old, session)

    def _kiosk_hello(self, session: Session, message: Hello) -> None:
        ctx = self.ctx
        kiosk = (
            ctx.seats.authenticate_kiosk(message.seat_id, message.token)
            if message.seat_id and message.token
            else None
        )
        if kiosk is None:
            self._login_failed(
                session, message, "a kiosk logs in with its device id (seat_id) and token"
            )
            return
        self.logins_by_seat.succeeded(f"kiosk:{kiosk.device_id}", session.address)
        session.role = "kiosk"
        session.kiosk = kiosk
        session.name = message.name
        session.token_sha256 = kiosk.token_sha256
        self.credentialed.add(session)
        session.send(
            Welcome(
                session_id=session.session_id,
                role="kiosk",
                name=message.name,
                ring_timeout_s=ctx.settings.ring_timeout_s,
                ice_servers=self.ice.servers_for(session.session_id),
                ice_policy=self.ice.policy,
            )
        )
        ctx.log.event(
            "login", session=session.session_id, role="kiosk", device_id=kiosk.device_id
        )

    def _seat_key(self, message: Hello) -> str:
        """What failed logins naming ``seat_id`` count against ("" for an unknown id)."""
        if not message.seat_id:
            return ""
        if message.role == "kiosk":
            found = self.ctx.seats.kiosk(message.seat_id) is not None
            return f"kiosk:{message.seat_id}" if found else ""
        return f"seat:{message.seat_id}" if self.ctx.seats.get(message.seat_id) else ""

    def _login_allowed(self, session: Session, message: Hello) -> bool:
        now = self.monotonic()
        key = self._seat_key(message)
        wait = max(
            self.logins_by_address.locked_for(session.address, now),
            self.logins_by_seat.locked_for(key, now, session.address) if key else 0.0,
        )
        if not wait:
            return True
        self.ctx.log.event(
            "login_throttled",
            session=session.session_id,
            role=message.role,
            seat=key,
            wait_s=round(wait, 1),
        )
        session.send(
            error_reply(
                "rate_limited",
                f"too many failed logins; try again in {max(1, round(wait))} s",
                "token",
                "hello",
            )
        )
        session.close(POLICY_VIOLATION, "too many failed logins")
        return False

    def _login_failed(self, session: Session, message: Hello, why: str) -> None:
        now = self.monotonic()
        key = self._seat_key(message)
        lockout = self.logins_by_address.failed(session.address, now)
        if key:
            lockout = max(lockout, self.logins_by_seat.failed(key, now))
        self.ctx.log.event(
            "login_failed",
            session=session.session_id,
            role=message.role,
            seat=key,
            lockout_s=lockout,
        )
        session.send(error_reply("bad_token", why, "token", "hello"))
        session.close(POLICY_VIOLATION, "bad token")

    def disconnected(self, session: Session, *, dropped: bool = False) -> None:
        """Clean up after a closed connection, then let the ACD settle. A ``dropped``
        link (not closed on purpose) of a party in a call or the queue is parked for the
        resume grace period instead (``resumption``)."""
        ctx = self.ctx
        dropped = dropped and not self.stopping
        self.credentialed.discard(session)
        try:
            if self.materials is not None:
                self.materials.session_gone(session)
            if self.stopping and self._place_kept(session):
                pass  # its place is in the ledger: the next start restores it
            elif dropped and session.role == "citizen" and resumption.citizen_link_lost(
                ctx, self.resume, session, lambda: self._citizen_expired(session)
            ):
                pass  # parked: its queue place or call waits for a resume
            elif session.role in ("citizen", "kiosk"):
                self.resume.forget(session)
                self._citizen_gone(session)
            elif session.role == "agent":
                self._agent_gone(session, parkable=dropped)
            elif session.role == "supervisor":
                ctx.wall.unsubscribe(session)
                watch.supervisor_gone(ctx, session)
                if ctx.live.supervisors.get(session.agent_id) is session:
                    del ctx.live.supervisors[session.agent_id]
        except Exception as exc:
            ctx.log.event(
                "internal_error", where="disconnected", session=session.session_id, error=repr(exc)
            )
        self.settle()

    def end_parked_agent(self, agent_id: str) -> bool:
        """End a parked seat (link lost in a call) now, not at the grace period's end: its
        login was revoked, so it cannot come back. Whether it was parked."""
        agent = self.ctx.live.agents.get(agent_id)
        if agent is None or not self.resume.unpark(resumption.seat_key(agent_id)):
            return False
        self._agent_gone(agent.session, parkable=False)
        return True

    def _place_kept(self, session: Session) -> bool:
        """A waiting citizen whose place the ledger keeps across a restart."""
        return bool(session.resume_key) and session.session_id in self.ctx.live.contact_of_session

    def restore_queue(self, places: Iterable[QueuePlace]) -> list[str]:
        """After a restart: the waiting citizens of ``places`` back in the queue, each kept
        for the grace period for its resume token (then abandoned as usual)."""
        return resumption.restore_queue(self.ctx, self.resume, places, self._citizen_expired)

    def _citizen_expired(self, session: Session) -> None:
        """A parked citizen did not come back within the grace period."""
        self.ctx.log.event("resume_expired", role="citizen", session=session.session_id)
        self.resume.forget(session)
        try:
            self._citizen_gone(session)
        except Exception as exc:
            self.ctx.log.event("internal_error", where="resume_expired", error=repr(exc))
        self.settle()

    def _agent_expired(self, session: Session) -> None:
        """A parked agent did not come back within the grace period."""
        self.ctx.log.event("resume_expired", role="agent", agent_id=session.agent_id)
        try:
            self._agent_gone(session, parkable=False)
        except Exception as exc:
            self.ctx.log.event("internal_error", where="resume_expired", error=repr(exc))
        self.settle()

    def _citizen_gone(self, session: Session) -> None:
        ctx = self.ctx
        contact = ctx.live.contact_of_session.get(session.session_id)
        if contact is not None:
            queueing.abandon(ctx, contact)
        call = ctx.live.call_of_session.get(session.session_id)
        if call is not None:
            calls.end_call(ctx, call, "hub", "disconnected")
        calls.citizen_left(ctx, session)

    def _agent_gone(self, session: Session, *, parkable: bool = True) -> None:
        ctx = self.ctx
        agent = ctx.live.agents.get(session.agent_id)
        if agent is None or agent.session is not session:
            return
        if agent.call is not None:
            watch.call_ended(ctx, agent.call, "agent_left")
        if parkable and resumption.agent_link_lost(
            ctx, self.resume, agent, lambda: self._agent_expired(session)
        ):
            return  # parked: the call waits for the seat's next login
        if agent.offer is not None:
            dispatch.withdraw_offer(ctx, agent.offer, "agent_left")
        if agent.call is not None:
            # The work order waits for this seat's wrap-up when it logs in again.
            calls.end_call(ctx, agent.call, "hub", "disconnected")
        del ctx.live.agents[agent.agent_id]
        ctx.seat_changed(agent.agent_id)
        ctx.log.event(
            "presence",
            agent_id=agent.agent_id,
            state="offline",
            mode=agent.mode,
            pending_wrap_up=agent.wrap_up.work_order_id if agent.wrap_up else "",
        )
