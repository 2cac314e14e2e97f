"""Who is where in a cluster: hub heartbeats, party presence, parking and resume tokens.

A hub proves it is alive by ``{seat}:hub:<hub>`` (``PX`` 3 s, set every second) and its
entry in ``{seat}:hubs``. It holds a party (a websocket) by ``{seat}:party:<party>`` =
``<hub>:<connection>[:<last stream id>]`` (``PX`` 15 s, renewed every 5 s for all its
parties in one script call) and by the party's name in ``{seat}:held:<hub>``, which lets
the sweeper find a dead hub's parties after their keys expired.

The newest holder wins: ``hold`` overwrites the party's key. A renewal is a script, not
``SET … XX GET`` as first designed: ``SET`` would overwrite the newer hub's value before
the older one learned it was taken over, so the script renews only a value that still
names this hub and connection and reports the rest as *taken over* (another holder): the
hub sends ``taken_over`` and closes those sockets. A key that is gone (Redis came back
empty, or a sweeper parked the party while this hub could not beat) is written again
(*restored*): the hub still holds the websocket, so the party is here.

A dropped link is parked (``{seat}:parked``, party → grace deadline in the server's ms,
so hubs with skewed clocks agree); a party that comes back is unparked by ``hold``.
Resume tokens (``{seat}:resume:<sha256>`` → party) live while the party is held and for
the grace after its last renewal: a token taken by any hub names the party.

Every time a deadline is computed it is Redis's ``TIME``, never the hub's clock.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from seat_common.tasks import TaskOwner
from seat_hub.cluster import keys

log = logging.getLogger(__name__)

#: A hub's, a connection's or a party's name: what may sit between the value's colons.
NAME: Final = re.compile(r"[A-Za-z0-9_.@-]{1,100}")
#: A Redis stream id.
STREAM_ID: Final = re.compile(r"\d{1,20}-\d{1,20}")
#: A resume token's SHA-256, hex.
SHA256: Final = re.compile(r"[0-9a-f]{64}")


class PresenceError(ValueError):
    """A name or a value from Redis that is not what presence writes."""


def checked_name(what: str, value: str) -> str:
    if not NAME.fullmatch(value):
        raise PresenceError(f"bad {what} name {value[:120]!r}")
    return value


@dataclass(frozen=True, slots=True)
class Holder:
    """A party's presence value: which hub and connection hold it, the last stream id
    delivered to it (``""`` when none yet)."""

    hub: str
    connection: str
    last_id: str = ""

    def encode(self) -> str:
        return f"{self.hub}:{self.connection}" + (f":{self.last_id}" if self.last_id else "")

    @classmethod
    def decode(cls, value: object) -> Holder:
        """A value read from Redis, checked (``PresenceError`` if it is not one of ours)."""
        if not isinstance(value, str):
            raise PresenceError(f"presence value is {type(value).__name__}, not text")
        parts = value.split(":")
        if len(parts) not in (2, 3) or not all(NAME.fullmatch(p) for p in parts[:2]) or (
                len(parts) == 3 and not STREAM_ID.fullmatch(parts[2])):
            raise PresenceError(f"bad presence value {value[:200]!r}")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else "")


@dataclass(frozen=True, slots=True)
class Timing:
    """The presence clocks, in ms (short ones in tests)."""

    hub_ttl_ms: int = 3000
    beat_ms: int = 1000
    party_ttl_ms: int = 15000
    renew_ms: int = 5000
    grace_ms: int = 60000  # --resume-grace


@dataclass(frozen=True, slots=True)
class Renewal:
    """What one renewal found: parties now held by another hub or connection (no longer
    held here), and parties whose presence was gone and is written again (``restored``:
    Redis came back empty, or a sweeper parked them while this hub could not beat; the
    hub still has their websocket, so they are here)."""

    taken_over: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)


# KEYS: party, parked, held(hub); ARGV: value, ttl_ms. Returns {previous value or false,
# 1 if the party was parked}.
_HOLD: Final = """
local previous = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local parked = redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[3])
return {previous, parked}
"""

# KEYS: held(hub), parked, then per party its presence key and its resume key ('' for
# none). ARGV: the count, the presence ttl, the resume ttl, then per party its holder
# prefix (hub:connection), its value and its name. Answers per party: 0 renewed, 1 taken
# over, 2 restored (the key was gone: written again, unparked).
_RENEW: Final = """
local n = tonumber(ARGV[1])
local ttl = ARGV[2]
local resume_ttl = ARGV[3]
local out = {}
for i = 1, n do
  local key = KEYS[2 + (i - 1) * 2 + 1]
  local resume = KEYS[2 + (i - 1) * 2 + 2]
  local holder = ARGV[3 + (i - 1) * 3 + 1]
  local value = ARGV[3 + (i - 1) * 3 + 2]
  local party = ARGV[3 + (i - 1) * 3 + 3]
  local now = redis.call('GET', key)
  if now and not (now == holder or string.sub(now, 1, #holder + 1) == holder .. ':') then
    out[i] = 1
    redis.call('SREM', KEYS[1], party)
  else
    out[i] = now and 0 or 2
    redis.call('SET', key, value, 'PX', ttl)
    if not now then
      redis.call('ZREM', KEYS[2], party)
      redis.call('SADD', KEYS[1], party)
    end
    if resume ~= '' then redis.call('SET', resume, party, 'PX', resume_ttl) end
  end
end
return out
"""

# KEYS: party, parked, held(hub); ARGV: hub:connection, party, grace_ms, resume key or ''.
# Parks only a party this holder still holds; returns 1 if parked.
_PARK: Final = """
local now = redis.call('GET', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[2])
if not now or not (now == ARGV[1] or string.sub(now, 1, #ARGV[1] + 1) == ARGV[1] .. ':') then
  return 0
end
redis.call('DEL', KEYS[1])
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[2], ms + tonumber(ARGV[3]), ARGV[2])
if ARGV[4] ~= '' then redis.call('PEXPIRE', ARGV[4], ARGV[3]) end
return 1
"""

# KEYS: hub key, hubs; ARGV: value, ttl_ms, hub.
_BEAT: Final = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local t = redis.call('TIME')
redis.call('ZADD', KEYS[2], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[3])
return 1
"""


@dataclass
class _Held:
    connection: str
    last_id: str = ""
    resume_sha256: str = ""


class Presence:
    """One hub's presence in the cluster: its heartbeat and the parties it holds.

    ``start`` beats once and then keeps beating and renewing on ``tasks``; the hub calls
    ``hold`` when a party logs in or resumes here, ``delivered`` as signaling reaches it,
    ``park`` when its link drops and ``release`` when it leaves for good. A renewal that
    finds a party taken over or lost stops holding it and tells ``on_taken_over``; one that
    finds a party's key gone (a sweeper parked it while this hub could not beat) holds it
    again and tells ``on_restored``, so what the sweep did is undone."""

    def __init__(self, client: aioredis.Redis, hub: str, *, tasks: TaskOwner,
                 timing: Timing | None = None, address: str = "",
                 on_taken_over: Callable[[str], None] | None = None,
                 on_restored: Callable[[str], None] | None = None) -> None:
        self._redis = client
        self.hub = checked_name("hub", hub)
        self.timing = timing or Timing()
        self._address = address
        self._tasks = tasks
        self._on_taken_over = on_taken_over
        self._on_restored = on_restored
        self._held: dict[str, _Held] = {}
        self._hold_script = client.register_script(_HOLD)
        self._renew_script = client.register_script(_RENEW)
        self._park_script = client.register_script(_PARK)
        self._beat_script = client.register_script(_BEAT)

    @property
    def parties(self) -> list[str]:
        return list(self._held)

    async def start(self) -> None:
        await self.beat()
        self._tasks.spawn(self._every(self.timing.beat_ms, self.beat), "hub heartbeat",
                          report=False)
        self._tasks.spawn(self._every(self.timing.renew_ms, self.renew), "presence renewal",
                          report=False)

    async def beat(self) -> None:
        await self._beat_script(keys=[keys.hub_key(self.hub), keys.HUBS],
                                args=[self._address or self.hub, self.timing.hub_ttl_ms, self.hub])

    async def hold(self, party: str, connection: str, *, last_id: str = "",
                   resume_sha256: str = "") -> tuple[Holder | None, bool]:
        """Hold ``party`` on ``connection`` here (the newest holder wins). Returns the
        previous holder (``None`` if none; one that does not parse counts as none and is
        logged) and whether the party was parked."""
        checked_name("party", party)
        checked_name("connection", connection)
        if last_id and not STREAM_ID.fullmatch(last_id):
            raise PresenceError(f"bad stream id {last_id[:60]!r}")
        if resume_sha256 and not SHA256.fullmatch(resume_sha256):
            raise PresenceError("a resume token's hash is 64 hex digits")
        value = Holder(self.hub, connection, last_id).encode()
        reply = await self._hold_script(
            keys=[keys.party_key(party), keys.PARKED, keys.held_key(self.hub)],
            args=[value, self.timing.party_ttl_ms, party])
        self._held[party] = _Held(connection, last_id, resume_sha256)
        previous, parked = _pair(reply)
        holder = None
        if previous is not None:
            try:
                holder = Holder.decode(previous)
            except PresenceError as exc:
                log.warning("presence of %s was unreadable, overwritten: %s", party, exc)
        return holder, parked == 1

    def delivered(self, party: str, stream_id: str) -> None:
        """The last stream id delivered to ``party`` (written at the next renewal)."""
        held = self._held.get(party)
        if held is not None and STREAM_ID.fullmatch(stream_id):
            held.last_id = stream_id

    async def renew(self) -> Renewal:
        """Renew every held party in one script call; parties taken over are no longer
        held (and ``on_taken_over`` hears of each); parties whose key was gone are held
        again."""
        parties = list(self._held.items())
        if not parties:
            return Renewal()
        key_list = [keys.held_key(self.hub), keys.PARKED]
        args: list[Any] = [len(parties), self.timing.party_ttl_ms,
                           self.timing.party_ttl_ms + self.timing.grace_ms]
        for party, held in parties:
            key_list += [keys.party_key(party),
                         keys.resume_key(held.resume_sha256) if held.resume_sha256 else ""]
            args += [f"{self.hub}:{held.connection}",
                     Holder(self.hub, held.connection, held.last_id).encode(), party]
        statuses = await self._renew_script(keys=key_list, args=args)
        renewal = Renewal()
        if not isinstance(statuses, list) or len(statuses) != len(parties):
            raise PresenceError(f"renewal answered {statuses!r}")
        for (party, _), status in zip(parties, statuses, strict=True):
            if status == 2:
                renewal.restored.append(party)
                if self._on_restored is not None:
                    self._on_restored(party)
            elif status == 1:
                renewal.taken_over.append(party)
                self._held.pop(party, None)
                if self._on_taken_over is not None:
                    self._on_taken_over(party)
            elif status != 0:
                raise PresenceError(f"renewal answered {status!r} for {party}")
        return renewal

    async def park(self, party: str) -> bool:
        """The party's link dropped: park it until the grace deadline, if this hub still
        holds it (``False`` if another took it over meanwhile)."""
        held = self._held.pop(party, None)
        if held is None:
            return False
        resume = keys.resume_key(held.resume_sha256) if held.resume_sha256 else ""
        parked = await self._park_script(
            keys=[keys.party_key(party), keys.PARKED, keys.held_key(self.hub)],
            args=[f"{self.hub}:{held.connection}", party, self.timing.grace_ms, resume])
        return bool(parked == 1)

    async def release(self, party: str) -> None:
        """The party left for good (logged off, served): no presence, not parked."""
        held = self._held.pop(party, None)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.srem(keys.held_key(self.hub), party)
            pipe.zrem(keys.PARKED, party)
            if held is not None:
                pipe.delete(keys.party_key(party))
                if held.resume_sha256:
                    pipe.delete(keys.resume_key(held.resume_sha256))
            await pipe.execute()

    async def close(self) -> None:
        """Stop beating (the caller closes ``tasks``) and say so: the hub's key goes, so the
        survivors' sweepers park what it still held at their next sweep."""
        await self._redis.delete(keys.hub_key(self.hub))

    async def _every(self, period_ms: int, job: Callable[[], Any]) -> None:
        while True:
            try:
                await job()
            except (RedisError, OSError, PresenceError) as exc:
                log.warning("presence %s of hub %s failed: %s", job.__name__, self.hub, exc)
            await asyncio.sleep(period_ms / 1000)  # a period, not a wait for a condition


async def holder(client: aioredis.Redis, party: str) -> Holder | None:
    """Who holds ``party`` now (``None``: nobody, or a value that is not ours, logged)."""
    value = await client.get(keys.party_key(checked_name("party", party)))
    if value is None:
        return None
    try:
        return Holder.decode(value)
    except PresenceError as exc:
        log.warning("presence of %s is unreadable: %s", party, exc)
        return None


async def issue_resume(client: aioredis.Redis, token_sha256: str, party: str,
                       ttl_ms: int) -> None:
    """A resume token (its SHA-256) names ``party`` for ``ttl_ms`` (the holder's renewals
    extend it while it holds the party)."""
    if not SHA256.fullmatch(token_sha256):
        raise PresenceError("a resume token's hash is 64 hex digits")
    await client.set(keys.resume_key(token_sha256), checked_name("party", party), px=ttl_ms)


async def resume_party(client: aioredis.Redis, token_sha256: str) -> str | None:
    """The party a resume token names, on any hub; ``None`` for an unknown or expired
    token, or a value that is not a party name (logged)."""
    if not SHA256.fullmatch(token_sha256):
        return None
    value = await client.get(keys.resume_key(token_sha256))
    if value is None:
        return None
    if not isinstance(value, str) or not NAME.fullmatch(value):
        log.warning("resume token names %r, not a party", value)
        return None
    return value


async def parked_deadlines(client: aioredis.Redis) -> Mapping[str, int]:
    """Every parked party and its grace deadline (server ms)."""
    rows: list[Any] = await client.zrange(keys.PARKED, 0, -1, withscores=True)
    return {str(row[0]): int(row[1]) for row in rows}


def _pair(reply: object) -> tuple[object | None, int]:
    if not isinstance(reply, list) or len(reply) != 2 or not isinstance(reply[1], int):
        raise PresenceError(f"hold answered {reply!r}")
    return reply[0], reply[1]
