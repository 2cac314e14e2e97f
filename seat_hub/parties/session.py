"""One client connection as the hub sees it: who it is, and its ordered outbox.

The hub never awaits a client while it changes its state: ``Session.send``
encodes the message and puts it in the session's outbox, and the session's
own writer task sends the outbox in order. A client that stops reading and
lets its outbox grow past ``max_outbox`` is cut off (its TCP connection
aborted) rather than let it hold the hub's memory. ``close`` sends what is
queued first, then closes, so an ``Error`` reaches the client before the
connection ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from websockets.exceptions import ConnectionClosed

from seat_common.protocol import Message, Role, encode
from seat_hub.parties.seats import KioskDevice

#: Close codes used by the hub (RFC 6455).
POLICY_VIOLATION: Final = 1008
MESSAGE_TOO_BIG: Final = 1009
TRY_AGAIN_LATER: Final = 1013


class FrameSink(Protocol):
    """Where a session's frames go (a websockets connection in the hub)."""

    async def send(self, message: str | bytes) -> None: ...

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


@dataclass(frozen=True, slots=True)
class _Close:
    code: int
    reason: str


class Session:
    """A connected client. ``role`` is None until its ``Hello`` was accepted.

    For agents and supervisors ``agent_id`` is their seat; ``name`` is the seat's
    name, or the display name a citizen or kiosk gave. ``kiosk`` is the device a
    kiosk proved to be with its token. ``address`` is the remote address without
    the port (what the per-address limits count), unless given: the client a trusted
    proxy named (``connections.forwarded``).
    """

    def __init__(
        self,
        sink: FrameSink,
        session_id: str,
        remote: str,
        *,
        abort: Callable[[], None] | None = None,
        max_outbox: int = 1024,
        address: str | None = None,
    ) -> None:
        self.session_id = session_id
        self.remote = remote
        if address is None:
            address = remote.rsplit(":", 1)[0] if ":" in remote else remote
        self.address = address
        self.role: Role | None = None
        self.kiosk: KioskDevice | None = None
        self.name = ""
        self.agent_id = ""
        #: the SHA-256 of the token an agent, supervisor or kiosk logged in with ("" for
        #: others): a reload of the seats file that no longer holds it closes the session
        self.token_sha256 = ""
        #: the SHA-256 of a citizen's resume token (``Welcome.resume_token``); "" for others
        self.resume_key = ""
        self.closing = False
        self.close_reason = ""
        self._sink = sink
        self._abort = abort
        self._max_outbox = max_outbox
        self._outbox: asyncio.Queue[str | bytes | _Close] = asyncio.Queue()
        #: Bytes of binary frames queued and not yet sent (material downloads).
        self.binary_queued = 0
        self._room = asyncio.Event()
        #: Frames held back while corked (``cork``), None when not.
        self._corked: list[str] | None = None

    def __repr__(self) -> str:
        return f"<Session {self.session_id} {self.role or 'anonymous'} {self.agent_id}>"

    @property
    def open(self) -> bool:
        return not self.closing

    def send(self, message: Message) -> None:
        """Queue ``message`` for this client (dropped if the session is closing)."""
        self.send_encoded(encode(message))

    def send_encoded(self, frame: str) -> None:
        """Queue a message already encoded (one snapshot encoded once for many agents)."""
        if self.closing:
            return
        if self._corked is not None:
            self._corked.append(frame)
            return
        if self._outbox.qsize() >= self._max_outbox:
            self._cut_off()
            return
        self._outbox.put_nowait(frame)

    def cork(self) -> None:
        """Hold text frames back until ``uncork`` (a reply that must not reach the client
        before a step that follows it is done: a cluster's shared queue join)."""
        if self._corked is None:
            self._corked = []

    def uncork(self, *, send: bool = True) -> None:
        """Queue the frames held back, in order (or drop them: ``send=False``)."""
        held, self._corked = self._corked or [], None
        if send:
            for frame in held:
                self.send_encoded(frame)

    def send_binary(self, frame: bytes) -> None:
        """Queue a binary frame (a download chunk); see ``wait_for_room``."""
        if self.closing:
            return
        if self._outbox.qsize() >= self._max_outbox:
            self._cut_off()
            return
        self.binary_queued += len(frame)
        self._outbox.put_nowait(frame)

    async def wait_for_room(self, limit: int) -> None:
        """Wait until at most ``limit`` bytes of binary frames are queued (or closing)."""
        while self.binary_queued > limit and not self.closing:
            self._room.clear()
            await self._room.wait()

    def close(self, code: int, reason: str) -> None:
        """Close after what is already queued has been sent; ignore further input."""
        if self.closing:
            return
        if self._corked is not None:  # what was held back goes before the close
            self.uncork()
        self.closing = True
        self.close_reason = reason
        self._room.set()
        self._outbox.put_nowait(_Close(code, reason))

    async def run_writer(self) -> None:
        """Send the outbox in order until the session closes (runs as its own task)."""
        while True:
            item = await self._outbox.get()
            try:
                if isinstance(item, _Close):
                    await self._sink.close(item.code, item.reason)
                    return
                await self._sink.send(item)
                if isinstance(item, bytes):
                    self.binary_queued -= len(item)
                    self._room.set()
            except ConnectionClosed:
                self.closing = True
                self._room.set()
                return

    def _cut_off(self) -> None:
        # The writer is stuck on a client that does not read: a polite close
        # would queue behind it, so drop the connection outright.
        self._drain()
        self.close(TRY_AGAIN_LATER, "client too slow to read")
        if self._abort is not None:
            self._abort()

    def _drain(self) -> None:
        while not self._outbox.empty():
            self._outbox.get_nowait()
