"""Supervisor actions: whisper to an agent, set an agent's state, move a waiting citizen.

Only a ``supervisor`` session gets here (``protocol.SENDABLE_BY``; the hub
refuses everyone else with ``not_allowed``). Every action, done or
refused, is appended to the audit log before it is done, and what came of it after,
before the supervisor hears the answer: ``Ack`` when done, ``Error`` when refused
(``supervision/audit.py``; an action the log cannot take is refused and not done).

- ``Whisper``: relayed as ``WhisperMessage`` to that agent's session only.
- ``SuperviseState``: the same rules as the agent's own ``SetState`` (not
  while ringing, on a call or in wrap-up; not in counter mode); the agent
  hears the new ``Presence``.
- ``MoveContact``: a waiting citizen (not being offered right now) goes to
  another item's queue (offered on the citizen's channel; keeps their
  queue time) or is offered to a named ready agent at once.
"""

from __future__ import annotations

from seat_common.protocol import (
    AuditLog,
    FetchAudit,
    MoveContact,
    SetState,
    SuperviseState,
    Whisper,
    WhisperMessage,
)
from seat_hub.context import HubContext, Refusal
from seat_hub.parties.session import Session
from seat_hub.routing import dispatch, presence
from seat_hub.routing.acd import ROUTED_MODES
from seat_hub.supervision import hands
from seat_hub.supervision.audit import audited


async def on_whisper(ctx: HubContext, session: Session, message: Whisper) -> None:
    def act() -> None:
        agent = ctx.agent_at_seat(message.agent_id)
        agent.session.send(
            WhisperMessage(
                supervisor_id=session.agent_id,
                supervisor_name=session.name or session.agent_id,
                text=message.text,
                sent_at=ctx.clock(),
            )
        )

    # The audit keeps that a whisper was sent and its length, not its words.
    await audited(ctx, session, "whisper", message.agent_id, f"{len(message.text)} chars", act)
    hands.answered(ctx, message.agent_id, session, "whisper")


async def on_supervise_state(ctx: HubContext, session: Session, message: SuperviseState) -> None:
    def act() -> None:
        agent = ctx.agent_at_seat(message.agent_id)
        presence.on_set_state(ctx, agent, SetState(state=message.state, reason=message.reason))

    detail = message.state + (f" ({message.reason})" if message.reason else "")
    await audited(ctx, session, "supervise_state", message.agent_id, detail, act)


async def on_move_contact(ctx: HubContext, session: Session, message: MoveContact) -> None:
    moved_item: list[str] = []

    def act() -> None:
        if bool(message.to_agent_id) == bool(message.to_item_code):
            raise Refusal("bad_message", "give exactly one of to_agent_id, to_item_code", "")
        contact = ctx.live.contacts.get(message.work_order_id)
        if contact is None:
            raise Refusal("no_such_work_order", "no such citizen waiting", "work_order_id")
        if contact.offer is not None:
            raise Refusal("bad_state", "this citizen is being offered right now", "work_order_id")
        if message.to_item_code:
            item = ctx.catalog.item(message.to_item_code)
            if item is None:
                raise Refusal("no_such_item", "no such service item", "to_item_code")
            if contact.channel not in item.channels:
                raise Refusal(
                    "not_allowed", "that item is not offered on this channel", "to_item_code"
                )
            contact.item = item
            contact.excluded.clear()
            ctx.queue_changed()
            moved_item.append(item.code)
            return
        agent = ctx.agent_at_seat(message.to_agent_id)
        if agent.state != "ready" or agent.mode not in ROUTED_MODES:
            raise Refusal("bad_state", f"that agent is {agent.state}, not ready", "to_agent_id")
        dispatch.offer(ctx, contact, agent)

    target = message.to_agent_id or message.to_item_code
    await audited(ctx, session, "move_contact", message.work_order_id, f"to {target}", act)
    if moved_item:
        await ctx.ledger.move_item(message.work_order_id, moved_item[0])


async def on_fetch_audit(ctx: HubContext, session: Session, message: FetchAudit) -> None:
    entries = await ctx.audit.recent(message.limit)
    session.send(AuditLog(entries=tuple(entries)))
