"""Logging in at the hub: agents, supervisors, kiosks and citizens say ``hello``.

Agents and supervisors give their seat's token, kiosks their device id (``seat_id``)
and token; a wrong one gets ``bad_token`` and the connection is closed. Failed logins
are counted per address and per named seat or kiosk (``ratelimit.LoginThrottle``); a
locked one is refused with ``rate_limited`` before its token is looked at. A citizen
may come back with a resume token (``resumption``); an unknown one is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from seat_common.protocol import Hello, Welcome
from seat_hub.connections import resumption
from seat_hub.connections.errors import error_reply
from seat_hub.connections.ice_servers import IceDesk
from seat_hub.connections.ratelimit import LoginThrottle
from seat_hub.context import HubContext, Refusal
from seat_hub.parties.session import POLICY_VIOLATION, Session
from seat_hub.routing import presence


class LoginDesk:
    """Checks every ``hello`` and welcomes the party (see the module's docstring)."""

    def __init__(
        self,
        ctx: HubContext,
        ice: IceDesk,
        resume: resumption.ResumeDesk,
        credentialed: set[Session],
        monotonic: Callable[[], float],
    ) -> None:
        self.ctx = ctx
        self.ice = ice
        self.resume = resume
        self.credentialed = credentialed
        self.monotonic = monotonic
        limits = ctx.settings
        throttle = (
            limits.login_failures,
            limits.login_failure_window_s,
            limits.login_lockout_s,
            limits.login_lockout_max_s,
        )
        self.logins_by_address = LoginThrottle(*throttle)
        self.logins_by_seat = LoginThrottle(*throttle)

    def hello(self, session: Session, message: Hello) -> None:
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
