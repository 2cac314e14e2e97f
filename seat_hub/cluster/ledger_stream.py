"""The ledger in a cluster: Redis is the spool, PostgreSQL the record.

A state change and its ledger write are appended together (the scripts ``XADD
{seat}:ledger`` in the same call, ``append`` from Python). Every hub runs a
``LedgerConsumer`` in the group ``writers``: it reads entries, writes each to the store
and ``XACK``s (and deletes) it after the commit. Entries a dead hub left pending are
claimed by another after ``claim_idle_ms`` (``XAUTOCLAIM``, 5 s). Each write is made
inside ``store.once(<entry id>)``, which keeps the entry id in the write's own
transaction (``storage.once``), so an entry claimed after its first writer had committed
is not written twice. The consumer knows only the store's protocol, never which store.

**The entry, version 1.** Two fields, as the dispatch scripts write them (queue17's
``ledger(op, body)``), and an optional third::

    op   = "record_offer"
    body = {"work_order_id": "WO-…", "call_id": "…", "agent_id": "…", "at": 1733611234567}
    v    = "1"                       (absent: 1; a later version must write it)

``op`` is one of ``OPS`` (a ledger method), ``body`` a JSON object with exactly its
fields, each checked (ids 1–100 characters, text at most 4,000, times whole ms ≥ 0 of
Redis's clock, enumerations from their lists). An entry that is not so is logged and moved
to the dead-letter stream ``{seat}:ledger:dead`` (with the reason), and acknowledged: it
never stops the consumer nor the entries behind it. A well-formed entry the store refuses
(its work order not yet written by another hub, a broken row) stays pending and is retried
after the idle time; after ``max_deliveries`` it is dead-lettered too.

Order: a consumer group hands entries to whichever consumer reads first, so two entries
of one work order may be written by two hubs in either order; the retry above is what
heals an entry that arrived before the one it needs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any, Final, Protocol, get_args

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from seat_common.protocol import Outcome
from seat_hub.cluster import keys
from seat_hub.cluster.presence import STREAM_ID, checked_name

log = logging.getLogger(__name__)

VERSION: Final = 1
#: The largest entry, encoded.
MAX_ENTRY_BYTES: Final = 16 * 1024
#: Entries the dead-letter stream keeps (approximately).
DEAD_MAXLEN: Final = 10_000

#: How an offer ended, how a call ended: the ledger's own lists (``storage.records``;
#: a test keeps them equal).
OFFER_RESULTS: Final = ("ringing", "accepted", "declined", "timeout", "withdrawn", "agent_left")
ENDED_BY: Final = ("citizen", "agent", "kiosk", "hub")
LEG_ENDS: Final = ("ended", "transferred")

_ID, _TEXT, _MS = "id", "text", "ms"
Kind = str | tuple[str, ...]

#: Every op an entry may name, and its body's fields.
OPS: Final[Mapping[str, Mapping[str, Kind]]] = {
    "record_offer": {"work_order_id": _ID, "call_id": _ID, "agent_id": _ID, "at": _MS},
    "record_offer_result": {"call_id": _ID, "result": OFFER_RESULTS, "at": _MS},
    "record_answer": {"work_order_id": _ID, "call_id": _ID, "agent_id": _ID, "at": _MS},
    "record_end": {"work_order_id": _ID, "ended_by": ENDED_BY, "at": _MS},
    "record_leg": {"work_order_id": _ID, "call_id": _ID, "agent_id": _ID, "answered_at": _MS,
                   "ended_at": _MS, "result": LEG_ENDS},
    "close_work_order": {"work_order_id": _ID, "outcome": tuple(get_args(Outcome)),
                         "notes": _TEXT, "at": _MS},
    "abandon": {"work_order_id": _ID, "at": _MS},
    "move_item": {"work_order_id": _ID, "item_code": _ID},
}


class BadEntry(ValueError):
    """An entry that is not a version-1 ledger entry."""


class LedgerWrites(Protocol):
    """The ledger methods an entry may name (``WorkOrderLedger`` has them all)."""

    def record_offer(self, work_order_id: str, call_id: str, agent_id: str,
                     offered_at: float) -> asyncio.Future[None]: ...

    def record_offer_result(self, call_id: str, result: Any, at: float
                            ) -> asyncio.Future[None]: ...

    def record_answer(self, work_order_id: str, call_id: str, agent_id: str,
                      answered_at: float) -> asyncio.Future[None]: ...

    def record_end(self, work_order_id: str, ended_by: Any, ended_at: float
                   ) -> asyncio.Future[None]: ...

    def close_work_order(self, work_order_id: str, outcome: Any, notes: str,
                         closed_at: float) -> asyncio.Future[None]: ...

    def abandon(self, work_order_id: str, at: float) -> asyncio.Future[None]: ...

    def move_item(self, work_order_id: str, item_code: str) -> asyncio.Future[None]: ...

    def record_leg(self, leg: Any) -> asyncio.Future[None]: ...


#: Makes the ledger's leg record from its fields (``storage.records.LegRecord``, handed in
#: by the composition root: the cluster's room does not import the store's).
LegFactory = Callable[..., object]


class OnceStore(Protocol):
    """What the consumer needs of a store (``HubStore`` has it): the ledger, and writes
    made at most once per key."""

    @property
    def ledger(self) -> LedgerWrites: ...

    def once(self, key: str) -> AbstractContextManager[None]: ...


def _check_arg(op: str, name: str, kind: Kind, value: object) -> object:
    if isinstance(kind, tuple):
        if value not in kind:
            raise BadEntry(f"{op}.{name}: {str(value)[:60]!r} is not one of {', '.join(kind)}")
        return value
    if kind == _MS:
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value) or not 0 <= value < 10**15 or value != int(value):
            raise BadEntry(f"{op}.{name}: a time is whole ms ≥ 0, not {str(value)[:60]!r}")
        return int(value)
    limit, least = (100, 1) if kind == _ID else (4000, 0)
    if not isinstance(value, str) or not least <= len(value) <= limit:
        raise BadEntry(f"{op}.{name}: text of {least} to {limit} characters expected")
    return value


def parse(fields: object) -> tuple[str, dict[str, Any]]:
    """A stream entry's fields as read from Redis, checked: its op and body."""
    if not isinstance(fields, dict) or not {"op", "body"} <= set(fields) <= {"op", "body", "v"}:
        raise BadEntry(f"an entry has the fields op, body (and v), not {str(fields)[:200]}")
    version = fields.get("v", str(VERSION))
    if version != str(VERSION):
        raise BadEntry(f"entry version {str(version)[:20]!r}; this hub reads {VERSION}")
    op, text = fields["op"], fields["body"]
    if not isinstance(op, str) or op not in OPS:
        raise BadEntry(f"unknown op {str(op)[:60]!r}")
    if not isinstance(text, str) or len(text.encode()) > MAX_ENTRY_BYTES:
        raise BadEntry(f"a body is JSON text of at most {MAX_ENTRY_BYTES} bytes")
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise BadEntry(f"body is not JSON: {exc}") from None
    spec = OPS[op]
    if not isinstance(body, dict) or set(body) != set(spec):
        raise BadEntry(f"{op} takes {', '.join(spec)}")
    return op, {name: _check_arg(op, name, kind, body[name]) for name, kind in spec.items()}


def fields(op: str, body: Mapping[str, object]) -> dict[str, str]:
    """An entry's fields, checked as a reader will check them."""
    entry = {"op": op, "body": json.dumps(dict(body), ensure_ascii=False,
                                          separators=(",", ":")), "v": str(VERSION)}
    parse(entry)
    return entry


async def append(client: aioredis.Redis, op: str, body: Mapping[str, object]) -> str:
    """Append a ledger entry (from Python; the scripts write the same fields); its id."""
    entry: dict[Any, Any] = fields(op, body)
    return str(await client.xadd(keys.LEDGER, entry))


def _apply(ledger: LedgerWrites, leg: LegFactory, op: str, b: dict[str, Any]
           ) -> asyncio.Future[None]:
    """The ledger call an entry stands for (times from Redis's ms to the ledger's s)."""
    if op == "record_offer":
        return ledger.record_offer(b["work_order_id"], b["call_id"], b["agent_id"],
                                   b["at"] / 1000)
    if op == "record_offer_result":
        return ledger.record_offer_result(b["call_id"], b["result"], b["at"] / 1000)
    if op == "record_answer":
        return ledger.record_answer(b["work_order_id"], b["call_id"], b["agent_id"],
                                    b["at"] / 1000)
    if op == "record_end":
        return ledger.record_end(b["work_order_id"], b["ended_by"], b["at"] / 1000)
    if op == "record_leg":
        return ledger.record_leg(leg(
            work_order_id=b["work_order_id"], call_id=b["call_id"], agent_id=b["agent_id"],
            from_at=b["answered_at"] / 1000, to_at=b["ended_at"] / 1000, how=b["result"]))
    if op == "close_work_order":
        return ledger.close_work_order(b["work_order_id"], b["outcome"], b["notes"],
                                       b["at"] / 1000)
    if op == "abandon":
        return ledger.abandon(b["work_order_id"], b["at"] / 1000)
    return ledger.move_item(b["work_order_id"], b["item_code"])


class LedgerConsumer:
    """One hub's writer in the group ``writers``. ``run`` it on the hub's ``TaskOwner``;
    ``step`` is one round (claim, read, write, acknowledge) for tests and tools."""

    def __init__(self, client: aioredis.Redis, store: OnceStore, *, consumer: str,
                 leg_record: LegFactory, claim_idle_ms: int = 5000, block_ms: int = 2000,
                 batch: int = 100, max_deliveries: int = 5) -> None:
        self._redis = client
        self._store = store
        self._leg = leg_record
        self.consumer = checked_name("consumer", consumer)
        self.claim_idle_ms = claim_idle_ms
        self._block_ms = block_ms
        self._batch = batch
        self._max_deliveries = max_deliveries
        self._group_ready = False

    async def ensure_group(self) -> None:
        try:
            await self._redis.xgroup_create(keys.LEDGER, keys.LEDGER_GROUP, id="0",
                                            mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def read(self, *, block: bool = True) -> list[tuple[str, object]]:
        """New entries for this consumer (they are pending on it until acknowledged)."""
        if not self._group_ready:
            await self.ensure_group()
        try:
            reply = await self._redis.xreadgroup(
                keys.LEDGER_GROUP, self.consumer, {keys.LEDGER: ">"}, count=self._batch,
                block=self._block_ms if block else None)
        except ResponseError as exc:
            if "NOGROUP" in str(exc):  # Redis came back empty: the group with it
                self._group_ready = False
                return []
            raise
        rows: list[tuple[str, object]] = []
        for _, entries in (reply.items() if isinstance(reply, dict) else reply or []):
            rows.extend(_rows(entries))
        return rows

    async def claim(self) -> list[tuple[str, object]]:
        """Entries pending on any consumer for ``claim_idle_ms`` or more, now this one's;
        those delivered ``max_deliveries`` times are dead-lettered instead."""
        if not self._group_ready:
            await self.ensure_group()
        try:
            reply = await self._redis.xautoclaim(keys.LEDGER, keys.LEDGER_GROUP, self.consumer,
                                                 self.claim_idle_ms, "0-0", count=self._batch)
        except ResponseError as exc:
            if "NOGROUP" in str(exc):
                self._group_ready = False
                return []
            raise
        if not isinstance(reply, list) or len(reply) < 2:
            raise BadEntry(f"XAUTOCLAIM answered {str(reply)[:200]}")
        claimed = _rows(reply[1])
        gone = [str(i) for i in (reply[2] if len(reply) > 2 else [])]
        if gone:  # pending ids whose entries were deleted: nothing left to write
            await self._redis.xack(keys.LEDGER, keys.LEDGER_GROUP, *gone)
        kept: list[tuple[str, object]] = []
        for entry_id, fields in claimed:
            if await self._deliveries(entry_id) > self._max_deliveries:
                await self._dead(entry_id, fields, f"refused by the store"
                                 f" {self._max_deliveries} times")
                await self.ack([entry_id])
            else:
                kept.append((entry_id, fields))
        return kept

    async def write(self, entries: list[tuple[str, object]]) -> list[str]:
        """Write each entry once (keyed by its id); the ids to acknowledge: written, or
        dead-lettered. An entry the store refused is left pending (logged)."""
        done: list[str] = []
        queued: list[tuple[str, asyncio.Future[None]]] = []
        for entry_id, fields in entries:
            try:
                op, args = parse(fields)
            except BadEntry as exc:
                log.warning("ledger entry %s is malformed, dead-lettered: %s", entry_id, exc)
                await self._dead(entry_id, fields, str(exc))
                done.append(entry_id)
                continue
            try:
                with self._store.once(entry_id):
                    queued.append((entry_id, _apply(self._store.ledger, self._leg, op, args)))
            except Exception as exc:  # the store refused to queue it (closed): retried later
                log.warning("ledger entry %s not queued: %s", entry_id, exc)
        for entry_id, future in queued:
            try:
                await future
            except Exception as exc:  # the store's own error: pending, retried after idle
                log.warning("ledger entry %s not written, left pending: %s", entry_id, exc)
                continue
            done.append(entry_id)
        return done

    async def ack(self, ids: list[str]) -> None:
        """Acknowledge and delete written entries (the group is their only reader)."""
        if not ids:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(keys.LEDGER, keys.LEDGER_GROUP, *ids)
            pipe.xdel(keys.LEDGER, *ids)
            await pipe.execute()

    async def step(self, *, block: bool = True) -> int:
        """One round: claim what others left, read what is new, write, acknowledge. How
        many entries were acknowledged."""
        entries = await self.claim()
        entries += await self.read(block=block and not entries)
        done = await self.write(entries)
        await self.ack(done)
        return len(done)

    async def run(self) -> None:
        """Rounds forever; a Redis error is logged and the round tried again."""
        while True:
            try:
                await self.step()
            except (RedisError, OSError, BadEntry) as exc:
                self._group_ready = False
                log.warning("ledger consumer %s: %s", self.consumer, exc)
                await asyncio.sleep(0.5)  # Redis away: a pause before asking again

    async def _deliveries(self, entry_id: str) -> int:
        rows = await self._redis.xpending_range(keys.LEDGER, keys.LEDGER_GROUP, entry_id,
                                                entry_id, 1)
        if not rows:
            return 0
        count = rows[0].get("times_delivered")
        return int(count) if isinstance(count, int) else 0

    async def _dead(self, entry_id: str, fields: object, reason: str) -> None:
        raw = json.dumps(fields, ensure_ascii=False) if isinstance(fields, dict) else None
        await self._redis.xadd(keys.LEDGER_DEAD, {
            "id": entry_id, "entry": (raw or str(fields))[:8000],
            "reason": reason[:1000], "consumer": self.consumer},
            maxlen=DEAD_MAXLEN, approximate=True)


def _rows(entries: object) -> list[tuple[str, object]]:
    if not isinstance(entries, list):
        raise BadEntry(f"stream entries {str(entries)[:200]}")
    rows: list[tuple[str, object]] = []
    for entry in entries:
        if not isinstance(entry, list | tuple) or len(entry) != 2:
            raise BadEntry(f"stream entry {str(entry)[:200]}")
        entry_id = entry[0]
        if not isinstance(entry_id, str) or not STREAM_ID.fullmatch(entry_id):
            raise BadEntry(f"stream id {str(entry_id)[:60]!r}")
        rows.append((entry_id, entry[1]))
    return rows
