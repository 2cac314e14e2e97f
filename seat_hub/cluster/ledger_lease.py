"""One hub at a time writes the ledger stream, so a work order's entries reach the
database in the order the scripts appended them.

A consumer group hands entries to whichever consumer reads first, so with every hub
reading, an offer's ``record_offer`` could be written by one hub after its
``record_answer`` by another (seen: the answer's ``UPDATE`` found no offer row, and the
offer stayed ``ringing`` in the ledger). The ledger's writes are a state machine (an end is
written only to a call that is on), not commutative, so they need the stream's order.

``LedgerLease`` lets one hub hold ``{seat}:ledger:writer`` (``PX`` ``lease_ms``, renewed
at every round) and run the consumer's rounds; the others wait and try to take it once a
period. A new holder first claims every entry left pending (idle time 0: the old holder's
lease has expired, so it is dead or cut off) and writes those before reading new ones.
A hub stopping cleanly gives the lease up at once. The cost: one writer for the city's
ledger, a few small writes per contact, far below what one PostgreSQL connection takes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from seat_hub.cluster import keys
from seat_hub.cluster.ledger_stream import BadEntry, LedgerConsumer

log = logging.getLogger(__name__)

#: The lease's key.
WRITER: Final = f"{keys.PREFIX}ledger:writer"

# KEYS: the lease; ARGV: holder, ttl ms. 1 if held by ARGV[1] now (taken or renewed).
_HOLD: Final = """
local now = redis.call('GET', KEYS[1])
if now == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not now then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0
"""

# KEYS: the lease; ARGV: holder. Gives the lease up if held by ARGV[1].
_GIVE_UP: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class LedgerLease:
    """Runs ``consumer``'s rounds while this hub holds the writer's lease (see above)."""

    def __init__(self, client: aioredis.Redis, consumer: LedgerConsumer, *,
                 lease_ms: int = 5000) -> None:
        self._consumer = consumer
        self._lease_ms = lease_ms
        self._hold = client.register_script(_HOLD)
        self._give_up = client.register_script(_GIVE_UP)
        self.holding = False

    async def round(self) -> bool:
        """One round: take or renew the lease and, holding it, write what is waiting.
        Whether this hub holds it."""
        held = await self._hold(keys=[WRITER], args=[self._consumer.consumer, self._lease_ms])
        if held == 0:
            self.holding = False
            return False
        if held == 2 or not self.holding:
            # Taken: what the last holder left pending is written first, in order.
            idle, self._consumer.claim_idle_ms = self._consumer.claim_idle_ms, 0
            try:
                await self._consumer.step(block=False)
            finally:
                self._consumer.claim_idle_ms = idle
            self.holding = True
            return True
        await self._consumer.step()
        return True

    async def run(self) -> None:
        """Rounds until cancelled (spawn it on the hub's ``TaskOwner``)."""
        while True:
            try:
                if not await self.round():
                    await asyncio.sleep(self._lease_ms / 5000)  # a fifth of the lease
            except (RedisError, OSError, BadEntry) as exc:
                self.holding = False
                log.warning("ledger writer %s: %s", self._consumer.consumer, exc)
                await asyncio.sleep(0.5)  # Redis away: a pause before asking again

    async def close(self) -> None:
        """Give the lease up (another hub takes it at its next try)."""
        try:
            await self._give_up(keys=[WRITER], args=[self._consumer.consumer])
        except (RedisError, OSError) as exc:
            log.warning("ledger writer lease not given up: %s", exc)
        self.holding = False
