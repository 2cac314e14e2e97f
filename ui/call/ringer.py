"""The ring: a two-tone sound while a call is offered, and the taskbar flash.

QtMultimedia is loaded only where a sound device exists (``/dev/snd`` or a
PulseAudio server): on a headless machine it logs warnings at import and
has nothing to play on, so there the ring is the system beep alone. With
real devices it rings on the speaker the agent chose (``set_output``). The
ring tone is made here as a WAV file, so no binary asset ships.
"""

from __future__ import annotations

import math
import os
import struct
import wave
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QUrl
from PyQt6.QtWidgets import QApplication, QWidget


def write_ring_tone(path: Path) -> Path:
    """A 1.2 s two-tone ring (440/480 Hz, like a telephone) as 16-bit mono WAV."""
    rate = 16000
    samples = bytearray()
    for n in range(int(rate * 1.2)):
        t = n / rate
        on = (t % 0.6) < 0.4
        value = 0.25 * (math.sin(2 * math.pi * 440 * t) + math.sin(2 * math.pi * 480 * t))
        samples += struct.pack("<h", int(value * 32767 * 0.5) if on else 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(samples))
    return path


def has_sound_device() -> bool:
    return Path("/dev/snd").exists() or bool(os.environ.get("PULSE_SERVER"))


class Ringer:
    """Starts and stops the ring for one window."""

    def __init__(self, window: QWidget, tone_path: Path) -> None:
        self._window = window
        self._effect: Any = None
        if has_sound_device():
            from PyQt6.QtMultimedia import QSoundEffect

            self._effect = QSoundEffect(window)
            self._effect.setSource(QUrl.fromLocalFile(str(write_ring_tone(tone_path))))
            self._effect.setLoopCount(QSoundEffect.Loop.Infinite.value)
        self.ringing = False

    def set_output(self, device: Any) -> None:
        """Ring on ``device`` (a ``QAudioDevice``: the seat's chosen speaker)."""
        if self._effect is not None and device is not None:
            self._effect.setAudioDevice(device)

    def start(self) -> None:
        self.ringing = True
        QApplication.alert(self._window, 0)
        if self._effect is not None:
            self._effect.play()
        else:
            QApplication.beep()

    def stop(self) -> None:
        self.ringing = False
        if self._effect is not None:
            self._effect.stop()
