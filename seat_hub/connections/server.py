"""The hub's websocket server: the border where frames from the network come in.

One websocket per client at ``/ws`` (websockets 17, asyncio API). Limits,
outermost first:

- an opening handshake not done in 10 s: websockets drops the connection;
- more than ``max_connections_per_address`` open connections from one address:
  the new one is reset as soon as it is accepted (no handshake, no session; counted
  in the log once a second). A connection holds its place from accept until lost;
- behind a load balancer (``--trusted-proxy``, ``forwarded``): a connection whose TCP
  peer is a trusted proxy is not capped at accept, since the balancer carries the whole
  city and its own connection count is its own limits' business (HAProxy ``maxconn``).
  Its client is named by the opening request's ``X-Forwarded-For`` (rightmost entry that
  is not a trusted proxy), and the per-client limits apply to that address: its place
  among its client's connections is taken when the request is read (a client at its cap
  is answered ``429`` and no session starts), and the session's ``address`` (queue joins,
  login lockouts) and the log's ``remote`` are the client's, with ``via`` the balancer.
  Every other connection is its TCP peer, whatever header it sends; the accept-time cap
  counts the peer, which before the request is read is all there is to count;
- no ``hello`` accepted within ``hello_timeout_s``: ``Error not_authenticated``
  and the connection is closed (1008), so idle connections do not pile up;
- a frame over 1 MiB: websockets closes the connection (1009);
- compression is off (a small compressed frame could inflate to anything);
- a frame over ``protocol.MAX_MESSAGE_BYTES`` (in UTF-8 bytes): ``Error
  too_large``, and the connection stays;
- more than ``rate`` text messages (or refused binary frames) a second
  (bursts of ``burst``): dropped with
  ``Error rate_limited``; a client who keeps flooding is cut off (1008);
- binary frames are material chunks (``materials``); one that is not a
  valid chunk of an upload in progress: ``Error`` naming what is wrong;
- anything ``protocol.decode`` refuses: ``Error`` with its code and field.

A connection the client closed with 1000 is a party that left; any other end (no
close frame, 1001 from a reloading page, a keepalive timeout) is a dropped link, and
``Hub.disconnected`` keeps its call or queue place for the resume grace period.

A session's messages are handled one at a time, in order; nothing a client
sends can crash the hub or reach another connection except what ``Hub``
relays on purpose.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import ssl
import time
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from typing import Final
from urllib.parse import urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from seat_common.personal_data.pii import opaque_reference
from seat_common.protocol import MESSAGE_TYPES, ProtocolError, decode
from seat_hub.connections.citizen_page import CitizenPage
from seat_hub.connections.errors import error_reply
from seat_hub.connections.forwarded import HEADER, ClientAddress, TrustedProxies
from seat_hub.connections.front_desk import Hub
from seat_hub.connections.ratelimit import FloodGuard
from seat_hub.parties.session import POLICY_VIOLATION, Session
from seat_hub.storage.eventlog import EventLog

#: The websocket's path.
PATH: Final = "/ws"
#: Hard limit on one frame: websockets closes the connection above it.
MAX_FRAME_BYTES: Final = 1024 * 1024
#: The close code of a client that left on purpose (RFC 6455).
NORMAL_CLOSURE: Final = 1000
#: Connections the kernel holds for the hub before it accepts them. A queue of asyncio's
#: default 100 overflows under a burst: each dropped SYN costs its sender, an honest one
#: too, a 1 s retransmission.
ACCEPT_QUEUE: Final = 4096
#: Connections asyncio accepts in one go (its ``backlog``, which it also gives the kernel
#: as the queue's length, hence ``_deepen_accept_queue``). Each costs a transport and a
#: handshake task; 4096 in one go held the event loop for 0.4 s under a flood.
ACCEPT_BATCH: Final = 64
#: How often refusals at accept are logged (one count per address).
REFUSALS_LOGGED_EVERY_S: Final = 1.0
#: Frames buffered per connection before websockets stops reading the socket.
MAX_QUEUE: Final = 8


def type_named_in(frame: str) -> str:
    """The message type a refused frame claims to be, if it is a known one."""
    try:
        raw = json.loads(frame)
    except (ValueError, RecursionError):
        return ""
    kind = raw.get("type") if isinstance(raw, dict) else None
    return kind if isinstance(kind, str) and kind in MESSAGE_TYPES else ""


class HubServer:
    """Accepts websocket connections and feeds their messages to ``hub``."""

    def __init__(
        self,
        hub: Hub,
        log: EventLog,
        *,
        rate: float = 50.0,
        burst: float = 100.0,
        monotonic: Callable[[], float] = time.monotonic,
        page: CitizenPage | None = None,
        trusted_proxies: TrustedProxies | None = None,
    ) -> None:
        self.hub = hub
        self.log = log
        self.page = page
        self.trusted_proxies = trusted_proxies or TrustedProxies()
        self.rate = rate
        self.burst = burst
        self._monotonic = monotonic
        self._refused: Counter[tuple[str, str]] = Counter()
        self._refusals_logged: asyncio.TimerHandle | None = None

    async def serve(self, host: str, port: int, *, tls: ssl.SSLContext | None = None) -> Server:
        """The websockets server, listening (use as ``async with``) on ``host``:``port``;
        with ``tls`` it speaks only TLS (``wss://`` and the citizen page over ``https://``)."""
        server = await serve(
            self.handle,
            host,
            port,
            ssl=tls,
            max_size=MAX_FRAME_BYTES,
            max_queue=MAX_QUEUE,
            compression=None,
            process_request=self._check_path,
            server_header=None,
            close_timeout=2,
            backlog=ACCEPT_BATCH,
            create_connection=_guarded_connection(
                self._admit, self._release, self.trusted_proxies.trusts),
        )
        for listener in server.sockets:
            _deepen_accept_queue(listener.fileno())
        return server

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        path, query = urlsplit(request.path).path, urlsplit(request.path).query
        if path == PATH:
            return self._count_client(connection, request)
        if self.page is not None and "Upgrade" not in request.headers:
            response = self.page.respond(path, query)
            self.log.event("http", path=path[:100], status=response.status_code)
            return response
        self.log.event("http_refused", path=request.path[:100], status=404)
        return connection.respond(HTTPStatus.NOT_FOUND, "Seat hub: use the websocket at /ws\n")

    def _count_client(self, connection: ServerConnection, request: Request) -> Response | None:
        """A websocket from a trusted proxy takes its place among its client's connections
        (the client named by the request, ``forwarded``); one whose client is at its cap is
        answered 429 and goes no further. Others were counted at accept."""
        if not isinstance(connection, _CountedConnection) or not connection.from_proxy:
            return None
        client = self.trusted_proxies.client_of(
            connection.peer, request.headers.get_all(HEADER))
        connection.client = client
        if client.refused_header:
            self.log.event("forwarded_for_refused", remote=connection.peer,
                           header=client.refused_header,
                           reason="not a list of IP addresses; the proxy's address is used")
        if not self._admit(client.address, at="request"):
            return connection.respond(HTTPStatus.TOO_MANY_REQUESTS,
                                      "Seat hub: too many connections from this address\n")
        connection.counted = client.address
        return None

    def _admit(self, address: str, at: str = "accept") -> bool:
        """Whether a connection just accepted from ``address`` may go on to its handshake.
        Counted from here until the connection is lost (``_release``), so a burst cannot
        slip past the cap while its handshakes are still under way. One from an address
        already at its cap is reset at once: a flood's surplus then costs the hub an
        accepted socket, not a handshake, a response and a log line each, so an honest
        login is not queued behind it. Those refused are logged as one count per address
        a second."""
        if self.hub.addresses.connection_opened(address, self._monotonic()):
            return True
        self._refused[address, at] += 1
        if self._refusals_logged is None:
            self._refusals_logged = asyncio.get_running_loop().call_later(
                REFUSALS_LOGGED_EVERY_S, self._log_refusals)
        return False

    def _release(self, address: str) -> None:
        self.hub.addresses.connection_closed(address)

    def _log_refusals(self) -> None:
        self._refusals_logged = None
        refused, self._refused = self._refused, Counter()
        for (address, at), count in refused.items():
            self.log.event("connection_refused", remote=address, count=count,
                           open=self.hub.addresses.connections(address),
                           reason="too many connections from this address", at=at)

    async def handle(self, connection: ServerConnection) -> None:
        """One connection, from handshake to clean-up (its place among its client's
        connections was taken at accept or when its request was read, and is given back
        when it is lost)."""
        client = connection.client if isinstance(connection, _CountedConnection) else None
        await self._serve_session(connection, client)

    async def _serve_session(
        self, connection: ServerConnection, client: ClientAddress | None
    ) -> None:
        session = Session(
            connection,
            opaque_reference("S-"),
            _remote(connection) if client is None or not client.via else client.address,
            abort=connection.transport.abort,
            address=None if client is None else client.address,
        )
        deadline = asyncio.get_running_loop().call_later(
            self.hub.ctx.settings.hello_timeout_s, self._hello_overdue, session
        )
        # The writer is this connection's own task, not the hub's background work: it starts
        # and ends with ``handle`` (awaited, or cancelled, below), and a failure is logged.
        writer = asyncio.create_task(session.run_writer(), name=f"writer {session.session_id}")
        writer.add_done_callback(lambda task: self._writer_done(session, task))
        guard = FloodGuard.create(self._monotonic(), rate=self.rate, burst=self.burst)
        self.log.event("connected", session=session.session_id, remote=session.remote,
                       **({"via": client.via} if client is not None and client.via else {}))
        try:
            async for frame in connection:
                if session.closing:
                    continue
                if isinstance(frame, bytes):
                    # Chunks of an upload are paced by its own limits; refused ones
                    # count against the flood guard like any message.
                    if not await self.hub.receive_chunk(session, frame):
                        self._flooding(session, guard)
                    continue
                if self._flooding(session, guard):
                    continue
                await self._receive(session, frame)
        except ConnectionClosed:
            pass
        finally:
            deadline.cancel()
            # A client that said goodbye (1000) left; any other end is a dropped link,
            # whose call or queue place is kept for the resume grace period.
            dropped = not session.closing and connection.close_code != NORMAL_CLOSURE
            session.close(NORMAL_CLOSURE, "")
            self.hub.disconnected(session, dropped=dropped)
            try:
                await asyncio.wait_for(writer, timeout=5)
            except (TimeoutError, ConnectionClosed):
                writer.cancel()
            except Exception:
                pass  # logged by _writer_done when it failed
            self.log.event(
                "disconnected",
                session=session.session_id,
                role=session.role or "",
                agent_id=session.agent_id,
                code=connection.close_code,
                reason=session.close_reason or (connection.close_reason or ""),
            )

    def _hello_overdue(self, session: Session) -> None:
        if session.role is not None or session.closing:
            return
        timeout = self.hub.ctx.settings.hello_timeout_s
        self.log.event("hello_timeout", session=session.session_id, timeout_s=timeout)
        session.send(
            error_reply("not_authenticated", f"no hello within {timeout:g} s; closing", "", "")
        )
        session.close(POLICY_VIOLATION, "no hello in time")

    def _writer_done(self, session: Session, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (error := task.exception()) is not None:
            self.log.event(
                "internal_error", where="writer", session=session.session_id, error=repr(error)
            )

    def _flooding(self, session: Session, guard: FloodGuard) -> bool:
        verdict = guard.check(self._monotonic())
        if verdict == "accept":
            return False
        if verdict == "cut_off":
            self.log.event("flood_cut_off", session=session.session_id)
            session.send(error_reply("rate_limited", "too many messages; closing", "", ""))
            session.close(POLICY_VIOLATION, "rate limit exceeded")
        elif verdict == "drop_and_warn":
            self.log.event("rate_limited", session=session.session_id)
            session.send(
                error_reply("rate_limited", "too many messages; some were dropped", "", "")
            )
        return True

    async def _receive(self, session: Session, frame: str) -> None:
        try:
            message = decode(frame)  # sizes in UTF-8 bytes, then every field
        except ProtocolError as exc:
            of = "" if exc.code == "too_large" else type_named_in(frame)
            self._refuse(session, exc, of)
            return
        await self.hub.receive(session, message)

    def _refuse(self, session: Session, error: ProtocolError, of: str = "") -> None:
        self.log.event(
            "bad_frame",
            session=session.session_id,
            code=error.code,
            field=error.field,
            of=of,
            message=error.message,
        )
        session.send(error_reply(error.code, error.message, error.field, of))


class _CountedConnection(ServerConnection):
    """websockets' connection with what the server counted it as: ``peer`` is the TCP
    peer's address, ``from_proxy`` whether that is a trusted proxy, ``client`` whom its
    request named (set when the request of a proxied one is read), and ``counted`` the
    address whose cap it holds a place under ("" while none)."""

    peer = ""
    from_proxy = False
    client: ClientAddress | None = None
    counted = ""


def _guarded_connection(
    admit: Callable[[str], bool], release: Callable[[str], None],
    from_proxy: Callable[[str], bool],
) -> type[_CountedConnection]:
    """websockets' connection, refused as soon as it is accepted when ``admit`` says no
    for its remote address (the socket is reset and no handshake task is started), unless
    the peer is a trusted proxy (``from_proxy``), whose connections are counted by client
    once their request is read; ``release`` is called with the address each one was
    counted under once it is lost."""

    class GuardedConnection(_CountedConnection):
        refused = False

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            peer = transport.get_extra_info("peername")
            self.peer = str(peer[0]) if isinstance(peer, tuple) and peer else str(peer)
            self.from_proxy = from_proxy(self.peer)
            if not self.from_proxy:
                if not admit(self.peer):
                    self.refused = True
                    if isinstance(transport, asyncio.Transport):
                        transport.abort()  # a reset: nothing more is read or written
                    else:
                        transport.close()
                    return
                self.counted = self.peer
            super().connection_made(transport)

        def connection_lost(self, exc: Exception | None) -> None:
            if not self.refused:  # a refused one never started what this would end
                if self.counted:
                    release(self.counted)
                    self.counted = ""
                super().connection_lost(exc)

    return GuardedConnection


def _deepen_accept_queue(fd: int) -> None:
    """Give the listening socket ``fd`` a kernel accept queue of ``ACCEPT_QUEUE`` while
    asyncio keeps accepting ``ACCEPT_BATCH`` at a time (Linux lets ``listen`` be called
    again on a listening socket to change its queue; the kernel caps it at somaxconn)."""
    listener = socket.socket(fileno=os.dup(fd))
    try:
        listener.listen(ACCEPT_QUEUE)
    finally:
        listener.close()


def _remote(connection: ServerConnection) -> str:
    address = connection.remote_address
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return str(address)
