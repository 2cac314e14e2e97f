"""The sweep every hub runs once a second: dead hubs' parties parked, parked parties past
their grace let go.

One Lua script does it whole on the server, so three hubs sweeping at once neither race
nor repeat each other: a party is parked once (``ZADD NX``), and a parked party past its
deadline is removed from ``{seat}:parked`` in the same script that returns it, so each
let-go reaches exactly one sweeper, whose caller decides what it means (a waiting citizen
abandoned, an agent logged off, a call closed as ``dropped``: what the single hub does at
the end of the grace).

A hub is dead when its ``{seat}:hub:<hub>`` key has expired while it is still listed in
``{seat}:hubs``. Its parties are those in ``{seat}:held:<hub>`` whose presence still names
it (or has expired); a party another hub took meanwhile is left alone. Deadlines are
Redis's ``TIME``. Rings past their deadline belong to the dispatch scripts (queue17).

After Redis could not be reached (a Sentinel failover, a restart), no hub beat meanwhile,
so every hub's key may have expired on the promoted replica, though every hub is alive. A
sweeper whose sweep failed therefore sweeps again only ``recovery_ms`` after Redis answers
again (a hub key's life and two beats), so every live hub has beaten first; else the first
sweeper back parks every party of every hub, its own included, and a waiting citizen
parked in the queue that way is never offered again (seen in the Sentinel failover test).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from seat_hub.cluster import keys
from seat_hub.cluster.presence import NAME

log = logging.getLogger(__name__)

# KEYS: hubs, parked. ARGV: grace_ms, the most let-gos to return, key prefix.
# Returns {dead hubs..., '|', parked parties..., '|', let-go parties...}.
_SWEEP: Final = """
local prefix = ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local grace = tonumber(ARGV[1])
local dead, parked = {}, {}
for _, hub in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('EXISTS', prefix .. 'hub:' .. hub) == 0 then
    dead[#dead + 1] = hub
    local held = prefix .. 'held:' .. hub
    for _, party in ipairs(redis.call('SMEMBERS', held)) do
      local key = prefix .. 'party:' .. party
      local value = redis.call('GET', key)
      if not value or value == hub or string.sub(value, 1, #hub + 1) == hub .. ':' then
        if value then redis.call('DEL', key) end
        if redis.call('ZADD', KEYS[2], 'NX', now + grace, party) == 1 then
          parked[#parked + 1] = party
        end
      end
    end
    redis.call('DEL', held)
    redis.call('ZREM', KEYS[1], hub)
  end
end
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, party in ipairs(gone) do redis.call('ZREM', KEYS[2], party) end
local out = {}
for _, v in ipairs(dead) do out[#out + 1] = v end
out[#out + 1] = '|'
for _, v in ipairs(parked) do out[#out + 1] = v end
out[#out + 1] = '|'
for _, v in ipairs(gone) do out[#out + 1] = v end
return out
"""

#: The most let-gos one sweep returns (the rest wait for the next second).
LET_GO_BATCH: Final = 500
#: After Redis was unreachable, how long the sweeps wait once it answers: a hub key's life
#: (``presence.Timing.hub_ttl_ms``, 3 s) and two beats, so every live hub has beaten.
RECOVERY_MS: Final = 5000


@dataclass(frozen=True, slots=True)
class Sweep:
    """What one sweep did: hubs found dead, parties it parked, parties it let go."""

    dead_hubs: list[str]
    parked: list[str]
    let_go: list[str]


class Sweeper:
    """Runs the sweep script (``sweep``) and, with ``run``, once every ``period_ms``."""

    def __init__(self, client: aioredis.Redis, *, grace_ms: int = 60000,
                 period_ms: int = 1000, recovery_ms: int = RECOVERY_MS) -> None:
        self._client = client
        self._script = client.register_script(_SWEEP)
        self.grace_ms = grace_ms
        self.period_ms = period_ms
        self.recovery_ms = recovery_ms

    async def sweep(self) -> Sweep:
        reply = await self._script(keys=[keys.HUBS, keys.PARKED],
                                   args=[self.grace_ms, LET_GO_BATCH, keys.PREFIX])
        return _parsed(reply)

    async def run(self, on_sweep: Callable[[Sweep], Awaitable[None]]) -> None:
        """Sweep forever (spawn it on the hub's ``TaskOwner``); ``on_sweep`` acts on each
        result with let-gos or dead hubs. A Redis error is logged; once Redis answers
        again, the sweeps wait ``recovery_ms`` for the hubs to beat (module docstring)."""
        loop = asyncio.get_running_loop()
        unreachable = False
        sweep_from = 0.0
        while True:
            try:
                if unreachable:
                    await self._client.ping()
                    unreachable = False
                    sweep_from = loop.time() + self.recovery_ms / 1000
                    log.warning("Redis answers again: sweeping in %.1f s, once the hubs"
                                " have beaten", self.recovery_ms / 1000)
                if loop.time() >= sweep_from:
                    result = await self.sweep()
                    if result.let_go or result.dead_hubs:
                        await on_sweep(result)
            except (RedisError, OSError) as exc:
                unreachable = True
                log.warning("sweep failed: %s", exc)
            except ValueError as exc:
                log.warning("sweep failed: %s", exc)
            await asyncio.sleep(self.period_ms / 1000)  # a period, not a wait


def _parsed(reply: object) -> Sweep:
    """The script's answer, checked: names only, in three groups."""
    if not isinstance(reply, list) or reply.count("|") != 2:
        raise ValueError(f"the sweep answered {reply!r}")
    first = reply.index("|")
    second = reply.index("|", first + 1)
    groups = (reply[:first], reply[first + 1:second], reply[second + 1:])
    for group in groups:
        for name in group:
            if not isinstance(name, str) or not NAME.fullmatch(name):
                raise ValueError(f"the sweep returned a bad name {name!r}")
    return Sweep(list(groups[0]), list(groups[1]), list(groups[2]))
