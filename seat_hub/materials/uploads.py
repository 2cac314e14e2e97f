"""Materials in and out of the hub: chunked uploads, checks, the store, downloads, verdicts.

An upload is ``upload_start`` then binary chunks (``protocol.pack_chunk``),
each written at once to a temp file under ``<store>/tmp`` (so memory stays
small whatever the file size) and hashed. Any chunk with a bad CRC, out of
sequence or past the announced size fails the upload; so does a stall of
``stall_timeout_s`` or the uploader leaving. When every byte is in, the
SHA-256 must match; then ``imagecheck.check_image`` runs in the thread pool;
only after every check passed is the temp file renamed (atomically) into the
content-addressed store ``<store>/<sha[:2]>/<sha>`` and its row written to
``materials``. Both parties of the work order hear ``upload_progress``, then
``material_added`` or ``upload_failed``. A failed upload's temp file is
removed; nothing half-written is ever a material.

Per connection at most ``max_concurrent_uploads`` uploads and
``max_concurrent_downloads`` downloads run at once; per work order at most
``max_work_order_bytes`` and ``max_work_order_materials``. Downloads and
verdicts are ``material_delivery``'s, calls' recordings ``recordings``'s;
``MaterialDesk`` is the hub's one entry point for all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import secrets
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from seat_common.documents.imagecheck import ImageLimits, ImageRefused, check_image
from seat_common.personal_data.pii import opaque_reference
from seat_common.personal_data.private_files import private_dir
from seat_common.protocol import (
    CHUNK_RECORDING,
    CHUNK_UPLOAD,
    BookingMade,
    FetchBookedMaterial,
    FetchMaterial,
    MaterialAdded,
    MaterialInfo,
    ProtocolError,
    ReviewVerdict,
    UploadFailed,
    UploadFailure,
    UploadProgress,
    UploadStart,
    unpack_chunk,
)
from seat_common.tasks import TaskOwner
from seat_hub.context import HubContext, Refusal
from seat_hub.materials.delivery import MaterialDelivery, other_party
from seat_hub.materials.recordings import RecordingStore
from seat_hub.parties.session import Session
from seat_hub.storage.interface import MaterialIndex

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class MaterialSettings:
    """Limits of the materials desk (from the command line)."""

    limits: ImageLimits = field(default_factory=ImageLimits)
    stall_timeout_s: float = 15.0
    max_concurrent_uploads: int = 3
    max_concurrent_downloads: int = 2
    max_work_order_bytes: int = 100 * 1024 * 1024
    max_work_order_materials: int = 60
    #: Download bytes queued for one client before the hub waits for it to read.
    download_buffer_bytes: int = 2 * 1024 * 1024


@dataclass(eq=False)
class _Upload:
    session: Session
    start: UploadStart
    other: Session | None
    tmp: Path
    file: IO[bytes] | None = None
    hasher: Any = field(default_factory=hashlib.sha256)
    received: int = 0
    next_seq: int = 0
    timer: asyncio.TimerHandle | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    done: bool = False
    finishing: bool = False

    def write(self, data: bytes) -> None:
        assert self.file is not None
        self.file.write(data)
        self.hasher.update(data)


class MaterialDesk:
    """Handles material messages and chunks for the hub (one per hub process).

    Its background work (removing a failed upload's temp file, streaming
    downloads) runs under ``tasks``, which it closes with itself."""

    def __init__(
        self,
        ctx: HubContext,
        records: MaterialIndex,
        store_dir: Path,
        settings: MaterialSettings,
        tasks: TaskOwner,
    ) -> None:
        self.ctx = ctx
        self.records = records
        self.store_dir = store_dir
        self.tmp_dir = store_dir / "tmp"
        self.settings = settings
        self._pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="materials")
        self._uploads: dict[tuple[str, int], _Upload] = {}
        self._failed: dict[str, deque[int]] = {}
        self._tasks = tasks
        self.delivery = MaterialDelivery(ctx, records, store_dir, self._pool, settings, tasks)
        #: calls' recordings, uploaded by workstations and played by supervisors
        self.recordings = RecordingStore(ctx, records, store_dir / "recordings", self._pool,
                                         self.delivery)

    def prepare(self) -> None:
        """Create the store (0700: citizens' documents) and remove temp files a previous
        run left behind (blocking)."""
        private_dir(self.store_dir)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        for leftover in self.tmp_dir.iterdir():
            leftover.unlink(missing_ok=True)
        self.recordings.prepare()

    async def close(self) -> None:
        """Cancel uploads' clean-ups and downloads, then stop the thread pool."""
        await self._tasks.close()
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def on_fetch(self, session: Session, message: FetchMaterial) -> None:
        await self.delivery.on_fetch(session, message)

    async def on_verdict(self, session: Session, message: ReviewVerdict) -> None:
        await self.delivery.on_verdict(session, message)

    async def on_booking_made(self, session: Session, message: BookingMade) -> None:
        await self.delivery.on_booking_made(session, message)

    async def on_fetch_booked(self, session: Session, message: FetchBookedMaterial) -> None:
        await self.delivery.on_fetch_booked(session, message)

    # --- uploads -----------------------------------------------------------------

    async def on_upload_start(self, session: Session, message: UploadStart) -> None:
        key = (session.session_id, message.upload_id)
        waiting = self.ctx.live.contacts.get(message.work_order_id)
        if waiting is not None and waiting.session is session:
            self._tell_failed(
                session, None, message, "not_answered",
                "the call is not answered yet: add materials once an agent has taken it",
            )
            return
        try:
            other = other_party(self.ctx, session, message.work_order_id)
        except Refusal as refusal:
            self._tell_failed(session, None, message, "no_such_work_order", refusal.message)
            return
        upload = _Upload(session, message, other, self.tmp_dir / f"{secrets.token_hex(12)}.part")
        problem = await self._admission_problem(session, message, key)
        if problem is not None:
            self._tell_failed(session, other, message, *problem)
            self._remember_failed(session, message.upload_id)
            return
        loop = asyncio.get_running_loop()
        upload.file = await loop.run_in_executor(self._pool, upload.tmp.open, "wb")
        self._uploads[key] = upload
        self._arm_timer(upload)
        self.ctx.log.event(
            "upload_started",
            session=session.session_id,
            work_order_id=message.work_order_id,
            upload_id=message.upload_id,
            byte_size=message.byte_size,
            source=message.source,
        )
        self._progress(upload)

    async def _admission_problem(
        self, session: Session, message: UploadStart, key: tuple[str, int]
    ) -> tuple[UploadFailure, str] | None:
        s = self.settings
        if key in self._uploads:
            return "bad_sequence", f"upload id {message.upload_id} is already in progress"
        if not _SHA256.match(message.sha256):
            return "bad_checksum", "sha256 must be 64 lowercase hex digits"
        if message.byte_size == 0:
            return "not_an_image", "the file is empty (0 bytes)"
        if message.byte_size > s.limits.max_bytes:
            return "too_large", f"{message.byte_size} bytes is over {s.limits.max_bytes}"
        if message.source == "citizen_upload" and session.role == "agent":
            return "bad_sequence", "an agent's upload cannot be a citizen upload"
        if message.source != "citizen_upload" and session.role != "agent":
            return "bad_sequence", f"only an agent uploads {message.source} materials"
        mine = [u for u in self._uploads.values() if u.session is session]
        if len(mine) >= s.max_concurrent_uploads:
            return "quota", f"at most {s.max_concurrent_uploads} uploads at once"
        stored = await self.records.of_work_order(message.work_order_id)
        in_flight = sum(
            u.start.byte_size
            for u in self._uploads.values()
            if u.start.work_order_id == message.work_order_id
        )
        if in_flight + sum(m.byte_size for m in stored) + message.byte_size > (
            s.max_work_order_bytes
        ):
            return "quota", f"the work order's materials would pass {s.max_work_order_bytes} bytes"
        if len(stored) >= s.max_work_order_materials:
            return "quota", f"the work order already has {len(stored)} materials"
        return None

    async def on_chunk(self, session: Session, frame: bytes) -> bool:
        """Take one chunk; False when it was dropped unread (it counts against flooding)."""
        try:
            chunk = unpack_chunk(frame)
        except ProtocolError as exc:
            raise Refusal(exc.code, f"binary frame refused: {exc.message}") from exc
        if chunk.kind == CHUNK_RECORDING:
            return await self.recordings.on_chunk(session, chunk)
        if chunk.kind != CHUNK_UPLOAD:
            raise Refusal("bad_message", "binary frame refused: clients send upload chunks only")
        upload = self._uploads.get((session.session_id, chunk.transfer_id))
        if upload is None:
            if chunk.transfer_id in self._failed.get(session.session_id, ()):
                return False  # the rest of an upload that already failed: drop quietly
            raise Refusal("bad_state", f"binary frame refused: no upload {chunk.transfer_id}")
        start = upload.start
        problem: tuple[UploadFailure, str] | None = None
        if upload.finishing:
            problem = "too_large", "more chunks than announced bytes"
        elif not chunk.crc_ok:
            problem = "bad_checksum", f"chunk {chunk.seq} does not match its CRC-32"
        elif chunk.seq != upload.next_seq:
            problem = "bad_sequence", f"chunk {chunk.seq} came, {upload.next_seq} due"
        elif upload.received + len(chunk.data) > start.byte_size:
            problem = "too_large", f"more than the announced {start.byte_size} bytes"
        if problem is not None:
            self._fail(upload, *problem)
            return False
        loop = asyncio.get_running_loop()
        async with upload.lock:
            if upload.done:
                return False
            await loop.run_in_executor(self._pool, upload.write, chunk.data)
        if _aborted(upload):
            return False
        upload.received += len(chunk.data)
        upload.next_seq += 1
        self._arm_timer(upload)
        self._progress(upload)
        if upload.received == start.byte_size:
            await self._finish(upload)
        return True

    async def _finish(self, upload: _Upload) -> None:
        upload.finishing = True
        if upload.timer is not None:
            upload.timer.cancel()
        start = upload.start
        loop = asyncio.get_running_loop()
        async with upload.lock:
            file, upload.file = upload.file, None
            if file is not None:
                await loop.run_in_executor(self._pool, file.close)
        if upload.hasher.hexdigest() != start.sha256:
            self._fail(upload, "bad_checksum", "the file's SHA-256 does not match upload_start")
            return
        try:
            facts = await loop.run_in_executor(
                self._pool, check_image, upload.tmp, self.settings.limits
            )
        except ImageRefused as refused:
            self._fail(upload, refused.reason, refused.message)
            return
        except OSError as exc:
            self._fail(upload, "internal", f"the hub could not read the file: {exc}")
            return
        dest = self.store_dir / start.sha256[:2] / start.sha256
        await loop.run_in_executor(self._pool, _place, upload.tmp, dest)
        info = MaterialInfo(
            material_id=opaque_reference("M-"),
            work_order_id=start.work_order_id,
            filename=start.filename,
            mime=facts.mime,
            byte_size=start.byte_size,
            sha256=start.sha256,
            width=facts.width,
            height=facts.height,
            orientation=facts.orientation,
            source=start.source,
            added_at=self.ctx.clock(),
            material_code=start.material_code,
        )
        uploaded_by = upload.session.agent_id or upload.session.session_id
        try:
            await self.records.add(info, uploaded_by)
        except Exception as exc:
            self._fail(upload, "internal", f"the hub could not record the material: {exc!r}")
            return
        upload.done = True
        self._uploads.pop((upload.session.session_id, start.upload_id), None)
        upload.session.send(MaterialAdded(upload_id=start.upload_id, material=info))
        if upload.other is not None:
            upload.other.send(MaterialAdded(upload_id=0, material=info))
        self.ctx.log.event(
            "material_added",
            material_id=info.material_id,
            work_order_id=info.work_order_id,
            sha256=info.sha256,
            byte_size=info.byte_size,
            width=info.width,
            height=info.height,
            orientation=info.orientation,
            source=info.source,
        )

    def _fail(self, upload: _Upload, reason: UploadFailure, message: str) -> None:
        if upload.done:
            return
        upload.done = True
        if upload.timer is not None:
            upload.timer.cancel()
        session = upload.session
        self._uploads.pop((session.session_id, upload.start.upload_id), None)
        self._remember_failed(session, upload.start.upload_id)
        self._tell_failed(session, upload.other, upload.start, reason, message)
        self._tasks.spawn(self._discard(upload), name="discard_upload")

    async def _discard(self, upload: _Upload) -> None:
        loop = asyncio.get_running_loop()
        async with upload.lock:
            file, upload.file = upload.file, None
            await loop.run_in_executor(self._pool, _remove, file, upload.tmp)

    def _tell_failed(
        self,
        session: Session,
        other: Session | None,
        start: UploadStart,
        reason: UploadFailure,
        message: str,
    ) -> None:
        assert session.role is not None
        notice = UploadFailed(
            upload_id=start.upload_id,
            work_order_id=start.work_order_id,
            filename=start.filename,
            reason=reason,
            message=message[:500],
            uploader_role=session.role,
        )
        session.send(notice)
        if other is not None:
            other.send(notice)
        self.ctx.log.event(
            "upload_failed",
            session=session.session_id,
            work_order_id=start.work_order_id,
            upload_id=start.upload_id,
            reason=reason,
            message=message[:200],
        )

    def _remember_failed(self, session: Session, upload_id: int) -> None:
        self._failed.setdefault(session.session_id, deque(maxlen=16)).append(upload_id)

    def _progress(self, upload: _Upload) -> None:
        assert upload.session.role is not None
        progress = UploadProgress(
            upload_id=upload.start.upload_id,
            work_order_id=upload.start.work_order_id,
            filename=upload.start.filename,
            received_bytes=upload.received,
            byte_size=upload.start.byte_size,
            uploader_role=upload.session.role,
        )
        upload.session.send(progress)
        if upload.other is not None:
            upload.other.send(progress)

    def _arm_timer(self, upload: _Upload) -> None:
        if upload.timer is not None:
            upload.timer.cancel()
        upload.timer = asyncio.get_running_loop().call_later(
            self.settings.stall_timeout_s,
            self._fail,
            upload,
            "timeout",
            f"no data for {self.settings.stall_timeout_s:g} s",
        )

    def session_gone(self, session: Session) -> None:
        """The connection closed: its unfinished uploads fail, its downloads stop."""
        for upload in [u for u in self._uploads.values() if u.session is session]:
            if not upload.finishing:
                self._fail(upload, "disconnected", "the uploader disconnected half way")
        self.delivery.session_gone(session)
        self.recordings.session_gone(session)
        self._failed.pop(session.session_id, None)


def _aborted(upload: _Upload) -> bool:
    """Whether the upload failed meanwhile (a stall timer or a disconnect, while awaiting)."""
    return upload.done


def _place(tmp: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():  # the same content is stored already
        tmp.unlink(missing_ok=True)
        return
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, dest)


def _remove(file: IO[bytes] | None, path: Path) -> None:
    if file is not None:
        with contextlib.suppress(OSError):
            file.close()
    path.unlink(missing_ok=True)
