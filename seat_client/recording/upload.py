"""Taking this workstation's recordings to the hub's store, resumably, then deleting them here.

A recording goes up once the hub acknowledged its report (``recording_saved``), or, for
one saved earlier, when the link comes up. ``RecordingUploader`` asks the hub where to
start (``recording_upload_start`` with the size and SHA-256 the recorder computed); the
hub answers the bytes it already holds (an upload cut off by a dropped link or a killed
workstation continues there), and the rest goes as ``CHUNK_RECORDING`` chunks, each with
its CRC-32, read from the file in a thread. The hub checks the whole file's SHA-256 and
says ``recording_stored``; only then is the local copy deleted
(``RecordingArchive.mark_uploaded``). A refusal (``recording_upload_failed``) names the
offset the hub kept: the uploader starts again from there, at most ``attempts`` times in
a row, then waits ``retry_after_s`` (or the next login). Uploads run one at a time, so a
call's media is never starved by them.

Events: ``uploaded`` (work order id, once the local copy is gone), ``upload_failed``
(work order id, the hub's message), ``offset_given`` (work order id, the offset the hub
said it holds: how much of a broken-off upload was kept).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from pathlib import Path
from typing import IO

from seat_client.call.hub_link import HubLink, LinkState, NotConnectedError
from seat_client.recording.archive import ArchivedRecording, RecordingArchive
from seat_common import protocol
from seat_common.events import Event
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)

_Answer = (protocol.RecordingUploadOffset | protocol.RecordingStored
           | protocol.RecordingUploadFailed | protocol.Error)


class UploadRefused(Exception):
    """The hub stopped an upload; the message says why."""


class RecordingUploader:
    """Uploads ``archive``'s recordings over ``link``."""

    def __init__(
        self,
        link: HubLink,
        archive: RecordingArchive,
        *,
        tasks: TaskOwner | None = None,
        chunk_bytes: int = protocol.CHUNK_BYTES,
        attempts: int = 3,
        retry_after_s: float = 300.0,
        answer_timeout_s: float = 120.0,
    ) -> None:
        if not 1 <= chunk_bytes <= protocol.CHUNK_BYTES:
            raise ValueError(f"chunk_bytes must be 1..{protocol.CHUNK_BYTES}")
        self._link = link
        self.archive = archive
        self._tasks = tasks or TaskOwner("recording upload")
        self._chunk_bytes = chunk_bytes
        self._attempts = attempts
        self._retry_after_s = retry_after_s
        self._answer_timeout_s = answer_timeout_s
        self._ids = itertools.count(1)
        self._due: dict[str, None] = {}  # work order ids, in order
        self._wake = asyncio.Event()
        self._answers: dict[str, asyncio.Future[_Answer]] = {}
        self.uploaded: Event[str] = Event()
        self.upload_failed: Event[tuple[str, str]] = Event()
        self.offset_given: Event[tuple[str, int]] = Event()
        link.message.connect(self._on_message)
        link.state_changed.connect(self._on_link_state)

    def start(self) -> None:
        """Upload what the archive holds (read it first: ``archive.load``), now and later."""
        self._tasks.spawn(self._run(), "recording-upload", report=False)
        if self._link.state is LinkState.CONNECTED:
            self.upload_all()

    async def close(self) -> None:
        await self._tasks.close()

    def upload_all(self) -> None:
        """Queue every kept recording the hub does not hold yet."""
        for entry in self.archive.to_upload():
            self._due.setdefault(entry.work_order_id)
        self._wake.set()

    # --- the hub's answers ---------------------------------------------------------

    def _on_message(self, message: protocol.Message) -> None:
        if isinstance(message, protocol.Ack) and message.of == protocol.RecordingSaved.TYPE:
            self._due.setdefault(message.work_order_id)
            self._wake.set()
            return
        work_order_id = ""
        if isinstance(message, protocol.RecordingUploadOffset | protocol.RecordingStored
                      | protocol.RecordingUploadFailed):
            work_order_id = message.work_order_id
        elif (isinstance(message, protocol.Error)
              and message.of == protocol.RecordingUploadStart.TYPE):
            work_order_id = next(iter(self._answers), "")
        waiting = self._answers.get(work_order_id)
        if waiting is not None and not waiting.done():
            waiting.set_result(message)  # type: ignore[arg-type]  # narrowed above

    def _on_link_state(self, state: LinkState) -> None:
        if state is LinkState.CONNECTED:
            self.upload_all()
            return
        for waiting in self._answers.values():
            if not waiting.done():
                waiting.set_exception(NotConnectedError("the hub link dropped"))

    # --- the work ------------------------------------------------------------------

    async def _run(self) -> None:
        failures: dict[str, int] = {}
        while True:
            if not self._due:
                self._wake.clear()
                try:
                    # Not wait_for: on Python 3.11 it swallows a cancel that comes with the
                    # wake-up (gh-86296), and this loop would wait on past ``close``.
                    async with asyncio.timeout(self._retry_after_s):
                        await self._wake.wait()
                except TimeoutError:
                    failures.clear()
                    self.upload_all()
                continue
            work_order_id = next(iter(self._due))
            entry = self.archive.entry(work_order_id)
            if entry is None or entry.uploaded_at or entry.expired_at:
                self._due.pop(work_order_id, None)
                continue
            try:
                await self._upload(entry)
            except NotConnectedError:
                self._due.clear()  # all of them again once the link is back
                continue
            except (UploadRefused, TimeoutError, OSError) as exc:
                log.warning("recording %s not uploaded: %s", work_order_id, exc)
                self.upload_failed.emit((work_order_id, str(exc)))
                failures[work_order_id] = failures.get(work_order_id, 0) + 1
                if failures[work_order_id] < self._attempts:
                    continue  # again, from where the hub says it stopped
            self._due.pop(work_order_id, None)

    async def _upload(self, entry: ArchivedRecording) -> None:
        work_order_id = entry.work_order_id
        path = self.archive.path_for(work_order_id)
        upload_id = next(self._ids)
        answer = await self._ask(work_order_id, protocol.RecordingUploadStart(
            upload_id=upload_id, work_order_id=work_order_id, byte_size=entry.byte_size,
            sha256=entry.sha256))
        if isinstance(answer, protocol.RecordingUploadOffset):
            self.offset_given.emit((work_order_id, answer.offset))
            log.info("uploading recording %s from byte %d of %d", work_order_id,
                     answer.offset, entry.byte_size)
            answer = await self._send_rest(path, upload_id, answer.offset, entry)
        if isinstance(answer, protocol.RecordingStored):
            if answer.sha256 != entry.sha256 or answer.byte_size != entry.byte_size:
                raise UploadRefused("the hub confirmed another file than ours")
            await asyncio.to_thread(self.archive.mark_uploaded, work_order_id)
            self.uploaded.emit(work_order_id)
            return
        if isinstance(answer, protocol.RecordingUploadFailed | protocol.Error):
            raise UploadRefused(answer.message)
        raise UploadRefused(f"unexpected answer from the hub: {answer.TYPE}")

    async def _ask(self, work_order_id: str, message: protocol.Message) -> _Answer:
        answer = self._expect(work_order_id)
        try:
            await self._link.send(message)
        except BaseException:
            self._abandon(work_order_id, answer)
            raise
        return await self._await(work_order_id, answer)

    def _abandon(self, work_order_id: str, future: asyncio.Future[_Answer]) -> None:
        """Nobody will wait for ``future`` (its request never left): drop it quietly."""
        if self._answers.get(work_order_id) is future:
            del self._answers[work_order_id]
        future.cancel()

    def _expect(self, work_order_id: str) -> asyncio.Future[_Answer]:
        future: asyncio.Future[_Answer] = asyncio.get_running_loop().create_future()
        self._answers[work_order_id] = future
        return future

    async def _await(self, work_order_id: str, future: asyncio.Future[_Answer]) -> _Answer:
        try:
            async with asyncio.timeout(self._answer_timeout_s):  # not wait_for: see ``_run``
                return await future
        finally:
            if self._answers.get(work_order_id) is future:
                del self._answers[work_order_id]

    async def _send_rest(self, path: Path, upload_id: int, offset: int,
                         entry: ArchivedRecording) -> _Answer:
        """Send bytes ``offset``.. of ``path``; the hub's answer at the end (or a refusal
        that came while sending)."""
        answer = self._expect(entry.work_order_id)
        try:
            file: IO[bytes] = await asyncio.to_thread(path.open, "rb")
            try:
                await asyncio.to_thread(file.seek, offset)
                seq = 0
                while offset < entry.byte_size and not answer.done():
                    data = await asyncio.to_thread(file.read, self._chunk_bytes)
                    if not data:
                        raise UploadRefused(
                            f"the file is shorter than its {entry.byte_size} bytes")
                    await self._link.send_binary(
                        protocol.pack_chunk(protocol.CHUNK_RECORDING, upload_id, seq, data))
                    seq += 1
                    offset += len(data)
            finally:
                await asyncio.to_thread(file.close)
        except BaseException:
            self._abandon(entry.work_order_id, answer)
            raise
        return await self._await(entry.work_order_id, answer)
