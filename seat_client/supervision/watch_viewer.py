"""The supervisor's side of watching a live call: the picture, the voices, the barge-in mic.

``WatchViewer`` asks the hub to watch an agent's call (``WatchCall``),
answers the agent workstation's offer when it comes (``WatchSdp``) and
consumes what it sends: the citizen's camera into ``frames`` (newest frame
wins, as in the agent's own video pane) and the call's mixed voices, whose
level it keeps for a meter. Its own microphone goes back on the same peer
but is muted unless the watch is ``barging``: the supervisor is heard only
after choosing to barge in.

Its peer uses the ICE servers and policy of the supervisor's welcome (``ice``, from
``take_welcome``); a relay-only watch without a relay stops at once.

One watch at a time. Events: ``state_changed`` (the current ``WatchState``,
or ``None`` once it ended; ``last_end`` keeps why), ``frame_arrived``,
``audio_arrived`` (each frame of the call's voices).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import av
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from seat_client.call.session import FrameSlot
from seat_client.media.local_media import GatedAudioTrack
from seat_common import ice_policy, protocol
from seat_common.audio_levels import SILENCE_DBFS, level_dbfs
from seat_common.events import Event
from seat_common.frame_assembly import install_frame_assembly
from seat_common.ice_policy import IceConfig, IceConfigError
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)


class WatchViewer:
    """One supervisor's view into one watched call at a time."""

    def __init__(
        self,
        send: Callable[[protocol.Message], Awaitable[None]],
        microphone: Callable[[], GatedAudioTrack] = GatedAudioTrack,
        tasks: TaskOwner | None = None,
    ) -> None:
        self._send = send
        self._microphone_factory = microphone
        self.state: protocol.WatchState | None = None
        self.last_end: protocol.WatchState | None = None
        self.frames = FrameSlot()
        self.audio_frames = 0
        self.voice_level_dbfs = SILENCE_DBFS
        self.state_changed: Event[protocol.WatchState | None] = Event()
        self.frame_arrived: Event[None] = Event()
        self.audio_arrived: Event[av.AudioFrame] = Event()
        self._pc: RTCPeerConnection | None = None
        self._microphone: GatedAudioTrack | None = None
        self._tasks = tasks or TaskOwner("watch viewer")
        #: the STUN/TURN servers and policy from the supervisor's welcome
        self.ice = IceConfig()

    @property
    def barging(self) -> bool:
        return self.state is not None and self.state.phase == "barging"

    # --- intents ------------------------------------------------------------------

    async def watch(self, agent_id: str) -> None:
        """Ask to watch ``agent_id``'s call (a watch already open is stopped first)."""
        if self.state is not None:
            await self.stop()
        await self._send(protocol.WatchCall(agent_id))

    async def barge_in(self, on: bool) -> None:
        if self.state is not None:
            await self._send(protocol.BargeIn(self.state.watch_id, on))

    async def stop(self) -> None:
        if self.state is not None:
            await self._send(protocol.StopWatch(self.state.watch_id))

    def take_welcome(self, welcome: protocol.Welcome) -> None:
        """Use the ICE servers and policy of the supervisor's (latest) welcome."""
        self.ice = IceConfig(welcome.ice_servers, welcome.ice_policy)

    def apply(self, message: protocol.Message) -> bool:
        """Take a hub message if it is about watching; True if it was."""
        if isinstance(message, protocol.WatchState):
            self._on_state(message)
            return True
        if isinstance(message, protocol.WatchSdp):
            if self.state is not None and message.watch_id == self.state.watch_id:
                if message.sdp_type == "offer":
                    self._spawn(self._answer(message.sdp), "watch-answer")
                else:
                    log.warning("watch %s: unexpected SDP answer ignored", message.watch_id)
            return True
        return False

    async def close(self) -> None:
        await self._close_media()
        await self._tasks.close()

    # --- state ----------------------------------------------------------------------

    def _on_state(self, state: protocol.WatchState) -> None:
        if state.phase == "ended":
            if self.state is not None and self.state.watch_id == state.watch_id:
                self.state = None
                self.last_end = state
                self._spawn(self._close_media(), "watch-close")
                self.state_changed.emit(None)
            return
        if self.state is not None and self.state.watch_id != state.watch_id:
            log.warning("watch %s replaces %s", state.watch_id, self.state.watch_id)
            self._spawn(self._close_media(), "watch-close")
        self.state = state
        if self._microphone is not None:
            self._microphone.muted = state.phase != "barging"
        self.state_changed.emit(state)

    async def _answer(self, sdp: str) -> None:
        await self._close_media()
        state = self.state
        if state is None:
            return
        ice_policy.apply_from_environment()
        configuration, problem = self.ice.peer_configuration()
        pc = RTCPeerConnection(configuration)
        self._pc = pc
        self.frames = FrameSlot()
        self.audio_frames = 0
        pc.on("track", self._on_track)
        pc.on("connectionstatechange", lambda: self._on_connection_state(pc))
        await pc.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        install_frame_assembly(pc)  # the supervisor sees the call as soon as the agent does
        microphone = self._microphone_factory()
        microphone.muted = state.phase != "barging"
        self._microphone = microphone
        pc.addTrack(microphone)
        await pc.setLocalDescription(await pc.createAnswer())
        try:
            if problem:
                raise IceConfigError(problem)
            self.ice.check_gathered(pc.localDescription.sdp)
        except IceConfigError as exc:
            log.warning("watch %s cannot connect: %s", state.watch_id, exc)
            await self.stop()
            return
        await self._send(protocol.WatchSdp(state.watch_id, "answer", pc.localDescription.sdp))

    def _on_track(self, track: MediaStreamTrack) -> None:
        async def read() -> None:
            with contextlib.suppress(MediaStreamError):
                while True:
                    frame = await track.recv()
                    if track.kind == "video":
                        self.frames.put(frame)
                        self.frame_arrived.emit(None)
                    elif isinstance(frame, av.AudioFrame):
                        self.audio_frames += 1
                        self.voice_level_dbfs = level_dbfs(frame)
                        self.audio_arrived.emit(frame)

        self._spawn(read(), f"watch-{track.kind}")

    def _on_connection_state(self, pc: RTCPeerConnection) -> None:
        if pc is self._pc and pc.connectionState == "failed" and self.state is not None:
            log.warning("watch %s: media failed", self.state.watch_id)
            self._spawn(self.stop(), "watch-failed-stop")

    async def _close_media(self) -> None:
        pc, self._pc = self._pc, None
        microphone, self._microphone = self._microphone, None
        if pc is not None:
            await pc.close()
        if microphone is not None:
            microphone.stop()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        # Media trouble in a watch is logged; the window shows the watch's state instead.
        self._tasks.spawn(coro, name, report=False)
