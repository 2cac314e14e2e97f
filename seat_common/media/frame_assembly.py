"""Frames go to the decoder as soon as they are whole: video at its last packet, not one
frame interval later; audio at once, not four packets later.

aiortc's video jitter buffer (``aiortc/jitterbuffer.py``, ``JitterBuffer._remove_frame``)
hands a frame on only when the first packet of the *next* frame has arrived: every frame
waits one frame interval (33 ms at 30 fps) for nothing. RTP marks the last packet of each
video frame with the marker bit, so a frame is whole as soon as its marker packet is in
with every packet before it back to the frame's first (the buffer's origin).

``MarkerJitterBuffer`` releases a frame at that moment. Everything else is aiortc's:

- a gap (a lost packet) holds the frame until NACK brings the packet back, or until the
  buffer overflows, when aiortc drops the oldest frames and asks for a key frame (PLI);
  the decoder never gets a frame with a hole;
- a sender that never sets the marker bit still gets its frames, one frame late, by
  aiortc's own rule (the next frame's first packet ends the frame before it);
- a duplicate, or a retransmission of a packet whose frame is already gone, is ignored;
- sequence numbers wrap around at 65535 as in aiortc.

aiortc's audio jitter buffer holds each packet until four more have arrived
(``prefetch=4``: 80–100 ms at Opus' 20 ms). An audio packet is a whole frame, and the
workstation's playout buffer (``seat_client.media.playout``) already absorbs jitter, so
``PromptAudioBuffer`` hands each packet on as it arrives; one later than a packet already
passed on is dropped (aiortc's own misorder rule), and a lost one is a 20 ms gap.

Each video frame leaves as an ``AssembledFrame``: aiortc's ``JitterFrame`` with the sequence
numbers of its first and last packets, its SSRC and its first packet's payload (with the
codec's payload descriptor), so a relay forwarding the encoded frame can tell that no
packet is missing between one frame and the next (``seat_client.media.forwarding``).

``install_frame_assembly(pc)`` puts them on every receiver of a peer connection (call it
once the remote description is set, before media flows). It relies on aiortc
internals (the receiver's private ``__jitter_buffer``, the buffer's ``_origin`` and
``_packets``), so it is written for one aiortc version (``AIORTC_VERSION``); on another,
or if the internals moved, it leaves aiortc's buffer in place and logs why, and the test
suite fails loudly (``tests/common/media/test_frame_assembly.py``).
"""

from __future__ import annotations

import logging
from importlib.metadata import version
from typing import Any, Final

from aiortc import RTCPeerConnection
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add

log = logging.getLogger(__name__)

#: The aiortc release whose internals this module was written against (pinned in setup.cfg).
AIORTC_VERSION: Final = "1.16.0"
#: Where ``RTCRtpReceiver`` keeps its jitter buffer (a name-mangled private attribute).
RECEIVER_BUFFER: Final = "_RTCRtpReceiver__jitter_buffer"


class AssembledFrame(JitterFrame):
    """A whole encoded video frame, with where its packets sat in the RTP stream."""

    def __init__(self, data: bytes, timestamp: int, *, first_sequence: int,
                 last_sequence: int, ssrc: int, first_payload: bytes) -> None:
        super().__init__(data=data, timestamp=timestamp)
        self.first_sequence = first_sequence
        self.last_sequence = last_sequence
        self.ssrc = ssrc
        #: the first packet's RTP payload, the codec's payload descriptor included
        self.first_payload = first_payload


class MarkerJitterBuffer(JitterBuffer):
    """aiortc's video jitter buffer, releasing each frame at its marker packet."""

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        origin = self._origin
        if origin is None:
            return None
        packets: list[RtpPacket] = []
        timestamp: int | None = None
        for count in range(self._capacity):
            packet = self._packets[(origin + count) % self._capacity]
            if packet is None:
                return None  # a gap: wait for the packet (NACK) or the overflow (PLI)
            if timestamp is None:
                timestamp = packet.timestamp
            elif packet.timestamp != timestamp:
                # The next frame began without a marker on this one: aiortc's own rule.
                return self._release(packets, timestamp, count)
            packets.append(packet)
            if packet.marker:
                return self._release(packets, timestamp, count + 1)
        return None

    def _release(self, packets: list[RtpPacket], timestamp: int, count: int) -> JitterFrame:
        frame = AssembledFrame(
            b"".join(_payload(p) for p in packets), timestamp,
            first_sequence=packets[0].sequence_number,
            last_sequence=packets[-1].sequence_number, ssrc=packets[0].ssrc,
            first_payload=packets[0].payload)
        self.remove(count)
        return frame


class PromptAudioBuffer(JitterBuffer):
    """aiortc's audio jitter buffer, handing each packet on as it arrives."""

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        origin = self._origin
        packet = self._packets[sequence_number % self._capacity]
        if origin is None or packet is None:
            return None
        # ``add`` has dropped a packet older than the origin; everything up to this one goes.
        self.remove(uint16_add(sequence_number, -origin) + 1)
        return JitterFrame(data=_payload(packet), timestamp=packet.timestamp)


def _payload(packet: RtpPacket) -> bytes:
    """The codec payload the receiver depayloaded onto the packet (``packet._data``)."""
    data: bytes = getattr(packet, "_data")  # noqa: B009 - set by aiortc's receiver
    return data


def pinned_aiortc_problem() -> str:
    """Why this aiortc is not the one the modules reaching into it were written for (""
    when it is)."""
    found = version("aiortc")
    return "" if found == AIORTC_VERSION else (
        f"written for aiortc {AIORTC_VERSION}, this is {found}")


def on_pinned_aiortc(otherwise: str) -> bool:
    """Whether this is the aiortc these modules were written for; if not, log ``otherwise``
    (what stays as aiortc has it) and why."""
    problem = pinned_aiortc_problem()
    if problem:
        log.error("%s: %s", otherwise, problem)
    return not problem


def internals_problem() -> str:
    """Why the buffer cannot be installed on this aiortc ("" when it can)."""
    if problem := pinned_aiortc_problem():
        return problem
    stock = JitterBuffer(capacity=4, is_video=True)
    missing = [name for name in ("_origin", "_packets", "_capacity", "_remove_frame", "remove")
               if not hasattr(stock, name)]
    if missing:
        return f"aiortc's JitterBuffer has no {', '.join(missing)}"
    if "__init__" not in vars(RTCRtpReceiver):
        return "aiortc's RTCRtpReceiver changed shape"
    return ""


def install_frame_assembly(pc: RTCPeerConnection) -> int:
    """Put ``MarkerJitterBuffer`` on ``pc``'s video receivers and ``PromptAudioBuffer`` on
    its audio receivers; returns how many receivers have them."""
    problem = internals_problem()
    if problem:
        log.error("frames stay late (video one frame, audio four packets): %s", problem)
        return 0
    installed = 0
    for transceiver in pc.getTransceivers():
        receiver: Any = transceiver.receiver
        if receiver is None or transceiver.kind not in ("audio", "video"):
            continue
        ours: type[JitterBuffer] = (
            MarkerJitterBuffer if transceiver.kind == "video" else PromptAudioBuffer)
        current = getattr(receiver, RECEIVER_BUFFER, None)
        if type(current) is JitterBuffer:
            setattr(receiver, RECEIVER_BUFFER,
                    ours(capacity=current.capacity, is_video=transceiver.kind == "video"))
            installed += 1
        elif isinstance(current, ours):
            installed += 1
        else:
            log.error("%s receiver without aiortc's jitter buffer (%r): left as it is",
                      transceiver.kind, type(current).__name__)
    return installed
