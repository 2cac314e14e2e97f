"""The simulated citizen's WebRTC peer: it offers the call with a stamped test-pattern camera
(``sandbox.camera``) and a quiet tone, applies the agent's answer and trickled ICE, and
consumes every remote track, counting frames and reading the agent's video stamps.

``CitizenPeer`` is the media half of ``SimulatedCitizen``: the citizen's contact hands it
the ``call_started`` and the hub's ``sdp`` and ``ice`` for the call; what it sees goes
into the citizen's ``CitizenReport`` (frames, sizes, stamps, the connection's state) and
``heard`` (the last second of the agent's side).

Its peer uses the ICE servers and policy of the hub's welcome (``ice``). Under
relay-only, an offer without a relay candidate (the TURN relay refused the
credentials, or is down) is never sent: the citizen says why and hangs up.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Final

from aiortc import RTCPeerConnection, RTCRtpTransceiver, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from sandbox.camera import (
    BurstToneAudioTrack,
    HeardAudio,
    StampedCameraTrack,
    TimedAudio,
    ToneAudioTrack,
    read_stamp,
)
from sandbox.citizen.phone_encoder import install_phone_encoder
from sandbox.citizen.screen_share import ScreenSharing
from sandbox.citizen.script import CitizenReport, CitizenScript
from seat_common import protocol
from seat_common.media import ice_policy
from seat_common.media.frame_assembly import install_frame_assembly
from seat_common.media.ice_policy import IceConfig, IceConfigError
from seat_common.media.rtp_costs import install_inline_audio
from seat_common.media.trickle import TrickledCandidates, split_candidates
from seat_common.protocol import MediaKind
from seat_common.tasks import TaskOwner

_MAX_LATENCIES: Final = 20_000


class CitizenPeer:
    """One citizen's peer connection for one call at a time. Holds the report it writes
    to and what it heard; emits no events (the report is the record)."""

    def __init__(
        self,
        report: CitizenReport,
        script: CitizenScript,
        media: MediaKind,
        tasks: TaskOwner,
        *,
        send: Callable[[protocol.Message], Awaitable[None]],
        mark: Callable[[str], None],
        error: Callable[[str], None],
    ) -> None:
        self.report = report
        self.script = script
        self.media: MediaKind = media
        #: The last second of the agent's side of the call, to tell whose voice got through.
        self.heard = HeardAudio()
        #: with the script's voice "bursts": what was heard, with arrival times
        self.timed: TimedAudio | None = TimedAudio() if script.voice == "bursts" else None
        self.voice: ToneAudioTrack | None = None
        self._tasks = tasks
        self._send = send
        self._mark = mark
        self._error = error
        self._pc: RTCPeerConnection | None = None
        #: the connection's close, once begun (see ``close``)
        self._closing: asyncio.Future[None] | None = None
        self._call_id = ""
        self._local_tracks: list[Any] = []
        self._remote_description_set = False
        self._candidates: TrickledCandidates | None = None
        self._latencies: deque[float] = deque(maxlen=_MAX_LATENCIES)
        #: the second picture's stamped latencies (a three-way call's relayed colleague)
        self.second_latencies: deque[float] = deque(maxlen=_MAX_LATENCIES)
        #: the STUN/TURN servers and policy from the hub's welcome
        self.ice = IceConfig()
        #: with the script's ``share``: the "screen" on the offer's second video section
        self.sharing = ScreenSharing(send, report.sharing) if script.share else None

    def video_latency_ms_p50(self) -> float | None:
        """The median latency of the agent's stamped frames, None before any."""
        if not self._latencies:
            return None
        ordered = sorted(self._latencies)
        return ordered[len(ordered) // 2]

    async def offer(self, started: protocol.CallStarted) -> None:
        """Open the peer connection for the call and send the SDP offer (we are the caller)."""
        ice_policy.apply_from_environment()
        try:
            configuration = self.ice.rtc_configuration()
        except IceConfigError as exc:
            self._error(f"unusable ICE servers: {exc}")
            await self._send(protocol.Hangup(started.call_id))
            return
        pc = RTCPeerConnection(configuration)
        self._pc = pc
        self._call_id = started.call_id
        self._remote_description_set = False
        self._candidates = TrickledCandidates(pc, on_refused=self._error)

        @pc.on("track")
        def _on_track(track: Any) -> None:
            self._tasks.spawn(self._consume(track), f"consume-{track.kind}")

        @pc.on("connectionstatechange")
        def _on_state() -> None:
            self.report.media_state = pc.connectionState
            self._mark(f"media_{pc.connectionState}")
            if pc.connectionState == "failed":
                self._error("media connection failed")

        audio = (BurstToneAudioTrack(self.script.voice_hz) if self.script.voice == "bursts"
                 else ToneAudioTrack())
        self.voice = audio
        self._local_tracks.append(audio)
        second: RTCRtpTransceiver | None
        if self.media == "video":
            script = self.script
            camera = StampedCameraTrack(script.width, script.height, script.fps)
            self._local_tracks.append(camera)
            pc.addTrack(camera)
            # As the web page: a second video section, empty until used. A colleague's
            # picture comes in on it in a three-way call (the agent's workstation relays
            # it), and with the script's ``share`` the "screen" goes out on it.
            second = pc.addTransceiver(
                "video", direction="sendrecv" if self.sharing is not None else "recvonly")
        else:
            # No camera, but the citizen still sees the agent.
            pc.addTransceiver("video", direction="recvonly")
            second = (pc.addTransceiver("video", direction="sendonly")
                      if self.sharing is not None else None)
        if self.sharing is not None and second is not None:
            self.sharing.attach(second.sender)
        pc.addTrack(audio)
        # A phone's WebRTC stack hands frames on as soon as they are whole; so does ours.
        install_frame_assembly(pc)
        install_inline_audio(pc)
        await pc.setLocalDescription(await pc.createOffer())
        try:
            self.ice.check_gathered(pc.localDescription.sdp)
        except IceConfigError as exc:
            self._error(f"media cannot connect: {exc}")
            self._mark("media_failed")
            await self._send(protocol.Hangup(started.call_id))
            return
        offer = self.report.offer_sdp = pc.localDescription.sdp
        if self.script.trickle == "early":
            # As a browser may: every candidate first, then the offer without them.
            offer, trickled = split_candidates(offer, started.call_id)
            for ice in trickled:
                await self._send(ice)
            self.report.candidates_trickled = len(trickled) - 1 if trickled else 0
        await self._send(protocol.Sdp(call_id=started.call_id, sdp_type="offer", sdp=offer))
        self._mark("offer_sent")

    async def on_sdp(self, message: protocol.Sdp) -> None:
        pc = self._pc
        if pc is None or message.call_id != self._call_id:
            self._error(f"sdp for {message.call_id!r} outside our call")
            return
        if message.sdp_type != "answer" or self._remote_description_set:
            self._error(f"unexpected sdp {message.sdp_type} (we are the caller)")
            return
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=message.sdp, type="answer"))
        except (ValueError, AssertionError, KeyError, IndexError) as exc:
            self._error(f"bad sdp answer: {exc!r}")
            return
        self._remote_description_set = True
        # A phone encodes in hardware: the stand-in spends no CPU on a denoiser either.
        install_phone_encoder(pc)
        self._mark("answer_received")
        if self._candidates is not None:
            await self._candidates.remote_description_set()
        if self.sharing is not None:
            await self.sharing.start(self._call_id)

    async def on_ice(self, message: protocol.Ice) -> None:
        if self._pc is None or message.call_id != self._call_id:
            return  # late candidates of a finished call
        if self._candidates is not None:
            await self._candidates.add(message)  # kept until the answer is applied

    def on_share_mark(self, mark: protocol.ShareMark) -> None:
        """The agent's pointer or drawing on what we share."""
        if self.sharing is not None:
            self.sharing.on_mark(mark)

    async def close(self) -> None:
        """Stop the local tracks and close the connection (again is harmless)."""
        if self.sharing is not None:
            self.sharing.detach()
        for track in self._local_tracks:
            track.stop()
        self._local_tracks.clear()
        self._call_id = ""
        pc, self._pc = self._pc, None
        if pc is not None:
            self.report.media_state = pc.connectionState
            self._closing = asyncio.ensure_future(self._close_connection(pc))
        if self._closing is not None:
            # A cancel (the citizen leaving mid-close, on SIGTERM) must not cut the close
            # short: aiortc's decoder threads end only when it finishes, and the process
            # cannot exit while they wait.
            await asyncio.shield(self._closing)

    async def _close_connection(self, pc: RTCPeerConnection) -> None:
        await pc.close()
        self._mark("media_closed")

    def _is_second(self, track: Any) -> bool:
        """Whether ``track`` comes on the offer's second video section."""
        pc = self._pc
        if pc is None:
            return False
        videos = [t for t in pc.getTransceivers() if t.kind == "video"]
        return any(t.receiver.track is track for t in videos[1:2])

    async def _consume(self, track: Any) -> None:
        """Read every frame of a remote track until it ends (aiortc queues are unbounded)."""
        report = self.report
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video" and self._is_second(track):
                    if report.second_frames_received == 0:
                        report.second_first_frame_at = time.monotonic()
                        self._mark("second_video_frame")
                    report.second_frames_received += 1
                    stamp = read_stamp(frame)
                    if stamp is not None:
                        self.second_latencies.append(stamp.latency_ms(time.time()))
                elif track.kind == "video":
                    received_at = time.time()
                    if report.frames_received == 0:
                        self._mark("first_video_frame")
                    report.frames_received += 1
                    size = f"{frame.width}x{frame.height}"
                    report.video_sizes[size] = report.video_sizes.get(size, 0) + 1
                    stamp = read_stamp(frame)
                    if stamp is not None:
                        report.stamped_frames += 1
                        self._latencies.append(stamp.latency_ms(received_at))
                else:
                    if report.audio_frames_received == 0:
                        self._mark("first_audio_frame")
                    report.audio_frames_received += 1
                    self.heard.add(frame)
                    if self.timed is not None:
                        self.timed.add(frame)
        except MediaStreamError:
            return
