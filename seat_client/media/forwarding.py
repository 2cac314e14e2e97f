"""A relayed picture forwarded as it came, encoded: no decode and re-encode at the relay.

In a three-way call the agent's workstation is the centre: the citizen's camera goes on to
the colleague and the colleague's to the citizen. Decoding each picture and encoding it
again for the other party cost a VP8 encode per relayed frame on the workstation's one
event loop, and put that encode (and a decode) on the relayed path. Here the relay sends
the very VP8 frames it received instead.

``EncodedTap`` stands where an aiortc video receiver keeps its decoder thread's queue:
every whole encoded frame (``seat_common.media.frame_assembly.AssembledFrame``, released at its
marker packet) goes to the tap's listeners, then on to the decoder thread as before, so
the workstation still decodes what it paints. ``RelayVideoTrack`` is the track a sender
sends: it hands the sender ``av.Packet``s, which aiortc's ``RTCRtpSender`` packs into RTP
without encoding (``_next_encoded_frame``: a frame is encoded, anything else packed).

What keeps the far end's decoder whole:

- **A frame is forwarded only after a key frame and with nothing missing since**: the
  first packet of each frame must follow the last packet of the one before (RTP sequence
  numbers, same SSRC). A gap (a frame the jitter buffer gave up on), a source switch or a
  full queue stops the forwarding until the source's next key frame; the source is asked
  for one (PLI) at once and again every ``KEY_REQUEST_INTERVAL`` while it does not come.
- **The far end asks, the source answers**: a PLI or FIR for the relayed stream reaches the
  sender's ``_send_keyframe``; the track asks the source through the tapped receiver.
- **Forwarding begins with a key-frame request**, as soon as the sender reads.
- **Until then, and whenever forwarding cannot work, the decoded picture goes out**,
  encoded by the sender as before (``feed``): while waiting for a key frame, for a source
  that is not VP8 or a sender that does not send VP8, or on an aiortc whose internals
  moved. Going back from forwarded frames to encoded ones forces a key frame out of the
  sender's encoder (its references are not what the far end last saw).
- **The agent's own camera is encoded once**: ``SentFrames`` hands on what the call's
  camera sender encodes for the citizen, so a three-way call sends the colleague the same
  frames (a key-frame request from either makes that encoder send one).
- **Time never goes backwards**: every frame leaves with this track's own timestamp (90
  kHz, from when it is read), whichever source or path it came from (two sources' clocks
  each start at zero, see ``FedVideoTrack``).

Relies on aiortc internals (the receiver's private decoder queue, the sender's
``_send_keyframe``, the transceiver's negotiated ``_codecs``): written for one aiortc version
(``seat_common.media.frame_assembly.AIORTC_VERSION``); on another, or if they moved, nothing is
tapped (the decoded picture is re-encoded, as before) with a log line, and
``tests/client/test_forwarding.py`` fails loudly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import time
from collections import deque
from collections.abc import Callable
from fractions import Fraction
from typing import Any, Final, TypeAlias

import av
from aiortc import RTCPeerConnection
from aiortc.codecs.vpx import vp8_depayload
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import VIDEO_CLOCK_RATE, MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.utils import uint16_add
from av.stream import Stream

from seat_common.events import Event
from seat_common.media.frame_assembly import AssembledFrame, pinned_aiortc_problem
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)

#: Where ``RTCRtpReceiver`` keeps its decoder thread's queue (a name-mangled attribute).
RECEIVER_QUEUE: Final = "_RTCRtpReceiver__decoder_queue"
#: Seconds between two key-frame requests to one source.
KEY_REQUEST_INTERVAL: Final = 0.5
#: Encoded frames waiting for the sender at most (a second at 30 fps); more is a stall.
MAX_WAITING: Final = 30
_TIME_BASE: Final = Fraction(1, VIDEO_CLOCK_RATE)

#: Where encoded frames come from: a receiver's ``EncodedTap`` or a sender's ``SentFrames``.
FrameSource: TypeAlias = "EncodedTap | SentFrames"
#: An encoded frame handed to the sender (aiortc packs it into RTP as it is).
Encoded: TypeAlias = "av.Packet[Stream]"


def is_vp8_key_frame(data: bytes) -> bool:
    """Whether ``data`` (a whole VP8 frame) is a key frame (RFC 6386 9.1: frame tag bit 0
    clear, then the start code 9d 01 2a)."""
    return len(data) >= 10 and not data[0] & 0x01 and data[3:6] == b"\x9d\x01\x2a"


def starts_vp8_picture(payload: bytes) -> bool:
    """Whether an RTP payload (its VP8 descriptor first) starts a picture: S set, PID 0."""
    return bool(payload) and bool(payload[0] & 0x10) and payload[0] & 0x07 == 0


class EncodedTap:
    """Stands where a video receiver keeps its decoder queue (see the module's docstring)."""

    def __init__(self, receiver: Any, thread_queue: queue.Queue[Any]) -> None:
        self._receiver = receiver
        self._queue = thread_queue
        self.frame: Event[tuple[RTCRtpCodecParameters, JitterFrame]] = Event()
        #: the SSRC the newest frame came from (0 before the first)
        self.ssrc = 0
        #: key frames asked of the source (PLIs sent)
        self.key_frames_requested = 0
        self._tasks = TaskOwner("key-frame requests")

    def get(self) -> Any:
        return self._queue.get()

    def put(self, item: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None:
        if item is not None:
            if isinstance(item[1], AssembledFrame):
                self.ssrc = item[1].ssrc
            self.frame.emit(item)
        self._queue.put(item)

    def request_key_frame(self) -> bool:
        """Send the source a PLI; False while no frame has come (its first is a key frame)."""
        if not self.ssrc:
            return False
        self.key_frames_requested += 1
        self._tasks.spawn(self._send_pli(self.ssrc), "pli", report=False)
        return True

    async def _send_pli(self, ssrc: int) -> None:
        with contextlib.suppress(ConnectionError):
            await self._receiver._send_rtcp_pli(ssrc)


class SentFrames:
    """What a sender encodes, as frames a ``RelayVideoTrack`` can forward: the agent's camera,
    encoded once for the citizen, also sent to a colleague in a three-way call (the same
    picture: not encoded a second time). A key-frame request makes the sender's encoder
    send one (to both). Sequence numbers count the sender's packets: nothing is lost here."""

    def __init__(self, sender: Any) -> None:
        self._sender = sender
        self.frame: Event[tuple[RTCRtpCodecParameters, JitterFrame]] = Event()
        self.key_frames_requested = 0
        self._next_sequence = 0
        self._ssrc = int(getattr(sender, "_ssrc", 0))
        original = sender._next_encoded_frame

        async def next_encoded_frame(codec: RTCRtpCodecParameters) -> Any:
            encoded = await original(codec)
            if encoded is not None and self.frame.connected:
                self._emit(codec, encoded.payloads, encoded.timestamp)
            return encoded

        sender._next_encoded_frame = next_encoded_frame

    def _emit(self, codec: RTCRtpCodecParameters, payloads: list[bytes], timestamp: int) -> None:
        first = self._next_sequence
        self._next_sequence = uint16_add(first, len(payloads))
        vp8 = codec.name == "VP8"  # another codec is not forwarded: its data is not needed
        data = b"".join(vp8_depayload(p) for p in payloads) if vp8 else b""
        self.frame.emit((codec, AssembledFrame(
            data, timestamp, first_sequence=first,
            last_sequence=uint16_add(self._next_sequence, -1), ssrc=self._ssrc,
            first_payload=payloads[0] if payloads else b"")))

    def request_key_frame(self) -> bool:
        self.key_frames_requested += 1
        self._sender._send_keyframe()
        return True


def sent_frames(sender: Any) -> SentFrames | None:
    """The encoded output of ``sender`` (an ``RTCRtpSender`` of video), hooked the first
    time; None, with a log line, where it cannot be."""
    current = getattr(sender, "_seat_sent_frames", None)
    if isinstance(current, SentFrames):
        return current
    problem = internals_problem()
    if problem:
        log.error("the camera is encoded once per peer: %s", problem)
        return None
    frames = SentFrames(sender)
    sender._seat_sent_frames = frames
    return frames


def internals_problem() -> str:
    """Why encoded frames cannot be tapped and forwarded on this aiortc ("" when they can)."""
    if problem := pinned_aiortc_problem():
        return problem
    from aiortc.rtcrtpreceiver import RTCRtpReceiver
    from aiortc.rtcrtpsender import RTCRtpSender
    missing = [name for owner, name in ((RTCRtpReceiver, "_send_rtcp_pli"),
                                        (RTCRtpSender, "_send_keyframe"),
                                        (RTCRtpSender, "_next_encoded_frame"))
               if not callable(getattr(owner, name, None))]
    if missing:
        return f"aiortc has no {', '.join(missing)}"
    return ""


def tap_first_video(pc: RTCPeerConnection) -> EncodedTap | None:
    """The tap on ``pc``'s first video section's receiver (a caller's camera), or None."""
    videos = [t for t in pc.getTransceivers() if t.kind == "video"]
    return tap_receiver(videos[0].receiver) if videos else None


def tap_receiver(receiver: Any) -> EncodedTap | None:
    """The tap on ``receiver`` (an ``RTCRtpReceiver`` of video), put there the first time;
    None, with a log line, where it cannot be."""
    current = getattr(receiver, RECEIVER_QUEUE, None)
    if isinstance(current, EncodedTap):
        return current
    problem = internals_problem()
    if not problem and not isinstance(current, queue.Queue):
        problem = f"video receiver without aiortc's decoder queue ({type(current).__name__})"
    if problem or not isinstance(current, queue.Queue):
        log.error("relayed pictures are decoded and encoded again: %s", problem)
        return None
    tap = EncodedTap(receiver, current)
    setattr(receiver, RECEIVER_QUEUE, tap)
    return tap


class RelayVideoTrack(MediaStreamTrack):
    """A relayed picture: forwarded encoded from a tap, or fed decoded (module docstring)."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._packets: deque[Encoded] = deque()
        self._decoded: av.VideoFrame | None = None
        self._arrived = asyncio.Event()
        self._tap: FrameSource | None = None
        self._untap: Callable[[], None] | None = None
        self._transceiver: Any = None
        self._encoder_key_frame: Callable[[], None] | None = None
        #: forwarding the tap's frames (a key frame came, nothing missing since)
        self.forwarding = False
        self._last: tuple[int, int] | None = None  # (SSRC, last sequence number)
        self._asked_at = -KEY_REQUEST_INTERVAL
        self._reading = False
        self._started: float | None = None
        self._last_pts = -1
        #: frames sent as they came, and decoded frames handed to the encoder
        self.forwarded = 0
        self.encoded = 0

    # --- set up --------------------------------------------------------------------

    def attach(self, pc: RTCPeerConnection) -> bool:
        """Take the far end's key-frame requests (PLI, FIR) from ``pc``'s sender of this
        track, to the source; call it once the track is added. False when no sender sends it
        (or aiortc's sender moved): then the decoded picture is sent, encoded."""
        transceiver = next((t for t in pc.getTransceivers() if t.sender.track is self), None)
        sender: Any = transceiver.sender if transceiver is not None else None
        original = getattr(sender, "_send_keyframe", None)
        if self._transceiver is not None:
            return True
        if not callable(original) or internals_problem():
            log.error("relayed pictures are decoded and encoded again: %s",
                      internals_problem() or "no sender of the relay with _send_keyframe")
            return False
        self._transceiver = transceiver
        self._encoder_key_frame = original

        def far_end_asks() -> None:
            original()
            if self._tap is not None:
                self._ask_key_frame()

        sender._send_keyframe = far_end_asks
        return True

    def forward_from(self, tap: FrameSource | None) -> None:
        """Forward ``tap``'s frames from its next key frame on (None: stop forwarding)."""
        if tap is self._tap:
            return
        if self._untap is not None:
            self._untap()
            self._untap = None
        self._tap = None
        self._stop_forwarding(ask=False)
        self._last = None
        self._tap = tap
        if tap is not None:
            self._untap = tap.frame.connect(self._on_encoded)
            if self._reading:
                self._ask_key_frame(at_once=True)

    def feed(self, frame: av.VideoFrame) -> None:
        """A decoded picture: sent (encoded by the sender) while nothing is forwarded."""
        if not self.forwarding:
            self._decoded = frame
            self._arrived.set()

    # --- the tap's frames ------------------------------------------------------------

    def _on_encoded(self, item: tuple[RTCRtpCodecParameters, JitterFrame]) -> None:
        codec, frame = item
        if not self._reading or not isinstance(frame, AssembledFrame):
            return
        if codec.name != "VP8" or self._sending_codec() != "VP8":
            self._stop_forwarding(ask=False)  # the decoded picture goes out encoded
            return
        follows = self._last == (frame.ssrc, uint16_add(frame.first_sequence, -1))
        self._last = (frame.ssrc, frame.last_sequence)
        if self.forwarding and not follows:
            self._stop_forwarding()  # a frame the far end's decoder needed is lost
        if not self.forwarding:
            if not (is_vp8_key_frame(frame.data) and starts_vp8_picture(frame.first_payload)):
                self._ask_key_frame()
                return
            self.forwarding = True
            self._decoded = None
        if len(self._packets) >= MAX_WAITING:
            self._stop_forwarding()  # the sender stalled: start again from a key frame
            return
        self._packets.append(av.Packet(frame.data))
        self._arrived.set()

    def _stop_forwarding(self, *, ask: bool = True) -> None:
        """Back to the decoded picture until the source's next key frame (``ask``: ask for it)."""
        if self.forwarding:
            self.forwarding = False
            self._packets.clear()
            if self._encoder_key_frame is not None:
                self._encoder_key_frame()  # the far end has not seen the encoder's last frames
        if ask and self._reading:
            self._ask_key_frame(at_once=True)

    def _ask_key_frame(self, *, at_once: bool = False) -> None:
        """Ask the source for a key frame: ``at_once`` for a new need (forwarding begins, a
        gap), else not again within ``KEY_REQUEST_INTERVAL`` (still waiting, the far end
        asking again)."""
        now = time.monotonic()
        if (self._tap is not None and (at_once or now - self._asked_at >= KEY_REQUEST_INTERVAL)
                and self._tap.request_key_frame()):
            self._asked_at = now

    def _sending_codec(self) -> str:
        codecs = getattr(self._transceiver, "_codecs", None) or []
        return str(getattr(codecs[0], "name", "")) if codecs else ""

    # --- the sender's reads ----------------------------------------------------------

    async def recv(self) -> Encoded | av.VideoFrame:
        if not self._reading:
            self._reading = True
            self._ask_key_frame(at_once=True)  # forwarding begins with a key frame
        while self.readyState == "live":
            item: Encoded | av.VideoFrame | None = None
            if self._packets:
                item = self._packets.popleft()
                self.forwarded += 1
            elif self._decoded is not None and not self.forwarding:
                item, self._decoded = self._decoded, None
                self.encoded += 1
            if item is not None:
                item.pts = self._stamp()
                item.time_base = _TIME_BASE
                return item
            self._arrived.clear()
            await self._arrived.wait()
        raise MediaStreamError

    def _stamp(self) -> int:
        now = time.monotonic()
        if self._started is None:
            self._started = now
        self._last_pts = max(self._last_pts + 1, round((now - self._started) * VIDEO_CLOCK_RATE))
        return self._last_pts

    def stop(self) -> None:
        self.forward_from(None)
        super().stop()
