"""The queue views and the seat wall publish once per turn of the event loop, only what changed,
after the rest of the hub told them what changed; the wall shows what each seat is busy with."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from seat_common.catalog import load
from seat_common.protocol import (
    CitizenInfo,
    Message,
    QueuePosition,
    QueueSnapshot,
    WallSnapshot,
    WallUpdate,
    decode,
)
from seat_common.tasks import TaskOwner
from seat_hub.context import HubContext
from seat_hub.model import Agent, Call, Contact, EndedCall, Watch
from seat_hub.parties.citizen_keys import CitizenKeys
from seat_hub.parties.seats import Seat, SeatRegistry
from seat_hub.parties.session import Session
from seat_hub.settings import HubSettings
from seat_hub.storage.eventlog import EventLog
from seat_hub.storage.sqlite.store import SqliteStore

CATALOG = load()
SI_ITEM = CATALOG.items["SI-UNEMP-QUERY"]


class _NoSink:
    async def send(self, message: str) -> None:
        raise AssertionError("frames are kept by the test session")

    async def close(self, code: int = 1000, reason: str = "") -> None:
        raise AssertionError("nothing is closed in this test")


class Inbox(Session):
    """A session that keeps what the hub sends it, decoded."""

    def __init__(self, session_id: str, name: str = "") -> None:
        super().__init__(_NoSink(), session_id, "test")
        self.name = name
        self.received: list[Message] = []

    def send_encoded(self, frame: str) -> None:
        self.received.append(decode(frame))

    def take(self) -> list[Message]:
        taken, self.received = self.received, []
        return taken


def _seat(agent_id: str, *skills: str) -> Seat:
    return Seat(agent_id, f"坐席{agent_id}", "agent", frozenset(skills), "", "video", "0" * 64)


SEATS = [
    _seat("0001", "social_insurance"),
    _seat("0002", "housing_fund"),
    _seat("0003", "social_insurance"),
]


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[HubContext]:
    store = await SqliteStore.open(tmp_path / "ledger.sqlite3")
    tasks = TaskOwner("test")
    yield HubContext(
        seats=SeatRegistry(SEATS),
        catalog=CATALOG,
        ledger=store.ledger,
        audit=store.audit,
        log=EventLog(io.StringIO()),
        settings=HubSettings(wrap_up_limits=(("social_insurance", 90.0),)),
        tasks=tasks,
        citizen_keys=CitizenKeys(b"s" * 32),
        clock=lambda: 1_790_000_100.0,
    )
    await tasks.close()
    await store.close()


def _log_in(ctx: HubContext, seat: Seat) -> Agent:
    agent = Agent(seat, Inbox(f"S-{seat.agent_id}"), "ready", "video", 0.0, 0.0)
    ctx.live.agents[seat.agent_id] = agent
    ctx.queue_views.send_snapshot(agent)  # as at login
    _inbox(agent).take()
    return agent


def _join(ctx: HubContext, n: int) -> Contact:
    contact = Contact(
        f"WO-{n}", SI_ITEM, "web", "normal", "video", CitizenInfo(name="王小明"),
        Inbox(f"S-c{n}"), 1_790_000_000.0 + n, ctx.live.next_seq(),
    )
    ctx.live.contacts[contact.work_order_id] = contact
    ctx.queue_changed()
    return contact


def _inbox(agent: Agent) -> Inbox:
    assert isinstance(agent.session, Inbox)
    return agent.session


def _citizen(contact: Contact) -> Inbox:
    assert isinstance(contact.session, Inbox)
    return contact.session


def _snapshot(agent: Agent) -> QueueSnapshot:
    (snapshot,) = _inbox(agent).take()
    assert isinstance(snapshot, QueueSnapshot)
    return snapshot


async def _next_turn() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_queue_changes_in_one_turn_are_published_once_to_whose_view_changed(
    ctx: HubContext,
) -> None:
    si, hf = _log_in(ctx, SEATS[0]), _log_in(ctx, SEATS[1])
    for n in range(3):
        _join(ctx, n)
        ctx.publish_soon()
    await _next_turn()
    snapshots = _inbox(si).take()
    assert len(snapshots) == 1 and isinstance(snapshots[0], QueueSnapshot)
    assert [e.work_order_id for e in snapshots[0].entries] == ["WO-0", "WO-1", "WO-2"]
    assert _inbox(hf).take() == []  # a housing-fund agent's (empty) view did not change

    ctx.publish_soon()  # nothing changed since
    await _next_turn()
    assert _inbox(si).take() == []


async def test_citizens_hear_their_position_only_when_it_moves(ctx: HubContext) -> None:
    first, second, untold = _join(ctx, 1), _join(ctx, 2), _join(ctx, 3)
    told = [ctx.queue_views.first_position(c) for c in (first, second)]
    assert told == [1, 2]  # ``untold`` has not had its Queued reply yet
    ctx.queue_views.publish()
    assert [_citizen(c).take() for c in (first, second, untold)] == [[], [], []]

    del ctx.live.contacts[first.work_order_id]
    ctx.queue_changed()
    ctx.queue_views.publish()
    (moved,) = _citizen(second).take()
    assert isinstance(moved, QueuePosition) and moved.position == 1
    assert _citizen(untold).take() == []


async def test_a_contact_moved_to_another_item_shows_it_in_the_next_snapshot(
    ctx: HubContext,
) -> None:
    agent = _log_in(ctx, SEATS[0])
    contact = _join(ctx, 1)
    ctx.queue_views.publish()
    assert [e.item_code for e in _snapshot(agent).entries] == ["SI-UNEMP-QUERY"]
    contact.item = CATALOG.items["SI-PENSION-CERT"]  # as a supervisor's move_contact does
    ctx.queue_changed()
    ctx.queue_views.publish()
    assert [e.item_code for e in _snapshot(agent).entries] == ["SI-PENSION-CERT"]


async def test_a_seat_changed_while_nobody_watches_is_not_kept(ctx: HubContext) -> None:
    agent = _log_in(ctx, SEATS[0])
    ctx.seat_changed(agent.agent_id)
    supervisor = Inbox("S-sup", "李督导")
    ctx.wall.subscribe(supervisor)
    assert isinstance(supervisor.take()[0], WallSnapshot)
    ctx.wall.publish()  # the first update carries the queue panel, not the earlier seat change
    update = supervisor.take()[0]
    assert isinstance(update, WallUpdate) and update.seats == () and update.queue_changed
    ctx.publish_soon()
    await _next_turn()
    assert supervisor.take() == []  # nothing pending: nothing sent


async def test_the_wall_sends_each_changed_seat_once_per_turn_with_the_queue(
    ctx: HubContext,
) -> None:
    agent = _log_in(ctx, SEATS[0])
    supervisor = Inbox("S-sup", "李督导")
    ctx.wall.subscribe(supervisor)
    ctx.wall.publish()
    supervisor.take()
    ctx.seat_changed(agent.agent_id)
    agent.state = "away"
    ctx.seat_changed(agent.agent_id)
    _join(ctx, 1)
    ctx.publish_soon()
    ctx.publish_soon()
    await _next_turn()
    updates = supervisor.take()
    assert len(updates) == 1 and isinstance(updates[0], WallUpdate)
    assert [s.agent_id for s in updates[0].seats] == ["0001"]
    assert updates[0].seats[0].state == "away"
    assert updates[0].queue_changed and [q.waiting for q in updates[0].queue] == [1]

    ctx.live.today.queued(1_790_000_100.0)  # only the figures change
    ctx.publish_soon()
    await _next_turn()
    (update,) = supervisor.take()
    assert isinstance(update, WallUpdate)
    assert (update.seats, update.queue_changed, update.figures.offered) == ((), False, 1)


async def test_a_seat_record_says_what_its_agent_is_busy_with(ctx: HubContext) -> None:
    on_call, wrapping = _log_in(ctx, SEATS[0]), _log_in(ctx, SEATS[2])
    contact = _join(ctx, 1)
    del ctx.live.contacts[contact.work_order_id]
    call = Call("C-1", contact, on_call, answered_at=1_790_000_050.0)
    call.watch = Watch("w-1", call, Inbox("S-sup", "李督导"))
    on_call.call, on_call.state = call, "on_call"
    wrapping.wrap_up = EndedCall(
        "WO-9", SI_ITEM.code, "0003", Inbox("S-c9"), 0.0, 1.0,
        skill="social_insurance", item_name=SI_ITEM.name, channel="kiosk",
    )
    wrapping.state = "wrap_up"
    seats = {s.agent_id: s for s in ctx.wall.all_seats()}

    busy = seats["0001"]
    assert (busy.state, busy.work_order_id, busy.item_code) == ("on_call", "WO-1", SI_ITEM.code)
    assert (busy.call_started_at, busy.watched_by, busy.wrap_up_limit_s) == (
        1_790_000_050.0, "李督导", 0.0,
    )
    after = seats["0003"]
    assert (after.state, after.work_order_id, after.channel) == ("wrap_up", "WO-9", "kiosk")
    assert after.wrap_up_limit_s == 90.0  # the queue's own wrap-up limit
    assert seats["0002"].state == "offline" and seats["0002"].work_order_id == ""
