"""WebRTC's echo canceller on a recorded echo path: the citizen's voice, played on an open
speaker, comes back into the agent's microphone 50 ms later through a room; the canceller
removes it (echo return loss enhancement, ERLE) and keeps the agent's own voice.

The echo path is a fixed, seeded room (a direct path and a decaying tail), so the figure
is the same every run. ``scripts/bench_devices.py`` measures the same on a real sound
server's loop.
"""

from __future__ import annotations

import numpy as np

from seat_client.media.echo import FRAME, RATE, EchoCanceller
from seat_common.media.audio_levels import tone_amplitude

SECONDS = 8


def speech_like(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """Noise shaped like speech: low-passed, in syllables of about 200 ms."""
    n = int(seconds * RATE)
    noise = np.convolve(rng.standard_normal(n), np.ones(12) / 12, mode="same")
    syllables = (np.sin(2 * np.pi * 2.5 * np.arange(n) / RATE) > -0.2).astype(float)
    shaped: np.ndarray = noise * syllables * 8000
    return shaped


def room(rng: np.random.Generator, delay_s: float = 0.05) -> np.ndarray:
    delay = int(delay_s * RATE)
    tail = rng.standard_normal(int(0.08 * RATE)) * np.exp(-np.arange(int(0.08 * RATE)) / 600)
    response = np.zeros(delay + tail.size)
    response[delay] = 0.5
    response[delay:] += 0.05 * tail
    return response


def run(canceller: EchoCanceller, far: np.ndarray, mic: np.ndarray) -> np.ndarray:
    out = []
    for start in range(0, far.size - FRAME + 1, FRAME):
        canceller.far(far[start : start + FRAME])
        out.append(canceller.near(mic[start : start + FRAME]))
    return np.concatenate(out)


def power(x: np.ndarray) -> float:
    return float(np.mean(x.astype(np.float64) ** 2)) + 1e-9


def test_the_echo_of_the_far_voice_is_removed() -> None:
    rng = np.random.default_rng(7)
    far = np.clip(speech_like(rng, SECONDS), -32768, 32767).astype(np.int16)
    echo = np.convolve(far.astype(np.float64), room(rng))[: far.size]
    mic = np.clip(echo + rng.standard_normal(far.size) * 20, -32768, 32767).astype(np.int16)
    out = run(EchoCanceller(gain=False), far, mic)
    settled = slice(SECONDS // 2 * RATE, out.size)  # after the canceller has learnt the room
    erle_db = 10 * np.log10(power(mic[settled]) / power(out[settled]))
    assert erle_db > 20, f"ERLE {erle_db:.1f} dB"


def test_a_quiet_echo_is_removed_too_and_never_lifted() -> None:
    """A speaker turned low: the echo at about −51 dBFS. The canceller as the seat makes
    it (no gain control, which lifts the residue: 16 dB instead of 31 here) takes out
    more than 20 dB."""
    rng = np.random.default_rng(7)
    far = np.clip(speech_like(rng, SECONDS), -32768, 32767).astype(np.int16)
    echo = np.convolve(far.astype(np.float64), room(rng))[: far.size] * 0.05
    mic = np.clip(echo + rng.standard_normal(far.size) * 20, -32768, 32767).astype(np.int16)
    out = run(EchoCanceller(), far, mic)
    settled = slice(SECONDS // 2 * RATE, out.size)
    erle_db = 10 * np.log10(power(mic[settled]) / power(out[settled]))
    assert erle_db > 20, f"ERLE {erle_db:.1f} dB"


def test_the_agents_own_voice_gets_through_while_the_citizen_talks() -> None:
    rng = np.random.default_rng(8)
    far = np.clip(speech_like(rng, SECONDS), -32768, 32767).astype(np.int16)
    echo = np.convolve(far.astype(np.float64), room(rng))[: far.size]
    agent = np.zeros(far.size)
    talk = slice(6 * RATE, 7 * RATE)  # both talk at once, after the room is learnt
    agent[talk] = 6000 * np.sin(2 * np.pi * 700 * np.arange(RATE) / RATE)
    mic = np.clip(echo + agent, -32768, 32767).astype(np.int16)
    out = run(EchoCanceller(gain=False), far, mic)
    kept = tone_amplitude(out[talk].astype(np.float64) / 32768, RATE, 700)
    sent = tone_amplitude(agent[talk] / 32768, RATE, 700)
    assert kept > 0.5 * sent, f"the agent's voice kept at {kept / sent:.0%}"


def test_turned_off_it_passes_the_microphone_through() -> None:
    canceller = EchoCanceller()
    canceller.enabled = False
    samples = (np.arange(FRAME * 3) % 200 - 100).astype(np.int16)
    out = canceller.near(samples[:1000])
    out = np.concatenate((out, canceller.near(samples[1000:])))
    assert (out == samples[: out.size]).all() and out.size == FRAME * 3
