"""The simulated phone's encoders: aiortc's VP8 without the denoiser, Opus at a phone's complexity.

A phone encodes its camera in hardware, after the camera's own image processor has taken
the sensor noise out; a stand-in that encodes in software should not spend a phone's CPU
the phone does not spend. aiortc's ``Vp8Encoder`` runs libvpx's temporal denoiser
(``noise-sensitivity`` 4, adaptive), which on the simulator's synthetic picture has no
noise to remove and costs about a third of each frame's encoding (1.08 → 0.75 ms a
640×480 frame here). ``PhoneVp8Encoder`` is aiortc's encoder with the denoiser off and
every other setting as aiortc has it (real-time deadline, ``cpu-used`` -6, CBR at the
bitrate the receiver's REMB asks for, key frames on PLI): the same VP8 stream in kind.

``PhoneOpusEncoder`` is aiortc's Opus encoder (96 kbit/s, ``voip``) at complexity 5, the
default of WebRTC's Android and iOS builds (desktop builds use 9, libopus and aiortc 10):
0.12 → 0.08 ms a 20 ms voice frame here, 50 times a second.

``install_phone_encoder(pc)`` puts them on the video senders of a peer whose codec came out
as VP8 and on its Opus senders (call it once the answer is applied, before voice flows).
It sets the sender's private encoder slot, which aiortc fills only while it is empty, so it
is written for one aiortc version (``seat_common.frame_assembly.AIORTC_VERSION``) and
leaves aiortc's encoders on another.
"""

from __future__ import annotations

import logging
import multiprocessing
from importlib.metadata import version
from typing import Any, Final

from aiortc import RTCPeerConnection
from aiortc.codecs import vpx
from aiortc.codecs.opus import OpusEncoder
from aiortc.codecs.vpx import Vp8Encoder
from av import CodecContext, VideoFrame
from av.frame import Frame

from seat_common.frame_assembly import AIORTC_VERSION

log = logging.getLogger(__name__)

#: Where ``RTCRtpSender`` keeps its encoder (a name-mangled private attribute).
SENDER_ENCODER: Final = "_RTCRtpSender__encoder"
#: Opus complexity of WebRTC's Android and iOS builds (``kDefaultComplexity`` in
#: audio_encoder_opus.cc).
PHONE_OPUS_COMPLEXITY: Final = 5


class PhoneVp8Encoder(Vp8Encoder):
    """aiortc's VP8 encoder with libvpx's denoiser off (a phone's camera denoises in hardware).

    ``options`` are the libvpx options of the codec it opened last."""

    def __init__(self) -> None:
        super().__init__()
        self.options: dict[str, str] = {}

    def encode(self, frame: Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        assert isinstance(frame, VideoFrame)
        if frame.format.name != "yuv420p":
            frame = frame.reformat(format="yuv420p")
        codec: Any = self.codec
        if (codec is None or frame.width != codec.width or frame.height != codec.height
                or abs(self.target_bitrate - codec.bit_rate) / codec.bit_rate > 0.1):
            # Made here, so aiortc's ``encode`` finds it fitting and keeps it.
            self.codec = self._open(frame.width, frame.height)
        return super().encode(frame, force_keyframe)

    def _open(self, width: int, height: int) -> Any:
        bitrate = self.target_bitrate
        codec: Any = CodecContext.create("libvpx", "w")
        codec.width, codec.height = width, height
        codec.bit_rate = bitrate
        codec.pix_fmt = "yuv420p"
        codec.gop_size = 3000
        codec.qmin, codec.qmax = 2, 56
        # aiortc 1.16's options (aiortc/codecs/vpx.py), "noise-sensitivity" 4 → 0.
        self.options = {
            "bufsize": str(bitrate), "cpu-used": "-6", "deadline": "realtime",
            "lag-in-frames": "0", "minrate": str(bitrate), "maxrate": str(bitrate),
            "noise-sensitivity": "0", "overshoot-pct": "15", "partitions": "0",
            "static-thresh": "1", "undershoot-pct": "100",
        }  # fmt: skip
        codec.options = dict(self.options)  # PyAV takes out what libvpx used once it opens
        codec.thread_count = vpx.number_of_threads(width * height, multiprocessing.cpu_count())
        return codec


class PhoneOpusEncoder(OpusEncoder):
    """aiortc's Opus encoder at a phone's complexity; ``options`` are its libopus options."""

    def __init__(self) -> None:
        super().__init__()
        self.options = {"application": "voip", "compression_level": str(PHONE_OPUS_COMPLEXITY)}
        codec: Any = self.codec
        codec.options = dict(self.options)  # opened at the first frame, with these


#: What each kind of sender gets, by the codec agreed for it.
_PHONE_ENCODERS: Final[dict[str, type[PhoneVp8Encoder] | type[PhoneOpusEncoder]]] = {
    "video/vp8": PhoneVp8Encoder, "audio/opus": PhoneOpusEncoder,
}


def install_phone_encoder(pc: RTCPeerConnection) -> int:
    """Give ``pc``'s VP8 video senders a ``PhoneVp8Encoder`` and its Opus senders a
    ``PhoneOpusEncoder``; returns how many senders have one."""
    found = version("aiortc")
    if found != AIORTC_VERSION:
        log.error("the phone encodes as aiortc does: written for aiortc %s, this is %s",
                  AIORTC_VERSION, found)
        return 0
    installed = 0
    for transceiver in pc.getTransceivers():
        sender: Any = transceiver.sender
        codecs = getattr(transceiver, "_codecs", [])
        if sender is None or sender.track is None or not codecs:
            continue
        kind = _PHONE_ENCODERS.get(codecs[0].mimeType.lower())
        if kind is None:
            continue
        current = getattr(sender, SENDER_ENCODER, "missing")
        if current is None:
            setattr(sender, SENDER_ENCODER, kind())
            installed += 1
        elif isinstance(current, kind):
            installed += 1
        else:
            log.error("%s sender with encoder %r: left as it is", transceiver.kind,
                      type(current).__name__)
    return installed
