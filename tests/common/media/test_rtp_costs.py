"""Voice frames encoded and decoded on the event loop still carry the call's voice both ways,
with the same audio level aiortc would have sent, and the receivers stop as aiortc's do.

The aiortc internals this relies on are checked here, so a new aiortc release that moves
them fails these tests instead of leaving the voice on the slow path unnoticed.
"""

from __future__ import annotations

import asyncio
import fractions
import queue
import threading
from importlib.metadata import version
from typing import Any

import av
import numpy as np
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, rtp
from aiortc.codecs.opus import OpusEncoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from aiortc.rtcrtpsender import RTCRtpSender
from aiortc.rtp import compute_audio_level_dbov as aiortc_audio_level

from sandbox.camera import HeardAudio, ToneAudioTrack
from seat_common.media import ice_policy
from seat_common.media.frame_assembly import AIORTC_VERSION, install_frame_assembly
from seat_common.media.rtp_costs import (
    RECEIVER_ERROR,
    RECEIVER_QUEUE,
    SENDER_LOOP,
    InlineAudioDecoding,
    audio_level_dbov,
    install_inline_audio,
)


def audio_frame(samples: np.ndarray[Any, Any], layout: str = "mono") -> av.AudioFrame:
    channels = 2 if layout == "stereo" else 1
    frame = av.AudioFrame(format="s16", layout=layout, samples=samples.size // channels)
    frame.planes[0].update(samples.astype("<i2").tobytes())
    frame.sample_rate = 48_000
    return frame


@pytest.mark.parametrize("layout", ["mono", "stereo"])
@pytest.mark.parametrize("peak", [0, 1, 30, 1000, 32767])
def test_the_audio_level_is_the_one_aiortc_computes(peak: int, layout: str) -> None:
    rng = np.random.default_rng(peak)
    channels = 2 if layout == "stereo" else 1
    for _ in range(5):
        frame = audio_frame(rng.integers(-peak, peak + 1, 960 * channels), layout)
        assert audio_level_dbov(frame) == aiortc_audio_level(frame)


def test_silence_and_full_scale_are_the_ends_of_the_scale() -> None:
    assert audio_level_dbov(audio_frame(np.zeros(960))) == -127
    assert audio_level_dbov(audio_frame(np.full(960, 32767))) == 0


def test_written_for_the_pinned_aiortc_and_its_internals_are_where_expected() -> None:
    assert version("aiortc") == AIORTC_VERSION, "check seat_common/media/rtp_costs.py against it"
    config = RTCConfiguration(iceServers=[])

    async def make() -> tuple[Any, Any]:
        pc = RTCPeerConnection(config)
        transceiver = pc.addTransceiver("audio")
        sender, receiver = transceiver.sender, transceiver.receiver
        await pc.close()
        return sender, receiver

    sender, receiver = asyncio.run(make())
    assert isinstance(sender, RTCRtpSender) and isinstance(receiver, RTCRtpReceiver)
    assert isinstance(getattr(sender, SENDER_LOOP), asyncio.AbstractEventLoop)
    assert hasattr(receiver, RECEIVER_QUEUE) and hasattr(receiver, RECEIVER_ERROR)
    assert callable(getattr(rtp, "compute_audio_level_dbov", None))


async def test_a_call_with_inline_voice_carries_both_voices_and_ends_cleanly() -> None:
    ice_policy.apply_from_environment()
    config = RTCConfiguration(iceServers=[])
    caller, callee = RTCPeerConnection(config), RTCPeerConnection(config)
    heard = {"caller": HeardAudio(), "callee": HeardAudio()}
    consumers: list[asyncio.Task[None]] = []

    async def consume(track: Any, who: str) -> None:
        try:
            while True:
                heard[who].add(await track.recv())
        except MediaStreamError:
            return

    callee.on("track", lambda t: consumers.append(asyncio.create_task(consume(t, "callee"))))
    caller.on("track", lambda t: consumers.append(asyncio.create_task(consume(t, "caller"))))
    try:
        caller.addTrack(ToneAudioTrack(400.0, amplitude=0.1))
        await caller.setLocalDescription(await caller.createOffer())
        await callee.setRemoteDescription(caller.localDescription)
        install_frame_assembly(callee)
        assert install_inline_audio(callee) == 2  # its sender and its receiver
        callee.addTrack(ToneAudioTrack(700.0, amplitude=0.1))
        await callee.setLocalDescription(await callee.createAnswer())
        await caller.setRemoteDescription(callee.localDescription)
        install_frame_assembly(caller)
        assert install_inline_audio(caller) == 2
        assert install_inline_audio(caller) == 2  # again: nothing changes
        receiver: Any = caller.getTransceivers()[0].receiver
        assert isinstance(getattr(receiver, RECEIVER_QUEUE), InlineAudioDecoding)
        assert aiortc_level_replaced()
        deadline = asyncio.get_running_loop().time() + 20
        while not (heard["callee"].tone(400.0) > 0.05 and heard["caller"].tone(700.0) > 0.05):
            assert asyncio.get_running_loop().time() < deadline, "a voice never got through"
            await asyncio.sleep(0.1)
        # Each side hears the other's tone, not its own.
        assert heard["callee"].tone(700.0) < 0.01 and heard["caller"].tone(400.0) < 0.01
    finally:
        await caller.close()
        await callee.close()
        await asyncio.gather(*consumers, return_exceptions=True)
    # The idle decoder threads aiortc started got their stop and ended.
    assert not [t for t in threading.enumerate() if t.name == "audio-decoder"]


def aiortc_level_replaced() -> bool:
    return rtp.compute_audio_level_dbov is audio_level_dbov


def test_a_voice_frame_that_does_not_decode_is_dropped_and_the_next_one_heard() -> None:
    opus = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2,
                                 payloadType=111)
    encoder = OpusEncoder()
    tone = ToneAudioTrack(amplitude=0.3)
    good: list[bytes] = []
    for index in range(3):
        frame = audio_frame(np.frombuffer(tone._samples, "<i2").copy())
        frame.pts, frame.time_base = index * 960, fractions.Fraction(1, 48_000)
        payloads, _ = encoder.encode(frame)
        good.append(payloads[0])

    class Track:
        _queue: asyncio.Queue[Any] = asyncio.Queue()

    class Receiver:
        _track = Track()

    thread_queue: queue.Queue[Any] = queue.Queue()
    error = threading.Event()
    decoding = InlineAudioDecoding(Receiver(), thread_queue, error)
    decoding.put((opus, JitterFrame(good[0], 0)))
    decoding.put((opus, JitterFrame(b"", 960)))  # empty: dropped unseen
    decoding.put((opus, JitterFrame(b"\xff" * 3, 1920)))  # garbage: dropped, said
    assert error.is_set()
    decoding.put((opus, JitterFrame(good[1], 2880)))
    decoding.put((opus, JitterFrame(good[2], 3840)))
    heard = [Receiver._track._queue.get_nowait() for _ in range(Receiver._track._queue.qsize())]
    assert len(heard) == 3 and all(isinstance(f, av.AudioFrame) for f in heard)
    decoding.put(None)  # the receiver stopping: on to the idle thread's queue
    assert thread_queue.get_nowait() is None
