"""The hub's websocket server: the border where frames from the network come in.

One websocket per client at ``/ws`` (websockets 17, asyncio API). Limits,
outermost first:

- an opening handshake not done in 10 s: websockets drops the connection;
- more than ``max_connections_per_address`` open connections from one address:
  the new one is told ``Error rate_limited`` and closed (1013) before any
  session exists for it;
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
import secrets
import ssl
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Final
from urllib.parse import urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from seat_common.protocol import MESSAGE_TYPES, ProtocolError, decode, encode
from seat_hub.connections.citizen_page import CitizenPage
from seat_hub.connections.front_desk import Hub, error_reply
from seat_hub.connections.ratelimit import FloodGuard
from seat_hub.parties.session import POLICY_VIOLATION, TRY_AGAIN_LATER, Session
from seat_hub.storage.eventlog import EventLog

#: The websocket's path.
PATH: Final = "/ws"
#: Hard limit on one frame: websockets closes the connection above it.
MAX_FRAME_BYTES: Final = 1024 * 1024
#: The close code of a client that left on purpose (RFC 6455).
NORMAL_CLOSURE: Final = 1000
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
    ) -> None:
        self.hub = hub
        self.log = log
        self.page = page
        self.rate = rate
        self.burst = burst
        self._monotonic = monotonic

    def serve(self, host: str, port: int, *, tls: ssl.SSLContext | None = None) -> Server:
        """The websockets server (use as ``async with``) on ``host``:``port``; with ``tls``
        it speaks only TLS (``wss://`` and the citizen page over ``https://``)."""
        return serve(
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
            # asyncio's default accept queue (100) overflows under a burst of connections:
            # each dropped SYN costs its sender a 1 s retransmission, an honest one too.
            backlog=4096,
        )

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if path == PATH:
            return self._refuse_early(connection)
        if self.page is not None and "Upgrade" not in request.headers:
            response = self.page.respond(path)
            self.log.event("http", path=path[:100], status=response.status_code)
            return response
        self.log.event("http_refused", path=request.path[:100], status=404)
        return connection.respond(HTTPStatus.NOT_FOUND, "Seat hub: use the websocket at /ws\n")

    def _refuse_early(self, connection: ServerConnection) -> Response | None:
        """An address already at its connection cap is refused before the websocket
        handshake (HTTP 503): a flood's surplus costs the hub a parsed request, not a
        session, so an honest login is not queued behind it. One under the cap goes on
        to ``handle``, which counts it (and still refuses, politely, one that raced in)."""
        address = _address(connection)
        if not self.hub.addresses.is_full(address):
            return None
        self.log.event("connection_refused", remote=address,
                       open=self.hub.addresses.connections(address),
                       reason="too many connections from this address", early=True)
        return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE,
                                  "Seat hub: too many connections from this address\n")

    async def handle(self, connection: ServerConnection) -> None:
        """One connection, from handshake to clean-up."""
        remote = _remote(connection)
        address = _address(connection)
        addresses = self.hub.addresses
        if not addresses.connection_opened(address, self._monotonic()):
            await self._refuse_connection(connection, address)
            return
        try:
            await self._serve_session(connection, remote)
        finally:
            addresses.connection_closed(address)

    async def _refuse_connection(self, connection: ServerConnection, address: str) -> None:
        self.log.event(
            "connection_refused",
            remote=address,
            open=self.hub.addresses.connections(address),
            reason="too many connections from this address",
        )
        error = error_reply("rate_limited", "您所在网络的连接过多，请稍后再试。", "", "")
        try:
            await connection.send(encode(error))
            await connection.close(TRY_AGAIN_LATER, "too many connections from this address")
        except ConnectionClosed:
            pass

    async def _serve_session(self, connection: ServerConnection, remote: str) -> None:
        session = Session(
            connection,
            f"S-{secrets.token_hex(8)}",
            remote,
            abort=connection.transport.abort,
        )
        deadline = asyncio.get_running_loop().call_later(
            self.hub.ctx.settings.hello_timeout_s, self._hello_overdue, session
        )
        # The writer is this connection's own task, not the hub's background work: it starts
        # and ends with ``handle`` (awaited, or cancelled, below), and a failure is logged.
        writer = asyncio.create_task(session.run_writer(), name=f"writer {session.session_id}")
        writer.add_done_callback(lambda task: self._writer_done(session, task))
        guard = FloodGuard.create(self._monotonic(), rate=self.rate, burst=self.burst)
        self.log.event("connected", session=session.session_id, remote=session.remote)
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


def _address(connection: ServerConnection) -> str:
    """The remote host, without its port (what the per-address limits count)."""
    remote = _remote(connection)
    return remote.rsplit(":", 1)[0] if ":" in remote else remote


def _remote(connection: ServerConnection) -> str:
    address = connection.remote_address
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return str(address)
