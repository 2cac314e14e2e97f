"""A supervisor fetching a call's recording from the hub's store to play it.

``HubRecordings.fetch(work_order_id)`` sends ``fetch_recording``; the hub checks that the
asker is a supervisor, writes its audit row, and answers ``recording_download`` followed
by the file in ``CHUNK_DOWNLOAD`` chunks (or an ``Error``). The chunks are written to
``<directory>/<work_order_id>.mp4`` (the folder is the owner's alone) in a thread, and the
file's SHA-256 must be the one the hub announced before it is handed to the player. A
refusal raises
``RecordingFetchError`` with the hub's code and message.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import os
from pathlib import Path
from typing import IO

from seat_client.call.hub_link import HubLink
from seat_client.recording.archive import recording_path
from seat_common import protocol
from seat_common.personal_data.private_files import FILE_MODE, private_dir


class RecordingFetchError(Exception):
    """The hub refused the recording, or what came was not it. ``code`` is the hub's
    error code ("" when the file itself was wrong)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class HubRecordings:
    """Recordings fetched over ``link`` into ``directory``."""

    def __init__(self, link: HubLink, directory: Path, *, timeout_s: float = 300.0) -> None:
        self._link = link
        self.directory = directory
        self._timeout_s = timeout_s
        self._ids = itertools.count(1)

    async def fetch(self, work_order_id: str) -> Path:
        """The recording's file here, fetched from the hub and its SHA-256 checked."""
        path = recording_path(self.directory, work_order_id)
        download_id = next(self._ids)
        loop = asyncio.get_running_loop()
        header: asyncio.Future[protocol.RecordingDownload] = loop.create_future()
        chunks: asyncio.Queue[protocol.Chunk] = asyncio.Queue()

        def on_message(message: protocol.Message) -> None:
            if header.done():
                return
            if (isinstance(message, protocol.RecordingDownload)
                    and message.download_id == download_id):
                header.set_result(message)
            elif isinstance(message, protocol.Error) and message.of == "fetch_recording":
                header.set_exception(RecordingFetchError(message.code, message.message))

        def on_binary(frame: bytes) -> None:
            try:
                chunk = protocol.unpack_chunk(frame)
            except protocol.ProtocolError:
                return
            if chunk.kind == protocol.CHUNK_DOWNLOAD and chunk.transfer_id == download_id:
                chunks.put_nowait(chunk)

        unsubscribe = [self._link.message.connect(on_message),
                       self._link.binary.connect(on_binary)]
        try:
            await self._link.send(protocol.FetchRecording(work_order_id=work_order_id,
                                                          download_id=download_id))
            announced = await asyncio.wait_for(header, self._timeout_s)
            await asyncio.to_thread(private_dir, self.directory)
            await asyncio.wait_for(self._receive(path, announced, chunks), self._timeout_s)
        finally:
            for undo in unsubscribe:
                undo()
        return path

    async def _receive(self, path: Path, announced: protocol.RecordingDownload,
                       chunks: asyncio.Queue[protocol.Chunk]) -> None:
        partial = path.with_suffix(".part")
        file: IO[bytes] = await asyncio.to_thread(_open_private, partial)
        digest = hashlib.sha256()
        received = 0
        seq = 0
        try:
            while received < announced.byte_size:
                chunk = await chunks.get()
                if not chunk.crc_ok or chunk.seq != seq:
                    raise RecordingFetchError("", f"chunk {chunk.seq} of the recording is"
                                              " damaged or out of order")
                await asyncio.to_thread(file.write, chunk.data)
                digest.update(chunk.data)
                received += len(chunk.data)
                seq += 1
        finally:
            await asyncio.to_thread(file.close)
        if received != announced.byte_size or digest.hexdigest() != announced.sha256:
            await asyncio.to_thread(partial.unlink, True)
            raise RecordingFetchError("", "the recording that came does not match its SHA-256")
        await asyncio.to_thread(partial.replace, path)


def _open_private(path: Path) -> IO[bytes]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    return os.fdopen(fd, "wb")
