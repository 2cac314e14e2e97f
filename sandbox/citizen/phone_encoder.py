"""The simulated phone's encoders: aiortc's VP8 without the denoiser, Opus at a phone's complexity.

A phone encodes its camera in hardware, after the camera's own image processor has taken
the sensor noise out; a stand-in that encodes in software should not spend a phone's CPU
the phone does not spend. aiortc's ``Vp8Encoder`` runs libvpx's temporal denoiser
(``noise-sensitivity`` 4, adaptive), which on the simulator's synthetic picture has no
noise to remove and costs about a third of each frame's encoding (1.08 → 0.75 ms a
640×480 frame here). ``PhoneVp8Encoder`` is
``seat_common.media.quiet_vp8.QuietVp8Encoder``: aiortc's encoder with the denoiser off and
every other setting as aiortc has it: the same VP8 stream in kind.

``PhoneOpusEncoder`` is aiortc's Opus encoder (96 kbit/s, ``voip``) at complexity 5, the
default of WebRTC's Android and iOS builds (desktop builds use 9, libopus and aiortc 10):
0.12 → 0.08 ms a 20 ms voice frame here, 50 times a second.

``install_phone_encoder(pc)`` puts them on the video senders of a peer whose codec came out
as VP8 and on its Opus senders (call it once the answer is applied, before voice flows).
It sets the sender's private encoder slot, which aiortc fills only while it is empty, so it
is written for one aiortc version (``seat_common.media.frame_assembly.AIORTC_VERSION``) and
leaves aiortc's encoders on another.
"""

from __future__ import annotations

from typing import Any, Final

from aiortc import RTCPeerConnection
from aiortc.codecs.opus import OpusEncoder

from seat_common.media.frame_assembly import on_pinned_aiortc
from seat_common.media.quiet_vp8 import SENDER_ENCODER, QuietVp8Encoder, give_encoder

__all__ = ["SENDER_ENCODER", "PhoneOpusEncoder", "PhoneVp8Encoder", "install_phone_encoder"]


#: Opus complexity of WebRTC's Android and iOS builds (``kDefaultComplexity`` in
#: audio_encoder_opus.cc).
PHONE_OPUS_COMPLEXITY: Final = 5


class PhoneVp8Encoder(QuietVp8Encoder):
    """aiortc's VP8 encoder with libvpx's denoiser off (a phone's camera denoises in hardware).

    ``options`` are the libvpx options of the codec it opened last."""


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
    if not on_pinned_aiortc("the phone encodes as aiortc does"):
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
        installed += give_encoder(sender, kind)
    return installed
