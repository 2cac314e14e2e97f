"""Online-application coaching (网办辅导), the agent's side: the citizen's shared screen and
the agent's pointer and drawings over it.

``SharedScreen`` follows the workstation's calls and the hub's ``screen_share`` messages:
``sharing`` is true while the citizen of the current call shares a screen or a tab (its
picture is ``CallSession.screen_frames``), and false again when they stop it (the page's
bar, the browser's own stop), when a reloaded page says so, or when the call ends.

While sharing, the agent points and draws (``point``, ``draw``, ``clear``): points are
fractions of the shared frame (0..1), refused here (``ValueError``) when outside it, and
sent as ``share_mark``. The pointer is sent at most ``POINTER_HZ`` times a second, newest
wins (the last position is sent when the interval has passed, so the citizen sees where the
pointer stopped); a stroke goes as one message when the agent lets go, thinned to
``MAX_STROKE_POINTS``. The hub allows 20 marks a second per call; this stays below it.

Events: ``sharing_changed`` (``bool``), also after the call ends while sharing;
``session_changed`` (``CallSession | None``): the call's media session is another (a new
call, media made afresh after a dropped link, or none), whose ``screen_frames`` to show.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Final

from seat_client.call.hub_link import HubLink, NotConnectedError
from seat_client.call.session import CallSession
from seat_client.call.workstation import ActiveCall, Workstation
from seat_common import protocol
from seat_common.events import Event
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)

#: Pointer updates a second at most (the hub allows 20 marks a second per call).
POINTER_HZ: Final = 12
Point = tuple[float, float]


def thin(points: Sequence[Point], most: int = protocol.MAX_STROKE_POINTS) -> list[Point]:
    """At most ``most`` of ``points``, evenly spread, the first and the last kept."""
    if len(points) <= most:
        return list(points)
    step = (len(points) - 1) / (most - 1)
    return [points[round(i * step)] for i in range(most)]


def _checked(points: Sequence[Point]) -> tuple[protocol.SharePoint, ...]:
    for x, y in points:
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            raise ValueError(f"a point of the shared screen must be within 0..1, not {x}, {y}")
    return tuple(protocol.SharePoint(x, y) for x, y in points)


class SharedScreen:
    """The citizen's shared screen in the current call, and the agent's marks on it."""

    def __init__(
        self,
        workstation: Workstation,
        tasks: TaskOwner,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._workstation = workstation
        self._link: HubLink = workstation.link
        self._tasks = tasks
        self._clock = clock
        self.call_id = ""
        self.sharing = False
        #: what the citizen shares: "monitor", "window", "browser" or "" (unknown)
        self.surface: protocol.ShareSurface = ""
        #: marks sent in this call (pointer, stroke, clear)
        self.marks_sent = 0
        self.sharing_changed: Event[bool] = Event()
        self.session_changed: Event[CallSession | None] = Event()
        self._mark_id = 0
        self._pointer_sent_at = float("-inf")
        self._pending_pointer: Point | None = None
        self._flushing = False
        self._unsubscribe = [
            workstation.call_changed.connect(self._on_call_changed),
            workstation.media_renewed.connect(lambda call: self.session_changed.emit(call.session)),
            self._link.message.connect(self._on_message),
        ]

    @property
    def session(self) -> CallSession | None:
        """The current call's media session (its ``screen_frames`` hold the shared screen)."""
        call = self._workstation.call
        return call.session if call is not None else None

    def close(self) -> None:
        """Stop following the workstation."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    # --- the agent's marks ---------------------------------------------------------

    def point(self, x: float, y: float) -> None:
        """Show the pointer at ``x``, ``y`` of the shared frame (newest wins)."""
        _checked([(x, y)])
        if not self.sharing:
            return
        self._pending_pointer = (x, y)
        wait = self._pointer_sent_at + 1.0 / POINTER_HZ - self._clock()
        if wait <= 0:
            self._send_pending_pointer()
        elif not self._flushing:
            self._flushing = True
            self._tasks.spawn(self._flush_pointer_after(wait), "share pointer")

    def draw(self, points: Sequence[Point]) -> None:
        """A short-lived line through ``points`` (two at least) on the citizen's screen."""
        checked = _checked(thin(points))
        if len(checked) < 2:
            raise ValueError("a stroke needs two points at least")
        if self.sharing:
            self._send("stroke", checked)

    def clear(self) -> None:
        """Remove the pointer and the drawings from the citizen's screen."""
        if self.sharing:
            self._pending_pointer = None
            self._send("clear", ())

    # --- following the call --------------------------------------------------------

    def _on_call_changed(self, call: ActiveCall | None) -> None:
        new_id = call.started.call_id if call is not None else ""
        if new_id == self.call_id:
            return
        self.call_id = new_id
        self._mark_id = 0
        self.marks_sent = 0
        self._set_sharing(False, "")
        self.session_changed.emit(self.session)

    def _on_message(self, message: protocol.Message) -> None:
        if isinstance(message, protocol.ScreenShare) and message.call_id == self.call_id:
            self._set_sharing(message.sharing, message.surface)

    def _set_sharing(self, sharing: bool, surface: protocol.ShareSurface) -> None:
        self.surface = surface if sharing else ""
        self._pending_pointer = None
        if sharing != self.sharing:
            self.sharing = sharing
            log.info("call %s: the citizen %s sharing a screen", self.call_id or "-",
                     "started" if sharing else "stopped")
            self.sharing_changed.emit(sharing)

    async def _flush_pointer_after(self, wait: float) -> None:
        try:
            await asyncio.sleep(wait)
        finally:
            self._flushing = False
        self._send_pending_pointer()

    def _send_pending_pointer(self) -> None:
        if self._pending_pointer is None or not self.sharing:
            return
        point, self._pending_pointer = self._pending_pointer, None
        self._pointer_sent_at = self._clock()
        self._send("pointer", _checked([point]))

    def _send(self, kind: protocol.MarkKind, points: tuple[protocol.SharePoint, ...]) -> None:
        self._mark_id += 1
        self.marks_sent += 1
        mark = protocol.ShareMark(self.call_id, kind, self._mark_id, points)
        self._tasks.spawn(self._deliver(mark), "share mark")

    async def _deliver(self, mark: protocol.ShareMark) -> None:
        try:
            await self._link.send(mark)
        except NotConnectedError:
            log.info("call %s: a share mark was not sent (no link to the hub)", mark.call_id)
