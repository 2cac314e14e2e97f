"""One call's media on the agent's side: the WebRTC peer, its tracks, the newest remote frame.

The citizen is the caller: ``CallSession`` answers its SDP offer, sends the
agent's camera (or test pattern) and microphone back, and consumes every
remote track (aiortc's receive queues are unbounded: an unread track grows
without end). Remote video goes into a ``FrameSlot`` that keeps only the
newest frame, so a slow paint drops frames instead of queueing them.

A kiosk shares its screen as a second video section beside its camera, and so
does a web citizen who shares a screen or a tab (online-application coaching):
the offer's first video section fills ``frames``, the second ``screen_frames``,
counted by section, so a citizen without a camera (first section ``recvonly``)
still has its shared screen taken as the screen.
The answer sends ``relay`` on a second video section the caller offers to receive (the
web page's is ``sendrecv``): a consulted colleague's picture in a three-way call.
A data channel the caller opens (remote assistance) is announced, not
interpreted, here.

Events: ``phase_changed`` (``CallPhase``), ``frame_arrived`` (a new remote
camera frame is in ``frames``), ``screen_frame_arrived`` (likewise for
``screen_frames``), ``data_channel_opened`` (an ``RTCDataChannel``).
A session that fails says why in ``failure`` (e.g. relay-only and the TURN relay
refused the credentials) before ``phase_changed`` reports ``FAILED``.
``remote_video`` and ``remote_audio`` hand every decoded frame of the
citizen's camera and voice to taps (the recorder, a supervisor's watch);
a tap must be quick and must not keep the loop waiting.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiortc import RTCBundlePolicy, RTCDataChannel, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from seat_client.media.forwarding import (
    EncodedTap,
    RelayVideoTrack,
    SentFrames,
    sent_frames,
    tap_first_video,
)
from seat_client.media.local_media import CameraTrack, GatedAudioTrack, PatternCameraTrack
from seat_common import protocol
from seat_common.events import Event
from seat_common.media import ice_policy
from seat_common.media.frame_assembly import install_frame_assembly
from seat_common.media.ice_policy import IceConfig, IceConfigError
from seat_common.media.quiet_vp8 import install_quiet_vp8
from seat_common.media.rtp_costs import install_inline_audio
from seat_common.media.trickle import TrickledCandidates
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)


class CallPhase(enum.Enum):
    """The media side of a call."""

    NEGOTIATING = "negotiating"
    CONNECTED = "connected"
    FAILED = "failed"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ReceivedFrame:
    """A decoded remote video frame (an ``av.VideoFrame``) and when it arrived."""

    frame: Any
    seq: int
    received_at: float


class FrameSlot:
    """Holds only the newest remote frame; readers take it once."""

    def __init__(self) -> None:
        self._newest: ReceivedFrame | None = None
        self._taken_seq = 0
        self.received = 0

    def put(self, frame: Any) -> None:
        self.received += 1
        self._newest = ReceivedFrame(frame, self.received, time.monotonic())

    def newest(self) -> ReceivedFrame | None:
        """The newest frame, taken or not (a video still is captured from it)."""
        return self._newest

    def take(self) -> ReceivedFrame | None:
        """The newest frame if it has not been taken yet."""
        newest = self._newest
        if newest is None or newest.seq == self._taken_seq:
            return None
        self._taken_seq = newest.seq
        return newest



@dataclass(frozen=True, slots=True)
class MediaCounters:
    """What crossed the wire in this call so far."""

    video_frames: int
    audio_frames: int


class CallSession:
    """The agent's WebRTC peer for one call."""

    def __init__(
        self,
        call_id: str,
        media: protocol.MediaKind,
        send: Callable[[protocol.Message], Awaitable[None]],
        *,
        camera: CameraTrack | None = None,
        microphone: GatedAudioTrack | None = None,
        tasks: TaskOwner | None = None,
        ice: IceConfig | None = None,
    ) -> None:
        self.call_id = call_id
        #: the STUN/TURN servers and policy the hub handed out at login
        self.ice = ice if ice is not None else IceConfig()
        #: why the media failed ("" while it has not)
        self.failure = ""
        #: the SDP offer the citizen sent, the candidates it trickled, and our answer
        self.remote_sdp = ""
        #: an offer was handed to this session (a second one needs a new session)
        self.offer_taken = False
        self.remote_candidates: list[str] = []
        self.local_sdp = ""
        self.media = media
        self._send = send
        self.camera = camera if camera is not None else PatternCameraTrack()
        self.microphone = microphone if microphone is not None else GatedAudioTrack()
        self.frames = FrameSlot()
        self.screen_frames = FrameSlot()
        #: sent on the offer's second video section: a third party's picture in a
        #: three-way call (``consult_desk``), forwarded encoded or fed decoded; nothing
        #: until then (``seat_client.media.forwarding``)
        self.relay = RelayVideoTrack()
        self.audio_frames = 0
        self.phase = CallPhase.NEGOTIATING
        self.phase_changed: Event[CallPhase] = Event()
        self.frame_arrived: Event[None] = Event()
        self.screen_frame_arrived: Event[None] = Event()
        self.data_channel_opened: Event[RTCDataChannel] = Event()
        self.remote_video: Event[Any] = Event()
        self.remote_audio: Event[Any] = Event()
        ice_policy.apply_from_environment()
        # Unusable servers: this peer gathers nothing (no address leaves) and fails.
        configuration, self.failure = self.ice.peer_configuration()
        # WORKAROUND: aiortc 1.16's balanced bundle policy puts a second video section on
        # the first video section's transport before BUNDLE is applied and then leaves it
        # there, on a transport it stops: a browser's shared screen (audio, camera, screen)
        # would be routed to the camera's receiver. Every caller bundles (docs/protocol.md),
        # so every section rides the first one's transport from the start.
        configuration.bundlePolicy = RTCBundlePolicy.MAX_BUNDLE
        self._pc = RTCPeerConnection(configuration)
        #: the citizen's trickled candidates, kept while its offer is not applied yet
        self.candidates = TrickledCandidates(self._pc)
        #: consumes every remote track (aiortc's receive queues are unbounded)
        self._consumers = tasks or TaskOwner(f"call {call_id}")
        self._pc.on("track", self._on_track)
        self._pc.on("datachannel", self.data_channel_opened.emit)
        self._pc.on("connectionstatechange", self._on_connection_state)

    @property
    def counters(self) -> MediaCounters:
        return MediaCounters(self.frames.received, self.audio_frames)

    async def handle_sdp(self, message: protocol.Sdp) -> None:
        """Answer the citizen's offer (an answer from them is a protocol slip: ignored)."""
        if message.sdp_type != "offer":
            log.warning("call %s: unexpected SDP %s ignored", self.call_id, message.sdp_type)
            return
        self.remote_sdp = message.sdp
        await self._pc.setRemoteDescription(RTCSessionDescription(message.sdp, "offer"))
        await self.candidates.remote_description_set()
        # The citizen's picture reaches the screen a frame interval sooner.
        install_frame_assembly(self._pc)
        install_inline_audio(self._pc)
        kinds = {t.kind for t in self._pc.getTransceivers()}
        if "audio" in kinds:
            self._pc.addTrack(self.microphone)
        if "video" in kinds and self.media == "video":
            self._pc.addTrack(self.camera)
            # The offer's second video section (a shared screen's, sendrecv on the page):
            # a consulted colleague's picture in a three-way call, dark until then.
            if sum(t.kind == "video" for t in self._pc.getTransceivers()) > 1:
                self._pc.addTrack(self.relay)
                self.relay.attach(self._pc)
        answer = await self._pc.createAnswer()
        await self._pc.setLocalDescription(answer)
        if self.camera.noiseless:  # a test pattern: libvpx's denoiser would work for nothing
            install_quiet_vp8(self._pc, self.camera)
        try:
            if self.failure:
                raise IceConfigError(self.failure)
            self.ice.check_gathered(self._pc.localDescription.sdp)
        except IceConfigError as exc:
            log.warning("call %s: media cannot connect: %s", self.call_id, exc)
            self.fail(str(exc))
            return
        self.local_sdp = self._pc.localDescription.sdp
        await self._send(protocol.Sdp(self.call_id, "answer", self.local_sdp))

    async def handle_ice(self, message: protocol.Ice) -> None:
        """Add a candidate the citizen trickled (kept until its offer is applied).

        A bad one is logged, not fatal.
        """
        if message.candidate and len(self.remote_candidates) < 64:
            self.remote_candidates.append(message.candidate)
        await self.candidates.add(message)

    def remote_candidates_known(self) -> int:
        """How many of the citizen's candidates the ICE transport holds (offered or trickled)."""
        transports = {t.receiver.transport.transport for t in self._pc.getTransceivers()}
        return sum(len(transport.getRemoteCandidates()) for transport in transports)

    def camera_tap(self) -> EncodedTap | None:
        """The citizen's camera as it arrives, encoded (to forward it to a third party)."""
        return tap_first_video(self._pc)

    def camera_sent(self) -> SentFrames | None:
        """The agent's camera as encoded for the citizen (to send a third party the same)."""
        sender = next((t.sender for t in self._pc.getTransceivers()
                       if t.sender.track is self.camera), None)
        return sent_frames(sender) if sender is not None else None

    def set_microphone_muted(self, muted: bool) -> None:
        self.microphone.muted = muted

    def fail(self, why: str) -> None:
        """The media cannot work: say ``why`` and go to ``FAILED``."""
        if not self.failure:
            self.failure = why
        self._set_phase(CallPhase.FAILED)

    def set_camera_enabled(self, enabled: bool) -> None:
        self.camera.enabled = enabled

    async def close(self) -> None:
        await self._consumers.close()
        await self._pc.close()
        self.camera.stop()
        self.microphone.stop()
        self.relay.stop()
        self._set_phase(CallPhase.CLOSED)

    def _on_track(self, track: MediaStreamTrack) -> None:
        self._consumers.spawn(self._consume(track), f"consume-{track.kind}-{self.call_id}")

    async def _consume(self, track: MediaStreamTrack) -> None:
        slot, arrived = self.frames, self.frame_arrived
        if track.kind == "video" and self._is_screen(track):
            slot, arrived = self.screen_frames, self.screen_frame_arrived
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    slot.put(frame)
                    arrived.emit(None)
                    if slot is self.frames:
                        self.remote_video.emit(frame)
                else:
                    self.audio_frames += 1
                    self.remote_audio.emit(frame)
        except MediaStreamError:
            return

    def _is_screen(self, track: MediaStreamTrack) -> bool:
        """Whether ``track`` comes on the offer's second video section (a shared screen)."""
        videos = [t for t in self._pc.getTransceivers() if t.kind == "video"]
        return any(t.receiver.track is track for t in videos[1:2])

    async def _on_connection_state(self) -> None:
        state = self._pc.connectionState
        if state == "connected":
            self._set_phase(CallPhase.CONNECTED)
        elif state == "failed":
            self.fail("the media connection failed")

    def _set_phase(self, phase: CallPhase) -> None:
        if phase is not self.phase:
            self.phase = phase
            self.phase_changed.emit(phase)
