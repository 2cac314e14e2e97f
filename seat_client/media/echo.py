"""The agent's voice without the citizen's echo: WebRTC's audio processing on the microphone.

Agents at counters often talk over open speakers: the citizen's voice comes out of the
speaker, into the microphone, and back to the citizen a quarter second later. WebRTC's
audio processing module (the one in every browser) removes it: told what the speaker
plays (``far``), it subtracts its echo from what the microphone hears (``near``), and
suppresses steady noise (fans, the hall). Its gain control is off unless asked for: it
lifts whatever is left when the agent is quiet, the echo's residue included, and so
cost 15 dB of echo removal on every echo level measured (``tests/client/test_echo.py``;
on the live loop it even made the echo louder than it came in). The agent's headset
level is set once at the PC.

We use LiveKit's maintained binding of that module (``livekit.rtc.AudioProcessingModule``,
Apache-2.0, wheels for Linux, Windows and macOS). Measured on a recorded echo path
(``tests/client/test_echo.py``; ``scripts/bench_devices.py`` on a real PulseAudio loop):
see docs/platform.md. It works on exact 10 ms frames at 48 kHz mono; ``near`` keeps a
remainder shorter than that for the next call, so its output can lag its input by up to
10 ms. It is loaded only with real devices (the import starts a small runtime).
"""

from __future__ import annotations

import threading
from typing import Any, Final

import numpy as np
import numpy.typing as npt

RATE: Final = 48_000
FRAME: Final = RATE // 100  # 10 ms
Samples = npt.NDArray[np.int16]


class EchoCanceller:
    """One microphone's audio processing (see the module docstring)."""

    def __init__(self, *, echo: bool = True, noise: bool = True, gain: bool = False,
                 delay_ms: int = 60) -> None:
        from livekit import rtc

        self._rtc: Any = rtc
        self._apm: Any = rtc.AudioProcessingModule(
            echo_cancellation=echo, noise_suppression=noise, high_pass_filter=True,
            auto_gain_control=gain)
        self._lock = threading.Lock()
        self._far: Samples = np.zeros(0, np.int16)
        self._near: Samples = np.zeros(0, np.int16)
        self.delay_ms = delay_ms
        self.enabled = True

    def far(self, samples: Samples) -> None:
        """What the speaker is about to play."""
        with self._lock:
            pending = np.concatenate((self._far, samples))
            whole = pending.size - pending.size % FRAME
            for start in range(0, whole, FRAME):
                self._apm.process_reverse_stream(self._frame(pending[start : start + FRAME]))
            self._far = pending[whole:]

    def near(self, samples: Samples) -> Samples:
        """What the microphone heard, without the speaker's echo (whole 10 ms frames)."""
        with self._lock:
            pending = np.concatenate((self._near, samples))
            whole = pending.size - pending.size % FRAME
            self._near = pending[whole:]
            if not self.enabled:
                return pending[:whole]
            out = np.empty(whole, np.int16)
            for start in range(0, whole, FRAME):
                frame = self._frame(pending[start : start + FRAME])
                self._apm.set_stream_delay_ms(self.delay_ms)
                self._apm.process_stream(frame)
                out[start : start + FRAME] = np.frombuffer(frame.data, np.int16)
            return out

    def _frame(self, samples: Samples) -> Any:
        return self._rtc.AudioFrame(samples.astype("<i2").tobytes(), RATE, 1, FRAME)
