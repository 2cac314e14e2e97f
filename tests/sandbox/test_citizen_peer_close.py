"""A simulated citizen's media close is not cut short by its leaving.

``seat-sim`` makes every citizen leave on SIGTERM, which cancels what the citizen is
doing. If that lands while the call's peer connection is closing (the agent has just hung
up), a cancelled ``RTCPeerConnection.close`` leaves aiortc's decoder threads waiting on
their queues, and Python cannot exit until they end: seat-sim hung in 2 of 4 runs of the
call benchmark before the close was shielded.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError

from sandbox.camera import StampedCameraTrack
from sandbox.citizen.peer import CitizenPeer
from sandbox.citizen.script import CitizenReport, CitizenScript
from seat_common import protocol
from seat_common.media import ice_policy
from seat_common.tasks import TaskOwner


def _decoders() -> int:
    return sum(t.name == "video-decoder" and t.is_alive() for t in threading.enumerate())


async def test_a_close_cancelled_midway_still_ends_the_decoder_threads() -> None:
    before = _decoders()
    ice_policy.apply_from_environment()  # loopback only, as every peer of ours here
    sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    camera = StampedCameraTrack(320, 240)
    first = asyncio.get_running_loop().create_future()
    marks: list[str] = []

    async def consume(track: Any) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()
                if not first.done():
                    first.set_result(None)

    consumers: list[asyncio.Task[None]] = []
    receiver.on("track", lambda track: consumers.append(asyncio.create_task(consume(track))))

    async def send(message: protocol.Message) -> None:
        raise AssertionError(f"nothing is sent on a close: {message}")

    report = CitizenReport("张三", "", "", "", "SI-UNEMP-QUERY", "web", "normal", "video")
    peer = CitizenPeer(report, CitizenScript(), "video", TaskOwner("test"), send=send,
                       mark=marks.append, error=marks.append)
    try:
        sender.addTransceiver(camera, direction="sendonly")
        await sender.setLocalDescription(await sender.createOffer())
        await receiver.setRemoteDescription(sender.localDescription)
        await receiver.setLocalDescription(await receiver.createAnswer())
        await sender.setRemoteDescription(receiver.localDescription)
        async with asyncio.timeout(30):
            await first
        assert _decoders() == before + 1
        peer._pc = receiver  # the call's connection, as ``offer`` would have made it

        closing = asyncio.create_task(peer.close())
        await asyncio.sleep(0)  # the close has begun …
        closing.cancel()  # … and the citizen is told to leave
        with contextlib.suppress(asyncio.CancelledError):
            await closing
        await peer.close()  # what ``run``'s ``finally`` does next

        assert receiver.connectionState == "closed"
        assert marks == ["media_closed"]
        deadline = time.monotonic() + 30
        while _decoders() > before:
            assert time.monotonic() < deadline, "aiortc's decoder thread never ended"
            await asyncio.sleep(0.05)
    finally:
        camera.stop()
        await sender.close()
        await receiver.close()
        # Should the close have been cut short after all, end the decoder thread here, so
        # the test fails instead of pytest hanging at exit.
        for transceiver in receiver.getTransceivers():
            transceiver.receiver._handle_disconnect()
        for task in consumers:
            task.cancel()
