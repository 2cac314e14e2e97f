"""The simulated citizen's materials: send document photos, hear back, fetch annotated images.

``CitizenMaterials`` is the part of ``SimulatedCitizen`` that speaks the
material messages: it sends the script's photos (``sandbox.documents``, on
disk once per kind and seed) one after another as ``upload_start`` plus
binary chunks, records every ``upload_progress``, ``material_added`` and
``upload_failed`` about them, records each ``pre_review_verdict``, and
fetches every image the agent sends back (``agent_annotated``), checking
each chunk's CRC and the whole file's SHA-256. Everything ends up in the
citizen's report (``uploads``, ``verdicts``, ``annotated``).
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from sandbox.documents import DocumentPhotos, PhotoSpec
from seat_common import protocol

#: The catalog material code each document kind stands for.
MATERIAL_CODES: Final[dict[str, str]] = {
    "id_front": "id_card",
    "id_back": "id_card",
    "household_register": "household_register",
    "business_licence": "business_licence",
    "bank_card": "bank_card",
    "application": "application",
}
_MAX_RECORDS: Final = 100


@dataclass
class UploadRecord:
    """One photo the citizen sent and what became of it."""

    upload_id: int
    photo: str
    filename: str
    byte_size: int
    status: str = "sending"  # sending, added, failed
    progress_updates: int = 0
    last_received: int = 0
    material_id: str = ""
    reason: str = ""
    message: str = ""
    width: int = 0
    height: int = 0
    orientation: int = 0


@dataclass
class AnnotatedRecord:
    """An image the agent sent back, as downloaded."""

    material_id: str
    filename: str
    byte_size: int
    sha256: str
    ok: bool = False
    received_bytes: int = 0
    data: bytearray = field(default_factory=bytearray, repr=False)


class CitizenMaterials:
    """Uploads and downloads on the citizen's connection (see the module doc)."""

    def __init__(
        self,
        send: Callable[[protocol.Message], Awaitable[None]],
        send_binary: Callable[[bytes], Awaitable[None]],
        *,
        photo_size: tuple[int, int] = (4000, 3000),
        cache_dir: Path | None = None,
        reply_timeout_s: float = 10.0,
    ) -> None:
        self._send = send
        self._send_binary = send_binary
        self.photo_size = photo_size
        cache = cache_dir or Path(tempfile.gettempdir()) / "seat-document-photos"
        self.photos = DocumentPhotos(cache)
        self.reply_timeout_s = reply_timeout_s
        self.uploads: list[UploadRecord] = []
        self.verdicts: list[dict[str, Any]] = []
        self.annotated: list[AnnotatedRecord] = []
        self.progress_seen_from_agent = 0
        self._by_id: dict[int, UploadRecord] = {}
        self._done: dict[int, asyncio.Event] = {}
        self._downloads: dict[int, AnnotatedRecord] = {}
        self._next_id = 0

    HANDLED = (
        protocol.UploadProgress,
        protocol.UploadFailed,
        protocol.MaterialAdded,
        protocol.MaterialDownload,
        protocol.PreReviewNotice,
    )

    async def send_photos(self, work_order_id: str, photos: tuple[str, ...]) -> None:
        """Send each photo ("kind[:defect[:seed]]"), waiting for the hub's answer to each."""
        width, height = self.photo_size
        for name in photos:
            spec = PhotoSpec.parse(name, width=width, height=height)
            path = await asyncio.to_thread(self.photos.path, spec)
            data = await asyncio.to_thread(path.read_bytes)
            await self.send_bytes(
                work_order_id, data, name, spec.filename, MATERIAL_CODES.get(spec.kind, "")
            )

    async def send_bytes(
        self, work_order_id: str, data: bytes, label: str, filename: str, material_code: str = ""
    ) -> UploadRecord:
        """Upload ``data`` as one material and wait for ``material_added`` or ``upload_failed``."""
        self._next_id += 1
        upload_id = self._next_id
        record = UploadRecord(upload_id, label, filename, len(data))
        if len(self.uploads) < _MAX_RECORDS:
            self.uploads.append(record)
        self._by_id[upload_id] = record
        done = self._done[upload_id] = asyncio.Event()
        await self._send(
            protocol.UploadStart(
                upload_id=upload_id,
                work_order_id=work_order_id,
                filename=filename,
                mime="image/png" if data[:4] == b"\x89PNG" else "image/jpeg",
                byte_size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                material_code=material_code,
            )
        )
        for frame in protocol.chunk_frames(protocol.CHUNK_UPLOAD, upload_id, data):
            if done.is_set():
                break  # refused: stop sending
            await self._send_binary(frame)
        try:
            await asyncio.wait_for(done.wait(), self.reply_timeout_s)
        except TimeoutError:
            record.status = "failed"
            record.reason = "no_answer"
        return record

    async def on_message(self, message: protocol.Message) -> None:
        match message:
            case protocol.UploadProgress():
                record = self._mine(message.upload_id, message.uploader_role)
                if record is not None:
                    record.progress_updates += 1
                    record.last_received = message.received_bytes
                elif message.uploader_role == "agent":
                    self.progress_seen_from_agent += 1
            case protocol.UploadFailed():
                record = self._mine(message.upload_id, message.uploader_role)
                if record is not None:
                    record.status, record.reason = "failed", message.reason
                    record.message = message.message
                    self._done[record.upload_id].set()
            case protocol.MaterialAdded(upload_id=0):
                if message.material.source == "agent_annotated":
                    await self._fetch(message.material)
            case protocol.MaterialAdded():
                record = self._by_id.get(message.upload_id)
                if record is not None:
                    info = message.material
                    record.status, record.material_id = "added", info.material_id
                    record.width, record.height = info.width, info.height
                    record.orientation = info.orientation
                    self._done[record.upload_id].set()
            case protocol.MaterialDownload():
                pass  # announced by material_added; the chunks follow
            case protocol.PreReviewNotice():
                if len(self.verdicts) < _MAX_RECORDS:
                    self.verdicts.append(protocol.to_wire(message))

    def on_binary(self, frame: bytes) -> None:
        try:
            chunk = protocol.unpack_chunk(frame)
        except protocol.ProtocolError:
            return
        record = self._downloads.get(chunk.transfer_id)
        if record is None or chunk.kind != protocol.CHUNK_DOWNLOAD or not chunk.crc_ok:
            return
        if record.received_bytes + len(chunk.data) > record.byte_size:
            del self._downloads[chunk.transfer_id]
            return
        record.data += chunk.data
        record.received_bytes += len(chunk.data)
        if record.received_bytes == record.byte_size:
            record.ok = hashlib.sha256(record.data).hexdigest() == record.sha256
            record.data = bytearray()
            del self._downloads[chunk.transfer_id]

    async def _fetch(self, info: protocol.MaterialInfo) -> None:
        if len(self.annotated) >= _MAX_RECORDS:
            return
        self._next_id += 1
        record = AnnotatedRecord(info.material_id, info.filename, info.byte_size, info.sha256)
        self.annotated.append(record)
        self._downloads[self._next_id] = record
        await self._send(
            protocol.FetchMaterial(material_id=info.material_id, download_id=self._next_id)
        )

    def _mine(self, upload_id: int, role: str) -> UploadRecord | None:
        return self._by_id.get(upload_id) if role in ("citizen", "kiosk") else None

    def report(self) -> dict[str, Any]:
        """JSON-ready records for the citizen's report."""
        return {
            "uploads": [vars(r).copy() for r in self.uploads],
            "verdicts": list(self.verdicts),
            "annotated": [
                {k: v for k, v in vars(r).items() if k != "data"} for r in self.annotated
            ],
            "agent_upload_progress": self.progress_seen_from_agent,
        }
