"""Binary frames: material files travel in chunks with a 20-byte header (``CHUNK_HEADER``)
and a CRC-32 each; ``pack_chunk`` / ``unpack_chunk`` / ``chunk_frames``."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Final

from seat_common.protocol.terms import (
    ProtocolError,
)

#: Chunk header: magic "SM", version 1, kind, transfer id, sequence, data length,
#: CRC-32 of the data; all big-endian; then the data.
CHUNK_HEADER: Final = struct.Struct(">2sBBIIII")
CHUNK_MAGIC: Final = b"SM"
CHUNK_VERSION: Final = 1
#: Chunk kinds: client → hub upload data, hub → client download data.
CHUNK_UPLOAD: Final = 1
CHUNK_DOWNLOAD: Final = 2
#: A call's recording, workstation → hub (``recording_upload_start``).
CHUNK_RECORDING: Final = 3
_KINDS: Final = (CHUNK_UPLOAD, CHUNK_DOWNLOAD, CHUNK_RECORDING)
#: Most data bytes in one chunk (senders use exactly this, except the last chunk).
CHUNK_BYTES: Final = 256 * 1024


@dataclass(frozen=True, slots=True)
class Chunk:
    """One binary frame of a material transfer. ``crc_ok`` says the data matches its CRC."""

    kind: int
    transfer_id: int
    seq: int
    data: bytes
    crc_ok: bool


def pack_chunk(kind: int, transfer_id: int, seq: int, data: bytes) -> bytes:
    """The binary frame for one chunk of ``data``."""
    if kind not in _KINDS:
        raise ValueError(f"unknown chunk kind {kind}")
    if len(data) > CHUNK_BYTES:
        raise ValueError(f"chunk over {CHUNK_BYTES} bytes")
    header = CHUNK_HEADER.pack(
        CHUNK_MAGIC, CHUNK_VERSION, kind, transfer_id, seq, len(data), zlib.crc32(data)
    )
    return header + data


def unpack_chunk(frame: bytes) -> Chunk:
    """Check a binary frame's header and return the chunk.

    A wrong magic, version, kind or length raises ``ProtocolError``; a wrong CRC
    does not (the chunk names its transfer, so the receiver can fail that transfer).
    """
    if len(frame) < CHUNK_HEADER.size:
        raise ProtocolError("bad_message", "binary frame shorter than a chunk header")
    magic, version, kind, transfer_id, seq, length, crc = CHUNK_HEADER.unpack_from(frame)
    if magic != CHUNK_MAGIC:
        raise ProtocolError("bad_message", "binary frame is not a material chunk (bad magic)")
    if version != CHUNK_VERSION:
        raise ProtocolError("unsupported_version", f"chunk version must be {CHUNK_VERSION}")
    if kind not in _KINDS:
        raise ProtocolError("bad_message", f"unknown chunk kind {kind}")
    data = bytes(frame[CHUNK_HEADER.size :])
    if len(data) != length or length > CHUNK_BYTES:
        raise ProtocolError("bad_message", "chunk length does not match its header")
    return Chunk(kind, transfer_id, seq, data, zlib.crc32(data) == crc)


def chunk_frames(kind: int, transfer_id: int, data: bytes) -> list[bytes]:
    """All chunk frames for ``data`` (one empty chunk for empty data)."""
    pieces = [data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)] or [b""]
    return [pack_chunk(kind, transfer_id, seq, piece) for seq, piece in enumerate(pieces)]
