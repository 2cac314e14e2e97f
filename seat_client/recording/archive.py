"""The workstation's recordings on disk: one MP4 per work order, an index, and retention.

``RecordingArchive`` keeps ``<dir>/<work_order_id>.mp4`` files and a small
JSON index (``<dir>/index.json``, replaced atomically) of what each holds:
call, length, size, SHA-256, when it was saved, whether the hub has
acknowledged it, when the hub confirmed it holds the file (the local copy is then
deleted, ``mark_uploaded``), and, once retention removed the file, when that was (so the
work-order list can say "past retention" rather than "not on this
computer"). ``sweep`` deletes recordings older than the retention setting,
judged by when they were saved (a file the index does not know, e.g. left
by a crash, by its modification time), and logs each one it deletes.

Blocking file I/O: ``load``, ``add``, ``mark_reported`` and ``sweep`` run in
an executor. ``status`` and ``entry`` only read memory and stat one file,
so a widget may ask them. A lock keeps the two sides apart.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Final

log = logging.getLogger(__name__)

INDEX_NAME: Final = "index.json"
_INDEX_VERSION: Final = 1
_DAY_S: Final = 86_400.0
#: Work order ids become file names: nothing that could leave the folder.
_SAFE_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def recording_path(directory: Path, work_order_id: str) -> Path:
    """``<directory>/<work_order_id>.mp4``; ValueError for an id unfit for a file name."""
    if not _SAFE_ID.match(work_order_id):
        raise ValueError(f"work order id {work_order_id!r} cannot name a recording file")
    return directory / f"{work_order_id}.mp4"


class RecordingStatus(enum.Enum):
    """Whether a work order's recording can be played on this workstation."""

    AVAILABLE = "available"
    AT_HUB = "at_hub"  # uploaded to the hub's store, the local copy deleted
    EXPIRED = "expired"  # deleted after the retention period
    MISSING = "missing"  # never recorded here (or removed by hand)


@dataclass(frozen=True, slots=True)
class ArchivedRecording:
    """One work order's recording as the index knows it."""

    work_order_id: str
    call_id: str
    file_name: str
    duration_s: float
    byte_size: int
    sha256: str
    video_frames: int
    saved_at: float
    #: The hub acknowledged ``recording_saved`` for it.
    reported: bool = False
    #: When retention deleted the file (0: still kept).
    expired_at: float = 0.0
    #: When the hub confirmed it holds the file (every byte checked) and the local copy
    #: was deleted (0: not yet).
    uploaded_at: float = 0.0


class RecordingArchive:
    """The recordings folder of one workstation."""

    def __init__(
        self, directory: Path, retention_days: int, clock: Callable[[], float] = time.time
    ) -> None:
        if not 1 <= retention_days <= 3650:
            raise ValueError(f"retention_days must be 1..3650, not {retention_days}")
        self.directory = directory
        self.retention_days = retention_days
        self._clock = clock
        self._entries: dict[str, ArchivedRecording] = {}
        self._lock = threading.Lock()

    @property
    def retention_s(self) -> float:
        return self.retention_days * _DAY_S

    def path_for(self, work_order_id: str) -> Path:
        """Where this work order's recording goes; ValueError for an id unfit for a file name."""
        return recording_path(self.directory, work_order_id)

    # --- reads (memory and one stat: fine on the event loop) -----------------------

    def entry(self, work_order_id: str) -> ArchivedRecording | None:
        with self._lock:
            return self._entries.get(work_order_id)

    def to_upload(self) -> list[ArchivedRecording]:
        """Kept recordings not yet in the hub's store, oldest first."""
        with self._lock:
            waiting = [e for e in self._entries.values()
                       if not e.uploaded_at and not e.expired_at]
        return sorted(waiting, key=lambda e: e.saved_at)

    def unreported(self) -> list[ArchivedRecording]:
        """Kept recordings the hub has not acknowledged yet, oldest first."""
        with self._lock:
            waiting = [e for e in self._entries.values() if not e.reported and not e.expired_at]
        return sorted(waiting, key=lambda e: e.saved_at)

    def status(self, work_order_id: str, recorded_at: float | None = None) -> RecordingStatus:
        """Can the recording be played here? ``recorded_at`` (when the hub says the work
        order was recorded, if it was) tells an expired recording from a foreign one."""
        try:
            path = self.path_for(work_order_id)
        except ValueError:
            return RecordingStatus.MISSING
        if path.is_file():
            return RecordingStatus.AVAILABLE
        entry = self.entry(work_order_id)
        if entry is not None and entry.uploaded_at:
            return RecordingStatus.AT_HUB
        if entry is not None and entry.expired_at:
            return RecordingStatus.EXPIRED
        if recorded_at is not None and self._clock() - recorded_at > self.retention_s:
            return RecordingStatus.EXPIRED
        return RecordingStatus.MISSING

    # --- writes (blocking: run in an executor) --------------------------------------

    def load(self) -> None:
        """Read the index (a damaged one is logged and started afresh; files stay)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / INDEX_NAME
        entries: dict[str, ArchivedRecording] = {}
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            items = raw["recordings"]
            if not isinstance(items, list):
                raise ValueError("recordings is not a list")
        except FileNotFoundError:
            items = []
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("recording index %s unreadable, starting a new one: %s", path, exc)
            items = []
        for item in items:
            try:
                entry = _entry_from_json(item)
            except (ValueError, TypeError) as exc:
                log.warning("recording index %s: entry skipped: %s", path, exc)
                continue
            entries[entry.work_order_id] = entry
        with self._lock:
            self._entries = entries

    def add(self, entry: ArchivedRecording) -> None:
        """Record a saved recording (a second one for the work order replaces the first)."""
        with self._lock:
            self._entries[entry.work_order_id] = entry
            self._write()

    def mark_reported(self, work_order_id: str) -> None:
        with self._lock:
            entry = self._entries.get(work_order_id)
            if entry is None or entry.reported:
                return
            self._entries[work_order_id] = replace(entry, reported=True)
            self._write()

    def mark_uploaded(self, work_order_id: str) -> bool:
        """The hub holds the recording: delete the local copy, remember when (False: no
        such entry)."""
        with self._lock:
            entry = self._entries.get(work_order_id)
            if entry is None:
                return False
            self.path_for(work_order_id).unlink(missing_ok=True)
            self._entries[work_order_id] = replace(entry, uploaded_at=self._clock())
            self._write()
        log.info("recording %s is in the hub's store: the local copy is deleted",
                 work_order_id)
        return True

    def sweep(self) -> list[Path]:
        """Delete recordings past retention; the paths deleted."""
        now = self._clock()
        limit = self.retention_s
        deleted: list[Path] = []
        with self._lock:
            for path in sorted(self.directory.glob("*.mp4")):
                entry = self._entries.get(path.stem)
                try:
                    saved_at = entry.saved_at if entry is not None else path.stat().st_mtime
                    if now - saved_at <= limit:
                        continue
                    path.unlink()
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    log.warning("recording %s past retention not deleted: %s", path.name, exc)
                    continue
                deleted.append(path)
                age_days = (now - saved_at) / _DAY_S
                log.info("recording %s deleted: %.0f days old, retention %d days",
                         path.name, age_days, self.retention_days)
                if entry is not None:
                    self._entries[path.stem] = replace(entry, expired_at=now)
            # Forget tombstones once the hub's own dates tell the same story.
            for work_order_id, entry in list(self._entries.items()):
                gone_at = entry.expired_at or entry.uploaded_at
                if gone_at and now - gone_at > limit:
                    del self._entries[work_order_id]
            self._write()
        return deleted

    def _write(self) -> None:
        """Replace the index atomically (called with the lock held)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / INDEX_NAME
        temporary = path.with_suffix(".json.tmp")
        data = {
            "version": _INDEX_VERSION,
            "recordings": [asdict(e) for e in sorted(self._entries.values(),
                                                     key=lambda e: e.saved_at)],
        }
        with temporary.open("w", encoding="utf-8") as file:
            json.dump(data, file, ensure_ascii=False, indent=1)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)


_FIELD_TYPES: Final = {f.name: str(f.type) for f in fields(ArchivedRecording)}
_JSON_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "str": (str,), "float": (int, float), "int": (int,), "bool": (bool,),
}


def _entry_from_json(item: Any) -> ArchivedRecording:
    if not isinstance(item, dict):
        raise ValueError("an index entry is not an object")
    known = {k: v for k, v in item.items() if k in _FIELD_TYPES}
    for key, value in known.items():
        want = _JSON_TYPES[_FIELD_TYPES[key]]
        if not isinstance(value, want) or (isinstance(value, bool) and bool not in want):
            raise ValueError(f"{key} has the wrong type")
    entry = ArchivedRecording(**known)
    if not _SAFE_ID.match(entry.work_order_id):
        raise ValueError(f"bad work order id in the index: {entry.work_order_id!r}")
    return entry
