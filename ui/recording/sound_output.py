"""The player's sound: a QAudioSink fed from the decoder's queue, and the clock it gives.

``SoundOutput`` plays ``DecodedMedia``'s sound on one speaker through Qt
Multimedia's ``QAudioSink`` in push mode: ``pump`` (the player calls it
every 10 ms on the GUI thread) writes up to ``bytesFree()`` into the sink's
buffer (``BUFFER_S``). Every byte written is media time, in order: byte *k*
after ``begin(t)`` plays at media time ``t + k / byte_rate`` (gaps in the
track are written as silence, see ``DecodedMedia.read_sound``).

**The position** (``position``) is ``t + processedUSecs()``. With Qt 6.11's
PulseAudio sink, ``processedUSecs`` counts what PulseAudio has taken out of
the sink's own buffer — measured equal to bytes written − (``bufferSize`` −
``bytesFree``), in steps of 5–10 ms — so what still waits in that buffer is
already left out. What PulseAudio itself still holds is not: the ear on
the test rig hears a sample 7–11 ms after this position reaches it. The
picture follows this position, so it comes about that much before the
sound, well inside the 60 ms EBU R37 allows the sound behind the picture.

**Fed continuously.** A PulseAudio stream that starves and restarts can
come back with a large fixed delay. While playing, the sink never runs dry:
when the decoder is behind, silence keeps at least ``LOW_WATER_S`` queued
(the sound that misses its time is dropped, the timeline holds), and after
the track's end silence follows until the player stops. A seek stops the
sink and starts it again at the new position once ``PREBUFFER_S`` of sound
is decoded; a pause suspends it (``suspend``/``resume``).

**A speaker that takes nothing** (a suspended PulseAudio sink accepts the
stream, stays active and never plays) would hold the picture forever: when
the sink has taken nothing for ``STALL_S`` while playing, the output gives
up and says ``failed``, and the player goes on without sound.

``choose_speaker`` picks the device (the requested one, if connected; else
the default output) or says why there is none; ``pcm_format`` picks 48 kHz
mono 16-bit (the recordings' own) if the device takes it, else the
device's preferred format.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Sequence
from typing import Final

from PyQt6.QtCore import QIODevice, QObject, pyqtSignal
from PyQt6.QtMultimedia import QAudio, QAudioDevice, QAudioFormat, QAudioSink

from ui.recording.decoded_media import DecodedMedia, PcmLayout

#: The sink's buffer: a GUI thread busy for this long does not starve it.
BUFFER_S: Final = 0.2
#: While playing, at least this much waits in the sink's buffer (silence if need be).
LOW_WATER_S: Final = 0.05
#: After a seek, the sink starts once this much sound is decoded (or the track has ended).
PREBUFFER_S: Final = 0.15
#: A sink that takes nothing for this long while playing has failed (a PulseAudio server
#: just started took 2 s for its first samples on the test rig).
STALL_S: Final = 4.0

_AV_FORMATS: Final = {
    QAudioFormat.SampleFormat.UInt8: ("u8", 1),
    QAudioFormat.SampleFormat.Int16: ("s16", 2),
    QAudioFormat.SampleFormat.Int32: ("s32", 4),
    QAudioFormat.SampleFormat.Float: ("flt", 4),
}
_AV_LAYOUTS: Final = {1: "mono", 2: "stereo"}


class SoundProblem(enum.Enum):
    """Why a recording plays without sound."""

    NO_TRACK = "no_track"  # the recording has no sound
    NO_SPEAKER = "no_speaker"  # this computer has no sound output
    SPEAKER_MISSING = "speaker_missing"  # the chosen speaker is not connected
    SPEAKER_FAILED = "speaker_failed"  # the speaker would not play (or stopped)


def choose_speaker(requested: QAudioDevice | None, outputs: Sequence[QAudioDevice],
                   default: QAudioDevice) -> QAudioDevice | SoundProblem:
    """The device to play on: ``requested`` if it is among ``outputs``, else ``default``.

    A requested speaker that is gone is not replaced by another: a recording of a
    citizen is not to come out of a loudspeaker nobody chose.
    """
    if not outputs:
        return SoundProblem.NO_SPEAKER
    if requested is not None and not requested.isNull():
        wanted = bytes(requested.id().data())
        if any(bytes(device.id().data()) == wanted for device in outputs):
            return requested
        return SoundProblem.SPEAKER_MISSING
    return default if not default.isNull() else outputs[0]


def pcm_format(device: QAudioDevice) -> tuple[QAudioFormat, PcmLayout] | None:
    """48 kHz mono 16-bit if ``device`` takes it, else its preferred format (None if
    PyAV cannot make that)."""
    wanted = QAudioFormat()
    wanted.setSampleRate(48_000)
    wanted.setChannelCount(1)
    wanted.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    chosen = wanted if device.isFormatSupported(wanted) else device.preferredFormat()
    av_format = _AV_FORMATS.get(chosen.sampleFormat())
    av_layout = _AV_LAYOUTS.get(chosen.channelCount())
    if av_format is None or av_layout is None or chosen.sampleRate() <= 0:
        return None
    return chosen, PcmLayout(chosen.sampleRate(), chosen.channelCount(), av_format[1],
                             av_format[0], av_layout)


class SoundOutput(QObject):
    """Plays ``media``'s sound on ``device`` (GUI thread only).

    Emits ``failed(reason)`` when the sink cannot start or stops with an error;
    it plays nothing after that.
    """

    failed = pyqtSignal(str)

    def __init__(self, device: QAudioDevice, audio_format: QAudioFormat, layout: PcmLayout,
                 media: DecodedMedia, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._layout = layout
        self._media = media
        self._sink = QAudioSink(device, audio_format, self)
        self._sink.setBufferSize(layout.bytes_for(BUFFER_S))
        self._io: QIODevice | None = None
        self._start_t = 0.0
        self._written = 0
        self._stopping = False
        self._broken = False
        self._progress = (0, 0.0)  # processedUSecs last seen to change, and when
        self._sink.stateChanged.connect(self._on_sink_state_changed)

    def begin(self, t: float) -> None:
        """Forget what was written; the next ``pump`` starts the sound at media time ``t``."""
        self._halt()
        self._start_t = t
        self._written = 0

    def position(self) -> float:
        """The media time playing now (see the module's docstring)."""
        if self._io is None:
            return self._start_t
        return self._start_t + self._sink.processedUSecs() / 1_000_000

    def pump(self) -> None:
        """Start the sink once enough is decoded, then fill its buffer."""
        if self._broken:
            return
        if self._io is None:
            if self._media.sound_queued_s() < PREBUFFER_S and not self._media.sound_done():
                return
            self._io = self._sink.start()
            if self._io is None or self._sink.error() is QAudio.Error.OpenError:
                self._io = None
                self._fail(self.tr("the sound output did not open"))
                return
            self._progress = (0, time.monotonic())
        elif self._stalled():
            self._fail(self.tr("the speaker takes no sound"))
            return
        layout = self._layout
        free = self._sink.bytesFree()
        free -= free % layout.frame_bytes
        if free <= 0:
            return
        data = self._media.read_sound(self._start_t + self._written / layout.byte_rate, free)
        if len(data) < free:
            queued = self._sink.bufferSize() - self._sink.bytesFree() + len(data)
            if self._media.sound_done():
                data += bytes(free - len(data))  # after the end: silence until the player stops
            elif queued < layout.bytes_for(LOW_WATER_S):  # the decoder is behind
                data += bytes(layout.bytes_for(LOW_WATER_S) - queued)
        if data:
            self._written += max(0, self._io.write(data))

    def pause(self) -> None:
        if self._io is not None:
            self._sink.suspend()

    def resume(self) -> None:
        if self._io is not None:
            self._sink.resume()
            self._progress = (self._sink.processedUSecs(), time.monotonic())

    def stop(self) -> None:
        self._halt()

    def set_volume(self, linear: float) -> None:
        self._sink.setVolume(min(1.0, max(0.0, linear)))

    def _halt(self) -> None:
        if self._io is not None:
            self._stopping = True
            try:
                self._sink.stop()
            finally:
                self._stopping = False
            self._io = None

    def _stalled(self) -> bool:
        processed, since = self._progress
        now = self._sink.processedUSecs()
        if now != processed:
            self._progress = (now, time.monotonic())
            return False
        return time.monotonic() - since > STALL_S

    def _fail(self, reason: str) -> None:
        if not self._broken:  # once: the sink may say so too while ``start`` fails
            self._broken = True
            self.failed.emit(reason)

    def _on_sink_state_changed(self, state: QAudio.State) -> None:
        error = self._sink.error()
        if (state is QAudio.State.StoppedState and not self._stopping
                and error not in (QAudio.Error.NoError, QAudio.Error.UnderrunError)):
            self._io = None
            self._fail(self.tr("the sound output stopped (%1)").replace("%1", error.name))
