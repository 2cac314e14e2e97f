"""Retention: citizens' personal data is kept as long as it is needed, then removed, daily.

A work order closed more than ``keep_days`` ago loses its citizen's name, ID number and
phone (the pseudonymous citizen key stays, so the figures still count people), and its
materials are purged: their rows stay (verdicts name them) but are no longer served, and
each stored file that no kept material refers to is deleted. The default, 180 days, is
the six months the Cybersecurity Law asks logs to be kept, and no longer: what PIPL's
minimum-necessary principle allows for data whose purpose (the service, a complaint about
it) has passed. ``seat-hub --keep-personal-days`` changes it (0 keeps everything).
Calls' recordings in the store (``recordings``) are the citizen's face and voice: a
recording saved more than ``keep_days`` ago is marked purged and its file deleted, here,
centrally, whatever the workstations keep.

``sweep`` runs when the hub starts and then every ``every_s``; each run logs what it did
(``retention_sweep``) and, when it removed anything, writes it to the audit log too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from seat_hub.materials.recordings import recording_path
from seat_hub.storage.eventlog import EventLog
from seat_hub.storage.interface import AuditTrail, MaterialIndex

DAY_S: Final = 86_400.0


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """How long personal data is kept after its work order closed (0: for ever), and how
    often the sweep runs."""

    keep_days: float = 180.0
    every_s: float = DAY_S


@dataclass(frozen=True, slots=True)
class SweepResult:
    work_orders: int
    materials: int
    files_deleted: int
    recordings: int = 0


async def sweep(records: MaterialIndex, audit: AuditTrail, log: EventLog, store_dir: Path,
                keep_days: float, clock: Callable[[], float]) -> SweepResult:
    """One pass: blank, purge, delete, and record what was done."""
    now = clock()
    cutoff = now - keep_days * DAY_S
    expired = await records.expire(cutoff, now)
    deleted = 0
    for sha256 in expired.unreferenced_files:
        if await asyncio.to_thread(_delete, store_dir / sha256[:2] / sha256):
            deleted += 1
    recordings = 0
    for sha256 in await records.expire_recordings(cutoff, now):
        if await asyncio.to_thread(_delete, recording_path(store_dir / "recordings", sha256)):
            recordings += 1
    result = SweepResult(expired.work_orders, expired.materials, deleted, recordings)
    before = datetime.fromtimestamp(cutoff).isoformat(timespec="seconds")
    if result != SweepResult(0, 0, 0):  # what was removed is evidence; nothing, only logged
        await audit.record(
            at=now, supervisor_id="", action="retention_sweep",
            target=f"closed before {before}",
            detail=f"{result.work_orders} work orders' personal data removed,"
                   f" {result.materials} materials purged, {result.files_deleted} files deleted,"
                   f" {result.recordings} recordings deleted",
            result="ok")
    log.event("retention_sweep", closed_before=before, work_orders=result.work_orders,
              materials=result.materials, files_deleted=result.files_deleted,
              recordings=result.recordings)
    return result


async def sweep_daily(records: MaterialIndex, audit: AuditTrail, log: EventLog,
                      store_dir: Path, settings: RetentionSettings,
                      clock: Callable[[], float]) -> None:
    """``sweep`` now and every ``settings.every_s``; a failed pass is logged and retried
    at the next."""
    if settings.keep_days <= 0:
        return
    while True:
        try:
            await sweep(records, audit, log, store_dir, settings.keep_days, clock)
        except Exception as exc:
            log.event("internal_error", where="retention_sweep", error=repr(exc))
        await asyncio.sleep(settings.every_s)


def _delete(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
