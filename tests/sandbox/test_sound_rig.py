"""The rig's ear: it keeps the last seconds it heard in a ring, dates each sound, and
says nothing about a moment it no longer keeps (a burst half forgotten would otherwise
seem to start where the memory begins)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from sandbox.sound_rig import Ear, SoundRig, tone_burst


def _wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the ear never caught up"
        time.sleep(0.02)


def test_the_ear_dates_sounds_across_its_ring_and_forgets_old_ones(sound: SoundRig) -> None:
    ear = Ear({**os.environ, **sound.env}, "micfeed.monitor", keep_s=1.0)
    try:
        first = sound.mouth.say(tone_burst(700.0, 0.1))
        _wait_for(lambda: ear.onset(first - 0.01, 0.05, 700.0) is not None)
        heard_first = ear.onset(first - 0.01, 0.05, 700.0)
        assert heard_first is not None and abs(heard_first - first) < 0.5

        # More than the ring's length later: the ring has wrapped at least once.
        _wait_for(lambda: ear.index_at(time.monotonic()) > ear.index_at(first) + 2 * 48_000)
        second = sound.mouth.say(tone_burst(700.0, 0.1))
        _wait_for(lambda: ear.onset(second - 0.01, 0.05, 700.0) is not None)
        heard_second = ear.onset(second - 0.01, 0.05, 700.0)
        assert heard_second is not None and abs(heard_second - second) < 0.5
        assert heard_second - heard_first > 1.5, "each burst dated, not the first twice"

        assert not ear.kept_since(first)
        assert ear.onset(first - 0.01, 0.05, 700.0) is None, "forgotten, not guessed"
        assert ear.samples_from(0).size <= 48_000
    finally:
        ear.close()
