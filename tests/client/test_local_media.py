"""The agent's test-pattern camera: a calm picture at its own frame rate, black when off."""

from __future__ import annotations

import fractions
import itertools

from seat_client.media.local_media import PATTERN_FPS, PatternCameraTrack


async def test_the_pattern_runs_at_its_own_frame_rate_with_timestamps_to_match() -> None:
    camera = PatternCameraTrack(320, 240)
    frames = [await camera.recv() for _ in range(4)]
    steps = {b.pts - a.pts for a, b in itertools.pairwise(frames)}
    assert steps == {90_000 // PATTERN_FPS}, "one frame every 1/15 s on the 90 kHz clock"
    assert frames[0].time_base == fractions.Fraction(1, 90_000)
    assert camera.latest is frames[-1], "the self view shows the newest frame"
    camera.stop()


async def test_the_line_sweeps_and_a_camera_turned_off_sends_black() -> None:
    camera = PatternCameraTrack(320, 240)
    first = (await camera.recv()).to_ndarray(format="gray")
    second = (await camera.recv()).to_ndarray(format="gray")
    assert (first != second).any(), "something moves"
    camera.enabled = False
    assert (await camera.recv()).to_ndarray(format="gray").max() <= 20
    camera.stop()
