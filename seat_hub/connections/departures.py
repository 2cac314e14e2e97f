"""What a closed connection leaves behind at the hub, and parties that do not come back.

A ``dropped`` link (not closed on purpose) of a party in a call or the queue is parked
for the resume grace period (``resumption``); otherwise a citizen's place or call ends,
an agent's offer is withdrawn and its call ended (the work order waits for its wrap-up),
a supervisor's watches end. ``Departures`` is a base of ``front_desk.Hub``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from seat_common.protocol import Role
from seat_hub.calls import consult
from seat_hub.calls import lifecycle as calls
from seat_hub.connections import resumption
from seat_hub.context import HubContext
from seat_hub.materials.uploads import MaterialDesk
from seat_hub.model import Contact
from seat_hub.parties.session import Session
from seat_hub.routing import dispatch, queueing
from seat_hub.storage.records import QueuePlace
from seat_hub.supervision import watch


class Departures:
    """Clean-up after closed connections (see the module's docstring)."""

    ctx: HubContext
    materials: MaterialDesk | None
    resume: resumption.ResumeDesk
    stopping: bool
    credentialed: set[Session]

    def settle(self) -> None:
        raise NotImplementedError

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

    def adopt_place(self, contact_for: Callable[[Session], Contact], *, role: Role, name: str,
                    resume_key: str) -> Contact:
        """A cluster's hub: the place of a citizen whose hub was lost, kept here for its
        resume token (``resumption.adopt_place``), then let go as any parked place."""
        return resumption.adopt_place(self.ctx, self.resume, contact_for, role=role,
                                      name=name, resume_key=resume_key,
                                      expire=self._citizen_expired)

    def adopt_caller(self, *, role: Role, name: str, resume_key: str) -> None:
        """A cluster's hub: a citizen in a call homed elsewhere resumes here
        (``resumption.adopt_caller``)."""
        resumption.adopt_caller(self.ctx, self.resume, role=role, name=name,
                                resume_key=resume_key, expire=self._citizen_expired)

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
        consult.agent_gone(ctx, agent)
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
