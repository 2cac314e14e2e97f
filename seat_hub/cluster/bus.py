"""Signaling between hubs: one Redis stream per party, read by the hub that holds it; the
wall's updates on pub/sub.

A message for a party is ``XADD {seat}:to:<party> MAXLEN ~ 500`` (``publish``, or the
dispatch scripts), whichever hub acts: two fields, ``type`` and ``body`` (a JSON object).
The hub holding the party runs one ``SignalReader``: a task that ``XREAD BLOCK``s over
the streams of its current parties, each from the last id delivered, and hands every
message to ``deliver(party, stream id, Signal)`` in the stream's order.
Always concrete ids, never ``$`` (which the server reads anew at every call, so a
message added between two reads would be skipped).

When a party arrives or leaves, the read must be re-issued with the new set of streams at
once, not when the block times out: the reader's own wake stream (``{seat}:wake:<reader>``)
is one of the streams it reads, and ``add``/``remove`` append to it, which ends the block.
A party that moved here from another hub is added from the last id the old hub delivered
(its presence value), so a message published while it was moving is delivered once it
lands: why streams and not pub/sub. The client drops an id it has seen, so a message
delivered twice around a move acts once.

If Redis goes away the reader waits (full-jitter backoff) and reads again from the last
ids; a restarted Redis without persistence starts with empty streams.

The wall is a view refreshed from a snapshot, so a missed update costs nothing lasting:
``publish_wall`` / ``WallListener`` use pub/sub on ``{seat}:wall``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from seat_hub.cluster import keys
from seat_hub.cluster.presence import STREAM_ID, checked_name

log = logging.getLogger(__name__)

#: Messages a party's stream keeps (approximately: ``MAXLEN ~``).
STREAM_MAXLEN: Final = 500
#: The largest signaling message, encoded (an SDP with many candidates fits easily).
MAX_MESSAGE_BYTES: Final = 64 * 1024
#: How long one ``XREAD`` blocks when nothing comes (the wake stream ends it sooner).
BLOCK_MS: Final = 5000

#: A message type: what the party's client switches on (``offer``, ``call_started``, …).
TYPE: Final = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True, slots=True)
class Signal:
    """One message for a party: its type and its body (a JSON object). In the stream it is
    two fields, ``type`` and ``body`` (the JSON text), as the dispatch scripts write it."""

    type: str
    body: dict[str, Any]


Deliver = Callable[[str, str, Signal], Awaitable[None]]


class BadMessage(ValueError):
    """A message that is not a type and a JSON object of bounded size."""


def _body_text(body: Mapping[str, Any]) -> str:
    text = json.dumps(dict(body), ensure_ascii=False, separators=(",", ":"))
    if len(text.encode()) > MAX_MESSAGE_BYTES:
        raise BadMessage(f"message of {len(text.encode())} bytes; at most {MAX_MESSAGE_BYTES}")
    return text


def body_text(body: Mapping[str, Any]) -> str:
    """A message's body as its stream field holds it (``BadMessage`` if too large)."""
    return _body_text(body)


def _body(text: object) -> dict[str, Any]:
    if not isinstance(text, str) or len(text.encode()) > MAX_MESSAGE_BYTES:
        raise BadMessage("a body is JSON text of bounded size")
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise BadMessage(f"not JSON: {exc}") from None
    if isinstance(value, list) and not value:
        value = {}  # Lua's cjson writes an empty table as []
    if not isinstance(value, dict):
        raise BadMessage("a body is a JSON object")
    return value


def decode(fields: object) -> Signal:
    """A stream entry's fields as read from Redis, checked: ``type`` and ``body``."""
    if not isinstance(fields, dict) or set(fields) != {"type", "body"}:
        raise BadMessage(f"entry fields {str(fields)[:200]}")
    kind = fields["type"]
    if not isinstance(kind, str) or not TYPE.fullmatch(kind):
        raise BadMessage(f"bad message type {str(kind)[:60]!r}")
    return Signal(kind, _body(fields["body"]))


async def publish(client: aioredis.Redis, party: str, kind: str,
                  body: Mapping[str, Any]) -> str:
    """Append a message to the party's stream; its stream id."""
    if not TYPE.fullmatch(kind):
        raise BadMessage(f"bad message type {kind[:60]!r}")
    entry = await client.xadd(keys.to_key(checked_name("party", party)),
                              {"type": kind, "body": _body_text(body)},
                              maxlen=STREAM_MAXLEN, approximate=True)
    return str(entry)


async def last_id(client: aioredis.Redis, party: str) -> str:
    """The id of the newest message in the party's stream (``0-0`` when it has none): where
    a party that has just logged in starts reading."""
    rows = await client.xrevrange(keys.to_key(checked_name("party", party)), count=1)
    if not rows:
        return "0-0"
    entry = str(rows[0][0])
    if not STREAM_ID.fullmatch(entry):
        raise BadMessage(f"bad stream id {entry[:60]!r}")
    return entry


class SignalReader:
    """Reads the streams of a hub's parties and delivers their messages in order.

    ``client`` must decode responses (``decode_responses=True``) and have no socket
    timeout shorter than ``block_ms``; the reader uses it alone (a blocking read holds a
    connection of the pool). Run ``run`` on the hub's ``TaskOwner``."""

    def __init__(self, client: aioredis.Redis, deliver: Deliver, *, name: str = "",
                 block_ms: int = BLOCK_MS, backoff_cap_s: float = 5.0) -> None:
        self._redis = client
        self._deliver = deliver
        self.name = checked_name("reader", name or uuid.uuid4().hex)
        self._wake = keys.wake_key(self.name)
        self._block_ms = block_ms
        self._backoff_cap_s = backoff_cap_s
        self._positions: dict[str, str] = {}  # party → last id delivered
        self._wake_id = "0-0"
        self._stopping = False
        self._running: asyncio.Event | None = None  # set while ``run`` runs
        self.reads = 0  # XREAD calls made (tests see re-issues)

    @property
    def positions(self) -> dict[str, str]:
        """Each party's last delivered id (the presence value's third part)."""
        return dict(self._positions)

    async def add(self, party: str, after: str | None = None) -> str:
        """Read ``party``'s stream from after ``after`` (a party moving here: the last id
        the old hub delivered), or from its newest message now. Returns the id used."""
        checked_name("party", party)
        if after is not None and not STREAM_ID.fullmatch(after):
            raise BadMessage(f"bad stream id {after[:60]!r}")
        position = after if after is not None else await last_id(self._redis, party)
        self._positions[party] = position
        await self._poke()
        return position

    async def remove(self, party: str) -> str | None:
        """Stop reading ``party``; its last delivered id."""
        position = self._positions.pop(party, None)
        await self._poke()
        return position

    async def close(self) -> None:
        """Stop reading and remove the wake stream. ``run`` ends after its current read,
        woken at once: a blocking read is never cancelled (redis-py cancelled inside a
        blocking command was seen, rarely, to never return), and within ``block_ms`` +
        the backoff if Redis is away."""
        self._stopping = True
        running = self._running
        await self._poke()
        if running is not None:
            ended = asyncio.ensure_future(running.wait())
            await asyncio.wait([ended], timeout=self._block_ms / 1000 + self._backoff_cap_s + 5)
            ended.cancel()
        try:
            await self._redis.delete(self._wake)
        except (RedisError, OSError) as exc:
            log.warning("signaling reader %s: wake stream not removed: %s", self.name, exc)

    async def run(self) -> None:
        """Read until ``close`` (spawn it on the hub's ``TaskOwner``)."""
        attempt = 0
        done = asyncio.Event()
        self._running = done
        try:
            while not self._stopping:
                try:
                    await self._read_once()
                    attempt = 0
                except (RedisError, OSError) as exc:
                    delay = random.uniform(0.0, min(self._backoff_cap_s,
                                                    0.05 * 2 ** min(attempt, 20)))
                    attempt += 1
                    log.warning("signaling reader %s: %s; reading again in %.2f s", self.name,
                                exc, delay)
                    await asyncio.sleep(delay)  # backoff before reconnecting, not a guess
        finally:
            self._running = None
            done.set()

    async def _poke(self) -> None:
        try:
            await self._redis.xadd(self._wake, {"w": "1"}, maxlen=10, approximate=False)
        except (RedisError, OSError) as exc:  # the reader's own retry will re-read anyway
            log.warning("cannot wake signaling reader %s: %s", self.name, exc)

    async def _read_once(self) -> None:
        streams: dict[Any, Any] = {self._wake: self._wake_id}
        parties = {keys.to_key(p): p for p in self._positions}
        streams.update({key: self._positions[p] for key, p in parties.items()})
        self.reads += 1
        reply = await self._redis.xread(streams, block=self._block_ms, count=100)
        for stream, entries in _stream_rows(reply):
            if stream == self._wake:
                if entries:
                    self._wake_id = entries[-1][0]
                continue
            party = parties.get(stream)
            for entry_id, fields in entries:
                if party is None or party not in self._positions:
                    break  # removed while we read: the next holder reads from its position
                self._positions[party] = entry_id
                try:
                    message = decode(fields)
                except BadMessage as exc:
                    log.warning("signaling for %s: entry %s skipped: %s", party, entry_id, exc)
                    continue
                await self._deliver(party, entry_id, message)


def _stream_rows(reply: object) -> list[tuple[str, list[tuple[str, object]]]]:
    """``XREAD``'s answer (RESP2 list or RESP3 map), checked: stream names and ids."""
    if reply is None:
        return []
    items = list(reply.items()) if isinstance(reply, dict) else reply
    rows: list[tuple[str, list[tuple[str, object]]]] = []
    if not isinstance(items, list):
        raise BadMessage(f"XREAD answered {str(reply)[:200]}")
    for item in items:
        stream, entries = item
        if isinstance(entries, list) and len(entries) == 1 and isinstance(entries[0], list) \
                and entries[0] and isinstance(entries[0][0], list):
            entries = entries[0]  # RESP3 nests the entries once more
        checked: list[tuple[str, object]] = []
        for entry in entries:
            entry_id, fields = entry[0], entry[1]
            if not isinstance(entry_id, str) or not STREAM_ID.fullmatch(entry_id):
                raise BadMessage(f"bad stream id {entry_id!r}")
            checked.append((entry_id, fields))
        rows.append((str(stream), checked))
    return rows


async def publish_wall(client: aioredis.Redis, update: Mapping[str, Any]) -> int:
    """Publish a wall update (a JSON object) to every hub; how many listeners got it."""
    return int(await client.publish(keys.WALL, _body_text(update)))


class WallListener:
    """The wall's updates as they are published (missed ones are not replayed: the wall
    refreshes from a snapshot)."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._pubsub = client.pubsub()

    async def start(self) -> None:
        await self._pubsub.subscribe(keys.WALL)

    async def updates(self) -> AsyncIterator[dict[str, Any]]:
        async for message in self._pubsub.listen():
            if message.get("type") != "message":
                continue
            try:
                yield _body(message.get("data"))
            except BadMessage as exc:
                log.warning("wall update skipped: %s", exc)

    async def close(self) -> None:
        await self._pubsub.aclose()
