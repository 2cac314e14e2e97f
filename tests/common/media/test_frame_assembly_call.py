"""A real call through a lossy, reordering link keeps decoding whole pictures with the
marker-based frame assembly on the receiving peer.

Two aiortc peers in this process; the sender's RTP (not its RTCP: NACK and key-frame
requests get through) passes a gate that drops 1 % or 5 % of the packets and swaps
neighbours now and then, retransmissions included. The receiver reads the stamp each
frame of the simulated camera carries: a picture decoded from a frame with a hole would
not read back, or would read a wrong counter.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError
from aiortc.rtp import is_rtcp

from sandbox.camera import Stamp, StampedCameraTrack, read_stamp
from seat_common.media import ice_policy
from seat_common.media.frame_assembly import install_frame_assembly


def lossy(transport: Any, loss: float, reorder: float, rng: random.Random) -> None:
    """Make ``transport`` (an RTCDtlsTransport) drop and reorder the RTP it sends."""
    send = transport._send_rtp
    held: list[bytes] = []

    async def gate(data: bytes) -> None:
        if is_rtcp(data):
            await send(data)
            return
        if rng.random() < loss:
            return
        if not held and rng.random() < reorder:
            held.append(data)  # sent after the next one
            return
        await send(data)
        while held:
            await send(held.pop())

    transport._send_rtp = gate


async def call_through(loss: float, reorder: float, seconds: float) -> tuple[list[Stamp | None],
                                                                             int]:
    ice_policy.apply_from_environment()
    config = RTCConfiguration(iceServers=[])
    sender, receiver = RTCPeerConnection(config), RTCPeerConnection(config)
    camera = StampedCameraTrack(640, 480, 30.0)
    stamps: list[Stamp | None] = []
    consumers: list[asyncio.Task[None]] = []

    async def consume(track: Any) -> None:
        try:
            while True:
                frame = await track.recv()
                stamps.append(read_stamp(frame.to_ndarray(format="bgra")))
        except MediaStreamError:
            return

    receiver.on("track", lambda track: consumers.append(asyncio.create_task(consume(track))))
    try:
        transceiver = sender.addTransceiver(camera, direction="sendonly")
        await sender.setLocalDescription(await sender.createOffer())
        await receiver.setRemoteDescription(sender.localDescription)
        assert install_frame_assembly(receiver) == 1
        await receiver.setLocalDescription(await receiver.createAnswer())
        await sender.setRemoteDescription(receiver.localDescription)
        lossy(transceiver.sender.transport, loss, reorder, random.Random(7))
        await asyncio.sleep(seconds)
        return stamps, camera.frames_sent
    finally:
        await sender.close()
        await receiver.close()
        for task in consumers:
            task.cancel()
        await asyncio.gather(*consumers, return_exceptions=True)


@pytest.mark.parametrize("loss", [0.01, 0.05])
async def test_a_lossy_reordering_link_keeps_decoding_whole_pictures(loss: float) -> None:
    stamps, sent = await call_through(loss, reorder=0.02, seconds=6.0)
    readable = [s for s in stamps if s is not None]
    assert len(stamps) >= sent * 0.5, f"decoding stalled: {len(stamps)} of {sent} frames"
    # The camera's first frames go out before the connection is up; after that every
    # picture must read back whole, its counter moving forward.
    assert len(readable) >= len(stamps) - 2, f"{len(stamps) - len(readable)} broken pictures"
    counters = [s.counter for s in readable]
    assert counters == sorted(counters), "a picture went back in time"
