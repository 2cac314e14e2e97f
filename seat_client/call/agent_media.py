"""The agent's own camera and microphone as the citizen of the call is told them.

``AgentMediaState`` holds the agent's two buttons (microphone muted, camera off) and
whether the PC has a working camera at all, and tells the citizen of the current call
(``media_state``) what they amount to: when the call starts, when its media is made
afresh, and whenever one of them changes, so a dark picture or silence has a reason on
the citizen's screen. The ``Workstation`` applies the buttons to the call's media and
asks this to tell.

Telling runs in the background on the workstation's ``TaskOwner``: the state sent is
the one at the moment of sending, so of changes in quick succession the last one wins
and nothing is told twice. A call without a link has nobody to tell (the hub ends it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from seat_client.call.hub_link import NotConnectedError
from seat_common import protocol
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)


class AgentMediaState:
    """The agent's microphone and camera buttons, the camera's availability, and what the
    citizen of the current call (``current_call_id``; "" for none) was last told."""

    def __init__(
        self,
        send: Callable[[protocol.Message], Awaitable[None]],
        tasks: TaskOwner,
        current_call_id: Callable[[], str],
    ) -> None:
        self._send = send
        self._tasks = tasks
        self._current_call_id = current_call_id
        self.microphone_muted = False
        self.camera_enabled = True
        #: False when the agent has no working camera (the device code says so).
        self.camera_available = True
        self._told: protocol.MediaState | None = None  # what the citizen was last told

    def set_microphone_muted(self, muted: bool) -> None:
        changed = muted != self.microphone_muted
        self.microphone_muted = muted
        if changed:
            self.tell()

    def set_camera_enabled(self, enabled: bool) -> None:
        changed = enabled != self.camera_enabled
        self.camera_enabled = enabled
        if changed:
            self.tell()

    def set_camera_available(self, available: bool) -> None:
        changed = available != self.camera_available
        self.camera_available = available
        if changed:
            self.tell()

    def state(self, call_id: str) -> protocol.MediaState:
        """What the citizen of call ``call_id`` is told of the agent's camera and microphone."""
        camera: protocol.CameraState = (
            "unavailable" if not self.camera_available
            else "on" if self.camera_enabled else "off"
        )
        return protocol.MediaState(
            call_id, camera, "muted" if self.microphone_muted else "on"
        )

    def tell(self, again: bool = False) -> None:
        """Tell the citizen of the current call (if any) the agent's media, in the background;
        ``again`` even if it is what they were last told (a new call, media made afresh)."""
        call_id = self._current_call_id()
        if call_id:
            if again:
                self._told = None
            self._tasks.spawn(self._send_state(call_id), "media state")

    async def _send_state(self, call_id: str) -> None:
        # The state as it is when sent: of changes in quick succession the last one wins,
        # and the sends after it, finding it told already, tell nothing twice.
        if self._current_call_id() != call_id:
            return  # the call ended meanwhile: nobody to tell
        state = self.state(call_id)
        if state == self._told:
            return
        self._told = state
        try:
            await self._send(state)
        except NotConnectedError:
            # The call ends with the link (the hub ends it); there is nobody to tell.
            self._told = None
            log.info("media state of call %s not sent: the hub link is down", call_id)
