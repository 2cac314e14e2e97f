"""What waiting citizens and agents are told about the queue.

Citizens hear their position (per skill: the agents who can help them serve
every item needing it) and an expected wait; agents see the queue of the
items they serve as a ``QueueSnapshot``, with personal data masked. Both
are published after every change (batched: once the events of one turn of
the event loop are handled), and only to those whose view changed. A
snapshot carries as many entries as fit in one message (those served next).

``QueueViews`` keeps that publishing's bookkeeping (the queue's version and
the version last published, whether a publication is scheduled, the position
each citizen was told and the snapshot each agent was sent); the rest of the
hub tells it ``changed`` (through ``HubContext.queue_changed``) and asks it to
``publish_soon``. Nothing else sets its state.

Order: contacts being offered right now come first (they are being
connected), then the waiting ones in ACD order. A citizen whose link dropped
keeps their place in that order, marked ``link_lost_until`` (the contact's
resume grace end), and is not offered until they come back (``dispatch``).
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Final

from seat_common.personal_data.pii import mask_id_number, mask_name, mask_phone
from seat_common.protocol import (
    MAX_MESSAGE_BYTES,
    CitizenInfo,
    QueueEntry,
    QueuePosition,
    QueueSnapshot,
    encode,
    to_wire,
)
from seat_hub.model import Agent, Contact, LiveState
from seat_hub.routing.acd import ROUTED_MODES, WaitingContact, contact_order_key
from seat_hub.settings import HubSettings
from seat_hub.storage.eventlog import EventLog
from seat_hub.storage.records import HandleTime

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
        skill=contact.skill,
        priority=contact.priority,
        queued_at=contact.queued_at,
        seq=contact.seq,
        excluded=frozenset(contact.excluded),
        transferred=contact.handover is not None,
        transferred_by=contact.handover.from_agent_id if contact.handover is not None else "",
    )


def _key(contact: Contact) -> tuple[int, tuple[int, float, int]]:
    return (0 if contact.offer is not None else 1, contact_order_key(waiting_view(contact)))


def ordered(live: LiveState) -> list[Contact]:
    """Every contact in the queue, in the order they will be served."""
    return sorted(live.contacts.values(), key=_key)


def lines_by_skill(live: LiveState) -> dict[str, list[Contact]]:
    """The queue per skill, each line in serving order (what citizens' positions count in)."""
    lines: dict[str, list[Contact]] = defaultdict(list)
    for contact in ordered(live):
        lines[contact.skill].append(contact)
    return lines


def lines_by_item(live: LiveState) -> dict[str, list[Contact]]:
    """The queue per service item, each line in serving order (what the seat wall shows)."""
    lines: dict[str, list[Contact]] = defaultdict(list)
    for contact in ordered(live):
        lines[contact.item.code].append(contact)
    return lines


def record_handle_time(live: LiveState, item_code: str, seconds: float) -> None:
    """Fold one closed work order into the item's mean handle time."""
    old = live.handle_times.get(item_code, HandleTime(0, 0.0))
    count = old.count + 1
    live.handle_times[item_code] = HandleTime(count, old.mean_s + (seconds - old.mean_s) / count)


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
        priority_check=contact.priority_check,
        large_text=contact.large_text,
        link_lost_until=contact.link_lost_until,
    )


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One queue entry ready to go into snapshots, with its skill and encoded size."""

    skill: str
    entry: QueueEntry
    size: int  # bytes of the entry in the encoded snapshot


def queue_rows(
    contacts: list[Contact], made: dict[str, QueueRow] | None = None
) -> list[QueueRow]:
    """The rows of ``contacts``. ``made`` keeps the rows between publications, by work order
    (a row is made once per contact and item, and only the rows of ``contacts`` stay)."""
    rows = []
    for c in contacts:
        row = made.get(c.work_order_id) if made is not None else None
        # New, moved to another item, or its link dropped or came back.
        if (row is None or row.entry.item_code != c.item.code
                or row.entry.link_lost_until != c.link_lost_until):
            made_entry = entry(c)
            wire = json.dumps(to_wire(made_entry), ensure_ascii=False, separators=(",", ":"))
            row = QueueRow(c.skill, made_entry, len(wire.encode()) + 1)
        rows.append(row)
    if made is not None:
        made.clear()
        made.update((row.entry.work_order_id, row) for row in rows)
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


class QueueViews:
    """Publishes the queue views: positions to citizens, snapshots to agents.

    Holds the queue's ``version`` (bumped by ``changed``), the version last
    published, whether a publication is scheduled, the position last told to
    each citizen, the snapshot last sent to each agent and the queue rows made
    so far; reads the live state.
    """

    def __init__(self, live: LiveState, settings: HubSettings, log: EventLog) -> None:
        self._live = live
        self._settings = settings
        self._log = log
        self.version = 0
        self._published = -1
        self._scheduled = False
        #: Work order id → the position its citizen was last told.
        self._told: dict[str, int] = {}
        #: Agent id → the snapshot last sent (an unchanged one is not sent again).
        self._shown: dict[str, tuple[QueueEntry, ...]] = {}
        self._rows: dict[str, QueueRow] = {}
        #: Skill → agents on duty with it when positions were last published.
        self._duty: dict[str, int] = {}
        #: Whether waiting citizens are told their moves from here (``QueuePosition``). A
        #: cluster's hub tells them from the shared queue instead (``cluster_clock``).
        self.tells_positions = True
        #: Whether agents' queue snapshots are published from here after changes (a
        #: cluster's hub publishes the shared queue instead; the one at login stays).
        self.shows_snapshots = True

    def changed(self) -> None:
        """The queue changed: positions and snapshots are published with the next turn."""
        self.version += 1

    def first_position(self, contact: Contact) -> int:
        """A contact's position as it joins the queue, remembered as told (their ``Queued``
        carries it); later moves are published as ``QueuePosition``."""
        line = lines_by_skill(self._live)[contact.skill]
        position = self._told[contact.work_order_id] = line.index(contact) + 1
        return position

    def expected_wait(self, contact: Contact, position: int, on_duty: int | None = None
                      ) -> float:
        """Position × the item's mean handle time, shared among the agents who serve it
        (``on_duty`` of them; by default those logged in here)."""
        handle = self._live.handle_times.get(contact.item.code)
        mean = self._settings.default_handle_s
        if handle is not None and handle.count:
            mean = handle.mean_s
        duty = self.on_duty(contact.skill) if on_duty is None else on_duty
        return round(position * mean / max(1, duty), 1)

    def on_duty(self, skill: str) -> int:
        """Agents logged in, in a routed mode, with ``skill`` (ready, away or busy)."""
        return self._duty_by_skill().get(skill, 0)

    def _duty_by_skill(self) -> dict[str, int]:
        duty: dict[str, int] = defaultdict(int)
        for agent in self._live.agents.values():
            if agent.mode in ROUTED_MODES:
                for skill in agent.seat.skills:
                    duty[skill] += 1
        return dict(duty)

    def _due(self) -> bool:
        """The queue changed, or agents on duty did, since the last publication."""
        return self.version != self._published or self._duty_by_skill() != self._duty

    def send_snapshot(self, agent: Agent) -> None:
        """Send the agent their queue now (on login)."""
        shown = self._shown[agent.agent_id] = snapshot_for(
            agent, queue_rows(ordered(self._live), self._rows)
        )
        agent.session.send(QueueSnapshot(entries=shown))

    def publish_soon(self) -> None:
        """Publish the queue views once the events now being handled are done.

        Under load many events land in one turn of the event loop; they share one
        publication instead of each sending every agent a snapshot.
        """
        if self._scheduled or not self._due():
            return
        self._scheduled = True
        asyncio.get_running_loop().call_soon(self._publish_now)

    def _publish_now(self) -> None:
        self._scheduled = False
        try:
            self.publish()
        except Exception as exc:  # a loop callback has nobody to raise to
            self._log.event("internal_error", where="publish", error=repr(exc))

    def publish(self) -> None:
        """After a queue change: new positions to citizens, new snapshots to agents."""
        if not self._due():
            return
        self._published = self.version
        # Agents coming or going change what waiting citizens are told even if no place moved.
        duty_before, self._duty = self._duty, self._duty_by_skill()
        contacts = ordered(self._live)
        lines: dict[str, list[Contact]] = defaultdict(list)
        for contact in contacts:
            lines[contact.skill].append(contact)
        told, self._told = self._told, {}
        for line in lines.values():
            for position, contact in enumerate(line, start=1):
                # Not told yet: the citizen has not had their Queued reply yet.
                before = told.get(contact.work_order_id, 0)
                if not before:
                    continue
                self._told[contact.work_order_id] = position
                skill = contact.skill
                if not self.tells_positions:
                    continue
                if before != position or duty_before.get(skill, 0) != self._duty.get(skill, 0):
                    contact.session.send(
                        QueuePosition(
                            work_order_id=contact.work_order_id,
                            position=position,
                            expected_wait_s=self.expected_wait(contact, position),
                            agents_on_duty=self._duty.get(skill, 0),
                        )
                    )
        if not self.shows_snapshots:
            return
        rows = queue_rows(contacts, self._rows)
        # Agents with the same skills see the same snapshot: build and encode it once.
        views: dict[frozenset[str], tuple[tuple[QueueEntry, ...], str]] = {}
        shown, self._shown = self._shown, {}
        for agent in self._live.agents.values():
            view = views.get(agent.seat.skills)
            if view is None:
                entries = snapshot_for(agent, rows)
                view = views[agent.seat.skills] = (entries, encode(QueueSnapshot(entries=entries)))
            if view[0] != shown.get(agent.agent_id):
                agent.session.send_encoded(view[1])
            self._shown[agent.agent_id] = view[0]
