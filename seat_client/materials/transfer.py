"""Materials between the workstation and the hub: receive, upload, capture, send the verdict.

``MaterialTransfer`` subscribes to a ``HubLink``. When the hub says
``material_added`` for a file the citizen uploaded, it fetches the file
(``fetch_material``, then binary chunks, each CRC-checked, the whole
SHA-256-checked), stores it in the local ``MaterialCache`` and emits a
``MaterialRef``. The agent's own materials (video stills, document-camera
images, annotated PNGs) go up with the same chunked upload as the
citizen's and come back as ``MaterialRef`` too. ``send_verdict`` sends the
pre-review verdict and waits for the hub's ``ack``.

Events:
- ``material_received`` (``MaterialRef``): a material of a work order is in the local cache
- ``upload_progress`` (``TransferProgress``): bytes of an upload so far (ours or the citizen's)
- ``transfer_failed`` (``TransferFailure``): an upload or download failed (nothing was stored)
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from seat_client.call.hub_link import HubLink
from seat_client.materials.cache import MaterialCache
from seat_client.materials.values import MaterialRef, MaterialSource, PreReviewVerdict
from seat_common import protocol
from seat_common.events import Event
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)


class MaterialTransferError(RuntimeError):
    """An upload, download or verdict did not go through; ``reason`` says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class TransferProgress:
    """How far one upload is; ``uploader_role`` "agent" is ours."""

    work_order_id: str
    filename: str
    upload_id: int
    received_bytes: int
    byte_size: int
    uploader_role: str

    @property
    def fraction(self) -> float:
        return 1.0 if self.byte_size == 0 else self.received_bytes / self.byte_size


@dataclass(frozen=True, slots=True)
class TransferFailure:
    """An upload (ours or the citizen's) or a download that failed."""

    direction: Literal["upload", "download"]
    work_order_id: str
    filename: str
    reason: str
    message: str
    uploader_role: str = ""


@dataclass(eq=False)
class _Download:
    future: asyncio.Future[MaterialRef]
    info: protocol.MaterialInfo | None = None
    data: bytearray = field(default_factory=bytearray)
    next_seq: int = 0
    failed: bool = False


class MaterialTransfer:
    """The workstation's side of material transfers over one ``HubLink``."""

    def __init__(
        self,
        link: HubLink,
        cache: MaterialCache,
        *,
        auto_fetch: bool = True,
        reply_timeout_s: float = 30.0,
        max_download_bytes: int = 32 * 1024 * 1024,
        clock: Callable[[], float] = time.time,
        tasks: TaskOwner | None = None,
    ) -> None:
        self.link = link
        self.cache = cache
        self.auto_fetch = auto_fetch
        self.reply_timeout_s = reply_timeout_s
        #: A download is held in memory until its SHA-256 is checked: this bounds it.
        self.max_download_bytes = max_download_bytes
        self._clock = clock
        self.material_received: Event[MaterialRef] = Event()
        self.upload_progress: Event[TransferProgress] = Event()
        self.transfer_failed: Event[TransferFailure] = Event()
        self._ids = itertools.count(1)
        self._uploads: dict[int, asyncio.Future[protocol.MaterialInfo]] = {}
        self._downloads: dict[int, _Download] = {}
        self._verdicts: dict[str, asyncio.Future[None]] = {}
        self._tasks = tasks or TaskOwner("material transfer")
        self._unsubscribe: list[Callable[[], None]] = []

    def attach(self) -> None:
        """Start listening to the hub link (call once, on the event loop)."""
        self._unsubscribe = [
            self.link.message.connect(self._on_message),
            self.link.binary.connect(self._on_binary),
        ]

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        await self._tasks.close()
        closed = MaterialTransferError("closed", "the material transfer was closed")
        for upload in self._uploads.values():
            if not upload.done():
                upload.set_exception(closed)
        for verdict in self._verdicts.values():
            if not verdict.done():
                verdict.set_exception(closed)
        for download in self._downloads.values():
            if not download.future.done():
                download.future.set_exception(closed)

    # --- what the agent does -------------------------------------------------------

    async def upload_bytes(
        self,
        work_order_id: str,
        data: bytes,
        *,
        filename: str,
        mime: protocol.ImageMime,
        source: MaterialSource,
        material_code: str = "",
    ) -> MaterialRef:
        """Upload an image to the hub for ``work_order_id``; its ``MaterialRef`` once stored."""
        path, sha = await asyncio.to_thread(self.cache.put_bytes, data, mime)
        upload_id = next(self._ids)
        future: asyncio.Future[protocol.MaterialInfo] = asyncio.get_running_loop().create_future()
        self._uploads[upload_id] = future
        try:
            await self.link.send(
                protocol.UploadStart(
                    upload_id=upload_id,
                    work_order_id=work_order_id,
                    filename=filename[:200],
                    mime=mime,
                    byte_size=len(data),
                    sha256=sha,
                    source=source,
                    material_code=material_code,
                )
            )
            for frame in protocol.chunk_frames(protocol.CHUNK_UPLOAD, upload_id, data):
                if future.done():
                    break  # refused half way: stop sending
                await self.link.send_binary(frame)
            info = await asyncio.wait_for(future, self.reply_timeout_s)
        finally:
            self._uploads.pop(upload_id, None)
        ref = self._ref(info, path)
        self.material_received.emit(ref)
        return ref

    async def upload_file(
        self, work_order_id: str, path: Path, *, source: MaterialSource, material_code: str = ""
    ) -> MaterialRef:
        """Upload an image file (e.g. from the document camera)."""
        data = await asyncio.to_thread(path.read_bytes)
        mime: protocol.ImageMime = "image/png" if data[:4] == b"\x89PNG" else "image/jpeg"
        return await self.upload_bytes(
            work_order_id,
            data,
            filename=path.name,
            mime=mime,
            source=source,
            material_code=material_code,
        )

    async def capture_still(
        self, work_order_id: str, frame: Any, *, image_format: Literal["JPEG", "PNG"] = "JPEG",
        name: str = "video-still",
    ) -> MaterialRef:
        """Turn a video frame into a material of the work order (stored at the hub).

        ``frame`` is an ``av.VideoFrame``, typically
        ``call.session.frames.newest().frame`` of the current call (or ``screen_frames``,
        the citizen's shared screen, named ``screen-still``); the file is ``<name>-<time>``.
        """
        data = await asyncio.to_thread(encode_still, frame, image_format)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self._clock()))
        ext = "jpg" if image_format == "JPEG" else "png"
        return await self.upload_bytes(
            work_order_id,
            data,
            filename=f"{name}-{stamp}.{ext}",
            mime="image/jpeg" if image_format == "JPEG" else "image/png",
            source="video_still",
        )

    async def send_annotated(
        self, work_order_id: str, png: bytes, *, filename: str, material_code: str = ""
    ) -> MaterialRef:
        """Upload an annotated image (PNG) for the citizen to see."""
        return await self.upload_bytes(
            work_order_id,
            png,
            filename=filename,
            mime="image/png",
            source="agent_annotated",
            material_code=material_code,
        )

    async def send_verdict(self, verdict: PreReviewVerdict) -> None:
        """Send the pre-review verdict; returns once the hub stored and relayed it."""
        entries = tuple(
            protocol.VerdictEntry(
                material_code=v.material_code,
                status=v.status,
                reason_code=v.reason_code[:64],
                note=v.note[:500],
                material_ids=v.material_ids,
            )
            for v in verdict.verdicts
        )
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._verdicts[verdict.work_order_id] = future
        try:
            await self.link.send(
                protocol.ReviewVerdict(
                    work_order_id=verdict.work_order_id,
                    item_code=verdict.item_code,
                    entries=entries,
                )
            )
            await asyncio.wait_for(future, self.reply_timeout_s)
        finally:
            if self._verdicts.get(verdict.work_order_id) is future:
                del self._verdicts[verdict.work_order_id]

    async def fetch(self, material_id: str) -> MaterialRef:
        """Download a material of one of our work orders into the cache."""
        return await self._download(
            lambda download_id: protocol.FetchMaterial(material_id=material_id,
                                                       download_id=download_id))

    async def fetch_booked(self, booking_no: str, sha256: str) -> MaterialRef:
        """Download the pre-reviewed photo ``sha256`` an appointment links (the hub checks
        that this seat is in the appointment's hall); ``MaterialTransferError`` with the
        hub's reason (``not_allowed``: another hall's appointment) and message if not."""
        return await self._download(
            lambda download_id: protocol.FetchBookedMaterial(
                booking_no=booking_no, sha256=sha256, download_id=download_id))

    async def _download(self, ask: Callable[[int], protocol.Message]) -> MaterialRef:
        download_id = next(self._ids)
        download = _Download(asyncio.get_running_loop().create_future())
        self._downloads[download_id] = download
        try:
            await self.link.send(ask(download_id))
            return await asyncio.wait_for(download.future, self.reply_timeout_s)
        finally:
            self._downloads.pop(download_id, None)

    # --- what the hub says -------------------------------------------------------

    def _on_message(self, message: protocol.Message) -> None:
        match message:
            case protocol.UploadProgress():
                self.upload_progress.emit(
                    TransferProgress(
                        message.work_order_id,
                        message.filename,
                        message.upload_id,
                        message.received_bytes,
                        message.byte_size,
                        message.uploader_role,
                    )
                )
            case protocol.UploadFailed():
                self._on_upload_failed(message)
            case protocol.MaterialAdded():
                self._on_material_added(message)
            case protocol.MaterialDownload():
                download = self._downloads.get(message.download_id)
                if download is not None and download.info is None:
                    download.info = message.material
                    if message.material.byte_size > self.max_download_bytes:
                        self._fail_download(download, "too_large", "the material is too large")
            case protocol.Ack(of="review_verdict"):
                future = self._verdicts.get(message.work_order_id)
                if future is not None and not future.done():
                    future.set_result(None)
            case protocol.Error(of="review_verdict"):
                for future in self._verdicts.values():
                    if not future.done():
                        future.set_exception(MaterialTransferError(message.code, message.message))
            case protocol.Error(of="fetch_material" | "fetch_booked_material"):
                self._fail_download(None, message.code, message.message)
            case _:
                pass

    def _on_upload_failed(self, message: protocol.UploadFailed) -> None:
        self.transfer_failed.emit(
            TransferFailure(
                "upload",
                message.work_order_id,
                message.filename,
                message.reason,
                message.message,
                message.uploader_role,
            )
        )
        if message.uploader_role == "agent":
            future = self._uploads.get(message.upload_id)
            if future is not None and not future.done():
                future.set_exception(MaterialTransferError(message.reason, message.message))

    def _on_material_added(self, message: protocol.MaterialAdded) -> None:
        if message.upload_id:
            future = self._uploads.get(message.upload_id)
            if future is not None and not future.done():
                future.set_result(message.material)
            return
        if self.auto_fetch:
            self._spawn(self._fetch_quietly(message.material.material_id), "fetch a material")

    async def _fetch_quietly(self, material_id: str) -> None:
        try:
            ref = await self.fetch(material_id)
        except (MaterialTransferError, TimeoutError, OSError) as exc:
            log.warning("could not fetch material %s: %s", material_id, exc)
            return
        self.material_received.emit(ref)

    def _on_binary(self, frame: bytes) -> None:
        try:
            chunk = protocol.unpack_chunk(frame)
        except protocol.ProtocolError as exc:
            log.warning("hub sent a bad binary frame: %s", exc)
            return
        download = self._downloads.get(chunk.transfer_id)
        if (
            chunk.kind != protocol.CHUNK_DOWNLOAD
            or download is None
            or download.info is None
            or download.failed
        ):
            return  # not ours, or a download we gave up on
        info = download.info
        if not chunk.crc_ok or chunk.seq != download.next_seq:
            self._fail_download(download, "bad_checksum", f"chunk {chunk.seq} is corrupt")
            return
        if len(download.data) + len(chunk.data) > info.byte_size:
            self._fail_download(download, "too_large", "more bytes than the material has")
            return
        download.data += chunk.data
        download.next_seq += 1
        if len(download.data) == info.byte_size:
            self._spawn(self._store_download(download, info), "store a download")

    async def _store_download(self, download: _Download, info: protocol.MaterialInfo) -> None:
        data = bytes(download.data)
        download.data = bytearray()
        if hashlib.sha256(data).hexdigest() != info.sha256:
            self._fail_download(download, "bad_checksum", "the file's SHA-256 does not match")
            return
        path, _ = await asyncio.to_thread(self.cache.put_bytes, data, info.mime)
        if not download.future.done():
            download.future.set_result(self._ref(info, path))

    def _fail_download(self, download: _Download | None, reason: str, message: str) -> None:
        if download is None:
            pending = [d for d in self._downloads.values() if d.info is None]
            if not pending:
                return
            download = pending[0]
        if download.failed:
            return
        download.failed = True
        download.data = bytearray()
        info = download.info
        self.transfer_failed.emit(
            TransferFailure(
                "download",
                info.work_order_id if info else "",
                info.filename if info else "",
                reason,
                message,
            )
        )
        if not download.future.done():
            download.future.set_exception(MaterialTransferError(reason, message))

    def _ref(self, info: protocol.MaterialInfo, path: Path) -> MaterialRef:
        return MaterialRef(
            material_id=info.material_id,
            work_order_id=info.work_order_id,
            path=path,
            sha256=info.sha256,
            mime=info.mime,
            width=info.width,
            height=info.height,
            byte_size=info.byte_size,
            filename=info.filename,
            source=info.source,
            received_at=self._clock(),
            material_code=info.material_code,
            orientation=info.orientation,
        )

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        # Logged, not shown: a failed transfer is told through ``transfer_failed``.
        self._tasks.spawn(coro, name, report=False)


def encode_still(frame: Any, image_format: Literal["JPEG", "PNG"] = "JPEG") -> bytes:
    """Encode a video frame (``av.VideoFrame`` or anything with ``to_image()``) (blocking)."""
    image = frame.to_image().convert("RGB")
    out = io.BytesIO()
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=92)
    else:
        image.save(out, "PNG")
    return out.getvalue()
