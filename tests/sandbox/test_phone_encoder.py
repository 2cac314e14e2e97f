"""The simulated phone's encoder sends the same moving, stamped VP8 picture as aiortc's, with
libvpx's denoiser off, and keeps its settings when the receiver asks for another bitrate; its
voice is aiortc's Opus at a phone's complexity (5), and is heard."""

from __future__ import annotations

import asyncio
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.codecs.opus import OpusEncoder
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.mediastreams import MediaStreamError

from sandbox.camera import (
    VIDEO_TIME_BASE,
    Stamp,
    StampedCameraTrack,
    ToneAudioTrack,
    read_stamp,
)
from sandbox.citizen.phone_encoder import (
    SENDER_ENCODER,
    PhoneOpusEncoder,
    PhoneVp8Encoder,
    install_phone_encoder,
)
from seat_common.media import ice_policy


def test_the_encoder_runs_without_the_denoiser_and_reopens_so_on_a_new_bitrate() -> None:
    camera = StampedCameraTrack(640, 480)
    encoder = PhoneVp8Encoder()
    payloads, _ = encoder.encode(_timed(camera.make_frame(0, 1000), 0))
    assert payloads
    codec: Any = encoder.codec
    assert encoder.options["noise-sensitivity"] == "0"
    assert encoder.options["deadline"] == "realtime" and encoder.options["cpu-used"] == "-6"
    encoder.target_bitrate = 1_200_000  # what a REMB from the receiver does
    encoder.encode(_timed(camera.make_frame(1, 1033), 1))
    reopened: Any = encoder.codec
    assert reopened is not codec and reopened.bit_rate == 1_200_000
    assert encoder.options["noise-sensitivity"] == "0"


async def test_the_phone_codes_voice_at_complexity_5_which_changes_the_opus_stream() -> None:
    tone = ToneAudioTrack()
    frames = [await tone.recv() for _ in range(25)]
    phone, desktop = PhoneOpusEncoder(), OpusEncoder()
    ours = [b"".join(phone.encode(frame)[0]) for frame in frames]
    aiortcs = [b"".join(desktop.encode(frame)[0]) for frame in frames]
    assert phone.options == {"application": "voip", "compression_level": "5"}
    assert all(ours) and ours != aiortcs  # libopus took the setting
    tone.stop()


def _timed(frame: Any, index: int) -> Any:
    frame.pts = index * 3000
    frame.time_base = VIDEO_TIME_BASE
    return frame


async def test_a_call_with_the_phone_encoder_shows_every_moving_stamped_picture() -> None:
    ice_policy.apply_from_environment()
    config = RTCConfiguration(iceServers=[])
    phone, agent = RTCPeerConnection(config), RTCPeerConnection(config)
    camera = StampedCameraTrack(640, 480, 30.0)
    voice = ToneAudioTrack()
    pictures: list[tuple[Stamp | None, bytes]] = []
    heard: list[Any] = []
    consumers: list[asyncio.Task[None]] = []

    async def consume(track: Any) -> None:
        try:
            while True:
                frame = await track.recv()
                if track.kind == "audio":
                    heard.append(frame)
                    continue
                # the stamp, and a strip of the moving pattern below it
                pictures.append((read_stamp(frame), bytes(frame.to_ndarray()[200, :320])))
        except MediaStreamError:
            return

    agent.on("track", lambda track: consumers.append(asyncio.create_task(consume(track))))
    try:
        transceiver = phone.addTransceiver(camera, direction="sendonly")
        spoken = phone.addTransceiver(voice, direction="sendonly")
        assert install_phone_encoder(phone) == 0  # no codec agreed yet: nothing to do
        await phone.setLocalDescription(await phone.createOffer())
        await agent.setRemoteDescription(phone.localDescription)
        await agent.setLocalDescription(await agent.createAnswer())
        await phone.setRemoteDescription(agent.localDescription)
        assert install_phone_encoder(phone) == 2
        assert install_phone_encoder(phone) == 2  # again: nothing changes
        deadline = asyncio.get_running_loop().time() + 30
        while len(pictures) < 60 or len(heard) < 50:
            assert asyncio.get_running_loop().time() < deadline, "pictures stopped coming"
            await asyncio.sleep(0.05)
        encoder = getattr(transceiver.sender, SENDER_ENCODER)
        assert isinstance(encoder, PhoneVp8Encoder) and isinstance(encoder, Vp8Encoder)
        assert isinstance(getattr(spoken.sender, SENDER_ENCODER), PhoneOpusEncoder)
    finally:
        await phone.close()
        await agent.close()
        await asyncio.gather(*consumers, return_exceptions=True)
    stamps = [stamp for stamp, _ in pictures]
    assert all(stamp is not None for stamp in stamps), "a picture lost its stamp"
    counters = [stamp.counter for stamp in stamps if stamp is not None]
    assert counters == sorted(counters) and len(set(counters)) == len(counters)
    assert len({strip for _, strip in pictures}) > 10, "the picture does not move"
