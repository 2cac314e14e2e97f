"""The supervisor's side of watching a live call: the picture, the voices, barging in, joining.

``WatchViewer`` asks the hub to watch an agent's call (``WatchCall``),
answers the agent workstation's offer when it comes (``WatchSdp``) and
consumes what it sends: the citizen's camera into ``frames`` (newest frame
wins, as in the agent's own video pane) and the call's mixed voices, whose
level it keeps for a meter. Its own microphone goes back on the same peer
but is muted unless the watch is ``barging``: the supervisor is heard only
after choosing to barge in.

Joining (``join``, or ``watch(agent_id, join=True)`` for one click from the wall): the
supervisor becomes the call's third party. Their camera goes out on the offer's third
section (a ``camera`` from the factory, opened when joined and stopped on leaving: no
camera is on while only watching) and the agent's camera comes in on it, into
``agent_frames``; their microphone is live. ``join(False)`` goes back to watching.

Its peer uses the ICE servers and policy of the supervisor's welcome (``ice``, from
``take_welcome``); a relay-only watch without a relay stops at once.

One watch at a time. Events: ``state_changed`` (the current ``WatchState``,
or ``None`` once it ended; ``last_end`` keeps why), ``frame_arrived`` (a new picture in
``frames`` or ``agent_frames``), ``audio_arrived`` (each frame of the call's voices).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import av
from aiortc import (
    RTCBundlePolicy,
    RTCPeerConnection,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from seat_client.call.session import FrameSlot
from seat_client.media.fed_tracks import FedVideoTrack
from seat_client.media.local_media import CameraTrack, GatedAudioTrack
from seat_common import protocol
from seat_common.events import Event
from seat_common.media import ice_policy
from seat_common.media.audio_levels import SILENCE_DBFS, level_dbfs
from seat_common.media.frame_assembly import install_frame_assembly
from seat_common.media.ice_policy import IceConfig, IceConfigError
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)


class WatchViewer:
    """One supervisor's view into one watched call at a time."""

    def __init__(
        self,
        send: Callable[[protocol.Message], Awaitable[None]],
        microphone: Callable[[], GatedAudioTrack] = GatedAudioTrack,
        tasks: TaskOwner | None = None,
        camera: Callable[[], CameraTrack] | None = None,
    ) -> None:
        """``camera`` opens the supervisor's camera for joining (None: black frames)."""
        self._send = send
        self._microphone_factory = microphone
        self._camera_factory = camera
        self.state: protocol.WatchState | None = None
        self.last_end: protocol.WatchState | None = None
        self.frames = FrameSlot()
        #: the agent's camera, while joined
        self.agent_frames = FrameSlot()
        self.audio_frames = 0
        self.voice_level_dbfs = SILENCE_DBFS
        self.state_changed: Event[protocol.WatchState | None] = Event()
        self.frame_arrived: Event[None] = Event()
        self.audio_arrived: Event[av.AudioFrame] = Event()
        self._pc: RTCPeerConnection | None = None
        self._microphone: GatedAudioTrack | None = None
        #: what goes out on the third section: the camera's frames while joined
        self._outgoing: FedVideoTrack | None = None
        self._camera: CameraTrack | None = None
        self._camera_reader: TaskOwner | None = None
        self._tasks = tasks or TaskOwner("watch viewer")
        #: the STUN/TURN servers and policy from the supervisor's welcome
        self.ice = IceConfig()

    @property
    def barging(self) -> bool:
        return self.state is not None and self.state.phase == "barging"

    @property
    def joined(self) -> bool:
        return self.state is not None and self.state.phase == "joined"

    @property
    def camera_on(self) -> bool:
        """Whether the supervisor's camera is open (only while joined)."""
        return self._camera is not None

    # --- intents ------------------------------------------------------------------

    async def watch(self, agent_id: str, *, join: bool = False) -> None:
        """Ask to watch ``agent_id``'s call, and to join it at once with ``join`` (a watch
        of that call already open is joined instead; one of another is stopped first)."""
        if self.state is not None:
            if join and self.state.agent_id == agent_id:
                await self.join(True)
                return
            await self.stop()
        await self._send(protocol.WatchCall(agent_id, join=join))

    async def join(self, on: bool) -> None:
        """Join the watched call as its third party (``on``), or leave it for watching."""
        if self.state is not None:
            await self._send(protocol.JoinCall(self.state.watch_id, on))

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
            self._microphone.muted = state.phase not in ("barging", "joined")
        self._follow_join()
        self.state_changed.emit(state)

    async def _answer(self, sdp: str) -> None:
        await self._close_media()
        state = self.state
        if state is None:
            return
        ice_policy.apply_from_environment()
        configuration, problem = self.ice.peer_configuration()
        configuration.bundlePolicy = RTCBundlePolicy.MAX_BUNDLE  # as the agent's offer
        pc = RTCPeerConnection(configuration)
        self._pc = pc
        self.frames = FrameSlot()
        self.agent_frames = FrameSlot()
        self.audio_frames = 0
        pc.on("track", self._on_track)
        pc.on("connectionstatechange", lambda: self._on_connection_state(pc))
        await pc.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        install_frame_assembly(pc)  # the supervisor sees the call as soon as the agent does
        microphone = self._microphone_factory()
        microphone.muted = state.phase not in ("barging", "joined")
        self._microphone = microphone
        pc.addTrack(microphone)
        third = self._third_section(pc)
        if third is not None:  # the camera goes out here once joined
            self._outgoing = FedVideoTrack()
            third.sender.replaceTrack(self._outgoing)
            third.direction = "sendrecv"
            self._follow_join()
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

    @staticmethod
    def _third_section(pc: RTCPeerConnection) -> RTCRtpTransceiver | None:
        """The offer's second video section (a video call's: the agent's camera in, the
        supervisor's out), if the agent's workstation offered one."""
        videos = [t for t in pc.getTransceivers() if t.kind == "video"]
        return videos[1] if len(videos) > 1 else None

    def _follow_join(self) -> None:
        """Open the camera on joining (if the peer can carry it), stop it on leaving."""
        if self.joined and self._outgoing is not None and self._camera is None:
            self._camera = (self._camera_factory or _BlackCamera)()
            self._camera_reader = self._tasks.child("watch camera")
            self._camera_reader.spawn(self._send_camera(self._camera, self._outgoing),
                                      "watch-camera", report=False)
        elif not self.joined and self._camera is not None:
            self._stop_camera()

    @staticmethod
    async def _send_camera(camera: CameraTrack, out: FedVideoTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await camera.recv()
                if isinstance(frame, av.VideoFrame):
                    out.feed(frame)

    def _stop_camera(self) -> None:
        camera, self._camera = self._camera, None
        reader, self._camera_reader = self._camera_reader, None
        if camera is not None:
            camera.stop()
        if reader is not None:
            self._spawn(reader.close(), "watch-camera-close")
        self.agent_frames = FrameSlot()

    def _on_track(self, track: MediaStreamTrack) -> None:
        pc = self._pc
        third = self._third_section(pc) if pc is not None else None
        of_agent = third is not None and third.receiver.track is track

        async def read() -> None:
            with contextlib.suppress(MediaStreamError):
                while True:
                    frame = await track.recv()
                    if track.kind == "video":
                        (self.agent_frames if of_agent else self.frames).put(frame)
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
        outgoing, self._outgoing = self._outgoing, None
        self._stop_camera()
        if pc is not None:
            await pc.close()
        if microphone is not None:
            microphone.stop()
        if outgoing is not None:
            outgoing.stop()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        # Media trouble in a watch is logged; the window shows the watch's state instead.
        self._tasks.spawn(coro, name, report=False)


class _BlackCamera(CameraTrack):
    """No camera: a joined supervisor is a dark picture (their voice still carries)."""

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(width=320, height=240, format="yuv420p")
        for plane, value in zip(frame.planes, (16, 128, 128), strict=True):
            plane.update(bytes([value]) * plane.buffer_size)
        frame.pts, frame.time_base = pts, time_base
        return frame
