"""The agent's side of a supervisor watching the call: a stream out, a voice (and picture) in.

When the hub says a supervisor watches this seat's call (``WatchState``
``watching``), ``WatchRelay`` opens a second WebRTC peer, towards the
supervisor, and offers it: the citizen's camera as the agent sees it (every
decoded frame, newest wins), the call's two voices mixed (the citizen's,
with the agent's own added) and, in a video call, a third section, sendrecv,
that stays dark until the supervisor joins. The citizen's connection is not
touched, so a watch can neither stall nor renegotiate the call.

The supervisor's microphone comes back on the same peer. While the watch is
``barging`` or ``joined`` its frames are mixed into what the citizen hears
(``GatedAudioTrack.mix_in``: beside a three-way colleague's voice, not instead
of it; a muted agent does not mute the supervisor) and into what the agent
hears (``Workstation.hear_also``); otherwise they are read and dropped.

Joined (``joined``): the supervisor is the call's third party. Their camera
comes in on the third section; its frames go to the citizen's second video
section (``CallSession.relay``, the entry a consulted colleague's picture uses)
and to ``supervisor_frames`` for the agent's screen. The agent's own camera
goes out on that section, so the supervisor sees both. Why the peer carries the
section from the start instead of being renegotiated on joining: joining is then
a phase change with no SDP round trip (the picture starts at once), no offer can
cross another, and aiortc's renegotiation of a live peer is the least-trodden part
of it; an empty section costs a few bytes of RTCP. The consult peer does the same.

If the peer fails, the relay tells the hub (``StopWatch``) and the watch
ends for both. Events: ``watch_changed`` (the current ``WatchState``, or
``None`` when no one watches) for the "being watched" indicator;
``supervisor_frame_arrived`` (a new picture of a joined supervisor).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import av
from aiortc import RTCBundlePolicy, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from seat_client.call.session import FrameSlot
from seat_client.call.workstation import ActiveCall, Workstation
from seat_client.media.audio_mix import VoiceMixer
from seat_client.media.fed_tracks import FedAudioTrack, FedVideoTrack
from seat_client.media.local_media import CameraTrack
from seat_common import protocol
from seat_common.events import Event
from seat_common.media import ice_policy
from seat_common.media.frame_assembly import install_frame_assembly
from seat_common.media.ice_policy import IceConfigError
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)


class _Watched:
    """One watch of the current call: its peer, its tracks and its taps."""

    def __init__(self, ws: Workstation, state: protocol.WatchState, call: ActiveCall,
                 consumers: TaskOwner) -> None:
        self.state = state
        self.call = call
        # The call's own ICE servers and policy (relay-only holds for the watch too).
        configuration, self.ice_problem = call.session.ice.peer_configuration()
        # All sections on one transport (see ``CallSession``: aiortc's balanced policy
        # would route the supervisor's camera to the first video section's receiver).
        configuration.bundlePolicy = RTCBundlePolicy.MAX_BUNDLE
        self.pc = RTCPeerConnection(configuration)
        video_call = call.started.media == "video"
        self.video = FedVideoTrack() if video_call else None
        #: the agent's camera for a joined supervisor (dark until then)
        self.agent_video = FedVideoTrack() if video_call else None
        self.audio = FedAudioTrack()
        #: the supervisor's voice, for the citizen and for the agent
        self.to_citizen = VoiceMixer()
        self.to_agent = VoiceMixer()
        self.supervisor_voice_frames = 0
        self.supervisor_frames = FrameSlot()
        #: the agent's camera while joined (its reader feeds ``agent_video``)
        self.camera: CameraTrack | None = None
        #: reads the supervisor's voice and picture; closed with the watch
        self.consumers = consumers
        session = call.session
        self._untap: list[Callable[[], None]] = [
            session.remote_audio.connect(self.audio.feed),
            session.microphone.voice.connect(self.audio.mixer.add),
            session.microphone.mix_in(self.to_citizen),
            ws.hear_also(self.to_agent),
        ]
        if self.video is not None:
            self._untap.append(session.remote_video.connect(self.video.feed))

    @property
    def heard(self) -> bool:
        """Whether the supervisor is heard in the call now."""
        return self.state.phase in ("barging", "joined")

    @property
    def joined(self) -> bool:
        return self.state.phase == "joined"

    def untap(self) -> None:
        for untap in self._untap:
            untap()
        self._untap.clear()


class WatchRelay:
    """Follows ``WatchState`` for this seat's call and keeps the supervisor's peer."""

    def __init__(self, workstation: Workstation, tasks: TaskOwner | None = None) -> None:
        self._ws = workstation
        self._watched: _Watched | None = None
        self._tasks = tasks or TaskOwner("watch relay")
        self.watch_changed: Event[protocol.WatchState | None] = Event()
        self.supervisor_frame_arrived: Event[None] = Event()
        workstation.link.message.connect(self._on_message)
        workstation.call_changed.connect(self._on_call_changed)

    @property
    def state(self) -> protocol.WatchState | None:
        return self._watched.state if self._watched is not None else None

    @property
    def supervisor_frames(self) -> int:
        """Frames of the supervisor's voice received in the current watch."""
        return self._watched.supervisor_voice_frames if self._watched is not None else 0

    @property
    def supervisor_picture(self) -> FrameSlot | None:
        """The joined supervisor's newest picture (None without a watch)."""
        return self._watched.supervisor_frames if self._watched is not None else None

    async def close(self) -> None:
        if self._watched is not None:
            await self._end()
        await self._tasks.close()

    # --- hub messages ---------------------------------------------------------------

    def _on_message(self, message: protocol.Message) -> None:
        if isinstance(message, protocol.WatchState):
            self._on_watch_state(message)
        elif isinstance(message, protocol.WatchSdp):
            watched = self._watched
            if watched is None or watched.state.watch_id != message.watch_id:
                return
            if message.sdp_type != "answer":
                log.warning("watch %s: unexpected SDP %s ignored", message.watch_id,
                            message.sdp_type)
                return
            self._spawn(self._answer_arrived(watched, message.sdp), "watch-answer")

    def _on_watch_state(self, state: protocol.WatchState) -> None:
        watched = self._watched
        if state.phase == "ended":
            if watched is not None and watched.state.watch_id == state.watch_id:
                self._spawn(self._end(state), "watch-end")
            return
        if watched is not None and watched.state.watch_id == state.watch_id:
            was_joined = watched.joined
            watched.state = state
            self._follow_join(watched, was_joined)
            self.watch_changed.emit(state)
            return
        call = self._ws.call
        if call is None or call.started.call_id != state.call_id:
            log.warning("watch %s of a call not ours: %s", state.watch_id, state.call_id)
            self._spawn(self._ws.link.send(protocol.StopWatch(state.watch_id)), "watch-refuse")
            return
        if watched is not None:
            self._spawn(self._end(), "watch-replace")
        watched = _Watched(self._ws, state, call, self._tasks.child(f"watch {state.watch_id}"))
        self._watched = watched
        self._follow_join(watched, False)
        self.watch_changed.emit(state)
        self._spawn(self._offer(watched), "watch-offer")

    def _on_call_changed(self, call: ActiveCall | None) -> None:
        if call is None and self._watched is not None:
            # The hub ends the watch with the call; stop sending now, not a round trip later.
            self._spawn(self._end(), "watch-call-ended")

    # --- joining ----------------------------------------------------------------------

    def _follow_join(self, watched: _Watched, was_joined: bool) -> None:
        """Send the agent's camera to a supervisor who joined; stop when they leave."""
        if watched.joined and not was_joined and watched.agent_video is not None:
            camera, microphone = self._ws.media.call_media()
            microphone.stop()  # the agent's voice already goes out mixed with the citizen's
            watched.camera = camera
            watched.consumers.spawn(self._send_camera(watched, camera), "watch-agent-camera",
                                    report=False)
        elif was_joined and not watched.joined:
            self._stop_camera(watched)
            watched.supervisor_frames = FrameSlot()
            self.supervisor_frame_arrived.emit(None)  # the agent's screen drops the picture

    async def _send_camera(self, watched: _Watched, camera: CameraTrack) -> None:
        assert watched.agent_video is not None
        with contextlib.suppress(MediaStreamError):
            while True:
                call = self._ws.call
                if call is not None:
                    camera.enabled = call.session.camera.enabled  # the agent's off is off
                frame = await camera.recv()
                if isinstance(frame, av.VideoFrame):
                    watched.agent_video.feed(frame)

    @staticmethod
    def _stop_camera(watched: _Watched) -> None:
        camera, watched.camera = watched.camera, None
        if camera is not None:
            camera.stop()

    # --- media ----------------------------------------------------------------------

    async def _offer(self, watched: _Watched) -> None:
        ice_policy.apply_from_environment()
        pc = watched.pc
        pc.on("track", lambda track: self._consume(watched, track))
        pc.on("connectionstatechange", lambda: self._on_connection_state(watched))
        if watched.video is not None:
            pc.addTrack(watched.video)
        pc.addTrack(watched.audio)
        if watched.agent_video is not None:
            pc.addTrack(watched.agent_video)  # sendrecv: the supervisor's camera comes back
        install_frame_assembly(pc)  # the supervisor's picture on to the citizen when whole
        await pc.setLocalDescription(await pc.createOffer())
        try:
            if watched.ice_problem:
                raise IceConfigError(watched.ice_problem)
            watched.call.session.ice.check_gathered(pc.localDescription.sdp)
        except IceConfigError as exc:
            log.warning("watch %s cannot connect: %s", watched.state.watch_id, exc)
            await self._ws.link.send(protocol.StopWatch(watched.state.watch_id))
            return
        await self._ws.link.send(
            protocol.WatchSdp(watched.state.watch_id, "offer", pc.localDescription.sdp)
        )

    async def _answer_arrived(self, watched: _Watched, sdp: str) -> None:
        await watched.pc.setRemoteDescription(RTCSessionDescription(sdp, "answer"))

    def _consume(self, watched: _Watched, track: MediaStreamTrack) -> None:
        async def read() -> None:
            with contextlib.suppress(MediaStreamError):
                while True:
                    frame = await track.recv()
                    if isinstance(frame, av.AudioFrame):
                        watched.supervisor_voice_frames += 1
                        if watched.heard:
                            watched.to_citizen.add(frame)
                            watched.to_agent.add(frame)
                    elif isinstance(frame, av.VideoFrame) and watched.joined:
                        self._relay_supervisor(watched, frame)

        watched.consumers.spawn(read(), f"watch-supervisor-{track.kind}", report=False)

    def _relay_supervisor(self, watched: _Watched, frame: av.VideoFrame) -> None:
        """A joined supervisor's picture: to the citizen's second section and the agent."""
        call = self._ws.call
        if call is not None:
            call.session.relay.feed(frame)  # as a three-way colleague's (consult_desk)
        watched.supervisor_frames.put(frame)
        self.supervisor_frame_arrived.emit(None)

    def _on_connection_state(self, watched: _Watched) -> None:
        if watched.pc.connectionState == "failed" and watched is self._watched:
            log.warning("watch %s: the peer to the supervisor failed", watched.state.watch_id)
            self._spawn(self._ws.link.send(protocol.StopWatch(watched.state.watch_id)),
                        "watch-failed")

    async def _end(self, final: protocol.WatchState | None = None) -> None:
        watched, self._watched = self._watched, None
        if watched is None:
            return
        watched.untap()
        self._stop_camera(watched)
        await watched.consumers.close()
        for track in (watched.video, watched.agent_video, watched.audio):
            if track is not None:
                track.stop()
        await watched.pc.close()
        log.info("watch %s ended (%s)", watched.state.watch_id,
                 final.reason if final is not None else "locally")
        self.watch_changed.emit(None)

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        # A watch that goes wrong is logged, not shown: the agent's call goes on regardless.
        self._tasks.spawn(coro, name, report=False)
