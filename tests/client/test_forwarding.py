"""Forwarding encoded VP8 frames at a relay (seat_client.media.forwarding).

Real aiortc peers in this process: a source camera (stamped frames) sends to the relay's
receiving peer; the relay's ``RelayVideoTrack`` sends on to a far peer, which decodes and
reads each stamp back (a picture decoded from a frame with a hole, or without its
reference, would not read back or would read a wrong counter). The continuity rules are
also driven frame by frame with real VP8 frames through a tap on a real receiver.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import av
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender
from aiortc.codecs.vpx import Vp8Encoder, vp8_depayload
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.utils import uint32_add

from sandbox.camera import Stamp, StampedCameraTrack, read_stamp
from seat_client.media.forwarding import (
    EncodedTap,
    RelayVideoTrack,
    internals_problem,
    is_vp8_key_frame,
    sent_frames,
    starts_vp8_picture,
    tap_first_video,
    tap_receiver,
)
from seat_common.media import ice_policy
from seat_common.media.frame_assembly import AssembledFrame, install_frame_assembly
from tests.common.media.test_frame_assembly_call import lossy

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
H264 = RTCRtpCodecParameters(mimeType="video/H264", clockRate=90000, payloadType=102)


async def until(condition: Callable[[], bool], what: str, within: float = 30.0) -> None:
    """Wait for ``condition`` (checked every 20 ms), failing with ``what`` after ``within`` s."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def connect(offerer: RTCPeerConnection, answerer: RTCPeerConnection) -> None:
    await offerer.setLocalDescription(await offerer.createOffer())
    await answerer.setRemoteDescription(offerer.localDescription)
    assert install_frame_assembly(answerer) >= 1
    await answerer.setLocalDescription(await answerer.createAnswer())
    await offerer.setRemoteDescription(answerer.localDescription)


@dataclass
class Source:
    """A camera sending to the relay; counts the key frames it was asked for."""

    camera: StampedCameraTrack
    sender: RTCPeerConnection
    receiver: RTCPeerConnection
    tap: EncodedTap
    asked: list[float] = field(default_factory=list)


@dataclass
class Rig:
    relay: RelayVideoTrack
    far: RTCPeerConnection
    near: RTCPeerConnection
    stamps: list[Stamp | None] = field(default_factory=list)
    rtp_timestamps: list[int] = field(default_factory=list)
    peers: list[RTCPeerConnection] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def consume(self, track: MediaStreamTrack, into: list[Stamp | None] | None) -> None:
        async def read() -> None:
            try:
                while True:
                    frame = await track.recv()
                    if into is not None:
                        into.append(read_stamp(frame.to_ndarray(format="bgra")))
            except MediaStreamError:
                return

        self.tasks.append(asyncio.create_task(read()))

    async def source(self, first_counter: int) -> Source:
        """A new camera into the relay's receiving side, tapped, its picture consumed."""
        config = RTCConfiguration(iceServers=[])
        sender, receiver = RTCPeerConnection(config), RTCPeerConnection(config)
        self.peers += [sender, receiver]
        camera = StampedCameraTrack(640, 480, 30.0, first_counter=first_counter)
        transceiver = sender.addTransceiver(camera, direction="sendonly")
        receiver.on("track", lambda track: self.consume(track, None))  # the relay paints it
        await connect(sender, receiver)
        tap = tap_first_video(receiver)
        assert tap is not None
        found = Source(camera, sender, receiver, tap)
        answer_key = transceiver.sender._send_keyframe

        def asked() -> None:
            found.asked.append(time.monotonic())
            answer_key()

        transceiver.sender._send_keyframe = asked  # type: ignore[method-assign]
        return found


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    ice_policy.apply_from_environment()
    config = RTCConfiguration(iceServers=[])
    near, far = RTCPeerConnection(config), RTCPeerConnection(config)
    relay = RelayVideoTrack()
    found = Rig(relay, far, near, peers=[near, far])
    near.addTransceiver(relay, direction="sendonly")
    assert relay.attach(near)
    far.on("track", lambda track: found.consume(track, found.stamps))
    yield found
    relay.stop()
    for pc in found.peers:
        await pc.close()
    for task in found.tasks:
        task.cancel()
    await asyncio.gather(*found.tasks, return_exceptions=True)


def feed_decoded(rig: Rig) -> None:
    """Feed the relay a decoded picture 30 times a second, as the relay's painting would."""

    async def feed() -> None:
        while True:
            await asyncio.sleep(1 / 30)
            rig.relay.feed(av.VideoFrame(640, 480, "yuv420p"))

    rig.tasks.append(asyncio.create_task(feed()))


def record_rtp_timestamps(rig: Rig) -> None:
    """Keep the RTP timestamp of every video packet (not a retransmission) the far peer's
    receiver takes."""
    transceiver: Any = rig.far.getTransceivers()[0]
    receiver = transceiver.receiver
    handle = receiver._handle_rtp_packet

    async def recording(packet: Any, arrival_time_ms: int) -> None:
        if packet.payload_type == transceiver._codecs[0].payloadType:
            rig.rtp_timestamps.append(packet.timestamp)
        await handle(packet, arrival_time_ms)

    receiver._handle_rtp_packet = recording


def readable_and_forward(stamps: list[Stamp | None], skip: int = 2) -> list[int]:
    """The counters read back; every picture after the first ``skip`` must read."""
    broken = [i for i, s in enumerate(stamps) if s is None and i >= skip]
    assert not broken, f"{len(broken)} broken pictures at the far end (first at {broken[0]})"
    return [s.counter for s in stamps if s is not None]


def test_the_internals_forwarding_relies_on_are_there() -> None:
    assert internals_problem() == "", internals_problem()


async def test_a_forwarded_stream_decodes_whole_at_the_far_end(rig: Rig) -> None:
    source = await rig.source(first_counter=0)
    await connect(rig.near, rig.far)
    await until(lambda: source.tap.ssrc != 0, "the source's first frame at the relay")
    rig.relay.forward_from(source.tap)
    await until(lambda: rig.relay.forwarded >= 90, "90 forwarded frames")
    await until(lambda: len(rig.stamps) >= 90, "90 pictures at the far end")
    counters = readable_and_forward(rig.stamps)
    assert counters == sorted(counters), "a picture went back in time"
    # Forwarding began with a key-frame request to the source, and encoded nothing since.
    assert source.asked, "the source was never asked for a key frame"
    assert rig.relay.forwarding
    assert rig.relay.encoded <= 30, f"{rig.relay.encoded} pictures encoded again"


async def test_the_far_ends_key_frame_request_reaches_the_source(rig: Rig) -> None:
    source = await rig.source(first_counter=0)
    await connect(rig.near, rig.far)
    rig.relay.forward_from(source.tap)
    await until(lambda: rig.relay.forwarded >= 10, "forwarded frames")
    await until(lambda: not source.asked or time.monotonic() - source.asked[-1] > 0.6,
                "the request interval")
    before = len(source.asked)
    far_receiver: Any = rig.far.getTransceivers()[0].receiver
    near_sender: Any = rig.near.getTransceivers()[0].sender
    await far_receiver._send_rtcp_pli(near_sender._ssrc)  # a real PLI, over the wire
    await until(lambda: len(source.asked) > before, "the PLI at the source")


async def test_a_relay_not_forwarding_answers_the_far_end_itself(rig: Rig) -> None:
    """Bad case: no tap, the decoded picture is fed; a PLI makes the relay's own encoder
    send a key frame, and nothing is asked of the source."""
    source = await rig.source(first_counter=0)
    await connect(rig.near, rig.far)
    feed_decoded(rig)
    await until(lambda: rig.relay.encoded >= 30, "encoded pictures")
    far_receiver: Any = rig.far.getTransceivers()[0].receiver
    near_sender: Any = rig.near.getTransceivers()[0].sender
    await far_receiver._send_rtcp_pli(near_sender._ssrc)
    encoded = rig.relay.encoded
    await until(lambda: rig.relay.encoded >= encoded + 10, "more encoded pictures")
    assert rig.relay.forwarded == 0 and not rig.relay.forwarding
    assert source.tap.key_frames_requested == 0  # nothing asked of the source through a tap


async def test_time_never_goes_back_when_the_source_changes(rig: Rig) -> None:
    first = await rig.source(first_counter=0)
    await connect(rig.near, rig.far)
    record_rtp_timestamps(rig)
    rig.relay.forward_from(first.tap)
    await until(lambda: rig.relay.forwarded >= 60, "frames of the first source")
    # The second source's clock starts at zero, well behind the first one's.
    second = await rig.source(first_counter=100_000)
    await until(lambda: second.tap.ssrc != 0, "the second source at the relay")
    asked = len(second.asked)
    rig.relay.forward_from(second.tap)
    await until(lambda: len(second.asked) > asked, "a key frame asked of the second source")
    await until(lambda: sum(s is not None and s.counter >= 100_000 for s in rig.stamps) >= 30,
                "30 pictures of the second source at the far end")
    counters = readable_and_forward(rig.stamps)
    switch = next(i for i, c in enumerate(counters) if c >= 100_000)
    assert all(c < 100_000 for c in counters[:switch]), "the first source came back"
    assert counters[switch:] == sorted(counters[switch:])
    steps = [uint32_add(b, -a) for a, b in zip(rig.rtp_timestamps, rig.rtp_timestamps[1:],
                                                strict=False)]
    assert all(step < 1 << 31 for step in steps), "an RTP timestamp went backwards"


async def test_a_sender_not_on_vp8_gets_the_decoded_picture(rig: Rig) -> None:
    """Bad case: the far end took H.264; VP8 frames cannot be forwarded, so none is."""
    capabilities = RTCRtpSender.getCapabilities("video").codecs
    rig.near.getTransceivers()[0].setCodecPreferences(
        [c for c in capabilities if c.mimeType in ("video/H264", "video/rtx")])
    source = await rig.source(first_counter=0)
    await connect(rig.near, rig.far)
    rig.relay.forward_from(source.tap)
    feed_decoded(rig)
    await until(lambda: rig.relay.encoded >= 30, "pictures encoded by the relay")
    assert rig.relay.forwarded == 0


async def test_a_senders_encoded_frames_go_on_without_a_second_encode(rig: Rig) -> None:
    """The agent's camera, encoded for the citizen, goes to the colleague as it is."""
    source = await rig.source(first_counter=0)
    await connect(rig.near, rig.far)
    camera_sender = source.sender.getTransceivers()[0].sender
    sent = sent_frames(camera_sender)
    assert sent is not None and sent_frames(camera_sender) is sent
    rig.relay.forward_from(sent)
    await until(lambda: rig.relay.forwarded >= 60 and len(rig.stamps) >= 60,
                "60 pictures of the sender's frames at the far end")
    counters = readable_and_forward(rig.stamps)
    assert counters == sorted(counters)
    # The sender's encoder was asked for a key frame when forwarding began.
    assert sent.key_frames_requested >= 1 and source.asked
    assert rig.relay.encoded <= 30


@pytest.mark.parametrize("loss", [0.03])
async def test_a_lossy_link_to_the_relay_never_hands_a_gapped_frame_on(rig: Rig,
                                                                        loss: float) -> None:
    source = await rig.source(first_counter=0)
    await connect(rig.near, rig.far)
    lossy(source.sender.getTransceivers()[0].sender.transport, loss, 0.02, random.Random(5))
    rig.relay.forward_from(source.tap)
    await until(lambda: len(rig.stamps) >= 120, "120 pictures through a lossy link")
    counters = readable_and_forward(rig.stamps)
    assert counters == sorted(counters)
    assert rig.relay.forwarded >= 60


# --- the continuity rules, frame by frame ----------------------------------------------


@dataclass
class Frames:
    """Real VP8 frames as a receiver assembles them, with their RTP sequence numbers."""

    encoder: Vp8Encoder = field(default_factory=Vp8Encoder)
    sequence: int = 1000
    count: int = 0

    def __post_init__(self) -> None:
        self.next()  # an encoder's first frame is a key frame: the stream is joined after it

    def next(self, *, key: bool = False, skip_packets: int = 0) -> AssembledFrame:
        picture = av.VideoFrame(320, 240, "yuv420p")
        picture.pts, self.count = self.count * 3000, self.count + 1
        picture.time_base = Fraction(1, 90000)
        payloads, timestamp = self.encoder.encode(picture, force_keyframe=key)
        first = self.sequence + skip_packets
        self.sequence = first + len(payloads)
        return AssembledFrame(b"".join(vp8_depayload(p) for p in payloads), timestamp,
                              first_sequence=first, last_sequence=self.sequence - 1,
                              ssrc=1234, first_payload=payloads[0])


async def relay_reading(tap: EncodedTap) -> tuple[RelayVideoTrack, Callable[[], Awaitable[Any]]]:
    relay = RelayVideoTrack()
    pc = RTCPeerConnection()
    pc.addTransceiver(relay, direction="sendonly")
    relay.attach(pc)
    relay._transceiver._codecs = [VP8]  # what negotiation would have chosen
    relay.forward_from(tap)

    async def next_out() -> Any:
        return await asyncio.wait_for(relay.recv(), 5)

    relay.feed(av.VideoFrame(320, 240, "yuv420p"))
    await next_out()  # the sender has begun reading
    return relay, next_out


async def test_a_gap_upstream_stops_forwarding_until_the_next_key_frame() -> None:
    pc = RTCPeerConnection()
    tap = tap_receiver(pc.addTransceiver("video").receiver)
    assert tap is not None
    relay, next_out = await relay_reading(tap)
    frames = Frames()
    tap.put((VP8, frames.next()))  # a delta frame first: not forwarded
    assert not relay.forwarding and tap.key_frames_requested >= 1
    key = frames.next(key=True)
    assert is_vp8_key_frame(key.data) and starts_vp8_picture(key.first_payload)
    tap.put((VP8, key))
    tap.put((VP8, frames.next()))
    assert relay.forwarding
    outs = [await next_out(), await next_out()]
    assert all(isinstance(out, av.Packet) for out in outs)
    assert bytes(outs[0]) == key.data
    assert outs[0].pts < outs[1].pts
    # A packet of the next frame never came: that frame and those after it stay here.
    asked = tap.key_frames_requested
    tap.put((VP8, frames.next(skip_packets=1)))
    tap.put((VP8, frames.next()))
    assert not relay.forwarding
    assert tap.key_frames_requested == asked + 1  # once: then every KEY_REQUEST_INTERVAL
    relay.feed(av.VideoFrame(320, 240, "yuv420p"))
    assert isinstance(await next_out(), av.VideoFrame)  # the decoded picture meanwhile
    tap.put((VP8, frames.next(key=True)))
    assert relay.forwarding
    out = await next_out()
    assert isinstance(out, av.Packet) and is_vp8_key_frame(bytes(out))
    relay.stop()
    await pc.close()


async def test_a_key_frame_missing_its_start_is_not_forwarded() -> None:
    """Bad case: the key frame's first packets were given up on; its tail is no picture."""
    pc = RTCPeerConnection()
    tap = tap_receiver(pc.addTransceiver("video").receiver)
    assert tap is not None
    relay, _ = await relay_reading(tap)
    frames = Frames()
    key = frames.next(key=True)
    tail = AssembledFrame(key.data[100:], key.timestamp, first_sequence=key.first_sequence + 1,
                          last_sequence=key.last_sequence, ssrc=1234,
                          first_payload=b"\x80\x80\x00" + key.data[100:110])
    tap.put((VP8, tail))
    assert not relay.forwarding
    tap.put((H264, frames.next(key=True)))  # another codec: not forwarded either
    assert not relay.forwarding
    assert not is_vp8_key_frame(b"") and not starts_vp8_picture(b"")
    relay.stop()
    await pc.close()


async def test_a_tap_is_put_once_and_hands_every_frame_to_the_decoder() -> None:
    pc = RTCPeerConnection()
    receiver = pc.addTransceiver("video").receiver
    tap = tap_receiver(receiver)
    assert tap is not None and tap_receiver(receiver) is tap
    seen: list[Any] = []
    tap.frame.connect(seen.append)
    frame = Frames().next(key=True)
    tap.put((VP8, frame))
    tap.put(None)  # the receiver stopping: on to the decoder thread, unseen by listeners
    assert seen == [(VP8, frame)]
    assert tap.get() == (VP8, frame) and tap.get() is None
    await pc.close()
