"""The conformance agent's media for one call: an aiortc peer that keeps the client's
trickled candidates (``seat_common.media.trickle``), answers its offer with a stamped test
pattern and a tone (``sandbox.camera``), and counts what arrives: the client's camera
(the first video track), a kiosk's shared screen (the second), its voice, the data
channels it opened, and whether the client's RTCP receiver reports show it gets the
agent's audio and video.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiortc import RTCDataChannel, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from sandbox.camera import StampedCameraTrack, ToneAudioTrack
from seat_common import protocol
from seat_common.media import ice_policy
from seat_common.media.ice_policy import IceConfig
from seat_common.media.trickle import TrickledCandidates
from seat_common.tasks import TaskOwner


class CallMedia:
    """The agent's peer connection for one negotiation of a call and what arrived on it."""

    def __init__(self, ice: IceConfig, tasks: TaskOwner) -> None:
        """Raises ``IceConfigError`` when the hub's ICE servers are unusable."""
        ice_policy.apply_from_environment()
        self.pc = RTCPeerConnection(ice.rtc_configuration())
        self.candidates = TrickledCandidates(self.pc)
        self._tasks = tasks
        #: frames of the first video track (the camera) and the second (a kiosk's screen)
        self.video_frames = [0, 0]
        self.video_sizes: set[str] = set()
        self.audio_frames = 0
        self.channels: list[str] = []
        #: candidates in the offer, trickled, and trickled before the offer came
        self.offered_candidates = 0
        self.trickled = 0
        self.trickled_early = 0
        #: the candidate lines the client gave (in the offer and trickled), and the
        #: trickled ones that name no section of the offer
        self.candidate_lines: list[str] = []
        self._trickled_messages: list[protocol.Ice] = []
        self._offer = ""
        self._video_tracks = 0
        self._tracks: list[MediaStreamTrack] = []
        self.pc.on("track", self._on_track)
        self.pc.on("datachannel", self._on_channel)

    @property
    def state(self) -> str:
        state: str = self.pc.connectionState
        return state

    async def add_ice(self, message: protocol.Ice) -> None:
        if message.candidate:
            self.trickled += 1
            if len(self._trickled_messages) < 64:
                self._trickled_messages.append(message)
                self.candidate_lines.append("a=" + message.candidate.removeprefix("a="))
        await self.candidates.add(message)

    def misplaced(self) -> list[protocol.Ice]:
        """Trickled candidates whose ``sdp_mid`` and ``sdp_mline_index`` both miss the
        offer's sections (they reach no transport); empty before the offer."""
        if not self._offer:
            return []
        sections = self._offer.count("\nm=")
        mids = {line[len("a=mid:"):].strip() for line in self._offer.split("\n")
                if line.startswith("a=mid:")}
        return [m for m in self._trickled_messages
                if m.sdp_mid not in mids and m.sdp_mline_index >= sections]

    async def answer(self, offer: str, media: protocol.MediaKind) -> str:
        """Apply the client's offer and make the answer (raises if the offer is unusable)."""
        self.trickled_early = self.trickled
        self._offer = offer
        self.offered_candidates = offer.count("\na=candidate:")
        self.candidate_lines += [line.strip() for line in offer.split("\n")
                                 if line.startswith("a=candidate:")]
        await self.pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        await self.candidates.remote_description_set()
        kinds = {t.kind for t in self.pc.getTransceivers()}
        if "audio" in kinds:
            self._tracks.append(ToneAudioTrack())
            self.pc.addTrack(self._tracks[-1])
        if "video" in kinds and media == "video":
            self._tracks.append(StampedCameraTrack(640, 480, 15))
            self.pc.addTrack(self._tracks[-1])
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        sdp: str = self.pc.localDescription.sdp
        return sdp

    async def received_by_client(self) -> set[str]:
        """The kinds of the agent's media the client reported receiving (RTCP)."""
        kinds: set[str] = set()
        for sender in self.pc.getSenders():
            for stats in (await sender.getStats()).values():
                if stats.type == "remote-inbound-rtp" and stats.packetsReceived > 0:
                    kinds.add(sender.kind)
        return kinds

    async def close(self) -> None:
        for track in self._tracks:
            track.stop()
        await self.pc.close()

    def _on_track(self, track: MediaStreamTrack) -> None:
        index = 0
        if track.kind == "video":
            index = min(self._video_tracks, 1)
            self._video_tracks += 1
        self._tasks.spawn(self._consume(track, index), f"consume-{track.kind}")

    def _on_channel(self, channel: RTCDataChannel) -> None:
        self.channels.append(channel.label)

    async def _consume(self, track: MediaStreamTrack, index: int) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame: Any = await track.recv()
                if track.kind == "video":
                    self.video_frames[index] += 1
                    if index == 0 and len(self.video_sizes) < 8:
                        self.video_sizes.add(f"{frame.width}x{frame.height}")
                else:
                    self.audio_frames += 1
