"""The cluster's Redis address (``--cluster``) and the clients made from it.

Three kinds of address are taken:

- ``redis://[[user]:password@]HOST[:PORT][/DB]`` and ``rediss://…`` (TLS): one Redis,
  connected as redis-py's ``Redis.from_url`` does;
- ``redis+sentinel://[[user]:password@]HOST:PORT[,HOST:PORT…]/SERVICE[/DB]``: a primary
  with replicas watched by Sentinels. The hub asks the Sentinels (at ``HOST:PORT``, 26379
  when the port is left out) where the primary of ``SERVICE`` is each time it opens a
  connection, so after a failover its next connection goes to the promoted replica. The
  user and password are the data nodes' (the Sentinels are asked without them).

``parse_redis_address`` checks an address where it enters (``BadRedisAddress`` says what
is wrong, in Chinese and English, never showing the password); ``shown_redis`` is an
address as it may be shown; ``open_redis`` makes one client, ``RedisClients.close``
closes what it made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import unquote, urlsplit

import redis.asyncio as aioredis
from redis.asyncio.connection import BlockingConnectionPool
from redis.asyncio.sentinel import Sentinel

SENTINEL_SCHEME: Final = "redis+sentinel"
#: The port a Sentinel listens on when the address leaves it out.
SENTINEL_PORT: Final = 26379
#: How long a question to a Sentinel may take (it answers from memory).
SENTINEL_TIMEOUT_S: Final = 5.0
#: The most connections one client keeps to Redis. redis-py 8's default is 100, and a
#: hub under a burst of logins had more commands in flight: every one past it failed at
#: once (``MaxConnectionsError``, seen as 324 logins answered ``busy`` in bench_cluster's
#: full scale). A plain address's pool makes a command past this wait for a connection;
#: redis-py's Sentinel pool cannot wait, so there it fails past this as before.
MAX_CONNECTIONS: Final = 512

_WANT: Final = ("需要 redis://HOST[:PORT][/DB]、rediss://… 或 redis+sentinel://HOST:PORT[,HOST:PORT…]"
                "/SERVICE[/DB]（集群的 Redis）/ want redis://HOST[:PORT][/DB], rediss://… or"
                " redis+sentinel://HOST:PORT[,HOST:PORT…]/SERVICE[/DB]")
_SERVICE: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class BadRedisAddress(ValueError):
    """An address ``--cluster`` does not take (the message never shows a password)."""


@dataclass(frozen=True)
class SentinelAddress:
    """A ``redis+sentinel://`` address taken apart."""

    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int
    username: str | None
    password: str | None


@dataclass(frozen=True)
class RedisAddress:
    """A checked ``--cluster`` address: ``url`` as given, ``sentinel`` when it is one."""

    url: str
    sentinel: SentinelAddress | None = None

    @property
    def shown(self) -> str:
        return shown_redis(self.url)


def parse_redis_address(text: str) -> RedisAddress:
    """``text`` checked: a ``RedisAddress``, or ``BadRedisAddress`` saying what is wrong."""
    url = text.strip()
    shown = shown_redis(url)
    scheme, sep, _ = url.partition("://")
    if sep and scheme.lower() == SENTINEL_SCHEME:
        return RedisAddress(url, _sentinel(url, shown))
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise BadRedisAddress(f"{shown!r}: {_WANT}") from None
    if parts.scheme not in ("redis", "rediss") or not host:
        raise BadRedisAddress(f"{shown!r}: {_WANT}")
    try:
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise BadRedisAddress(f"{shown!r}: 端口不是数字 / the port is not a number") from None
    return RedisAddress(url)


def _sentinel(url: str, shown: str) -> SentinelAddress:
    rest = url.split("://", 1)[1]
    netloc, _, path = rest.partition("/")
    userinfo, at, hosts = netloc.rpartition("@")
    username: str | None = None
    password: str | None = None
    if at:
        user, colon, secret = userinfo.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if colon else None
    if not hosts:
        raise BadRedisAddress(f"{shown!r}: 没有哨兵地址 / no Sentinel HOST:PORT given")
    sentinels = tuple(_host_port(one, shown) for one in hosts.split(","))
    path = path.split("?", 1)[0].split("#", 1)[0]
    service, _, db_text = path.partition("/")
    if not _SERVICE.fullmatch(service):
        raise BadRedisAddress(
            f"{shown!r}: 没有服务名（哨兵监视的主库名，如 /seat）/ no service name: give the"
            " name the Sentinels monitor, as …:26379/seat")
    db_text = db_text.rstrip("/")
    if db_text and not (db_text.isascii() and db_text.isdigit()):
        raise BadRedisAddress(
            f"{shown!r}: 数据库编号不是数字 / the database {db_text!r} is not a number")
    return SentinelAddress(sentinels, service, int(db_text or 0), username, password)


def _host_port(text: str, shown: str) -> tuple[str, int]:
    if text.startswith("["):  # an IPv6 address: [::1]:26379
        host, close, after = text[1:].partition("]")
        if not close or (after and not after.startswith(":")):
            raise BadRedisAddress(f"{shown!r}: 地址 {text!r} 不完整 / {text!r} is not HOST:PORT")
        port_text = after[1:] if after else ""
    else:
        host, _, port_text = text.partition(":")
    if not host:
        raise BadRedisAddress(f"{shown!r}: 哨兵地址缺少主机 / a Sentinel's HOST is missing")
    if not port_text:
        return host, SENTINEL_PORT
    if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
        raise BadRedisAddress(
            f"{shown!r}: 端口 {port_text!r} 不是 1–65535 的数字 / the port {port_text!r}"
            " is not a number from 1 to 65535")
    return host, int(port_text)


def shown_redis(url: str) -> str:
    """A Redis address as it may be shown (a password replaced by ``***``)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    # Up to the last "@", not the first "/": a password with a "/" in it stays hidden too.
    userinfo, at, after = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{after}"


@dataclass
class RedisClients:
    """The clients made from one address, and what must be closed with them."""

    address: RedisAddress
    _sentinels: list[Sentinel] = field(default_factory=list)

    def open(self, *, socket_timeout: float) -> aioredis.Redis:
        """A client of the address's Redis (through its Sentinels: of the primary now),
        answering strings, whose commands fail after ``socket_timeout`` seconds."""
        where = self.address.sentinel
        if where is None:
            # Blocking: a burst past the pool's size waits for a connection (up to the
            # command's timeout) instead of failing at once.
            pool = BlockingConnectionPool.from_url(
                self.address.url, max_connections=MAX_CONNECTIONS, timeout=socket_timeout,
                decode_responses=True, socket_timeout=socket_timeout)
            return aioredis.Redis.from_pool(pool)
        sentinel = Sentinel(
            list(where.sentinels),
            sentinel_kwargs={"socket_timeout": SENTINEL_TIMEOUT_S,
                             "socket_connect_timeout": SENTINEL_TIMEOUT_S,
                             "decode_responses": True},
        )
        self._sentinels.append(sentinel)
        client: aioredis.Redis = sentinel.master_for(
            where.service, decode_responses=True, socket_timeout=socket_timeout,
            socket_connect_timeout=SENTINEL_TIMEOUT_S, db=where.db,
            username=where.username, password=where.password,
            max_connections=MAX_CONNECTIONS,
        )
        return client

    async def close(self) -> None:
        """Close the connections to the Sentinels (the clients close their own)."""
        for sentinel in self._sentinels:
            for one in sentinel.sentinels:
                await one.aclose()
        self._sentinels.clear()
