"""aiortc's per-frame audio work done at the cost it needs: no thread hops, no Python loops.

**Voice frames stay on the event loop.** aiortc encodes every frame in the loop's executor
(``RTCRtpSender._next_encoded_frame``) and decodes every frame on a decoder thread that
hands it back with ``run_coroutine_threadsafe``. For video that keeps milliseconds of codec
work off the loop; for voice it costs more than the work: Opus encodes a 20 ms frame in
about 0.1 ms and decodes it in 0.03 ms, while each hop (a queue, a thread woken, a future
or a task handed back, the loop woken) cost 50–80 µs of CPU here, 50 times a second each
way. ``install_inline_audio(pc)`` makes ``pc``'s audio senders encode in place (their
executor calls run at once) and its audio receivers decode each frame as it leaves the
jitter buffer, straight into the track's queue; the decoder thread aiortc started idles
until the receiver stops it. Video keeps aiortc's threads.

**The audio level.** aiortc's sender puts the level of each audio frame in an RTP header
extension (RFC 6465), computed by ``aiortc.rtp.compute_audio_level_dbov``: a Python loop
over every sample, about 50 µs for a 20 ms frame, 50 times a second on each side of a
call. ``audio_level_dbov`` computes the same number with numpy in 3 µs (the tests check it
against aiortc's on the same frames), and ``install_cheap_audio_level`` puts it in aiortc's
place for the process: aiortc's sender looks the function up on its ``rtp`` module at
every frame, so replacing the module attribute is enough.

Like ``seat_common.media.frame_assembly`` it is written for one aiortc version (``AIORTC_VERSION``);
on another it leaves aiortc as it is and logs why, and the suite fails loudly
(``tests/common/media/test_rtp_costs.py``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import queue
import threading
from collections.abc import Callable
from typing import Any, Final

import av
import numpy as np
from aiortc import RTCPeerConnection, rtp
from aiortc.codecs import get_decoder
from aiortc.codecs.base import Decoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from seat_common.media.frame_assembly import on_pinned_aiortc

log = logging.getLogger(__name__)

#: Where aiortc keeps what these replace (name-mangled private attributes).
SENDER_LOOP: Final = "_RTCRtpSender__loop"
RECEIVER_QUEUE: Final = "_RTCRtpReceiver__decoder_queue"
RECEIVER_ERROR: Final = "_RTCRtpReceiver__decoder_error"
_MAX_SAMPLE: Final = 32767
_MIN_LEVEL: Final = -127


def audio_level_dbov(frame: av.AudioFrame) -> int:
    """The frame's level in dBov (0 loudest, -127 silent), as RFC 6465 Appendix A and aiortc
    compute it: the RMS of every 16-bit sample in the first plane."""
    samples = np.frombuffer(memoryview(frame.planes[0]), dtype="<i2")
    energy = float(np.dot(samples, samples.astype(np.float64)))
    rms = math.sqrt(energy / (frame.samples * _MAX_SAMPLE * _MAX_SAMPLE))
    if rms <= 0:
        return _MIN_LEVEL
    return round(min(0.0, max(float(_MIN_LEVEL), 20 * math.log10(rms))))


def install_cheap_audio_level() -> bool:
    """Make aiortc's senders use ``audio_level_dbov`` (process-wide; again is harmless).
    False, with a log line, on an aiortc this was not written for."""
    if rtp.compute_audio_level_dbov is audio_level_dbov:
        return True
    if not on_pinned_aiortc("audio levels stay on aiortc's slow path"):
        return False
    if not callable(getattr(rtp, "compute_audio_level_dbov", None)):
        log.error("audio levels stay on aiortc's slow path: it has no compute_audio_level_dbov")
        return False
    rtp.compute_audio_level_dbov = audio_level_dbov
    return True


class _InlineExecutorLoop:
    """The sender's event loop, with ``run_in_executor`` running the call at once."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def run_in_executor(self, executor: object, func: Callable[..., Any],
                        *args: Any) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = self.loop.create_future()
        try:
            future.set_result(func(*args))
        except Exception as exc:  # handed to the awaiting sender, as the executor would
            future.set_exception(exc)
        return future

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loop, name)


class InlineAudioDecoding:
    """Stands where an audio receiver keeps its decoder thread's queue: each encoded frame
    is decoded at once into the track's queue. ``None`` (the receiver stopping) goes on to
    the thread's queue, which the idle thread reads (``get``), so it ends as aiortc expects.
    A frame that does not decode is dropped with a log line and the next one gets a new
    decoder; an empty one is dropped unseen (it would end the decoder's stream)."""

    def __init__(self, receiver: Any, thread_queue: queue.Queue[Any],
                 decode_error: threading.Event) -> None:
        self._receiver = receiver
        self._thread_queue = thread_queue
        self._decode_error = decode_error
        self._codec_name = ""
        self._decoder: Decoder | None = None

    def get(self) -> Any:
        return self._thread_queue.get()

    def put(self, item: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None:
        if item is None:
            self._thread_queue.put(None)
            return
        codec, encoded = item
        if not encoded.data:
            return  # an empty packet would flush the decoder and end its stream
        if self._decoder is None or codec.name != self._codec_name:
            self._decoder = get_decoder(codec)
            self._codec_name = codec.name
        try:
            frames = self._decoder.decode(encoded)
        except av.FFmpegError as exc:
            # A voice frame stands alone: a fresh decoder takes the next one.
            log.warning("failed to decode %s audio: %s", codec.name, exc)
            self._decode_error.set()
            self._decoder = None
            return
        track = self._receiver._track
        for frame in frames:
            track._queue.put_nowait(frame)


def encode_in_place(sender: Any) -> bool:
    """Make ``sender`` (an ``RTCRtpSender``) encode each frame on the event loop instead of
    in the executor; False, with a log line, if it does not keep aiortc's loop."""
    loop = getattr(sender, SENDER_LOOP, None)
    if isinstance(loop, _InlineExecutorLoop):
        return True
    if isinstance(loop, asyncio.AbstractEventLoop):
        setattr(sender, SENDER_LOOP, _InlineExecutorLoop(loop))
        return True
    log.error("sender without aiortc's loop (%r): left as it is", type(loop).__name__)
    return False


def install_inline_audio(pc: RTCPeerConnection) -> int:
    """Encode and decode ``pc``'s voice on the event loop (call it once the remote description
    is set, before media flows; again is harmless), with the cheap audio level. Returns how
    many audio senders and receivers work inline; 0, with a log line, on an aiortc this was
    not written for."""
    if not install_cheap_audio_level():
        return 0
    installed = 0
    for transceiver in pc.getTransceivers():
        if transceiver.kind != "audio":
            continue
        installed += encode_in_place(transceiver.sender)
        receiver: Any = transceiver.receiver
        current = getattr(receiver, RECEIVER_QUEUE, None)
        error = getattr(receiver, RECEIVER_ERROR, None)
        if isinstance(current, InlineAudioDecoding):
            installed += 1
        elif (isinstance(current, queue.Queue) and isinstance(error, threading.Event)
                and getattr(receiver, "_track", None) is not None):
            setattr(receiver, RECEIVER_QUEUE, InlineAudioDecoding(receiver, current, error))
            installed += 1
        else:
            log.error("audio receiver without aiortc's decoder queue (%r): left as it is",
                      type(current))
    return installed
