"""The far voice's playout buffer: a short start, gaps not stutters, no delay that grows.

The speaker pulls exactly what it can play; the far end pushes 20 ms frames. Simulated
here sample for sample (no clock): jitter, a lost packet, a sender whose clock runs
faster than the speaker's over an hour.
"""

from __future__ import annotations

import av
import numpy as np
import pytest

from seat_client.media.playout import RATE, VoicePlayout

FRAME = 960  # 20 ms


def voice(value: int, samples: int = FRAME) -> np.ndarray:
    return np.full(samples, value, np.int16)


def test_playback_starts_once_the_target_is_buffered() -> None:
    playout = VoicePlayout(target_s=0.04, max_s=0.12)
    playout.push_samples(voice(5))  # 20 ms: not yet
    assert not playout.pull(480).any(), "silence until 40 ms are in"
    playout.push_samples(voice(6))
    out = playout.pull(FRAME * 2)
    assert (out == np.concatenate((voice(5), voice(6)))).all()


def test_a_dry_buffer_plays_silence_and_waits_for_the_target_again() -> None:
    playout = VoicePlayout(target_s=0.04, max_s=0.12)
    playout.push_samples(voice(1, FRAME * 2))
    playout.pull(FRAME * 2)
    assert not playout.pull(480).any()
    assert playout.counters.underruns == 1
    playout.push_samples(voice(2))  # one late packet alone does not restart playback
    assert not playout.pull(480).any()
    playout.push_samples(voice(3))
    assert playout.pull(480).all()


def test_a_buffer_that_grows_past_the_maximum_drops_its_oldest() -> None:
    playout = VoicePlayout(target_s=0.04, max_s=0.12)
    for value in range(1, 9):  # 160 ms arrives at once (a burst after a stall)
        playout.push_samples(voice(value))
    assert playout.buffered_s <= 0.12
    assert playout.pull(FRAME)[0] > 1, "the oldest was dropped"
    assert playout.counters.dropped > 0


def test_any_frame_layout_and_rate_is_converted_to_48_khz_mono() -> None:
    playout = VoicePlayout(target_s=0.01, max_s=0.2)
    stereo = av.AudioFrame.from_ndarray(np.full((1, 1920), 1000, np.int16), format="s16",
                                        layout="stereo")
    stereo.sample_rate = RATE
    stereo.pts = 0
    playout.push(stereo)
    assert abs(playout.buffered_s - 0.02) < 0.002
    assert abs(int(playout.pull(480)[-1]) - 1000) < 50


def test_a_surplus_never_needed_is_given_back_so_the_delay_stays_at_the_target() -> None:
    playout = VoicePlayout(target_s=0.04, max_s=0.12)
    for _ in range(5):  # 100 ms arrive at once, then the voice flows steadily
        playout.push_samples(voice(1))
    for _ in range(60):  # 1.2 s: push 20 ms, play 20 ms
        playout.push_samples(voice(1))
        playout.pull(FRAME)
    assert abs(playout.buffered_s - 0.04) <= 0.021, "back near the target within a second"
    assert playout.counters.trimmed > 0 and playout.counters.underruns == 0


@pytest.mark.parametrize("ppm", [200, -200])
def test_an_hour_with_clocks_that_disagree_keeps_the_delay_bounded(ppm: int) -> None:
    """The sender's 20 ms frames come a little faster (or slower) than the speaker plays
    them: the buffer never holds more than its maximum, and playback never stops long."""
    playout = VoicePlayout(target_s=0.04, max_s=0.12)
    sent = played = 0.0
    longest = 0.0
    per_pull = 480  # the speaker takes 10 ms at a time
    for _ in range(360_000):  # an hour in 10 ms steps
        played += per_pull
        while sent < played * (1 + ppm / 1e6) + FRAME:
            playout.push_samples(voice(7))
            sent += FRAME
        playout.pull(per_pull)
        longest = max(longest, playout.buffered_s)
    counters = playout.counters
    assert longest <= 0.12 + FRAME / RATE
    assert counters.silent / (counters.played + counters.silent) < 0.001
    assert playout.buffered_s <= 0.04 + 0.01 + 2 * FRAME / RATE, "the delay stayed put"
