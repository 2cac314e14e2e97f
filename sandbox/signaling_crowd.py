"""Signaling-only crowds for the hub's load drills (``scripts/bench_hub.py``,
``scripts/bench_cluster.py``): agents and citizens as plain protocol-v1 websocket clients,
many in one process, no media.

An agent logs in with its token and goes ready, accepts each offer after a short think
time, holds the call for a random handle time, hangs up and wraps up. A citizen says hello,
joins the queue for an item, gives up (``leave_queue``) when its patience runs out, hangs up
at once if ``quick``, and rates 1–10 after the call.

With a ``Reconnect`` policy a client whose link drops (its hub killed, the balancer's
session cut) comes back by itself through the same URL, waiting a full-jitter backoff
between tries (``full_jitter``): an agent logs in again with its token (the hub gives it
back its call, or its wrap-up to finish), a citizen says hello with its resume token (its
queue place or call). The time from noticing the drop to the next ``welcome`` is the
client's re-home time (``CrowdTally.rehome_s``). Without a policy (one hub, nothing killed)
a dropped link simply ends the client.

Every citizen keeps a ``CitizenRecord``, so a drill can see who was waiting or talking at
an instant (a kill) and what became of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import random
import time
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from sandbox.hub_process import SeatSpec
from seat_common import catalog, protocol
from seat_common.tasks import TaskOwner

#: What a failed (re)connection raises.
LINK_ERRORS = (OSError, ConnectionClosed, InvalidHandshake, TimeoutError)


def web_items() -> dict[str, list[str]]:
    """Skill → the codes of its service items a citizen can ask for on the web channel."""
    items: dict[str, list[str]] = {}
    for item in catalog.load().items.values():
        if "web" in item.channels:
            items.setdefault(item.skill, []).append(item.code)
    return items


def crowd_seats(agents: int, skills: list[str], hall: str = "东莞市民服务中心") -> list[SeatSpec]:
    """``agents`` agent seats (``0001``, …), each with two of ``skills`` and social
    insurance, and one supervisor ``S01``."""
    seats = []
    for i in range(agents):
        own = {skills[i % len(skills)], skills[(i * 3 + 1) % len(skills)], "social_insurance"}
        seats.append(SeatSpec(f"{i + 1:04d}", f"坐席{i + 1:02d}", skills=tuple(sorted(own)),
                              hall=hall))
    seats.append(SeatSpec("S01", "督导", role="supervisor", hall=hall))
    return seats


@dataclass(frozen=True, slots=True)
class Reconnect:
    """Come back after a dropped link: full-jitter backoff from ``base_s`` doubling up to
    ``cap_s`` (the project's clients' 0.2 s to 2 s), for at most ``give_up_s``."""

    base_s: float = 0.2
    cap_s: float = 2.0
    give_up_s: float = 120.0


def full_jitter(attempt: int, rng: random.Random, base_s: float, cap_s: float) -> float:
    """Seconds to wait before try ``attempt`` (0-based): uniform between 0 and
    ``min(cap_s, base_s × 2^attempt)``, so a crowd cut at once does not come back at once."""
    return rng.uniform(0.0, min(cap_s, base_s * 2.0 ** min(attempt, 30)))


class CitizenPhase(enum.Enum):
    CONNECTING = "connecting"
    WAITING = "waiting"
    IN_CALL = "in_call"
    DONE = "done"


@dataclass
class CitizenRecord:
    """What happened to one citizen: every work order and call it was told of, how its
    call ended, and whether a resume was refused."""

    name: str
    phase: CitizenPhase = CitizenPhase.CONNECTING
    work_orders: list[str] = field(default_factory=list)
    call_ids: list[str] = field(default_factory=list)
    ended_by: str = ""
    end_reason: str = ""
    resume_refused: bool = False
    gave_up: bool = False
    answered: bool = False


@dataclass
class CrowdTally:
    """What a drill's clients share: the random source, the mean handle time, the owner of
    the agents' hang-up timers, and everything counted."""

    rng: random.Random
    handle_s: float
    tasks: TaskOwner
    reconnect: Reconnect | None = None
    #: citizen name → the work order it was told it is queued under
    queued: dict[str, str] = field(default_factory=dict)
    citizens: dict[str, CitizenRecord] = field(default_factory=dict)
    rated: int = 0
    abandoned: int = 0
    errors: list[str] = field(default_factory=list)
    #: seconds from a dropped link to the next welcome, one per re-homing
    rehome_s: list[float] = field(default_factory=list)
    #: clients that did not come back (resume refused, or gave up trying)
    not_rehomed: list[str] = field(default_factory=list)


async def open_link(url: str) -> ClientConnection:
    return await connect(url, compression=None, max_size=2**21, open_timeout=10)


async def send(ws: ClientConnection, message: protocol.Message) -> None:
    await ws.send(protocol.encode(message))


async def _first_link(url: str, tally: CrowdTally, who: str) -> ClientConnection | None:
    """The client's first link; with a reconnect policy a failed try is tried again."""
    try:
        return await open_link(url)
    except LINK_ERRORS:
        if tally.reconnect is None:
            raise
    return await _come_back(url, tally, who)


async def _come_back(url: str, tally: CrowdTally, who: str) -> ClientConnection | None:
    """A new link through ``url`` after a drop, with backoff; ``None`` after give-up."""
    policy = tally.reconnect
    assert policy is not None
    deadline = time.monotonic() + policy.give_up_s
    attempt = 0
    while time.monotonic() < deadline:
        await asyncio.sleep(full_jitter(attempt, tally.rng, policy.base_s, policy.cap_s))
        attempt += 1
        try:
            return await open_link(url)
        except LINK_ERRORS:
            continue
    tally.not_rehomed.append(f"{who}: no link within {policy.give_up_s} s")
    return None


class CrowdAgent:
    """One agent of the crowd; ``run`` until cancelled (or its link drops, without a
    reconnect policy)."""

    def __init__(self, url: str, token: str, tally: CrowdTally, label: str = "") -> None:
        self.url = url
        self.token = token
        self.tally = tally
        self.label = label or token[:6]
        self._ws: ClientConnection | None = None
        self._linked = asyncio.Event()
        self._call_id = ""
        self._hangups: set[str] = set()
        self._wrapped: set[str] = set()

    @property
    def linked(self) -> bool:
        """Logged in (welcomed) on a link that has not dropped."""
        return self._linked.is_set()

    async def run(self) -> None:
        link = await _first_link(self.url, self.tally, f"agent {self.label}")
        if link is None:
            return
        ws = link
        dropped_at: float | None = None
        while True:
            self._ws = ws
            with contextlib.suppress(ConnectionClosed):
                await send(ws, protocol.Hello(role="agent", token=self.token))
                if dropped_at is None:
                    await send(ws, protocol.SetState(state="ready"))
                if await self._serve(ws, dropped_at):
                    return
            self._linked.clear()
            if self.tally.reconnect is None:
                return
            dropped_at = time.monotonic()
            came_back = await _come_back(self.url, self.tally, f"agent {self.label}")
            if came_back is None:
                return
            ws = came_back

    async def _serve(self, ws: ClientConnection, dropped_at: float | None) -> bool:
        """Read until the link drops (``False``) or the seat is taken away (``True``)."""
        async for frame in ws:
            message = protocol.decode(frame)
            if isinstance(message, protocol.Welcome):
                self._linked.set()
                if dropped_at is not None:
                    self.tally.rehome_s.append(time.monotonic() - dropped_at)
                    dropped_at = None
            elif isinstance(message, protocol.Presence) and self.tally.reconnect is not None:
                await self._on_presence(ws, message)
            elif isinstance(message, protocol.Offer):
                await asyncio.sleep(self.tally.rng.uniform(0.01, 0.05))
                await send(ws, protocol.Accept(call_id=message.call_id))
            elif isinstance(message, protocol.CallStarted):
                self._call_id = message.call_id
                if message.call_id not in self._hangups:  # not again after a re-login
                    self._hangups.add(message.call_id)
                    self.tally.tasks.spawn(self._hang_up_later(message.call_id),
                                           f"hang-up {message.call_id}")
            elif isinstance(message, protocol.CallEnded):
                self._call_id = ""
                await asyncio.sleep(self.tally.rng.uniform(0.05, 0.2))
                await self._wrap_up(ws, message.work_order_id)
            elif isinstance(message, protocol.Error) and message.of not in (
                    "set_state", "hangup", "wrap_up"):
                # (a hang-up crossing the citizen's own is refused as no_such_call: expected;
                # a wrap-up the hub already took after a re-login: expected)
                self.tally.errors.append(
                    f"agent: {message.code} {message.of} {message.message}")
                if message.code in ("taken_over", "bad_token", "revoked"):
                    return True
        return False

    async def _on_presence(self, ws: ClientConnection, message: protocol.Presence) -> None:
        """After a re-login the hub says where the seat stands: finish a wrap-up owed, go
        ready again if the seat was set away."""
        if message.state == "wrap_up" and message.work_order_id:
            await self._wrap_up(ws, message.work_order_id)
        elif message.state in ("away", "offline"):
            await send(ws, protocol.SetState(state="ready"))

    async def _wrap_up(self, ws: ClientConnection, work_order_id: str) -> None:
        if work_order_id in self._wrapped:
            return
        self._wrapped.add(work_order_id)
        await send(ws, protocol.WrapUp(work_order_id=work_order_id, outcome="resolved",
                                       notes="bench"))

    async def _hang_up_later(self, call_id: str) -> None:
        await asyncio.sleep(self.tally.rng.uniform(0.5, 1.5) * self.tally.handle_s)
        while self._call_id == call_id:
            await self._linked.wait()
            ws = self._ws
            if ws is None:
                return
            try:
                await send(ws, protocol.Hangup(call_id=call_id))
                return
            except ConnectionClosed:
                if self._ws is ws:  # the reader notices too; wait for the new link
                    self._linked.clear()


async def run_agent(url: str, token: str, tally: CrowdTally) -> None:
    await CrowdAgent(url, token, tally).run()


class CrowdCitizen:
    """One citizen of the crowd: join, wait up to ``patience_s``, talk, rate."""

    def __init__(self, url: str, name: str, item: str, tally: CrowdTally, patience_s: float,
                 quick: bool = False) -> None:
        self.url = url
        self.item = item
        self.tally = tally
        self.patience_s = patience_s
        self.quick = quick
        self.record = CitizenRecord(name)
        tally.citizens[name] = self.record
        self._resume_token = ""

    async def run(self) -> None:
        record = self.record
        link = await _first_link(self.url, self.tally, f"citizen {record.name}")
        if link is None:
            record.phase = CitizenPhase.DONE
            return
        ws = link
        deadline = time.monotonic() + self.patience_s
        dropped_at: float | None = None
        try:
            while True:
                try:
                    if dropped_at is None:
                        await self._join(ws)
                    else:
                        await send(ws, protocol.Hello(role="citizen", name=record.name,
                                                      resume=self._resume_token))
                    if await self._serve(ws, deadline, dropped_at):
                        return
                except ConnectionClosed:
                    pass
                if self.tally.reconnect is None or not self._resume_token:
                    return
                dropped_at = time.monotonic()
                with contextlib.suppress(ConnectionClosed):
                    await ws.close()
                came_back = await _come_back(self.url, self.tally, f"citizen {record.name}")
                if came_back is None:
                    return
                ws = came_back
        finally:
            record.phase = CitizenPhase.DONE
            await ws.close()

    async def _join(self, ws: ClientConnection) -> None:
        name = self.record.name
        await send(ws, protocol.Hello(role="citizen", name=name))
        priority = "elderly" if self.tally.rng.random() < 0.05 else "normal"
        await send(ws, protocol.JoinQueue(
            item_code=self.item, channel="web", citizen=protocol.CitizenInfo(name=name),
            priority=priority))  # type: ignore[arg-type]

    async def _serve(self, ws: ClientConnection, deadline: float,
                     dropped_at: float | None) -> bool:
        """Read until the citizen is done (``True``) or the link drops (raises)."""
        record, tally = self.record, self.tally
        while True:
            left = deadline - time.monotonic() if not record.answered else 600.0
            try:
                async with asyncio.timeout(max(left, 0.001)):
                    frame = await ws.recv()
            except TimeoutError:
                await send(ws, protocol.LeaveQueue())
                tally.abandoned += 1
                record.gave_up = True
                return True
            message = protocol.decode(frame)
            if isinstance(message, protocol.Welcome):
                self._resume_token = message.resume_token
                if dropped_at is not None:
                    tally.rehome_s.append(time.monotonic() - dropped_at)
                    dropped_at = None
            elif isinstance(message, protocol.Queued):
                tally.queued[record.name] = message.work_order_id
                if message.work_order_id not in record.work_orders:
                    record.work_orders.append(message.work_order_id)
                record.phase = CitizenPhase.WAITING
            elif isinstance(message, protocol.CallStarted):
                record.answered = True
                record.phase = CitizenPhase.IN_CALL
                if message.work_order_id not in record.work_orders:
                    record.work_orders.append(message.work_order_id)
                if message.call_id not in record.call_ids:
                    record.call_ids.append(message.call_id)
                    if self.quick:
                        await send(ws, protocol.Hangup(call_id=message.call_id))
            elif isinstance(message, protocol.CallEnded):
                record.ended_by, record.end_reason = message.ended_by, message.reason
                score = 10 if tally.rng.random() < 0.96 else tally.rng.randint(6, 9)
                await send(ws, protocol.Rate(work_order_id=message.work_order_id, score=score))
            elif isinstance(message, protocol.Ack) and message.of == "rate":
                tally.rated += 1
                return True
            elif isinstance(message, protocol.Error):
                if message.code == "resume_refused":
                    record.resume_refused = True
                    tally.not_rehomed.append(f"citizen {record.name}: resume refused")
                else:
                    tally.errors.append(
                        f"citizen: {message.code} {message.of} {message.message}")
                return True


async def run_citizen(url: str, name: str, item: str, tally: CrowdTally, patience_s: float,
                      quick: bool = False) -> None:
    await CrowdCitizen(url, name, item, tally, patience_s, quick).run()


async def arrivals(url: str, tally: CrowdTally, items: list[str], count: int,
                   rate_per_s: float, prefix: str, patience_s: float,
                   quick: bool = False) -> None:
    """``count`` citizens arriving as a Poisson stream of ``rate_per_s``; returns when every
    one of them is done."""
    citizens = tally.tasks.child(f"arrivals {prefix}")
    for i in range(count):
        item = tally.rng.choice(items)
        citizens.spawn(run_citizen(url, f"{prefix}{i:04d}", item, tally, patience_s, quick),
                       f"citizen {prefix}{i:04d}", report=False)
        await asyncio.sleep(tally.rng.expovariate(rate_per_s))
    await citizens.wait()
    await citizens.close()
