"""What waiting citizens and agents are told about the queue.

Citizens hear their position (per skill: the agents who can help them serve
every item needing it) and an expected wait; agents see the queue of the
items they serve as a ``QueueSnapshot``, with personal data masked. Both
are published after every change (batched: once the events of one turn of
the event loop are handled), and only to those whose view changed. A
snapshot carries as many entries as fit in one message (those served next).

Order: contacts being offered right now come first (they are being
connected), then the waiting ones in ACD order.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Final

from seat_common.pii import mask_id_number, mask_name, mask_phone
from seat_common.protocol import (
    MAX_MESSAGE_BYTES,
    CitizenInfo,
    QueueEntry,
    QueuePosition,
    QueueSnapshot,
    encode,
    to_wire,
)
from seat_hub.model import Agent, Contact, HubContext
from seat_hub.routing.acd import ROUTED_MODES, WaitingContact, contact_order_key
from seat_hub.storage.ledger import HandleTime

#: Most entries one snapshot carries (the protocol's limit).
MAX_SNAPSHOT_ENTRIES: Final = 2000
#: Room for the snapshot's own keys around its entries.
_SNAPSHOT_ENVELOPE_BYTES: Final = 64


def masked(citizen: CitizenInfo) -> CitizenInfo:
    """The citizen as an agent may see them in lists and offers."""
    return CitizenInfo(
        name=mask_name(citizen.name),
        id_number=mask_id_number(citizen.id_number),
        phone=mask_phone(citizen.phone),
        hall=citizen.hall,
    )


def waiting_view(contact: Contact) -> WaitingContact:
    return WaitingContact(
        work_order_id=contact.work_order_id,
        skill=contact.item.skill,
        priority=contact.priority,
        queued_at=contact.queued_at,
        seq=contact.seq,
        excluded=frozenset(contact.excluded),
    )


def _key(contact: Contact) -> tuple[int, tuple[int, float, int]]:
    return (0 if contact.offer is not None else 1, contact_order_key(waiting_view(contact)))


def ordered(ctx: HubContext) -> list[Contact]:
    """Every contact in the queue, in the order they will be served."""
    return sorted(ctx.contacts.values(), key=_key)


def lines_by_skill(ctx: HubContext) -> dict[str, list[Contact]]:
    lines: dict[str, list[Contact]] = defaultdict(list)
    for contact in ordered(ctx):
        lines[contact.item.skill].append(contact)
    return lines


def position_of(ctx: HubContext, contact: Contact) -> int:
    line = lines_by_skill(ctx)[contact.item.skill]
    return line.index(contact) + 1


def expected_wait(ctx: HubContext, contact: Contact, position: int) -> float:
    """Position × the item's mean handle time, shared among the agents who serve it."""
    handle = ctx.handle_times.get(contact.item.code)
    mean = handle.mean_s if handle is not None and handle.count else ctx.settings.default_handle_s
    serving = sum(
        1
        for a in ctx.agents.values()
        if contact.item.skill in a.seat.skills and a.mode in ROUTED_MODES
    )
    return round(position * mean / max(1, serving), 1)


def record_handle_time(ctx: HubContext, item_code: str, seconds: float) -> None:
    """Fold one closed work order into the item's mean handle time."""
    old = ctx.handle_times.get(item_code, HandleTime(0, 0.0))
    count = old.count + 1
    ctx.handle_times[item_code] = HandleTime(count, old.mean_s + (seconds - old.mean_s) / count)


def entry(contact: Contact) -> QueueEntry:
    return QueueEntry(
        work_order_id=contact.work_order_id,
        item_code=contact.item.code,
        item_name=contact.item.name,
        channel=contact.channel,
        priority=contact.priority,
        media=contact.media,
        citizen=masked(contact.citizen),
        queued_at=contact.queued_at,
    )


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One queue entry ready to go into snapshots, with its skill and encoded size."""

    skill: str
    entry: QueueEntry
    size: int  # bytes of the entry in the encoded snapshot


def queue_rows(contacts: list[Contact]) -> list[QueueRow]:
    rows = []
    for c in contacts:
        if c.entry is None:
            c.entry = entry(c)
            wire = json.dumps(to_wire(c.entry), ensure_ascii=False, separators=(",", ":"))
            c.entry_bytes = len(wire.encode()) + 1
        rows.append(QueueRow(c.item.skill, c.entry, c.entry_bytes))
    return rows


def snapshot_for(agent: Agent, rows: list[QueueRow]) -> tuple[QueueEntry, ...]:
    """The agent's view of the queue ``rows``, already in serving order.

    Cut to what one message may carry (entries and bytes): the first ones are
    those served next.
    """
    skills = agent.seat.skills
    chosen: list[QueueEntry] = []
    budget = MAX_MESSAGE_BYTES - _SNAPSHOT_ENVELOPE_BYTES
    for row in rows:
        if row.skill not in skills:
            continue
        budget -= row.size
        if budget < 0 or len(chosen) == MAX_SNAPSHOT_ENTRIES:
            break
        chosen.append(row.entry)
    return tuple(chosen)


def send_snapshot(ctx: HubContext, agent: Agent) -> None:
    """Send the agent their queue now (on login)."""
    agent.snapshot = snapshot_for(agent, queue_rows(ordered(ctx)))
    agent.session.send(QueueSnapshot(entries=agent.snapshot))


def schedule_publish(ctx: HubContext) -> None:
    """Publish the queue views once the events now being handled are done.

    Under load many events land in one turn of the event loop; they share one
    publication instead of each sending every agent a snapshot.
    """
    if ctx.publish_scheduled or ctx.queue_version == ctx.published_version:
        return
    ctx.publish_scheduled = True
    asyncio.get_running_loop().call_soon(_publish_soon, ctx)


def _publish_soon(ctx: HubContext) -> None:
    ctx.publish_scheduled = False
    try:
        publish(ctx)
    except Exception as exc:  # a loop callback has nobody to raise to
        ctx.log.event("internal_error", where="publish", error=repr(exc))


def publish(ctx: HubContext) -> None:
    """After a queue change: new positions to citizens, new snapshots to agents."""
    if ctx.queue_version == ctx.published_version:
        return
    ctx.published_version = ctx.queue_version
    contacts = ordered(ctx)
    lines: dict[str, list[Contact]] = defaultdict(list)
    for contact in contacts:
        lines[contact.item.skill].append(contact)
    for line in lines.values():
        for position, contact in enumerate(line, start=1):
            # position 0: the citizen has not had their Queued reply yet.
            if contact.position and contact.position != position:
                contact.position = position
                contact.session.send(
                    QueuePosition(
                        work_order_id=contact.work_order_id,
                        position=position,
                        expected_wait_s=expected_wait(ctx, contact, position),
                    )
                )
    rows = queue_rows(contacts)
    # Agents with the same skills see the same snapshot: build and encode it once.
    views: dict[frozenset[str], tuple[tuple[QueueEntry, ...], str]] = {}
    for agent in ctx.agents.values():
        view = views.get(agent.seat.skills)
        if view is None:
            entries = snapshot_for(agent, rows)
            view = views[agent.seat.skills] = (entries, encode(QueueSnapshot(entries=entries)))
        if view[0] != agent.snapshot:
            agent.snapshot = view[0]
            agent.session.send_encoded(view[1])
