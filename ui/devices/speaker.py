"""The speaker through Qt Multimedia: ``QAudioSink`` fed from the voices to be heard.

``Speaker`` opens one output device at 48 kHz mono 16-bit and, every 5 ms, writes as
much as the device will take (``bytesFree``) from its source: the call's playout, a
test tone. Silence is written when there is nothing to hear, so the stream never
starves: a PulseAudio stream that starves and restarts may come back with a lasting
delay (docs/platform.md). What is written is also handed to the echo canceller as
the far end. The device's buffer is ``BUFFER_BYTES`` (40 ms); what it holds plus the
playout's buffer is the delay from arrival to ear. Given an ``AudioThread``, it lives
there, so a busy window never starves the device; ``sources`` must then be safe to
call from that thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt
from PyQt6.QtCore import QIODevice, QObject, Qt, QTimer, pyqtSignal, pyqtSlot
from PyQt6.QtMultimedia import QAudio, QAudioDevice, QAudioSink

from seat_client.media.capture import VOICE_RATE
from seat_client.media.echo import EchoCanceller
from ui.devices.audio_thread import AudioThread
from ui.devices.microphone import voice_format

log = logging.getLogger(__name__)
#: The device's buffer: 40 ms (enough for a GUI thread that is busy for a moment).
BUFFER_BYTES: Final = VOICE_RATE * 2 * 40 // 1000
PUMP_MS: Final = 5
Source = Callable[[int], npt.NDArray[np.int16]]


class Speaker(QObject):
    """One open output device, playing what ``sources`` give, added together."""

    lost = pyqtSignal()

    def __init__(self, echo: EchoCanceller | None = None, parent: QObject | None = None, *,
                 audio: AudioThread | None = None) -> None:
        super().__init__(None if audio is not None else parent)
        self._audio = audio
        self.echo = echo
        self.device: QAudioDevice | None = None
        self.sources: list[Source] = []
        self.written = 0  # samples
        self._sink: QAudioSink | None = None
        self._io: QIODevice | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._pump)
        if audio is not None:
            audio.adopt(self)  # the timer, a child, goes along

    @property
    def is_open(self) -> bool:
        return self._sink is not None

    def open(self, device: QAudioDevice) -> bool:
        """Start playing on ``device``; False if it would not open."""
        if self._audio is not None:
            return self._audio.call(lambda: self._open(device))
        return self._open(device)

    def _open(self, device: QAudioDevice) -> bool:
        self._close()
        sink = QAudioSink(device, voice_format(), self)
        sink.setBufferSize(BUFFER_BYTES)
        io = sink.start()
        if io is None or sink.error() != QAudio.Error.NoError:
            log.warning("speaker %s would not open: %s", device.description(), sink.error())
            sink.deleteLater()
            return False
        self.device, self._sink, self._io = device, sink, io
        sink.stateChanged.connect(self._on_state)
        self._pump()
        self._timer.start(PUMP_MS)
        return True

    def close(self) -> None:
        if self._audio is not None:
            self._audio.call(self._close)
        else:
            self._close()

    def _close(self) -> None:
        self._timer.stop()
        sink, self._sink, self._io = self._sink, None, None
        if sink is not None:
            sink.stateChanged.disconnect(self._on_state)
            sink.stop()
            sink.deleteLater()
        self.device = None

    @pyqtSlot()  # a slot of this object: it runs on the object's thread
    def _pump(self) -> None:
        sink, io = self._sink, self._io
        if sink is None or io is None:
            return
        count = sink.bytesFree() // 2
        if count <= 0:
            return
        mixed = np.zeros(count, np.int32)
        for source in tuple(self.sources):
            mixed += source(count)
        samples = np.clip(mixed, -32768, 32767).astype("<i2")
        written = io.write(samples.tobytes()) // 2
        if written <= 0:
            return
        self.written += written
        if self.echo is not None:
            self.echo.far(samples[:written].astype(np.int16))

    @pyqtSlot(QAudio.State)
    def _on_state(self, state: QAudio.State) -> None:
        sink = self._sink
        if sink is None:
            return
        error = sink.error()
        if state == QAudio.State.StoppedState and error not in (
                QAudio.Error.NoError, QAudio.Error.UnderrunError):
            log.warning("speaker %s lost: %s",
                        self.device.description() if self.device else "?", error)
            self.lost.emit()  # the seat's devices close it and pick another
