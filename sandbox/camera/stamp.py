"""The STAMP a synthetic camera writes into every frame, and ``read_stamp`` that reads it back.

A stamp is the frame counter and the wall clock time of capture, as three rows of 40 big
black/white blocks in the luma plane at the top of the frame. The blocks are
``width / 40`` pixels square (16 px at 640, 32 px at 1280, aligned with codec macroblocks
at the usual sizes), which survives VP8 and H.264 at the ~0.5 Mbit/s aiortc sends.
``read_stamp`` reads it from a decoded ``av.VideoFrame`` or from a numpy array in any
layout a receiver is likely to hold (Y/gray, yuv420p/nv12 stacked planes, BGR, RGB, BGRA,
RGBA, ARGB), by sampling 2×2 pixels at each block centre: about 20 µs at 720p. Because
both peers on one machine share the wall clock, ``receive time − Stamp.captured_ms`` is
the glass-to-glass latency of a frame, and the counter shows frames lost or reordered.

Stamp layout (each cell one block; 1 = white, 0 = black)::

    row r:  1 0 | 36 data cells | 0 1        (r = 0, 1, 2: 108 data cells)
    data:   magic (12 bits) | counter (32) | captured_ms (48) | CRC-16 (16)

A read is refused (``None``) when any block is neither clearly dark nor clearly light,
when a guard cell is wrong, when the magic differs, or when the CRC fails: a blank,
cropped, scaled-wrong or badly damaged frame gives ``None`` instead of a wrong stamp (a
random 96-bit pattern passes the checks with odds under 2**-28).

``StampGeometry`` (``stamp_geometry``) is where the blocks are at a given width, and
``BLACK_LUMA``/``WHITE_LUMA`` their levels: the camera (``pattern``) paints with them.
"""

from __future__ import annotations

import binascii
import functools
import time
from dataclasses import dataclass
from typing import Any, Final

import av
import numpy as np
import numpy.typing as npt

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
BLACK_LUMA: Final = 16
WHITE_LUMA: Final = 235
#: A sampled block must be below/above these to count as a 0/1 (in Y or in RGB terms).
_DARK_MAX: Final = 80
_LIGHT_MIN: Final = 176
#: Smallest frame the stamp fits in with blocks big enough to survive a codec.
MIN_WIDTH: Final = 160


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
class StampGeometry:
    """Where the stamp's blocks are in a frame of a given width."""

    cell: int  # block height in pixels (its width is edges[i+1] - edges[i])
    edges: tuple[int, ...]  # STAMP_CELLS + 1 x positions
    sample_ys: npt.NDArray[np.intp]  # 4 samples per cell, row-major over (row, cell)
    sample_xs: npt.NDArray[np.intp]

    @property
    def height(self) -> int:
        return self.cell * STAMP_ROWS


@functools.lru_cache(maxsize=8)
def stamp_geometry(width: int) -> StampGeometry | None:
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
    return StampGeometry(
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
    geometry = stamp_geometry(int(pixels.shape[1]))
    if geometry is None or pixels.shape[0] < geometry.height:
        return None
    samples = _luma_at(pixels, geometry.sample_ys, geometry.sample_xs)
    levels = samples.reshape(STAMP_ROWS * STAMP_CELLS, 4).mean(axis=1)
    dark = levels <= _DARK_MAX
    light = levels >= _LIGHT_MIN
    if not np.all(dark | light):
        return None
    return _decode_cells(light.astype(np.uint8).reshape(STAMP_ROWS, STAMP_CELLS))
