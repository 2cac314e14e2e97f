"""Calls' recordings in the hub's store: resumable uploads from workstations, playback for
supervisors.

Why over the websocket and not a second HTTP endpoint: the workstation already holds an
authenticated (and, off loopback, TLS) link to the hub, the binary chunk frame with its
CRC-32 already exists, and the hub serves no HTTP request bodies; a second door would need
its own login, TLS and limits.

Upload: the agent who reported the recording (``recording_saved``) sends
``recording_upload_start`` with its size and SHA-256, which must be the reported ones.
The hub answers ``recording_upload_offset``: the bytes it already holds in
``<store>/recordings/partial/`` from an upload that broke off (a dropped link, a killed
workstation); the workstation sends the rest as ``CHUNK_RECORDING`` chunks of at most
``CHUNK_BYTES``, numbered from 0 in this upload. Each chunk is checked (CRC-32, sequence,
length) and appended at once; a bad one stops the upload with
``recording_upload_failed`` naming the offset kept, so the workstation starts again from
there. With every byte in, the whole file's SHA-256 must match (else the partial file is
dropped and the failure says offset 0); then it moves, 0600, to
``<store>/recordings/<sha[:2]>/<sha>.mp4``, its ``recording_files`` row is written once,
and the agent hears ``recording_stored``: only then does the workstation delete its copy.
An upload already stored is answered ``recording_stored`` at once.

Playback: ``fetch_recording`` (supervisors only, by ``SENDABLE_BY``) writes its audit row
first (``play_recording``; refused when it cannot be written), then sends
``recording_download`` and the file as download chunks (``MaterialDelivery.send_file``).
Retention removes stored files (``retention``).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from seat_common.personal_data.private_files import FILE_MODE, private_dir
from seat_common.protocol import (
    Chunk,
    FetchRecording,
    RecordingDownload,
    RecordingStored,
    RecordingUploadFailed,
    RecordingUploadOffset,
    RecordingUploadStart,
    UploadFailure,
)
from seat_hub.context import HubContext, Refusal
from seat_hub.materials.delivery import MaterialDelivery
from seat_hub.parties.session import Session
from seat_hub.storage.interface import MaterialIndex
from seat_hub.supervision.audit import record_read

#: Upload ids of failed uploads remembered per session, so their remaining chunks are
#: dropped quietly instead of each being answered with an error.
_FAILED_KEPT = 16


def recording_path(directory: Path, sha256: str) -> Path:
    """Where a stored recording's file lives under the recordings folder."""
    return directory / sha256[:2] / f"{sha256}.mp4"


@dataclass(eq=False)
class _Upload:
    session: Session
    start: RecordingUploadStart
    partial: Path
    file: IO[bytes] | None
    received: int
    next_seq: int = 0


class RecordingStore:
    """Uploads into and downloads out of ``directory`` (``<materials>/recordings``)."""

    def __init__(self, ctx: HubContext, records: MaterialIndex, directory: Path,
                 pool: ThreadPoolExecutor, delivery: MaterialDelivery) -> None:
        self.ctx = ctx
        self.records = records
        self.directory = directory
        self.partial_dir = directory / "partial"
        self._pool = pool
        self._delivery = delivery
        self._uploads: dict[tuple[str, int], _Upload] = {}
        self._failed: dict[str, list[int]] = {}

    def prepare(self) -> None:
        """Create the folders, owner only (blocking). Partial files stay: uploads resume."""
        private_dir(self.partial_dir)

    def partial_of(self, work_order_id: str) -> Path:
        # Hashed: a work order id is the hub's, but a file name should not depend on that.
        name = hashlib.sha256(work_order_id.encode("utf-8")).hexdigest()[:32]
        return self.partial_dir / f"{name}.part"

    # --- uploads -----------------------------------------------------------------

    async def on_upload_start(self, session: Session, message: RecordingUploadStart) -> None:
        known = await self.records.recording_file(message.work_order_id)
        if known is None or known.agent_id != session.agent_id:
            self._tell_failed(session, message, "no_such_work_order",
                              "no recording of yours was reported for this work order")
            return
        if known.sha256 != message.sha256 or known.byte_size != message.byte_size:
            self._tell_failed(session, message, "bad_checksum",
                              "size or SHA-256 differ from the recording reported")
            return
        if known.purged_at:
            self._tell_failed(session, message, "no_such_work_order",
                              "the recording's retention period is over")
            return
        if known.stored_at:
            self._stored(session, message)
            return
        for key, other in list(self._uploads.items()):  # a stale link's upload: taken over
            if other.start.work_order_id == message.work_order_id:
                await self._drop(key, other)
        partial = self.partial_of(message.work_order_id)
        loop = asyncio.get_running_loop()
        file, offset = await loop.run_in_executor(
            self._pool, _open_partial, partial, message.byte_size)
        upload = _Upload(session, message, partial, file, offset)
        self._uploads[(session.session_id, message.upload_id)] = upload
        self.ctx.log.event("recording_upload", session=session.session_id,
                           work_order_id=message.work_order_id, offset=offset,
                           byte_size=message.byte_size)
        session.send(RecordingUploadOffset(upload_id=message.upload_id,
                                           work_order_id=message.work_order_id, offset=offset))
        if offset == message.byte_size:  # every byte came before; only the check is left
            await self._finish((session.session_id, message.upload_id), upload)

    async def on_chunk(self, session: Session, chunk: Chunk) -> bool:
        """Take one ``CHUNK_RECORDING`` chunk; False when it was refused or dropped."""
        key = (session.session_id, chunk.transfer_id)
        upload = self._uploads.get(key)
        if upload is None:
            if chunk.transfer_id in self._failed.get(session.session_id, ()):
                return False
            raise Refusal("bad_state", f"binary frame refused: no recording upload"
                          f" {chunk.transfer_id}")
        size = upload.start.byte_size
        problem: tuple[UploadFailure, str] | None = None
        if not chunk.crc_ok:
            problem = "bad_checksum", f"chunk {chunk.seq} does not match its CRC-32"
        elif chunk.seq != upload.next_seq:
            problem = "bad_sequence", f"chunk {chunk.seq} came, {upload.next_seq} due"
        elif upload.received + len(chunk.data) > size:
            problem = "too_large", f"more than the announced {size} bytes"
        elif not chunk.data:
            problem = "bad_sequence", f"chunk {chunk.seq} is empty"
        if problem is not None:
            await self._drop(key, upload)
            self._tell_failed(session, upload.start, *problem, offset=upload.received)
            return False
        file = upload.file
        assert file is not None
        await asyncio.get_running_loop().run_in_executor(self._pool, _append, file, chunk.data)
        upload.received += len(chunk.data)
        upload.next_seq += 1
        if upload.received == size:
            await self._finish(key, upload)
        return True

    async def _finish(self, key: tuple[str, int], upload: _Upload) -> None:
        self._uploads.pop(key, None)
        start = upload.start
        loop = asyncio.get_running_loop()
        file, upload.file = upload.file, None
        if file is not None:
            await loop.run_in_executor(self._pool, file.close)
        digest = await loop.run_in_executor(self._pool, _sha256_of, upload.partial)
        if digest != start.sha256:
            await loop.run_in_executor(self._pool, upload.partial.unlink)
            self._tell_failed(upload.session, start, "bad_checksum",
                              "the file's SHA-256 does not match: send it again from 0")
            return
        target = recording_path(self.directory, start.sha256)
        await loop.run_in_executor(self._pool, _move_private, upload.partial, target)
        await self.records.add_recording_file(start.work_order_id, self.ctx.clock())
        self.ctx.log.event("recording_stored", work_order_id=start.work_order_id,
                           byte_size=start.byte_size)
        self._stored(upload.session, start)

    def _stored(self, session: Session, start: RecordingUploadStart) -> None:
        session.send(RecordingStored(work_order_id=start.work_order_id,
                                     byte_size=start.byte_size, sha256=start.sha256))

    async def _drop(self, key: tuple[str, int], upload: _Upload) -> None:
        """Forget an upload (its partial file stays for the next one to resume)."""
        self._uploads.pop(key, None)
        failed = self._failed.setdefault(key[0], [])
        failed.append(key[1])
        del failed[:-_FAILED_KEPT]
        file, upload.file = upload.file, None
        if file is not None:
            await asyncio.get_running_loop().run_in_executor(self._pool, file.close)

    def _tell_failed(self, session: Session, start: RecordingUploadStart,
                     reason: UploadFailure, message: str, offset: int = 0) -> None:
        self.ctx.log.event("recording_upload_failed", session=session.session_id,
                           work_order_id=start.work_order_id, reason=reason, message=message,
                           offset=offset)
        session.send(RecordingUploadFailed(
            upload_id=start.upload_id, work_order_id=start.work_order_id, reason=reason,
            message=message[:500], offset=offset))

    def session_gone(self, session: Session) -> None:
        """Close a gone session's files; what they hold is kept for a resumed upload."""
        self._failed.pop(session.session_id, None)
        for key, upload in list(self._uploads.items()):
            if key[0] == session.session_id:
                del self._uploads[key]
                file, upload.file = upload.file, None
                if file is not None:
                    self._pool.submit(file.close)

    # --- playback ------------------------------------------------------------------

    async def on_fetch(self, session: Session, message: FetchRecording) -> None:
        known = await self.records.recording_file(message.work_order_id)
        if known is None:
            raise Refusal("no_such_work_order", "this work order has no recording",
                          "work_order_id")
        if known.purged_at:
            raise Refusal("no_such_work_order", "the recording was removed: its retention"
                          " period is over", "work_order_id")
        if not known.stored_at:
            raise Refusal("bad_state", "the recording has not reached the hub yet (it is"
                          " still on the agent's workstation)", "work_order_id")
        self._delivery.check_room(session, message.download_id)
        await record_read(self.ctx, session, "play_recording", message.work_order_id,
                          f"recording of agent {known.agent_id}, {known.duration_s:.0f} s")
        self._delivery.send_file(
            session, message.download_id,
            RecordingDownload(download_id=message.download_id,
                              work_order_id=message.work_order_id, byte_size=known.byte_size,
                              sha256=known.sha256, duration_s=min(known.duration_s, 86400.0)),
            recording_path(self.directory, known.sha256))


def _open_partial(partial: Path, byte_size: int) -> tuple[IO[bytes], int]:
    """The partial file opened for appending and the bytes it holds (every one came in a
    chunk whose CRC-32 was checked; one longer than announced starts again)."""
    fd = os.open(partial, os.O_RDWR | os.O_CREAT, FILE_MODE)
    file = os.fdopen(fd, "r+b")
    size = os.fstat(fd).st_size
    keep = size if size <= byte_size else 0
    file.truncate(keep)
    file.seek(keep)
    return file, keep


def _append(file: IO[bytes], data: bytes) -> None:
    file.write(data)
    file.flush()


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def _move_private(source: Path, target: Path) -> None:
    private_dir(target.parent)
    os.chmod(source, FILE_MODE)
    os.replace(source, target)
