"""A simulated citizen's websocket to the hub: connecting, reading, and coming back.

``CitizenLink`` is the wire half of ``SimulatedCitizen``: it opens the connection (a
``wss://`` hub's certificate checked as the contact's ``ssl`` context says), sends, and
reads every frame — binary chunks to the materials, text through ``protocol.decode`` (a
broken one is counted in the report, never a crash) to the contact's ``on_message``. The
wire milestones the script waits on go through one bounded queue (``put_milestone``,
``next_milestone``): more than ``MILESTONE_QUEUE`` unread means a flooding hub.

With ``script.reconnect``, a link that drops (not closed by the citizen) is made again with
the welcome's resume token (``Hello.resume``); ``drop`` cuts the connection as a failing
network would and holds the network down until ``restore``. When the link ends for good
the script is woken with ``None`` (``ContactFinished`` from ``next_milestone``).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import Final

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from sandbox.citizen.script import CitizenReport, CitizenScript
from seat_common import protocol
from seat_common.tasks import TaskOwner

#: Websocket frame limit on the citizen's side (the protocol's own limit is lower).
MAX_FRAME_BYTES: Final = 1024 * 1024
#: At most this many wire milestones wait for the script; more means a flooding hub.
MILESTONE_QUEUE: Final = 256


class ContactFinished(Exception):
    """The script cannot go on (the hub refused, closed, or stopped answering)."""

    def __init__(self, ended_by: str, why: str) -> None:
        super().__init__(why)
        self.ended_by = ended_by


class CitizenLink:
    """One citizen's connection to the hub, across resumes (see the module docstring)."""

    def __init__(
        self,
        hub_url: str,
        ssl_context: ssl.SSLContext | None,
        name: str,
        script: CitizenScript,
        report: CitizenReport,
        tasks: TaskOwner,
        *,
        on_message: Callable[[protocol.Message], Awaitable[None]],
        on_binary: Callable[[bytes], None],
        mark: Callable[[str], None],
        error: Callable[[str], None],
    ) -> None:
        self.hub_url = hub_url
        self._ssl = ssl_context
        self._name = name
        self._script = script
        self._report = report
        self._tasks = tasks
        self._on_message = on_message
        self._on_binary = on_binary
        self._mark = mark
        self._error = error
        self.ws: ClientConnection | None = None
        self._milestones: asyncio.Queue[protocol.Message | None] = asyncio.Queue(MILESTONE_QUEUE)
        #: the welcome's resume token ("" before the welcome)
        self.resume_token = ""
        #: set while the network is up (``drop`` clears it, ``restore`` sets it)
        self._network = asyncio.Event()
        self._network.set()
        #: when the network last came back (``time.monotonic``), for measuring resumes
        self.network_back_at = 0.0
        #: the citizen is going: a link that ends now is not made again
        self.leaving = False

    def connect(self) -> connect:
        """The connection, to open with ``async with`` (``started`` once it is open)."""
        return connect(self.hub_url, max_size=MAX_FRAME_BYTES, compression=None,
                       open_timeout=self._script.reply_timeout_s, close_timeout=2,
                       ssl=self._ssl)

    def started(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._mark("connected")
        self._tasks.spawn(self._read_loop(ws), "reader")

    async def close(self) -> None:
        """Close a resumed connection (the first one closes itself)."""
        self.leaving = True
        if self.ws is not None:
            await self.ws.close()
        self.ws = None

    async def send(self, message: protocol.Message) -> None:
        if self.ws is None:
            raise ContactFinished("disconnected", f"cannot send {message.TYPE}: not connected")
        await self.ws.send(protocol.encode(message))

    async def send_binary(self, frame: bytes) -> None:
        if self.ws is None:
            raise ContactFinished("disconnected", "cannot send a chunk: not connected")
        await self.ws.send(frame)

    # --- milestones ----------------------------------------------------------------------

    def put_milestone(self, message: protocol.Message) -> None:
        try:
            self._milestones.put_nowait(message)
        except asyncio.QueueFull:
            self._error(f"dropped {message.TYPE}: too many unread messages from the hub")

    async def next_milestone(self, deadline: float | None) -> protocol.Message | None:
        """The next milestone message; None at ``deadline`` (monotonic). Raises when closed."""
        if deadline is None:
            message = await self._milestones.get()
        else:
            wait = asyncio.timeout(max(0.0, deadline - time.monotonic()))
            try:
                async with wait:
                    message = await self._milestones.get()
            except TimeoutError:
                # Our own deadline, not the whole run's give-up timeout. (Asking the clock
                # is not enough: under qasync a Qt coarse timer may fire a little early.)
                if wait.expired():
                    return None
                raise
        if message is None:
            raise ContactFinished("disconnected", "the hub closed the connection")
        return message

    # --- a dropped link ------------------------------------------------------------------

    def drop(self) -> None:
        """Cut the connection without a goodbye and keep the network down until ``restore``."""
        self._network.clear()
        ws = self.ws
        if ws is not None:
            ws.transport.abort()

    def restore(self) -> None:
        """The network is back: a citizen with ``script.reconnect`` reconnects now."""
        self.network_back_at = time.monotonic()
        self._network.set()

    async def _reconnect(self) -> None:
        """Connect again with the resume token until the hub answers, or give up."""
        delay = 0.2
        while not self.leaving:
            await self._network.wait()
            try:
                ws = await self.connect()
            except (OSError, TimeoutError, InvalidHandshake) as exc:
                self._error(f"reconnect failed: {exc}")
                await asyncio.sleep(delay)
                delay = min(2.0, delay * 2)
                continue
            self.ws = ws
            self._mark("reconnected")
            await ws.send(protocol.encode(protocol.Hello(
                role="citizen", name=self._name, resume=self.resume_token)))
            self._tasks.spawn(self._read_loop(ws), "reader")
            return

    # --- reading -------------------------------------------------------------------------

    async def _read_loop(self, ws: ClientConnection) -> None:
        """Decode every frame; the contact handles each message at once."""
        try:
            async for frame in ws:
                if isinstance(frame, bytes):
                    self._on_binary(frame)
                    continue
                try:
                    message = protocol.decode(frame)
                except protocol.ProtocolError as exc:
                    self._report.protocol_errors += 1
                    self._error(f"protocol error from hub: {exc.code}: {exc}")
                    continue
                await self._on_message(message)
        except ConnectionClosed:
            pass
        finally:
            self._mark("disconnected")
            self._link_ended(ws)

    def _link_ended(self, ws: ClientConnection) -> None:
        if self._may_resume(ws):
            # The script waits on; the new connection's messages pick it up.
            self._report.links_dropped += 1
            self.ws = None
            self._tasks.spawn(self._reconnect(), "reconnect")
            return
        # Wake the script; make room if the queue is full of unread milestones.
        if self._milestones.full():
            self._milestones.get_nowait()
        self._milestones.put_nowait(None)

    def _may_resume(self, ws: ClientConnection) -> bool:
        """Whether a connection that ended was a dropped link to come back from."""
        return (
            self._script.reconnect
            and not self.leaving
            and bool(self.resume_token)
            and ws.close_code != 1000
            and self._report.refused_code != "resume_refused"
        )
