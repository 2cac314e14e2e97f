"""The call benchmark's baseline: two aiortc peers in one process, no hub, no UI.

A sender peer streams a ``StampedCameraTrack`` to a receiver peer on
loopback; the offer and answer are handed over directly. The receiver
converts every frame once (``to_ndarray(format="bgra")``, as a video pane
would), reads its stamp and takes ``receive time − capture time`` as the
frame's latency. Whatever the full system (hub signalling, the
workstation's event loop, painting) adds on top of these figures is its
own cost.

``measure_bare_pair`` gives the summary figures; ``run_bare_pair`` gives
every received frame, for tests that check the stamps themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender
from aiortc.mediastreams import MediaStreamError

from sandbox.camera import Stamp, StampedCameraTrack, read_stamp
from seat_common.media import ice_policy

Codec = Literal["VP8", "H264"]


@dataclass(frozen=True, slots=True)
class ReceivedFrame:
    """One frame as the receiver saw it."""

    received_ms: float  # wall clock, ms
    stamp: Stamp | None
    width: int
    height: int

    @property
    def latency_ms(self) -> float | None:
        return None if self.stamp is None else self.received_ms - self.stamp.captured_ms


@dataclass(frozen=True, slots=True)
class BarePairRun:
    """Frames received during the measurement window, and the CPU spent in it."""

    codec: str  # as negotiated in the answer, e.g. "VP8" or "H264"
    frames: tuple[ReceivedFrame, ...]
    wall_s: float
    cpu_s: float
    frames_sent: int


async def run_bare_pair(
    width: int,
    height: int,
    seconds: float,
    codec: Codec = "VP8",
    *,
    fps: float = 30.0,
    warmup_s: float = 1.5,
    connect_timeout_s: float = 10.0,
) -> BarePairRun:
    """Stream for ``warmup_s`` + ``seconds`` and return what arrived in the last ``seconds``."""
    config = RTCConfiguration(iceServers=[])
    ice_policy.apply_from_environment()
    sender = RTCPeerConnection(config)
    receiver = RTCPeerConnection(config)
    camera = StampedCameraTrack(width, height, fps)
    frames: list[ReceivedFrame] = []
    recording = False
    first_frame = asyncio.get_running_loop().create_future()
    consumers: list[asyncio.Task[None]] = []

    async def consume(track: Any) -> None:
        try:
            while True:
                frame = await track.recv()
                received_ms = time.time() * 1000.0
                if not first_frame.done():
                    first_frame.set_result(None)
                if recording:
                    pixels = frame.to_ndarray(format="bgra")
                    frames.append(
                        ReceivedFrame(received_ms, read_stamp(pixels), frame.width, frame.height)
                    )
        except MediaStreamError:
            return

    @receiver.on("track")
    def _on_track(track: Any) -> None:
        consumers.append(asyncio.create_task(consume(track), name=f"bare-pair-{track.kind}"))

    try:
        transceiver = sender.addTransceiver(camera, direction="sendonly")
        wanted = f"video/{codec}".lower()
        preferred = [
            c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType.lower() == wanted
        ]
        transceiver.setCodecPreferences(preferred)
        await sender.setLocalDescription(await sender.createOffer())
        await receiver.setRemoteDescription(sender.localDescription)
        await receiver.setLocalDescription(await receiver.createAnswer())
        await sender.setRemoteDescription(receiver.localDescription)
        negotiated = negotiated_video_codec(receiver.localDescription.sdp)
        async with asyncio.timeout(connect_timeout_s):
            await first_frame
        await asyncio.sleep(warmup_s)
        sent_before = camera.frames_sent
        recording = True
        wall0, cpu0 = time.perf_counter(), time.process_time()
        await asyncio.sleep(seconds)
        recording = False
        wall_s, cpu_s = time.perf_counter() - wall0, time.process_time() - cpu0
        return BarePairRun(
            codec=negotiated,
            frames=tuple(frames),
            wall_s=wall_s,
            cpu_s=cpu_s,
            frames_sent=camera.frames_sent - sent_before,
        )
    finally:
        camera.stop()
        await sender.close()
        await receiver.close()
        for task in consumers:
            task.cancel()
        for task in consumers:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def measure_bare_pair(
    width: int,
    height: int,
    seconds: float,
    codec: Codec = "VP8",
    *,
    fps: float = 30.0,
    warmup_s: float = 1.5,
) -> dict[str, float]:
    """Latency percentiles, received fps and CPU of a bare pair over ``seconds``.

    Returns ``latency_ms_p50``, ``latency_ms_p99``, ``fps``, ``cpu_percent``
    (process CPU time / wall time × 100: both peers, encoder and decoder
    threads included; can exceed 100 on several cores), plus ``frames``
    and ``unreadable_frames`` (frames whose stamp could not be read).
    """
    run = await run_bare_pair(width, height, seconds, codec, fps=fps, warmup_s=warmup_s)
    latencies = [f.latency_ms for f in run.frames if f.latency_ms is not None]
    return {
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p99": percentile(latencies, 99),
        "fps": len(run.frames) / run.wall_s,
        "cpu_percent": 100.0 * run.cpu_s / run.wall_s,
        "frames": float(len(run.frames)),
        "unreadable_frames": float(sum(1 for f in run.frames if f.stamp is None)),
    }


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile with linear interpolation between ranks; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * min(max(pct, 0.0), 100.0) / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def negotiated_video_codec(sdp: str) -> str:
    """The codec name of the first payload type of the first video m-line ("" if none)."""
    m_line = re.search(r"^m=video \S+ \S+ (\d+)", sdp, re.MULTILINE)
    if m_line is None:
        return ""
    rtpmap = re.search(rf"^a=rtpmap:{m_line.group(1)} ([^/\s]+)/", sdp, re.MULTILINE)
    return "" if rtpmap is None else rtpmap.group(1)


def main() -> None:
    """Print the baseline figures for VP8 at 640×480 and 1280×720 (and H.264 at 720p)."""
    import json

    runs: tuple[tuple[int, int, Codec], ...] = (
        (640, 480, "VP8"),
        (1280, 720, "VP8"),
        (1280, 720, "H264"),
    )
    for width, height, codec in runs:
        figures = asyncio.run(measure_bare_pair(width, height, 5.0, codec))
        print(json.dumps({"size": f"{width}x{height}", "codec": codec, **figures}))


if __name__ == "__main__":
    main()
