"""A hub's posts to the signaling streams, in the order they were made.

The hub's rules send synchronously (``Session.send`` never awaits), and a party's SDP, ICE
and hang-up must reach it in the order sent. ``StreamOutbox.post`` queues a message;
one task (``run``, on the hub's ``TaskOwner``) appends what is queued to the streams in
one pipeline per batch, in order. A batch Redis refuses is retried with backoff (the
messages stay first in line); past ``max_queued`` waiting messages a new post is dropped
and logged, so a Redis outage cannot take the hub's memory.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import random
from collections.abc import Mapping
from typing import Any, Final

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from seat_hub.cluster import keys
from seat_hub.cluster.bus import STREAM_MAXLEN, TYPE, BadMessage, body_text
from seat_hub.cluster.presence import checked_name

log = logging.getLogger(__name__)

#: Messages waiting to be posted before new ones are dropped.
MAX_QUEUED: Final = 20_000
#: Messages appended in one pipeline.
BATCH: Final = 200


class StreamOutbox:
    """Posts to parties' streams, in order (see the module's docstring)."""

    def __init__(self, client: aioredis.Redis, *, max_queued: int = MAX_QUEUED) -> None:
        self._redis = client
        self._max = max_queued
        self._queued: collections.deque[tuple[str, dict[str, str]]] = collections.deque()
        self._more = asyncio.Event()
        self._stopping = False
        self.dropped = 0

    def post(self, party: str, kind: str, body: Mapping[str, Any]) -> None:
        """Queue a message for ``party``'s stream (``BadMessage`` for a bad kind or body)."""
        checked_name("party", party)
        if not TYPE.fullmatch(kind):
            raise BadMessage(f"bad message type {kind[:60]!r}")
        fields = {"type": kind, "body": body_text(body)}
        if len(self._queued) >= self._max:
            self.dropped += 1
            log.warning("stream outbox full (%d waiting): a %s for %s dropped", self._max, kind,
                        party)
            return
        self._queued.append((party, fields))
        self._more.set()

    async def run(self) -> None:
        """Post what is queued until ``close`` (spawn it on the hub's ``TaskOwner``)."""
        attempt = 0
        while True:
            if not self._queued:
                if self._stopping:
                    return
                self._more.clear()
                await self._more.wait()
                continue
            batch = [self._queued[i] for i in range(min(BATCH, len(self._queued)))]
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for party, fields in batch:
                        pipe.xadd(keys.to_key(party), fields,  # type: ignore[arg-type]
                                  maxlen=STREAM_MAXLEN, approximate=True)
                    await pipe.execute()
            except (RedisError, OSError) as exc:
                if self._stopping and attempt > 3:
                    log.warning("stream outbox: %d messages not posted at stop: %s",
                                len(self._queued), exc)
                    return
                delay = random.uniform(0.0, min(5.0, 0.05 * 2 ** min(attempt, 20)))
                attempt += 1
                log.warning("stream outbox: %s; posting again in %.2f s", exc, delay)
                await asyncio.sleep(delay)  # backoff while Redis is away
                continue
            attempt = 0
            for _ in batch:
                self._queued.popleft()

    async def close(self) -> None:
        """Post what is queued, then end ``run``."""
        self._stopping = True
        self._more.set()
