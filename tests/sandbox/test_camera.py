"""The synthetic camera's stamp: exact on raw frames, refused when damaged, alive through codecs.

A receiver measures latency and frame loss from the stamp, so a misread
stamp would silently corrupt every benchmark: the tests prove it
round-trips, that damage gives None instead of a wrong value, and that it
survives a real VP8 and H.264 encode and decode at aiortc's bitrate.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import av
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.bare_pair import run_bare_pair
from sandbox.camera import (
    STAMP_CELLS,
    STAMP_ROWS,
    Stamp,
    StampedCameraTrack,
    ToneAudioTrack,
    read_stamp,
    stamp_cells,
)

COUNTERS = st.integers(min_value=0, max_value=2**32 - 1)
TIMES_MS = st.integers(min_value=0, max_value=2**48 - 1)
NOW_MS = int(time.time() * 1000)


def _y_plane(frame: av.VideoFrame) -> np.ndarray[Any, Any]:
    return frame.to_ndarray(format="yuv420p")[: frame.height].copy()


def _cell_box(width: int, row: int, col: int) -> tuple[slice, slice]:
    edges = [round(i * width / STAMP_CELLS) for i in range(STAMP_CELLS + 1)]
    cell = round(width / STAMP_CELLS)
    return slice(row * cell, (row + 1) * cell), slice(edges[col], edges[col + 1])


@settings(max_examples=150, deadline=None)
@given(counter=COUNTERS, captured_ms=TIMES_MS)
def test_stamp_round_trips_exactly_in_every_receiver_layout(counter: int, captured_ms: int) -> None:
    camera = StampedCameraTrack(640, 480)
    frame = camera.make_frame(counter, captured_ms)
    expected = Stamp(counter, captured_ms)
    assert read_stamp(frame) == expected
    for layout in ("bgra", "rgba", "argb", "bgr24", "rgb24", "gray", "yuv420p", "nv12"):
        assert read_stamp(frame.to_ndarray(format=layout)) == expected, layout
    assert read_stamp(frame.reformat(format="bgra")) == expected
    assert read_stamp(frame.reformat(format="nv12")) == expected


@pytest.mark.parametrize(
    ("width", "height"),
    [(320, 240), (480, 360), (640, 480), (800, 600), (1280, 720), (1920, 1080), (642, 482)],
)
def test_stamp_reads_at_common_sizes(width: int, height: int) -> None:
    camera = StampedCameraTrack(width, height)
    for counter in (0, 1, 2**31 + 7, 2**32 - 1):
        frame = camera.make_frame(counter, NOW_MS + counter % 1000)
        assert read_stamp(frame) == Stamp(counter, NOW_MS + counter % 1000)


def test_stamp_survives_uniform_scaling() -> None:
    """Block positions follow the width, so a receiver-side downscale still reads."""
    frame = StampedCameraTrack(1280, 720).make_frame(42, NOW_MS)
    for width, height in ((960, 540), (640, 360)):
        scaled = frame.reformat(width=width, height=height, format="bgra")
        assert read_stamp(scaled) == Stamp(42, NOW_MS)


@pytest.mark.parametrize("level", [0, 16, 128, 235, 255])
def test_blank_frames_carry_no_stamp(level: int) -> None:
    assert read_stamp(np.full((480, 640), level, dtype=np.uint8)) is None
    assert read_stamp(np.full((480, 640, 4), level, dtype=np.uint8)) is None


def test_noise_and_the_bare_pattern_carry_no_stamp() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        noise = rng.integers(0, 256, size=(480, 640), dtype=np.uint8)
        assert read_stamp(noise) is None
        # Pure black/white blocks at random: every cell clear, but no valid stamp.
        cells = rng.integers(0, 2, size=(STAMP_ROWS, STAMP_CELLS)).astype(np.uint8)
        blocks = np.where(cells, 235, 16).astype(np.uint8)
        picture = np.kron(blocks, np.ones((16, 16), dtype=np.uint8))
        assert read_stamp(np.pad(picture, ((0, 432), (0, 0)))) is None
    bars_only = _y_plane(StampedCameraTrack(640, 480).make_frame(5, NOW_MS))
    bars_only[:48] = bars_only[100:148]
    assert read_stamp(bars_only) is None


def test_every_single_flipped_block_is_detected() -> None:
    stamp = Stamp(123_456_789, NOW_MS)
    y = _y_plane(StampedCameraTrack(640, 480).make_frame(stamp.counter, stamp.captured_ms))
    cells = stamp_cells(stamp)
    for row in range(STAMP_ROWS):
        for col in range(STAMP_CELLS):
            damaged = y.copy()
            damaged[_cell_box(640, row, col)] = 16 if cells[row, col] else 235
            assert read_stamp(damaged) is None, (row, col)


@settings(max_examples=200, deadline=None)
@given(
    counter=COUNTERS,
    captured_ms=TIMES_MS,
    flips=st.sets(
        st.tuples(st.integers(0, STAMP_ROWS - 1), st.integers(0, STAMP_CELLS - 1)),
        min_size=1,
        max_size=12,
    ),
    smudge=st.booleans(),
)
def test_damaged_stamps_never_read_as_a_wrong_value(
    counter: int, captured_ms: int, flips: set[tuple[int, int]], smudge: bool
) -> None:
    y = _y_plane(StampedCameraTrack(640, 480).make_frame(counter, captured_ms))
    cells = stamp_cells(Stamp(counter, captured_ms))
    for row, col in flips:
        # Either flip the block, or smear it to a mid gray a codec might leave.
        y[_cell_box(640, row, col)] = 128 if smudge else (16 if cells[row, col] else 235)
    assert read_stamp(y) is None


def test_too_small_or_cropped_frames_carry_no_stamp() -> None:
    y = _y_plane(StampedCameraTrack(640, 480).make_frame(9, NOW_MS))
    assert read_stamp(y[:30]) is None  # the stamp rows cut off
    assert read_stamp(y[:, 40:]) is None  # cropped on the left: blocks move
    assert read_stamp(np.zeros((100, 120), dtype=np.uint8)) is None


def test_read_stamp_refuses_what_it_cannot_read() -> None:
    with pytest.raises(TypeError):
        read_stamp(np.zeros((480, 640), dtype=np.uint16))
    with pytest.raises(TypeError):
        read_stamp(np.zeros((480, 640, 2), dtype=np.uint8))
    with pytest.raises(TypeError):
        read_stamp(b"not a frame")


def test_camera_refuses_sizes_it_cannot_stamp() -> None:
    with pytest.raises(ValueError):
        StampedCameraTrack(641, 480)
    with pytest.raises(ValueError):
        StampedCameraTrack(120, 90)


def test_pattern_moves_between_frames() -> None:
    camera = StampedCameraTrack(640, 480)
    first = _y_plane(camera.make_frame(0, NOW_MS))[48:]
    later = _y_plane(camera.make_frame(10, NOW_MS))[48:]
    changed = np.mean(first != later)
    assert changed > 0.05


def test_720p_frames_are_cheap_to_build() -> None:
    camera = StampedCameraTrack(1280, 720)
    times = []
    for n in range(60):
        start = time.perf_counter()
        camera.make_frame(n, NOW_MS + n)
        times.append(time.perf_counter() - start)
    # A frame interval is 33 ms; the encoder needs most of the CPU.
    assert statistics.median(times) < 0.010


def test_reading_a_720p_stamp_is_cheap() -> None:
    frame = StampedCameraTrack(1280, 720).make_frame(1, NOW_MS)
    bgra = frame.to_ndarray(format="bgra")
    start = time.perf_counter()
    for _ in range(100):
        read_stamp(frame)
        read_stamp(bgra)
    assert (time.perf_counter() - start) / 200 < 0.001


async def test_camera_is_paced_and_counts_frames() -> None:
    camera = StampedCameraTrack(320, 240, fps=30)
    start = time.monotonic()
    stamps = [read_stamp(await camera.recv()) for _ in range(16)]
    elapsed = time.monotonic() - start
    camera.stop()
    assert 0.4 < elapsed < 2.0  # 15 intervals of 33 ms
    assert [s.counter for s in stamps if s is not None] == list(range(16))
    assert camera.frames_sent == 16


async def test_tone_track_is_paced_48khz_20ms() -> None:
    tone = ToneAudioTrack()
    start = time.monotonic()
    frames = [await tone.recv() for _ in range(11)]
    elapsed = time.monotonic() - start
    tone.stop()
    assert 0.15 < elapsed < 1.0  # 10 intervals of 20 ms
    assert {f.sample_rate for f in frames} == {48_000}
    assert {f.samples for f in frames} == {960}
    assert [f.pts for f in frames] == [960 * i for i in range(11)]
    samples = frames[0].to_ndarray()
    assert 0 < np.abs(samples).max() < 2000  # audible but quiet


@pytest.mark.parametrize("codec", ["VP8", "H264"])
async def test_stamp_survives_a_real_encode_and_decode(codec: Any) -> None:
    run = await run_bare_pair(640, 480, 2.0, codec, warmup_s=0.5)
    assert run.codec == codec
    assert len(run.frames) > 40
    stamps = [f.stamp for f in run.frames if f.stamp is not None]
    assert len(stamps) >= 0.9 * len(run.frames)
    counters = [s.counter for s in stamps]
    assert counters == sorted(set(counters))
    latencies = [f.latency_ms for f in run.frames if f.latency_ms is not None]
    assert 0 < statistics.median(latencies) < 250
    assert max(latencies) < 1000
