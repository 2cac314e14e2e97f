"""Synthetic media for simulated peers: a stamped test-pattern camera and a quiet tone.

By capability:

- ``stamp``: the STAMP written into every frame (counter and capture time as big
  black/white blocks) and ``read_stamp``, which reads it back from a decoded frame or an
  array, so a receiver measures glass-to-glass latency and lost frames;
- ``pattern``: ``StampedCameraTrack``, the aiortc video track that paints colour bars, a
  bouncing box and the stamp, paced at its frame rate;
- ``tones``: ``ToneAudioTrack`` (a quiet 400 Hz sine), ``BurstToneAudioTrack`` (bursts
  with their onsets, for measuring delay), and ``TimedAudio``/``HeardAudio`` (what a peer
  heard, to find a tone in).

Everything is importable from ``sandbox.camera`` itself, as before the split.
"""

from __future__ import annotations

from sandbox.camera.pattern import VIDEO_CLOCK_RATE, VIDEO_TIME_BASE, StampedCameraTrack
from sandbox.camera.stamp import (
    MIN_WIDTH,
    STAMP_CELLS,
    STAMP_ROWS,
    Stamp,
    read_stamp,
    stamp_cells,
)
from sandbox.camera.tones import BurstToneAudioTrack, HeardAudio, TimedAudio, ToneAudioTrack

__all__ = [
    "MIN_WIDTH",
    "STAMP_CELLS",
    "STAMP_ROWS",
    "VIDEO_CLOCK_RATE",
    "VIDEO_TIME_BASE",
    "BurstToneAudioTrack",
    "HeardAudio",
    "Stamp",
    "StampedCameraTrack",
    "TimedAudio",
    "ToneAudioTrack",
    "read_stamp",
    "stamp_cells",
]
