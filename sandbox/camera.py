"""Synthetic media for simulated peers: a stamped test-pattern camera and a quiet tone.

``StampedCameraTrack`` is an aiortc video track that paints sliding colour
bars and a bouncing box (so a screenshot plainly shows live video) and
writes a STAMP into the top of every frame: the frame counter and the wall
clock time of capture, as three rows of 40 big black/white blocks in the
luma plane. The blocks are ``width / 40`` pixels square (16 px at 640, 32 px
at 1280, aligned with codec macroblocks at the usual sizes), which survives
VP8 and H.264 at the ~0.5 Mbit/s aiortc sends. ``read_stamp`` reads it back
from a decoded ``av.VideoFrame`` or from a numpy array in any layout a
receiver is likely to hold (Y/gray, yuv420p/nv12 stacked planes, BGR, RGB,
BGRA, RGBA, ARGB), by sampling 2×2 pixels at each block centre: about
20 µs at 720p. Because both peers on one machine share the wall clock,
``receive time − Stamp.captured_ms`` is the glass-to-glass latency of a
frame, and the counter shows frames lost or reordered.

Stamp layout (each cell one block; 1 = white, 0 = black)::

    row r:  1 0 | 36 data cells | 0 1        (r = 0, 1, 2: 108 data cells)
    data:   magic (12 bits) | counter (32) | captured_ms (48) | CRC-16 (16)

A read is refused (``None``) when any block is neither clearly dark nor
clearly light, when a guard cell is wrong, when the magic differs, or when
the CRC fails: a blank, cropped, scaled-wrong or badly damaged frame gives
``None`` instead of a wrong stamp (a random 96-bit pattern passes the
checks with odds under 2**-28).

Below the stamp a neutral strip pads the band to a whole macroblock row, so
no codec macroblock mixes stamp blocks with the moving pattern. Measured on
loopback at aiortc's settings: no unreadable stamps at 640×480 and up
(16 px blocks); at 320×240 (8 px blocks) VP8 leaves about one frame in 200
with a stale block, which the CRC turns into ``None``.

Frames are built in yuv420p directly from precomputed rows (no colour
conversion), written straight into the frame's planes: 0.1–0.6 ms at 720p.

``ToneAudioTrack`` sends a quiet 400 Hz sine, 48 kHz mono, in 20 ms frames
paced to real time.
"""

from __future__ import annotations

import binascii
import fractions
import functools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import av
import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from sandbox.pacing import FramePacer
from seat_common.audio_levels import mono_samples, tone_amplitude

#: Blocks per stamp row, and stamp rows.
STAMP_CELLS: Final = 40
STAMP_ROWS: Final = 3
#: Data cells per row (two guard cells at each end).
_DATA_PER_ROW: Final = STAMP_CELLS - 4
_DATA_BITS: Final = STAMP_ROWS * _DATA_PER_ROW  # 108
_MAGIC: Final = 0xB5E
_MAGIC_BITS: Final = 12
_COUNTER_BITS: Final = 32
_TIME_BITS: Final = 48
_CRC_BITS: Final = 16
#: Luma levels of black and white blocks (BT.601 limited range: they become 0 and 255 in RGB).
_BLACK: Final = 16
_WHITE: Final = 235
#: A sampled block must be below/above these to count as a 0/1 (in Y or in RGB terms).
_DARK_MAX: Final = 80
_LIGHT_MIN: Final = 176
#: Smallest frame the stamp fits in with blocks big enough to survive a codec.
MIN_WIDTH: Final = 160

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


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a stamped frame carries: its counter and when it was captured (wall clock, ms)."""

    counter: int
    captured_ms: int

    @property
    def captured_at(self) -> float:
        """Capture time as ``time.time()`` seconds."""
        return self.captured_ms / 1000.0

    def latency_ms(self, received_at: float | None = None) -> float:
        """Milliseconds from capture to ``received_at`` (``time.time()`` seconds; now if None)."""
        now = time.time() if received_at is None else received_at
        return now * 1000.0 - self.captured_ms


@dataclass(frozen=True, slots=True)
class _StampGeometry:
    """Where the stamp's blocks are in a frame of a given width."""

    cell: int  # block height in pixels (its width is edges[i+1] - edges[i])
    edges: tuple[int, ...]  # STAMP_CELLS + 1 x positions
    sample_ys: npt.NDArray[np.intp]  # 4 samples per cell, row-major over (row, cell)
    sample_xs: npt.NDArray[np.intp]

    @property
    def height(self) -> int:
        return self.cell * STAMP_ROWS


@functools.lru_cache(maxsize=8)
def _geometry(width: int) -> _StampGeometry | None:
    """The stamp's blocks at ``width`` (None below ``MIN_WIDTH``), worked out once per width:
    every frame read at a width reuses them."""
    if width < MIN_WIDTH:
        return None
    edges = tuple(round(i * width / STAMP_CELLS) for i in range(STAMP_CELLS + 1))
    cell = round(width / STAMP_CELLS)
    ys: list[int] = []
    xs: list[int] = []
    for r in range(STAMP_ROWS):
        cy = r * cell + cell // 2
        for c in range(STAMP_CELLS):
            cx = (edges[c] + edges[c + 1]) // 2
            for dy in (-1, 0):
                for dx in (-1, 0):
                    ys.append(cy + dy)
                    xs.append(cx + dx)
    return _StampGeometry(
        cell=cell,
        edges=edges,
        sample_ys=np.asarray(ys, dtype=np.intp),
        sample_xs=np.asarray(xs, dtype=np.intp),
    )


def _crc(payload: int) -> int:
    data = payload.to_bytes(12, "big")  # 92 payload bits fit in 12 bytes
    return binascii.crc_hqx(data, 0xFFFF)


def stamp_cells(stamp: Stamp) -> npt.NDArray[np.uint8]:
    """The (STAMP_ROWS, STAMP_CELLS) grid of 0/1 cells that encodes ``stamp``."""
    if not 0 <= stamp.counter < 2**_COUNTER_BITS:
        raise ValueError(f"counter out of range: {stamp.counter}")
    if not 0 <= stamp.captured_ms < 2**_TIME_BITS:
        raise ValueError(f"captured_ms out of range: {stamp.captured_ms}")
    payload = (
        (_MAGIC << (_COUNTER_BITS + _TIME_BITS)) | (stamp.counter << _TIME_BITS) | stamp.captured_ms
    )
    word = (payload << _CRC_BITS) | _crc(payload)
    bits = np.unpackbits(np.frombuffer(word.to_bytes(14, "big"), dtype=np.uint8))[-_DATA_BITS:]
    cells = np.empty((STAMP_ROWS, STAMP_CELLS), dtype=np.uint8)
    cells[:, 0] = 1
    cells[:, 1] = 0
    cells[:, -2] = 0
    cells[:, -1] = 1
    cells[:, 2:-2] = bits.reshape(STAMP_ROWS, _DATA_PER_ROW)
    return cells


def _decode_cells(cells: npt.NDArray[np.uint8]) -> Stamp | None:
    if not (
        np.all(cells[:, 0] == 1)
        and np.all(cells[:, 1] == 0)
        and np.all(cells[:, -2] == 0)
        and np.all(cells[:, -1] == 1)
    ):
        return None
    packed = np.packbits(cells[:, 2:-2].reshape(-1))  # 108 bits -> 14 bytes, zero padded
    word = int.from_bytes(packed.tobytes(), "big") >> (14 * 8 - _DATA_BITS)
    crc = word & (2**_CRC_BITS - 1)
    payload = word >> _CRC_BITS
    if payload >> (_COUNTER_BITS + _TIME_BITS) != _MAGIC or _crc(payload) != crc:
        return None
    return Stamp(
        counter=(payload >> _TIME_BITS) & (2**_COUNTER_BITS - 1),
        captured_ms=payload & (2**_TIME_BITS - 1),
    )


# --- reading ---------------------------------------------------------------

#: Pixel formats whose first plane is 8-bit luma.
_LUMA_FIRST: Final = frozenset(
    {
        "yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p",
        "yuv440p", "yuvj440p", "yuv411p", "yuv410p", "nv12", "nv21", "nv16",
        "nv24", "gray", "yuva420p", "yuva444p",
    }
)  # fmt: skip
#: Packed 8-bit RGB formats and their bytes per pixel.
_PACKED_RGB: Final = {
    "rgb24": 3, "bgr24": 3, "rgba": 4, "bgra": 4, "argb": 4, "abgr": 4,
    "rgb0": 4, "bgr0": 4, "0rgb": 4, "0bgr": 4,
}  # fmt: skip


def _frame_pixels(frame: Any) -> npt.NDArray[np.uint8]:
    """A zero-copy view of a VideoFrame's pixels: 2-D luma, or 3-D packed RGB."""
    name = frame.format.name
    plane = frame.planes[0]
    height = frame.height
    if name in _LUMA_FIRST:
        raw = np.frombuffer(plane, dtype=np.uint8)
        return raw.reshape(height, plane.line_size)[:, : frame.width]
    bpp = _PACKED_RGB.get(name)
    if bpp is not None:
        raw = np.frombuffer(plane, dtype=np.uint8)
        rows = raw.reshape(height, plane.line_size)[:, : frame.width * bpp]
        return rows.reshape(height, frame.width, bpp)
    # Anything unusual (10-bit, paletted...): let libswscale make it gray.
    gray: npt.NDArray[np.uint8] = frame.to_ndarray(format="gray")
    return gray


def _luma_at(
    pixels: npt.NDArray[np.uint8], ys: npt.NDArray[np.intp], xs: npt.NDArray[np.intp]
) -> npt.NDArray[np.float64]:
    if pixels.ndim == 2:
        luma: npt.NDArray[np.float64] = pixels[ys, xs].astype(np.float64)
    else:
        # Packed colour: the stamp is neutral gray, so any colour channel carries it;
        # channel 1 is G in RGB/BGR/RGBA/BGRA and R in ARGB/ABGR — never alpha.
        luma = pixels[ys, xs, 1].astype(np.float64)
    return luma


def read_stamp(frame: Any) -> Stamp | None:
    """The stamp carried by ``frame``, or None when it cannot be read reliably.

    ``frame`` is an ``av.VideoFrame`` (8-bit YUV, gray or packed RGB; others
    are converted) or a uint8 numpy array: 2-D (gray, Y, or stacked
    yuv420p/nv12 planes) or 3-D with 3 or 4 channels (BGR, RGB, BGRA,
    RGBA, ARGB...). Raises TypeError for anything else.
    """
    if isinstance(frame, np.ndarray):
        if frame.dtype != np.uint8:
            raise TypeError(f"read_stamp needs uint8 pixels, not {frame.dtype}")
        if frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] in (3, 4)):
            pixels: npt.NDArray[np.uint8] = frame
        else:
            raise TypeError(f"read_stamp cannot read an array of shape {frame.shape}")
    elif isinstance(frame, av.VideoFrame):
        pixels = _frame_pixels(frame)
    else:
        raise TypeError(f"read_stamp reads VideoFrames and arrays, not {type(frame).__name__}")
    geometry = _geometry(int(pixels.shape[1]))
    if geometry is None or pixels.shape[0] < geometry.height:
        return None
    samples = _luma_at(pixels, geometry.sample_ys, geometry.sample_xs)
    levels = samples.reshape(STAMP_ROWS * STAMP_CELLS, 4).mean(axis=1)
    dark = levels <= _DARK_MAX
    light = levels >= _LIGHT_MIN
    if not np.all(dark | light):
        return None
    return _decode_cells(light.astype(np.uint8).reshape(STAMP_ROWS, STAMP_CELLS))


# --- the camera ------------------------------------------------------------


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
        geometry = _geometry(width)
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
        self._levels = np.array([_BLACK, _WHITE], dtype=np.uint8)
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


class ToneAudioTrack(MediaStreamTrack):
    """A quiet 400 Hz sine (about −30 dBFS), 48 kHz mono s16, 20 ms frames in real time."""

    kind = "audio"
    SAMPLE_RATE: Final = 48_000
    FRAME_SAMPLES: Final = 960  # 20 ms; 400 Hz fits exactly 8 periods, so one frame repeats

    def __init__(self, frequency_hz: float = 400.0, amplitude: float = 0.03) -> None:
        super().__init__()
        t = np.arange(self.FRAME_SAMPLES) / self.SAMPLE_RATE
        wave = np.round(np.sin(2 * np.pi * frequency_hz * t) * amplitude * 32767)
        self._samples = wave.astype("<i2").tobytes()
        # 5 frames (100 ms) of lag allowed before skipping: audio stutters worse than video.
        self._pacer = FramePacer(self.SAMPLE_RATE / self.FRAME_SAMPLES, max_lag_slots=5)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        index = await self._pacer.next_slot()
        if self.readyState != "live":
            raise MediaStreamError
        frame = av.AudioFrame(format="s16", layout="mono", samples=self.FRAME_SAMPLES)
        frame.planes[0].update(self._samples)
        frame.pts = index * self.FRAME_SAMPLES
        frame.sample_rate = self.SAMPLE_RATE
        frame.time_base = fractions.Fraction(1, self.SAMPLE_RATE)
        return frame


class BurstToneAudioTrack(ToneAudioTrack):
    """Tone bursts (``burst_s`` of ``frequency_hz`` every ``every_s``) for measuring delay:
    ``onsets`` keeps when each burst's first frame was made (``time.monotonic``), which,
    paced in real time, is when a microphone would have captured it."""

    def __init__(self, frequency_hz: float = 1000.0, amplitude: float = 0.3,
                 every_s: float = 0.5, burst_s: float = 0.1) -> None:
        super().__init__(frequency_hz, amplitude)
        self._every = round(every_s * self.SAMPLE_RATE / self.FRAME_SAMPLES)
        self._length = max(1, round(burst_s * self.SAMPLE_RATE / self.FRAME_SAMPLES))
        self._tone = self._samples
        self._quiet = bytes(len(self._samples))
        self.onsets: deque[float] = deque(maxlen=10_000)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        index = await self._pacer.next_slot()
        if self.readyState != "live":
            raise MediaStreamError
        phase = index % self._every
        if phase == 0:
            self.onsets.append(time.monotonic())
        frame = av.AudioFrame(format="s16", layout="mono", samples=self.FRAME_SAMPLES)
        frame.planes[0].update(self._tone if phase < self._length else self._quiet)
        frame.pts = index * self.FRAME_SAMPLES
        frame.sample_rate = self.SAMPLE_RATE
        frame.time_base = fractions.Fraction(1, self.SAMPLE_RATE)
        return frame


class TimedAudio:
    """What a party received, each frame with the moment it arrived (``time.monotonic``),
    for the last ``seconds``: when did a sound reach them."""

    def __init__(self, seconds: float = 60.0) -> None:
        self._frames: deque[tuple[float, np.ndarray[Any, Any]]] = deque(
            maxlen=max(1, int(seconds * 50)))
        self.sample_rate = 48_000

    def add(self, frame: av.AudioFrame) -> None:
        self._frames.append((time.monotonic(), mono_samples(frame)))
        self.sample_rate = frame.sample_rate

    def onsets(self, frequency_hz: float, threshold: float = 0.05,
               gap_s: float = 0.2) -> list[float]:
        """When each sound with ``frequency_hz`` in it began: the arrival of the frame it
        begins in, plus its place in that frame (the moment it could be played)."""
        found: list[float] = []
        last = -1e9
        probe_n = self.sample_rate // 200  # 5 ms
        probe = np.exp(-2j * np.pi * frequency_hz * np.arange(probe_n) / self.sample_rate)
        for arrived, samples in list(self._frames):
            for start in range(0, samples.size - probe_n + 1, probe_n):
                at = arrived + start / self.sample_rate
                if at - last < gap_s:
                    continue
                chunk = samples[start : start + probe_n]
                if 2 * abs(np.dot(chunk, probe)) / probe_n > threshold:
                    found.append(at)
                    last = at
        return found


class HeardAudio:
    """The last second or so of audio a simulated party received, to tell whose tone got
    through (each party sends a tone of its own frequency).

    Frames are kept as they came and turned into samples only when ``tone`` is asked:
    50 frames a second arrive, and most are never looked at."""

    def __init__(self, seconds: float = 1.0) -> None:
        self._frames: deque[av.AudioFrame] = deque(maxlen=max(1, int(seconds * 50)))
        self.sample_rate = 48_000

    def add(self, frame: av.AudioFrame) -> None:
        self._frames.append(frame)
        self.sample_rate = frame.sample_rate

    def clear(self) -> None:
        self._frames.clear()

    @property
    def frames_kept(self) -> int:
        """How many frames are kept (50 a second)."""
        return len(self._frames)

    def tone(self, frequency_hz: float) -> float:
        """The amplitude (0–1 of full scale) of ``frequency_hz`` in what was heard lately."""
        if not self._frames:
            return 0.0
        samples = np.concatenate([mono_samples(frame) for frame in list(self._frames)])
        return tone_amplitude(samples, self.sample_rate, frequency_hz)
