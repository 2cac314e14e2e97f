"""The conformance agent's link to the hub: every message it gets, kept in arrival order.

A step of the call waits for "the first message of this kind since that point"
(``expect`` with a ``mark``), so nothing that arrived while an earlier step was busy is
missed. ``on_arrival`` sees each message first and may take it (return True) instead of
keeping it: the agent takes ICE candidates and peer links there, because what they
change (the peer connection) must change before the next message is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from seat_common import protocol

log = logging.getLogger(__name__)


class LinkError(Exception):
    """The hub link is not there (not connected, or closed by the hub)."""


class HubInbox:
    """One websocket to the hub and the messages that came on it."""

    def __init__(self, on_arrival: Callable[[protocol.Message], Awaitable[bool]]) -> None:
        self._on_arrival = on_arrival
        self._ws: ClientConnection | None = None
        self._messages: list[protocol.Message] = []
        self._arrived = asyncio.Condition()
        #: set when the hub closed the link
        self.closed = asyncio.Event()

    async def connect(self, url: str, tls_context: ssl.SSLContext | None) -> None:
        self._ws = await connect(url, ssl=tls_context, max_size=2**21, compression=None)

    async def read(self) -> None:
        """Read until the link closes (run it as a task)."""
        ws = self._ws
        if ws is None:
            raise LinkError("not connected")
        try:
            async for frame in ws:
                if isinstance(frame, bytes):
                    continue  # material downloads: the agent fetches none
                try:
                    message = protocol.decode(frame)
                except protocol.ProtocolError as exc:
                    log.warning("conformance agent: the hub sent a bad frame: %s", exc)
                    continue
                if await self._on_arrival(message):
                    continue
                async with self._arrived:
                    self._messages.append(message)
                    self._arrived.notify_all()
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()
            async with self._arrived:
                self._arrived.notify_all()

    async def send(self, message: protocol.Message) -> None:
        if self._ws is None:
            raise LinkError("not connected")
        try:
            await self._ws.send(protocol.encode(message))
        except ConnectionClosed as exc:
            raise LinkError("the hub closed the conformance agent's link") from exc

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    def mark(self) -> int:
        """A point in the stream: later ``find`` and ``expect`` look only after it."""
        return len(self._messages)

    def position(self, message: protocol.Message) -> int:
        """The point just before ``message`` (one that was found)."""
        for index, kept in enumerate(self._messages):
            if kept is message:
                return index
        raise ValueError("not a message of this link")

    def find(self, kind: Any, since: int, where: Callable[[Any], bool] | None = None) -> Any:
        """The first message of ``kind`` (matching ``where``) after ``since``, or None."""
        for message in self._messages[since:]:
            if isinstance(message, kind) and (where is None or where(message)):
                return message
        return None

    async def expect(
        self, kind: Any, within: float, since: int, where: Callable[[Any], bool] | None = None
    ) -> Any:
        """Like ``find``, waiting up to ``within`` seconds for it; None if it never came."""
        deadline = time.monotonic() + within
        while True:
            found = self.find(kind, since, where)
            if found is not None:
                return found
            left = deadline - time.monotonic()
            if left <= 0 or self.closed.is_set():
                return None
            await self.wait_any(left)

    async def wait_any(self, within: float) -> None:
        """Until the next message arrives, or ``within`` seconds."""
        async with self._arrived:
            with contextlib.suppress(TimeoutError):  # not wait_for (gh-86296, in a loop)
                async with asyncio.timeout(within):
                    await self._arrived.wait()
