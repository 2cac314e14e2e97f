"""VP8 for pictures with no sensor noise: aiortc's encoder without libvpx's denoiser.

aiortc's ``Vp8Encoder`` runs libvpx's temporal denoiser (``noise-sensitivity`` 4, adaptive)
on every frame, as WebRTC does for a desktop camera. A picture that never went through a
sensor has no noise to remove: the workstation's test pattern (when the seat has no camera),
or a phone's camera, which its image processor has already denoised in hardware. On such a
picture the denoiser is a third of each frame's encoding for nothing (640×480: 1.5 → 1.05 ms
a frame of the test pattern, 1.08 → 0.75 ms of the simulated phone's picture, here).

``QuietVp8Encoder`` is aiortc's encoder with the denoiser off and every other setting as
aiortc has it (real-time deadline, ``cpu-used`` -6, CBR at the bitrate the receiver's REMB
asks for, key frames on PLI): the same VP8 stream in kind. ``install_quiet_vp8(pc, track)``
puts one on the VP8 sender carrying ``track`` (call it once the description with the agreed
codecs is applied, before media flows). It sets the sender's private encoder slot, which
aiortc fills only while it is empty, so it is written for one aiortc version
(``seat_common.media.frame_assembly.AIORTC_VERSION``) and leaves aiortc's encoder on another
(``tests/common/media/test_quiet_vp8.py`` fails loudly).
"""

from __future__ import annotations

import logging
import multiprocessing
from typing import Any, Final

from aiortc import RTCPeerConnection
from aiortc.codecs import vpx
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.mediastreams import MediaStreamTrack
from av import CodecContext, VideoFrame
from av.frame import Frame

from seat_common.media.frame_assembly import on_pinned_aiortc

log = logging.getLogger(__name__)

#: Where ``RTCRtpSender`` keeps its encoder (a name-mangled private attribute).
SENDER_ENCODER: Final = "_RTCRtpSender__encoder"
VP8_MIME: Final = "video/vp8"


class QuietVp8Encoder(Vp8Encoder):
    """aiortc's VP8 encoder with libvpx's denoiser off.

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


def give_encoder(sender: Any, kind: type[Any]) -> bool:
    """Put a fresh ``kind`` in ``sender``'s empty encoder slot; True if it has one now.
    A sender that already encodes with something else is left as it is, with a log line."""
    current = getattr(sender, SENDER_ENCODER, "missing")
    if current is None:
        setattr(sender, SENDER_ENCODER, kind())
        return True
    if isinstance(current, kind):
        return True
    log.error("sender with encoder %r: left as it is", type(current).__name__)
    return False


def install_quiet_vp8(pc: RTCPeerConnection, track: MediaStreamTrack) -> int:
    """Give the VP8 senders of ``pc`` that carry ``track`` a ``QuietVp8Encoder``; returns
    how many have one (0 before the codecs are agreed, or on another aiortc)."""
    if not on_pinned_aiortc("VP8 keeps aiortc's denoiser"):
        return 0
    installed = 0
    for transceiver in pc.getTransceivers():
        sender: Any = transceiver.sender
        codecs = getattr(transceiver, "_codecs", [])
        if (sender is None or sender.track is not track or not codecs
                or codecs[0].mimeType.lower() != VP8_MIME):
            continue
        installed += give_encoder(sender, QuietVp8Encoder)
    return installed
