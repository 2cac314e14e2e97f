"""Messages that carry evidence of a call to the hub: its recording (to the hub's store and
back out to supervisors) and the remote-assist trail (into the hub's audit log).

After ``recording_saved`` is acknowledged the agent's workstation uploads the MP4:
``recording_upload_start`` (its size and SHA-256, as reported), the hub answers
``recording_upload_offset`` (how many bytes it already holds: 0, or where an upload that
broke off stopped), the workstation sends the rest as binary chunks of kind
``CHUNK_RECORDING`` (this ``upload_id``, sequence from 0, at most ``CHUNK_BYTES`` each),
and the hub answers
``recording_stored`` once every byte is in and the file's SHA-256 matches, or
``recording_upload_failed`` with the offset it keeps. A supervisor plays a stored
recording with ``fetch_recording``: ``recording_download`` and ``CHUNK_DOWNLOAD`` chunks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Final, Literal

from seat_common.protocol.assist import SHA256_HEX
from seat_common.protocol.codec import TextPattern
from seat_common.protocol.terms import ID_TEXT, MAX_TRANSFER_ID, UploadFailure

#: Largest recording the hub takes (16 GiB: hours of video at the recorder's bit rate).
MAX_RECORDING_BYTES: Final = 2**34
_SHA256 = {"min_len": 64, "max_len": 64, "pattern": SHA256_HEX}


@dataclass(frozen=True, slots=True)
class RecordingUploadStart:
    """Agent → hub: I hold this work order's recording (as reported in ``recording_saved``);
    where shall I start?"""

    TYPE: ClassVar[str] = "recording_upload_start"
    upload_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})
    work_order_id: str = field(metadata=ID_TEXT)
    byte_size: int = field(metadata={"min": 1, "max": MAX_RECORDING_BYTES})
    sha256: str = field(metadata=_SHA256)


@dataclass(frozen=True, slots=True)
class RecordingUploadOffset:
    """Hub → agent: send the file from byte ``offset`` to the end."""

    TYPE: ClassVar[str] = "recording_upload_offset"
    upload_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})
    work_order_id: str = field(metadata=ID_TEXT)
    offset: int = field(metadata={"min": 0, "max": MAX_RECORDING_BYTES})


@dataclass(frozen=True, slots=True)
class RecordingUploadFailed:
    """Hub → agent: the upload stopped; the hub keeps ``offset`` bytes (0 after a SHA-256
    mismatch: the whole file again) and the agent may start again."""

    TYPE: ClassVar[str] = "recording_upload_failed"
    upload_id: int = field(metadata={"min": 0, "max": MAX_TRANSFER_ID})
    work_order_id: str = field(metadata=ID_TEXT)
    reason: UploadFailure
    message: str = field(metadata={"max_len": 500})
    offset: int = field(default=0, metadata={"min": 0, "max": MAX_RECORDING_BYTES})


@dataclass(frozen=True, slots=True)
class RecordingStored:
    """Hub → agent: the recording is in the hub's store, every byte checked against
    ``sha256``; the workstation may delete its copy."""

    TYPE: ClassVar[str] = "recording_stored"
    work_order_id: str = field(metadata=ID_TEXT)
    byte_size: int = field(metadata={"min": 1, "max": MAX_RECORDING_BYTES})
    sha256: str = field(metadata=_SHA256)


@dataclass(frozen=True, slots=True)
class FetchRecording:
    """Supervisor → hub: send me this work order's recording (under my ``download_id``)."""

    TYPE: ClassVar[str] = "fetch_recording"
    work_order_id: str = field(metadata=ID_TEXT)
    download_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})


@dataclass(frozen=True, slots=True)
class RecordingDownload:
    """Hub → supervisor: the recording follows as binary chunks (kind ``CHUNK_DOWNLOAD``,
    this ``download_id``, sequence from 0) until ``byte_size`` bytes; check ``sha256``."""

    TYPE: ClassVar[str] = "recording_download"
    download_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})
    work_order_id: str = field(metadata=ID_TEXT)
    byte_size: int = field(metadata={"min": 1, "max": MAX_RECORDING_BYTES})
    sha256: str = field(metadata=_SHA256)
    duration_s: float = field(default=0.0, metadata={"min": 0, "max": 86400})



#: What a remote-assist trail entry records (``seat_client.assist.audit``).
AssistTrailEvent = Literal[
    "requested", "granted", "denied", "stopped", "ended", "input_refused", "print_pushed",
    "print_result", "id_card_read", "face_scanned",
]
_ENTRY_ID = TextPattern(r"[0-9a-f]{32}", "32 lower-case hex digits")


@dataclass(frozen=True, slots=True)
class AssistTrail:
    """Agent → hub: one entry of the remote-assist trail (operating a kiosk for the
    citizen), sent as it happens and again until the hub answers ``assist_trail_saved``;
    ``entry_id`` makes a resent entry a no-op. ID numbers in ``detail`` are masked."""

    TYPE: ClassVar[str] = "assist_trail"
    entry_id: str = field(metadata={"min_len": 32, "max_len": 32, "pattern": _ENTRY_ID})
    at: float = field(metadata={"min": 0})
    event: AssistTrailEvent
    control_session: str = field(metadata={"max_len": 64})
    call_id: str = field(metadata={"max_len": 64})
    work_order_id: str = field(metadata={"max_len": 64})
    by: str = field(default="", metadata={"max_len": 64})
    detail: str = field(default="", metadata={"max_len": 500})


@dataclass(frozen=True, slots=True)
class AssistTrailSaved:
    """Hub → agent: the trail entry is in the hub's audit log (or was already)."""

    TYPE: ClassVar[str] = "assist_trail_saved"
    entry_id: str = field(metadata={"min_len": 32, "max_len": 32, "pattern": _ENTRY_ID})
