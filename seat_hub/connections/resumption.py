"""Sessions that survive: a party whose link drops keeps its call (or queue place) for a
grace period, and its next connection takes it over.

A dropped link is *parked*, not ended: the hub keeps the party's call (and a citizen's
queue place) for ``settings.resume_grace_s`` and tells the other party of the call
``PeerLink(up=False)``. Within the grace period:

- an agent (or supervisor) comes back by logging in again; the newest login of a seat
  takes over from a stale connection, which is told ``taken_over`` and closed (a
  network blip can leave the hub holding a dead connection for a while);
- a citizen comes back with the ``resume_token`` of its ``Welcome`` as
  ``Hello.resume``; a token no parked or live citizen holds is refused
  (``resume_refused``).

Taking over hands the old session's place in the live picture (``Agent.session``,
``Contact.session``, the by-session indexes, a finished call's rating) to the new one,
sends ``call_started`` again to the party that came back, and ``PeerLink(up=True)`` to
the other: both then make the call's media afresh (see ``protocol.PeerLink``). When the
grace period runs out, what a dropped link did before happens: the call ends
(``disconnected``, the agent goes to wrap-up) or the citizen leaves the queue.

After a hub restart ``restore_queue`` puts the waiting citizens the ledger kept back in
the queue, parked the same way, for their resume tokens (the ledger keeps only their
SHA-256, as the desk does) to take back.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from seat_common.protocol import (
    Channel,
    CitizenInfo,
    Error,
    MediaKind,
    PeerLink,
    Priority,
    PriorityCheck,
    Queued,
    Role,
)
from seat_hub.context import HubContext
from seat_hub.model import Agent, Call, Contact
from seat_hub.parties.seats import hash_token
from seat_hub.parties.session import POLICY_VIOLATION, Session
from seat_hub.routing import dispatch, presence
from seat_hub.storage.records import QueuePlace


@dataclass(eq=False)
class Parked:
    """A party whose link dropped, kept until ``timer`` fires (or it comes back)."""

    session: Session
    timer: asyncio.TimerHandle


@dataclass(eq=False)
class ResumeDesk:
    """The resume tokens of citizens, and the parties parked now.

    ``citizens`` maps the SHA-256 of a resume token (a session's ``resume_key``; the
    ledger keeps the same for a waiting citizen) to the newest session that holds it
    (live or parked); ``parked`` maps a parked citizen's key, or an agent's
    ``seat:<id>``, to its grace timer.
    """

    citizens: dict[str, Session] = field(default_factory=dict)
    parked: dict[str, Parked] = field(default_factory=dict)

    def new_token(self, session: Session) -> str:
        """A fresh resume token for a citizen who logged in without one."""
        token = secrets.token_urlsafe(24)
        session.resume_key = hash_token(token)
        self.citizens[session.resume_key] = session
        return token

    def forget(self, session: Session) -> None:
        """A citizen's session is gone for good: its token resumes nothing."""
        key = session.resume_key
        if key and self.citizens.get(key) is session:
            del self.citizens[key]
        parked = self.parked.get(key)
        if parked is not None and parked.session is session:
            parked.timer.cancel()
            del self.parked[key]

    def holder(self, token: str) -> Session | None:
        """The session that holds ``token`` now, if any."""
        return self.citizens.get(hash_token(token))

    def park(self, key: str, session: Session, grace_s: float, expire: Callable[[], None]) -> None:
        """Keep ``session``'s place under ``key`` for ``grace_s``; then ``expire`` runs."""
        self.unpark(key)

        def fire() -> None:
            if self.parked.get(key) is not None and self.parked[key].session is session:
                del self.parked[key]
                expire()

        timer = asyncio.get_running_loop().call_later(grace_s, fire)
        self.parked[key] = Parked(session, timer)

    def unpark(self, key: str) -> bool:
        """Cancel the grace timer of ``key``; whether it was parked."""
        parked = self.parked.pop(key, None)
        if parked is None:
            return False
        parked.timer.cancel()
        return True


def seat_key(agent_id: str) -> str:
    return f"seat:{agent_id}"


def take_over_connection(ctx: HubContext, old: Session, new: Session) -> None:
    """``old`` is still open while ``new`` logs in as the same party: close the stale one."""
    if old.closing:
        return
    ctx.log.event(
        "login_takeover",
        old_session=old.session_id,
        session=new.session_id,
        agent_id=old.agent_id,
        role=old.role or "",
    )
    old.send(
        Error(
            code="taken_over",
            message="logged in again from a newer connection; this one is closed",
            field="",
            of="hello",
        )
    )
    old.close(POLICY_VIOLATION, "taken over by a newer login")


def agent_link_lost(
    ctx: HubContext, desk: ResumeDesk, agent: Agent, expire: Callable[[], None]
) -> bool:
    """An agent in a call lost its link: park the seat (True), or False to end it now."""
    call = agent.call
    grace = ctx.settings.resume_grace_s
    if call is None or grace <= 0:
        return False
    if agent.offer is not None:
        dispatch.withdraw_offer(ctx, agent.offer, "agent_left")
    desk.park(seat_key(agent.agent_id), agent.session, grace, expire)
    call.citizen_session.send(PeerLink(call_id=call.call_id, up=False))
    ctx.log.event(
        "link_lost", role="agent", agent_id=agent.agent_id, call_id=call.call_id, grace_s=grace
    )
    return True


def resume_agent(ctx: HubContext, desk: ResumeDesk, agent: Agent, session: Session) -> None:
    """Hand the seat's live ``agent`` (parked, or on a stale connection) to ``session``."""
    old = agent.session
    desk.unpark(seat_key(agent.agent_id))
    take_over_connection(ctx, old, session)
    if agent.offer is not None:
        dispatch.withdraw_offer(ctx, agent.offer, "agent_left")
    agent.session = session
    call = agent.call
    if call is not None:
        ctx.live.call_of_session.pop(old.session_id, None)
        ctx.live.call_of_session[session.session_id] = call
    presence.send_presence(ctx, agent)
    ctx.queue_views.send_snapshot(agent)
    if call is not None:
        citizen_name = call.contact.citizen.name or call.citizen_session.name
        session.send(dispatch.call_started_for(ctx, call, "callee", citizen_name))
        call.citizen_session.send(PeerLink(call_id=call.call_id, up=True))
    ctx.log.event(
        "resumed",
        role="agent",
        agent_id=agent.agent_id,
        session=session.session_id,
        old_session=old.session_id,
        call_id=call.call_id if call is not None else "",
    )


def citizen_link_lost(
    ctx: HubContext, desk: ResumeDesk, session: Session, expire: Callable[[], None]
) -> bool:
    """A citizen in the queue or a call lost its link: park it (True), or False to let
    it go now (nothing to keep, no grace, or a newer connection already holds its token)."""
    key = session.resume_key
    grace = ctx.settings.resume_grace_s
    if not key or desk.citizens.get(key) is not session or grace <= 0:
        return False
    contact = ctx.live.contact_of_session.get(session.session_id)
    call = ctx.live.call_of_session.get(session.session_id)
    if contact is None and call is None:
        return False
    desk.park(key, session, grace, expire)
    if contact is not None:
        # Agents' queue views and the wall show the place kept, and until when.
        contact.link_lost_until = ctx.clock() + grace
        ctx.queue_changed()
    if call is not None:
        call.agent.session.send(PeerLink(call_id=call.call_id, up=False))
    ctx.log.event(
        "link_lost",
        role="citizen",
        session=session.session_id,
        call_id=call.call_id if call is not None else "",
        work_order_id=contact.work_order_id if contact is not None else "",
        grace_s=grace,
    )
    return True


def resume_citizen(ctx: HubContext, desk: ResumeDesk, old: Session, session: Session) -> None:
    """Hand ``old``'s queue place, call and unrated work orders to ``session``."""
    key = old.resume_key
    desk.unpark(key)
    take_over_connection(ctx, old, session)
    session.resume_key = key
    desk.citizens[key] = session
    live = ctx.live
    contact = live.contact_of_session.pop(old.session_id, None)
    call: Call | None = live.call_of_session.pop(old.session_id, None)
    for ended in live.ended.values():
        if ended.citizen_session is old:
            ended.citizen_session = session
    if contact is not None:
        contact.session = session
        contact.link_lost_until = 0.0
        live.contact_of_session[session.session_id] = contact
        position = ctx.queue_views.first_position(contact)
        session.send(
            Queued(
                work_order_id=contact.work_order_id,
                item_code=contact.item.code,
                item_name=contact.item.name,
                position=position,
                expected_wait_s=ctx.queue_views.expected_wait(contact, position),
                agents_on_duty=ctx.queue_views.on_duty(contact.item.skill),
            )
        )
        ctx.queue_changed()
    if call is not None:
        call.contact.session = session
        live.call_of_session[session.session_id] = call
        session.send(dispatch.call_started_for(ctx, call, "caller", call.agent.seat.name))
        call.agent.session.send(PeerLink(call_id=call.call_id, up=True))
    ctx.log.event(
        "resumed",
        role="citizen",
        session=session.session_id,
        old_session=old.session_id,
        call_id=call.call_id if call is not None else "",
        work_order_id=contact.work_order_id if contact is not None else "",
    )


class _Gone:
    """Where a restored citizen's frames go until it comes back: nowhere."""

    async def send(self, message: str | bytes) -> None:
        return None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        return None


def restore_queue(
    ctx: HubContext,
    desk: ResumeDesk,
    places: Iterable[QueuePlace],
    expire: Callable[[Session], None],
) -> list[str]:
    """After a restart: put the waiting citizens of ``places`` back in the queue, in order,
    parked for the grace period (their resume token takes the place back); the work
    order ids restored. A place whose item left the catalog is not restored."""
    restored: list[str] = []
    grace = ctx.settings.resume_grace_s
    for place in places:
        order = place.work_order
        item = ctx.catalog.item(order.item_code)
        if item is None or grace <= 0:
            continue
        session = Session(_Gone(), f"S-restored-{order.id}", "restored")
        session.role = "citizen"
        session.name = order.citizen_name
        session.resume_key = place.resume_sha256
        session.close(1001, "the hub restarted")
        contact = Contact(
            work_order_id=order.id,
            item=item,
            channel=cast(Channel, order.channel),
            priority=cast(Priority, order.priority),
            media=cast(MediaKind, order.media),
            citizen=CitizenInfo(
                name=order.citizen_name,
                id_number=order.citizen_id_number,
                phone=order.citizen_phone,
                hall=order.hall,
            ),
            session=session,
            queued_at=order.queued_at,
            seq=ctx.live.next_seq(),
            priority_check=cast(PriorityCheck, place.priority_check),
            large_text=place.large_text,
            link_lost_until=ctx.clock() + grace,
        )
        ctx.live.contacts[order.id] = contact
        ctx.live.contact_of_session[session.session_id] = contact
        desk.citizens[session.resume_key] = session
        desk.park(session.resume_key, session, grace, functools.partial(expire, session))
        restored.append(order.id)
    if restored:
        ctx.queue_changed()
    ctx.log.event("queue_restored", work_orders=len(restored), grace_s=grace)
    return restored


def adopt_place(
    ctx: HubContext,
    desk: ResumeDesk,
    contact_for: Callable[[Session], Contact],
    *,
    role: Role,
    name: str,
    resume_key: str,
    expire: Callable[[Session], None],
) -> Contact:
    """A cluster's hub: a waiting citizen whose hub was lost resumes here. Its place (built
    by ``contact_for`` from what the shared queue holds) is kept here as a restored place
    is (``restore_queue``), so the citizen's resume token takes it back."""
    session = Session(_Gone(), f"S-adopted-{secrets.token_hex(4)}", "adopted")
    session.role = role
    session.name = name
    session.resume_key = resume_key
    session.close(1001, "its hub was lost")
    contact = contact_for(session)
    ctx.live.contacts[contact.work_order_id] = contact
    ctx.live.contact_of_session[session.session_id] = contact
    desk.citizens[resume_key] = session
    grace = max(ctx.settings.resume_grace_s, 1.0)
    contact.link_lost_until = ctx.clock() + grace
    desk.park(resume_key, session, grace, functools.partial(expire, session))
    ctx.queue_changed()
    ctx.log.event("place_adopted", work_order_id=contact.work_order_id, grace_s=grace)
    return contact


def adopt_caller(
    ctx: HubContext,
    desk: ResumeDesk,
    *,
    role: Role,
    name: str,
    resume_key: str,
    expire: Callable[[Session], None],
) -> None:
    """A cluster's hub: a citizen whose hub was lost in a call homed on another hub resumes
    here. Its token is kept here for the moment of the resume (the call stays at its home),
    so the login desk takes it as a resume, not an unknown token."""
    session = Session(_Gone(), f"S-adopted-{secrets.token_hex(4)}", "adopted")
    session.role = role
    session.name = name
    session.resume_key = resume_key
    session.close(1001, "its hub was lost")
    desk.citizens[resume_key] = session
    grace = max(ctx.settings.resume_grace_s, 1.0)
    desk.park(resume_key, session, grace, functools.partial(expire, session))
