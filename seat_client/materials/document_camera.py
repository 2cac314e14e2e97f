"""Counter mode: pick up the images a document camera (高拍仪) writes into a folder.

Document cameras save each capture as a JPEG or PNG in a folder. The
``DocumentCameraFolder`` polls that folder (portable; no inotify needed),
waits until a new file's size is stable across two scans (the camera may
still be writing), checks it like any other input (``check_image``, in a
thread), copies it into the content-addressed ``MaterialCache`` and emits a
``MaterialRef`` with source ``document_camera``. A file that fails the check
is reported once through ``import_failed`` and never becomes a material.
Files present when the watcher starts are not imported.

Events: ``material_imported`` (``MaterialRef``), ``import_failed`` (``ImportFailure``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from seat_client.materials.cache import MaterialCache
from seat_client.materials.values import MaterialRef
from seat_common.documents.imagecheck import ImageLimits, ImageRefused, check_image
from seat_common.events import Event
from seat_common.personal_data.pii import opaque_reference
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)

_SUFFIXES: Final = frozenset({".jpg", ".jpeg", ".png"})
#: Remembered file names stop growing here (older ones are forgotten first).
_MAX_SEEN: Final = 10_000


@dataclass(frozen=True, slots=True)
class ImportFailure:
    """A file from the document camera that could not be used."""

    path: Path
    reason: str
    message: str


class DocumentCameraFolder:
    """Imports new images from ``folder`` for the work order ``work_order_id()`` names."""

    def __init__(
        self,
        folder: Path,
        cache: MaterialCache,
        work_order_id: Callable[[], str],
        *,
        poll_interval_s: float = 0.5,
        max_bytes: int = 20 * 1024 * 1024,
        max_pixels: int = 50_000_000,
        clock: Callable[[], float] = time.time,
        tasks: TaskOwner | None = None,
    ) -> None:
        self.folder = folder
        self.cache = cache
        self.work_order_id = work_order_id
        self.poll_interval_s = poll_interval_s
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self._clock = clock
        self.material_imported: Event[MaterialRef] = Event()
        self.import_failed: Event[ImportFailure] = Event()
        self._seen: dict[str, None] = {}
        self._sizes: dict[str, int] = {}
        self._tasks = tasks or TaskOwner("document camera")

    def start(self) -> None:
        """Remember what is already there, then poll on the running loop."""
        for path in self._candidates():
            self._remember(path.name)
        self._tasks.spawn(self._poll(), "document-camera")

    async def stop(self) -> None:
        await self._tasks.cancel()

    async def scan(self) -> list[MaterialRef]:
        """One pass: import every new file whose size stopped changing."""
        imported = []
        for path in await asyncio.to_thread(self._candidates):
            if path.name in self._seen:
                continue
            try:
                size = path.stat().st_size
            except OSError:
                continue
            if self._sizes.get(path.name) != size:
                self._sizes[path.name] = size  # still being written, or new: look again
                continue
            self._sizes.pop(path.name, None)
            self._remember(path.name)
            ref = await self._import(path)
            if ref is not None:
                imported.append(ref)
        return imported

    async def _poll(self) -> None:
        while True:
            try:
                await self.scan()
            except OSError as exc:
                log.warning("document camera folder %s: %s", self.folder, exc)
            await asyncio.sleep(self.poll_interval_s)

    async def _import(self, path: Path) -> MaterialRef | None:
        try:
            facts = await asyncio.to_thread(
                check_image, path, ImageLimits(max_bytes=self.max_bytes, max_pixels=self.max_pixels)
            )
            stored, sha = await asyncio.to_thread(self.cache.put_file, path, facts.mime)
        except ImageRefused as problem:
            self.import_failed.emit(ImportFailure(path, problem.reason, problem.message))
            return None
        except OSError as exc:
            self.import_failed.emit(ImportFailure(path, "unreadable", str(exc)))
            return None
        ref = MaterialRef(
            material_id=opaque_reference("L-"),  # local until uploaded to the hub
            work_order_id=self.work_order_id(),
            path=stored,
            sha256=sha,
            mime=facts.mime,
            width=facts.width,
            height=facts.height,
            byte_size=stored.stat().st_size,
            filename=path.name,
            source="document_camera",
            received_at=self._clock(),
            orientation=facts.orientation,
        )
        self.material_imported.emit(ref)
        return ref

    def _candidates(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(
            p for p in self.folder.iterdir() if p.suffix.lower() in _SUFFIXES and p.is_file()
        )

    def _remember(self, name: str) -> None:
        self._seen[name] = None
        if len(self._seen) > _MAX_SEEN:
            del self._seen[next(iter(self._seen))]
