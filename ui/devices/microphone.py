"""The microphone through Qt Multimedia: ``QAudioSource`` into a ``VoiceFeed``.

``Microphone`` opens one input device at 48 kHz mono 16-bit (what a call sends; the
sound server converts), reads what it captured every 10 ms or so, passes it through
the echo canceller when there is one, and publishes it with the time it was read.
It keeps the level of the last read for a meter. When the device fails or disappears
(a headset pulled out) it says so with ``lost``; the seat's devices pick another.
Given an ``AudioThread``, it lives there: its reads never wait for a busy window.
"""

from __future__ import annotations

import logging
import time
from typing import Final

import numpy as np
from PyQt6.QtCore import QIODevice, QObject, pyqtSignal, pyqtSlot
from PyQt6.QtMultimedia import QAudio, QAudioDevice, QAudioFormat, QAudioSource

from seat_client.media.capture import VOICE_RATE, VoiceFeed
from seat_client.media.echo import EchoCanceller
from seat_common.media.audio_levels import SILENCE_DBFS
from ui.devices.audio_thread import AudioThread

log = logging.getLogger(__name__)
#: Qt's capture buffer: 20 ms (the device hands over about half of it at a time).
BUFFER_BYTES: Final = VOICE_RATE * 2 // 50


def voice_format() -> QAudioFormat:
    """48 kHz, mono, 16-bit: the format of a call's voice."""
    fmt = QAudioFormat()
    fmt.setSampleRate(VOICE_RATE)
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    return fmt


class Microphone(QObject):
    """One open input device feeding ``feed``."""

    lost = pyqtSignal()

    def __init__(self, feed: VoiceFeed, echo: EchoCanceller | None = None,
                 parent: QObject | None = None, *, audio: AudioThread | None = None) -> None:
        super().__init__(None if audio is not None else parent)
        self._audio = audio
        if audio is not None:
            audio.adopt(self)
        self.feed = feed
        self.echo = echo
        self.device: QAudioDevice | None = None
        self.level_dbfs = SILENCE_DBFS
        self._source: QAudioSource | None = None
        self._io: QIODevice | None = None

    @property
    def is_open(self) -> bool:
        return self._source is not None

    def open(self, device: QAudioDevice) -> bool:
        """Start capturing from ``device``; False if it would not open."""
        if self._audio is not None:
            return self._audio.call(lambda: self._open(device))
        return self._open(device)

    def _open(self, device: QAudioDevice) -> bool:
        self._close()
        source = QAudioSource(device, voice_format(), self)
        source.setBufferSize(BUFFER_BYTES)
        io = source.start()
        if io is None or source.error() != QAudio.Error.NoError:
            log.warning("microphone %s would not open: %s", device.description(), source.error())
            source.deleteLater()
            return False
        self.device, self._source, self._io = device, source, io
        io.readyRead.connect(self._read)
        source.stateChanged.connect(self._on_state)
        return True

    def close(self) -> None:
        if self._audio is not None:
            self._audio.call(self._close)
        else:
            self._close()

    def _close(self) -> None:
        source, self._source, self._io = self._source, None, None
        if source is not None:
            source.stateChanged.disconnect(self._on_state)
            source.stop()
            source.deleteLater()
        self.device = None
        self.level_dbfs = SILENCE_DBFS

    @pyqtSlot()  # a slot of this object: it runs on the object's thread
    def _read(self) -> None:
        io = self._io
        if io is None:
            return
        data = io.readAll().data()
        if len(data) < 2:
            return
        read_at = time.monotonic()
        samples = np.frombuffer(data[: len(data) - len(data) % 2], "<i2").astype(np.int16)
        peak = int(np.max(np.abs(samples.astype(np.int32)))) if samples.size else 0
        self.level_dbfs = 20 * float(np.log10(peak / 32768)) if peak else SILENCE_DBFS
        if self.echo is not None:
            samples = self.echo.near(samples)
        if samples.size:
            self.feed.publish(samples, read_at)

    @pyqtSlot(QAudio.State)
    def _on_state(self, state: QAudio.State) -> None:
        source = self._source
        if source is None:
            return
        error = source.error()
        if state == QAudio.State.StoppedState and error not in (
                QAudio.Error.NoError, QAudio.Error.UnderrunError):
            log.warning("microphone %s lost: %s",
                        self.device.description() if self.device else "?", error)
            self.lost.emit()  # the seat's devices close it and pick another
