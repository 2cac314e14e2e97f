"""The workstation's connection to the hub: log in, keep the link up, pass messages on.

``HubLink`` connects over websockets, logs in with ``Hello`` on every
(re)connect, and reconnects with full-jitter exponential backoff when the
link drops. Every frame from the hub goes through ``protocol.decode``; a
malformed one is logged and skipped, never passed on. A login refused for good
(a bad token) stops the retries: retrying cannot help; so does a malformed
``welcome`` (say, ICE servers that break the protocol), with a ``refusal`` that
says what was wrong. A refusal that may pass (``rate_limited``, ``busy``, an older
hub's ``already_logged_in`` while it still holds a stale connection) is retried at
the backoff's pace. The hub lets the newest login of a seat take over: a link told
``taken_over`` (the seat logged in elsewhere) stops, or two workstations would take
the seat from each other for ever. A link told ``revoked`` (an administrator revoked
the seat's token and the hub reloaded its seats) stops too.

A hub that answers in a newer protocol major (the envelope's ``v`` above ours) is refused
for good too, with a Chinese ``refusal`` telling the agent to upgrade the workstation:
retrying cannot help until this PC has the newer Seat.

A ``wss://`` hub's certificate is verified against the system store or the
CAs of ``ca_file``; a certificate that fails is ``LinkState.UNTRUSTED`` with
the reason in ``tls_failure``, and the link keeps retrying (at the backoff's
pace) so a hub whose certificate is fixed is reached without a restart.
Plain ``ws://`` is refused here too unless the hub is on this machine.

Events: ``state_changed`` (``LinkState``), ``welcome`` (``Welcome``),
``message`` (every other typed message from the hub), ``binary`` (each
binary frame: material chunks, see ``protocol.unpack_chunk``).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
import random
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from websockets.asyncio.client import ClientConnection, connect

from seat_common import protocol, tls
from seat_common.events import Event
from seat_common.tasks import TaskOwner
from seat_common.version import VERSION

log = logging.getLogger(__name__)


class LinkState(enum.Enum):
    """Where the link to the hub stands."""

    CONNECTING = "connecting"
    CONNECTED = "connected"  # logged in
    DISCONNECTED = "disconnected"  # will retry
    UNTRUSTED = "untrusted"  # the hub's certificate failed verification: will retry
    REFUSED = "refused"  # login refused: no retry
    STOPPED = "stopped"


#: Login refusals worth retrying (at the backoff's pace): they may pass.
RETRIED_REFUSALS = frozenset({"rate_limited", "busy", "already_logged_in", "internal"})
#: What the hub says before it closes a logged-in link for good: stop, do not reconnect.
FINAL_ERRORS = frozenset({"taken_over", "revoked"})


class NotConnectedError(RuntimeError):
    """A message could not be sent: the hub link is down."""


@dataclass
class FullJitterBackoff:
    """Delays for reconnect attempts: uniform in [0, min(cap, base·2^attempt)].

    Full jitter spreads 37 workstations reconnecting after a hub restart
    instead of having them knock in lockstep.
    """

    base_s: float = 0.5
    cap_s: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap_s, self.base_s * (2**self.attempt))
        self.attempt = min(self.attempt + 1, 30)
        return self.rng.uniform(0, ceiling)

    def reset(self) -> None:
        self.attempt = 0


class HubLink:
    """One logged-in websocket link to the hub, kept alive until ``stop``."""

    def __init__(
        self,
        url: str,
        hello: Callable[[], protocol.Hello],
        *,
        backoff: FullJitterBackoff | None = None,
        open_timeout_s: float = 5.0,
        tasks: TaskOwner | None = None,
        ca_file: str | Path | None = None,
    ) -> None:
        tls.check_url(url, what="hub address", secure="wss")
        self.url = url
        self._ssl: ssl.SSLContext | None = tls.client_context_for(url, ca_file)
        self._hello = hello
        self._backoff = backoff or FullJitterBackoff()
        self._open_timeout_s = open_timeout_s
        self._ws: ClientConnection | None = None
        self._tasks = tasks or TaskOwner("hub link")
        self.state = LinkState.STOPPED
        self.refusal: protocol.Error | None = None
        #: why the last handshake failed, while the state is ``UNTRUSTED``
        self.tls_failure: tls.TlsFailure | None = None
        self.state_changed: Event[LinkState] = Event()
        self.welcome: Event[protocol.Welcome] = Event()
        self.message: Event[protocol.Message] = Event()
        self.binary: Event[bytes] = Event()

    def start(self) -> None:
        if not self._tasks.busy:
            self._tasks.spawn(self._run(), "hub-link")

    async def stop(self) -> None:
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(websockets.WebSocketException, OSError):
                await asyncio.wait_for(ws.close(), 2.0)  # a clean goodbye to the hub
        await self._tasks.cancel()
        self._set_state(LinkState.STOPPED)

    async def send(self, message: protocol.Message) -> None:
        ws = self._ws
        if ws is None or self.state is not LinkState.CONNECTED:
            raise NotConnectedError("not connected to the hub")
        try:
            await ws.send(protocol.encode(message))
        except websockets.ConnectionClosed as exc:
            raise NotConnectedError("the hub link dropped") from exc

    async def send_binary(self, frame: bytes) -> None:
        """Send one binary frame (a material chunk)."""
        ws = self._ws
        if ws is None or self.state is not LinkState.CONNECTED:
            raise NotConnectedError("not connected to the hub")
        try:
            await ws.send(frame)
        except websockets.ConnectionClosed as exc:
            raise NotConnectedError("the hub link dropped") from exc

    async def _run(self) -> None:
        try:
            while True:
                self._set_state(LinkState.CONNECTING)
                down = LinkState.DISCONNECTED
                try:
                    async with connect(
                        self.url,
                        max_size=2 * protocol.MAX_MESSAGE_BYTES,
                        compression=None,
                        open_timeout=self._open_timeout_s,
                        max_queue=64,
                        ssl=self._ssl,
                    ) as ws:
                        self.tls_failure = None
                        if not await self._log_in(ws):
                            refusal = self.refusal
                            if refusal is None or refusal.code not in RETRIED_REFUSALS:
                                self._set_state(LinkState.REFUSED)
                                return
                            raise websockets.WebSocketException(
                                f"login refused for now: {refusal.code} {refusal.message}"
                            )
                        self._ws = ws
                        self._backoff.reset()
                        self._set_state(LinkState.CONNECTED)
                        if await self._read(ws):
                            self._set_state(LinkState.REFUSED)  # taken over, or revoked
                            return
                except ssl.SSLError as exc:  # before OSError, of which it is one
                    self.tls_failure = tls.tls_failure(exc)
                    down = LinkState.UNTRUSTED
                    log.warning("hub link: %s", self.tls_failure or exc)
                except (OSError, TimeoutError, websockets.WebSocketException) as exc:
                    log.warning("hub link: %s", exc)
                finally:
                    self._ws = None
                self._set_state(down)
                await asyncio.sleep(self._backoff.next_delay())
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("hub link failed")
            self._set_state(LinkState.DISCONNECTED)

    async def _log_in(self, ws: ClientConnection) -> bool:
        await ws.send(protocol.encode(self._hello()))
        while True:
            # Not wait_for: on Python 3.11 it swallows a cancel (``stop``) that comes with
            # the frame (gh-86296), and the reconnecting loop would run on.
            async with asyncio.timeout(self._open_timeout_s):
                frame = await ws.recv()
            try:
                reply = protocol.decode(frame)
            except protocol.ProtocolError as exc:
                log.warning("hub sent a malformed login reply: %s", exc)
                newer = _newer_protocol(frame)
                if newer is not None:
                    self.refusal = protocol.Error("unsupported_version", upgrade_text(newer), "v")
                    return False
                if _is_welcome(frame):
                    # A welcome we cannot take (e.g. bad ICE servers): retrying gets the same.
                    self.refusal = protocol.Error(
                        "bad_message", f"the hub's welcome is malformed: {exc}"[:500],
                        exc.field[:100], "welcome",
                    )
                    return False
                continue
            if isinstance(reply, protocol.Welcome):
                self.refusal = None
                self.welcome.emit(reply)
                return True
            if isinstance(reply, protocol.Error):
                log.warning("hub refused the login: %s %s", reply.code, reply.message)
                self.refusal = reply
                return False
            # Anything else before Welcome is out of order; skip it.

    def drop(self) -> None:
        """Cut the connection without a goodbye, as a network failure would (fault drills
        and tests); the link then reconnects at the backoff's pace."""
        ws = self._ws
        if ws is not None:
            ws.transport.abort()

    async def _read(self, ws: ClientConnection) -> bool:
        """Pass on what the hub sends until the link ends; True if the hub closed it for
        good: this seat logged in from a newer connection, or its token was revoked."""
        async for frame in ws:
            if isinstance(frame, bytes):
                self.binary.emit(frame)
                continue
            try:
                message = protocol.decode(frame)
            except protocol.ProtocolError as exc:
                log.warning("hub sent a malformed message: %s", exc)
                continue
            if isinstance(message, protocol.Error) and message.code in FINAL_ERRORS:
                log.warning("hub link: %s", message.message)
                self.refusal = message
                self._ws = None
                return True
            self.message.emit(message)
        return False

    def _set_state(self, state: LinkState) -> None:
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state)


def upgrade_text(hub_version: int) -> str:
    """What the agent is told when the hub speaks a newer protocol than this workstation."""
    return (f"集线器使用更新的协议版本 {hub_version}，本工作台（Seat {VERSION}）只支持协议版本"
            f" {protocol.VERSION}：请升级坐席工作台后再登录。"
            f" (The hub speaks protocol {hub_version}; upgrade this workstation.)")


def _newer_protocol(frame: str | bytes) -> int | None:
    """The protocol version a frame says it speaks, if newer than ours."""
    try:
        raw = json.loads(frame)
    except ValueError:
        return None
    v = raw.get("v") if isinstance(raw, dict) else None
    if isinstance(v, int) and not isinstance(v, bool) and v > protocol.VERSION:
        return v
    return None


def _is_welcome(frame: str | bytes) -> bool:
    """Whether a frame that failed to decode says it is a ``welcome``."""
    try:
        raw = json.loads(frame)
    except ValueError:
        return False
    return isinstance(raw, dict) and raw.get("type") == protocol.Welcome.TYPE
