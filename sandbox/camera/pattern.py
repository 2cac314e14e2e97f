"""A synthetic camera for simulated peers: ``StampedCameraTrack``.

An aiortc video track that paints sliding colour bars and a bouncing box (so a screenshot
plainly shows live video) and writes a stamp (``sandbox.camera.stamp``) into the top of
every frame.

Below the stamp a neutral strip pads the band to a whole macroblock row, so no codec
macroblock mixes stamp blocks with the moving pattern. Measured on loopback at aiortc's
settings: no unreadable stamps at 640×480 and up (16 px blocks); at 320×240 (8 px blocks)
VP8 leaves about one frame in 200 with a stale block, which the CRC turns into ``None``.

Frames are built in yuv420p directly from precomputed rows (no colour conversion),
written straight into the frame's planes: 0.1–0.6 ms at 720p.
"""

from __future__ import annotations

import fractions
import time
from collections.abc import Callable
from typing import Final

import av
import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from sandbox.camera.stamp import (
    BLACK_LUMA,
    STAMP_CELLS,
    STAMP_ROWS,
    WHITE_LUMA,
    Stamp,
    stamp_cells,
    stamp_geometry,
)
from sandbox.pacing import FramePacer

VIDEO_CLOCK_RATE: Final = 90_000
VIDEO_TIME_BASE: Final = fractions.Fraction(1, VIDEO_CLOCK_RATE)

_Gray = npt.NDArray[np.uint8]

# Bars: white, yellow, cyan, green, magenta, red, blue, black as BT.601 (Y, U, V).
_BARS_YUV: Final[tuple[tuple[int, int, int], ...]] = (
    (235, 128, 128),
    (210, 16, 146),
    (170, 166, 16),
    (145, 54, 34),
    (106, 202, 222),
    (81, 90, 240),
    (41, 240, 110),
    (16, 128, 128),
)


class StampedCameraTrack(MediaStreamTrack):
    """A synthetic camera: moving test pattern plus a readable stamp, paced at ``fps``.

    ``frames_sent`` counts frames handed out; the n-th frame (from 0) carries
    counter ``first_counter + n``. If the consumer falls behind (a starved
    CPU), the track skips ahead instead of bursting frames to catch up.
    """

    kind = "video"

    def __init__(
        self,
        width: int = 640,
        height: int = 480,
        fps: float = 30.0,
        *,
        first_counter: int = 0,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        if width % 2 or height % 2:
            raise ValueError(f"yuv420p needs even sizes, not {width}×{height}")
        geometry = stamp_geometry(width)
        if geometry is None or height < geometry.height * 2:
            raise ValueError(f"{width}×{height} is too small for the stamp")
        if not 1 <= fps <= 120:
            raise ValueError(f"fps out of range: {fps}")
        self.width = width
        self.height = height
        self.fps = fps
        self._geometry = geometry
        self._wall_clock = wall_clock
        self._next_counter = first_counter
        self._frames_sent = 0
        self._pacer = FramePacer(fps)  # the frame slot drives pts and the moving pattern
        # Cell index of every x, to paint a row of blocks with one gather.
        self._cell_of_x = np.repeat(
            np.arange(STAMP_CELLS), np.diff(np.asarray(geometry.edges))
        ).astype(np.intp)
        self._levels = np.array([BLACK_LUMA, WHITE_LUMA], dtype=np.uint8)
        # Bars rows two periods long: a frame is a sliding window on them.
        bar_of_x = (np.arange(2 * width) * len(_BARS_YUV) // width) % len(_BARS_YUV)
        bars = np.asarray(_BARS_YUV, dtype=np.uint8)
        self._bars_y = np.ascontiguousarray(bars[bar_of_x, 0])
        self._bars_u = np.ascontiguousarray(bars[bar_of_x[::2], 1])
        self._bars_v = np.ascontiguousarray(bars[bar_of_x[::2], 2])
        # The stamp band ends on a macroblock row (16 px), padded with a neutral
        # strip: a macroblock holding both stamp blocks and moving pattern was
        # seen to leave a stamp block stale under VP8 at 320×240.
        self._band = -(-geometry.height // 16) * 16
        self._speed = max(2, (width // 160) & ~1)  # even: chroma moves in whole samples
        self._box = max(16, (height // 6) & ~1)

    @property
    def frames_sent(self) -> int:
        return self._frames_sent

    def make_frame(self, counter: int, captured_ms: int, phase: int | None = None) -> av.VideoFrame:
        """Paint one frame (an ``av.VideoFrame``, yuv420p) carrying this stamp.

        ``phase`` positions the moving pattern (the counter if None).
        """
        w, h = self.width, self.height
        step = counter if phase is None else phase
        frame = av.VideoFrame(w, h, "yuv420p")
        y_plane, u_plane, v_plane = (
            np.frombuffer(memoryview(p), dtype=np.uint8).reshape(-1, p.line_size)
            for p in frame.planes
        )
        top = self._band
        offset = (step * self._speed) % w
        y_plane[top:h, :w] = self._bars_y[offset : offset + w]
        half = offset // 2
        u_plane[top // 2 : h // 2, : w // 2] = self._bars_u[half : half + w // 2]
        v_plane[top // 2 : h // 2, : w // 2] = self._bars_v[half : half + w // 2]
        # Neutral chroma under the stamp so it converts to pure black/white in RGB.
        u_plane[: top // 2, : w // 2] = 128
        v_plane[: top // 2, : w // 2] = 128
        self._paint_box(y_plane, u_plane, v_plane, step, top)
        rows = self._levels[stamp_cells(Stamp(counter % 2**32, captured_ms))][:, self._cell_of_x]
        cell = self._geometry.cell
        for r in range(STAMP_ROWS):
            y_plane[r * cell : (r + 1) * cell, :w] = rows[r]
        y_plane[STAMP_ROWS * cell : top, :w] = 128
        return frame

    def _paint_box(self, y: _Gray, u: _Gray, v: _Gray, step: int, top: int) -> None:
        """A box bouncing around the picture area below the stamp."""
        b = self._box
        span_x = self.width - b
        span_y = self.height - top - b
        px = _bounce(step * 5, span_x) & ~1
        py = (top + _bounce(step * 3, span_y)) & ~1
        y[py : py + b, px : px + b] = 128
        y[py + b // 4 : py + 3 * b // 4, px + b // 4 : px + 3 * b // 4] = 235
        u[py // 2 : (py + b) // 2, px // 2 : (px + b) // 2] = 90
        v[py // 2 : (py + b) // 2, px // 2 : (px + b) // 2] = 240

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        index = await self._pacer.next_slot()
        if self.readyState != "live":
            raise MediaStreamError
        captured_ms = int(self._wall_clock() * 1000)
        frame = self.make_frame(self._next_counter, captured_ms, phase=index)
        frame.pts = round(index * VIDEO_CLOCK_RATE / self.fps)
        frame.time_base = VIDEO_TIME_BASE
        self._next_counter = (self._next_counter + 1) % 2**32
        self._frames_sent += 1
        return frame


def _bounce(position: int, span: int) -> int:
    """Triangle wave 0..span..0 for a moving object."""
    if span <= 0:
        return 0
    p = position % (2 * span)
    return p if p <= span else 2 * span - p


# --- audio -----------------------------------------------------------------
