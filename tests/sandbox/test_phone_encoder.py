"""The simulated phone's encoder sends the same moving, stamped VP8 picture as aiortc's, with
libvpx's denoiser off, and keeps its settings when the receiver asks for another bitrate."""

from __future__ import annotations

import asyncio
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.mediastreams import MediaStreamError

from sandbox.camera import VIDEO_TIME_BASE, Stamp, StampedCameraTrack, read_stamp
from sandbox.citizen.phone_encoder import SENDER_ENCODER, PhoneVp8Encoder, install_phone_encoder
from seat_common import ice_policy


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


def _timed(frame: Any, index: int) -> Any:
    frame.pts = index * 3000
    frame.time_base = VIDEO_TIME_BASE
    return frame


async def test_a_call_with_the_phone_encoder_shows_every_moving_stamped_picture() -> None:
    ice_policy.apply_from_environment()
    config = RTCConfiguration(iceServers=[])
    phone, agent = RTCPeerConnection(config), RTCPeerConnection(config)
    camera = StampedCameraTrack(640, 480, 30.0)
    pictures: list[tuple[Stamp | None, bytes]] = []
    consumers: list[asyncio.Task[None]] = []

    async def consume(track: Any) -> None:
        try:
            while True:
                frame = await track.recv()
                # the stamp, and a strip of the moving pattern below it
                pictures.append((read_stamp(frame), bytes(frame.to_ndarray()[200, :320])))
        except MediaStreamError:
            return

    agent.on("track", lambda track: consumers.append(asyncio.create_task(consume(track))))
    try:
        transceiver = phone.addTransceiver(camera, direction="sendonly")
        assert install_phone_encoder(phone) == 0  # no codec agreed yet: nothing to do
        await phone.setLocalDescription(await phone.createOffer())
        await agent.setRemoteDescription(phone.localDescription)
        await agent.setLocalDescription(await agent.createAnswer())
        await phone.setRemoteDescription(agent.localDescription)
        assert install_phone_encoder(phone) == 1
        assert install_phone_encoder(phone) == 1  # again: nothing changes
        deadline = asyncio.get_running_loop().time() + 30
        while len(pictures) < 60:
            assert asyncio.get_running_loop().time() < deadline, "pictures stopped coming"
            await asyncio.sleep(0.05)
        encoder = getattr(transceiver.sender, SENDER_ENCODER)
        assert isinstance(encoder, PhoneVp8Encoder) and isinstance(encoder, Vp8Encoder)
    finally:
        await phone.close()
        await agent.close()
        await asyncio.gather(*consumers, return_exceptions=True)
    stamps = [stamp for stamp, _ in pictures]
    assert all(stamp is not None for stamp in stamps), "a picture lost its stamp"
    counters = [stamp.counter for stamp in stamps if stamp is not None]
    assert counters == sorted(counters) and len(set(counters)) == len(counters)
    assert len({strip for _, strip in pictures}) > 10, "the picture does not move"
