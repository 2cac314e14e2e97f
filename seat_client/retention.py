"""The workstation's own retention: citizens' data kept on this PC only as long as needed.

PIPL's minimum-necessary principle (个人信息保护法 第六条、第十九条): personal data is
kept for the shortest time its purpose needs. On the workstation the purposes are short,
because the hub is where records are kept (and where its own sweep runs, 180 days):

- the material cache (ID photos and other documents, ``material_cache_days``, default
  7 days): needed while the contact and its follow-up are in hand; the hub serves them
  again to whoever may see them;
- the outbox's accepted or returned applications and their receipts
  (``outbox_done_days``, default 30): full form values, kept for a month of questions
  ("did my application go through?") and reprints; failed and unsent applications stay
  until the agent has dealt with them, whatever their age, so nothing is lost;
- recordings not yet uploaded (``recording_retention_days``, default 30, the recording
  desk's own sweep): long enough to outlast a month-long hub outage, and shorter than the
  hub's 180 days, so the PC is never the longest-lived copy. An uploaded recording is
  deleted here as soon as the hub confirms it.

``WorkstationRetention.sweep`` runs at start and once a day (``run_daily``); each pass
appends what it deleted (counts, no personal data) to ``<state>/retention-log.jsonl``
(0600) and the log. Folders it sweeps are put back to 0700 (``private_files``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from seat_client.acceptance.outbox import SubmissionOutbox
from seat_common.personal_data.private_files import private_dir, private_file

log = logging.getLogger(__name__)

DAY_S: Final = 86_400.0
LOG_NAME: Final = "retention-log.jsonl"


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How many days each kind of personal data stays on the workstation."""

    material_cache_days: int = 7
    outbox_done_days: int = 30


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What one pass deleted."""

    at: float
    material_files: int
    outbox_entries: int
    receipts: int


class WorkstationRetention:
    """Sweeps the material cache under ``cache_root``, ``outbox`` and ``receipts_dir``."""

    def __init__(self, policy: RetentionPolicy, *, cache_root: Path, outbox: SubmissionOutbox,
                 receipts_dir: Path, state_dir: Path,
                 clock: Callable[[], float] = time.time) -> None:
        self.policy = policy
        self._cache_root = cache_root
        self._outbox = outbox
        self._receipts_dir = receipts_dir
        self.log_path = state_dir / LOG_NAME
        self._clock = clock

    async def sweep(self) -> SweepReport:
        """One pass: delete what is past its period and record it."""
        now = self._clock()
        cache_cutoff = now - self.policy.material_cache_days * DAY_S
        done_cutoff = now - self.policy.outbox_done_days * DAY_S
        material_files = await asyncio.to_thread(_delete_older, self._cache_root, cache_cutoff)
        outbox_entries = await self._outbox.forget_done(done_cutoff)
        receipts = await asyncio.to_thread(_delete_older, self._receipts_dir, done_cutoff)
        report = SweepReport(now, material_files, outbox_entries, receipts)
        await asyncio.to_thread(self._record, report)
        log.info("retention: %d material files, %d outbox entries, %d receipts deleted",
                 material_files, outbox_entries, receipts)
        return report

    async def run_daily(self, every_s: float = DAY_S) -> None:
        """``sweep`` now and every ``every_s``; a failed pass is logged, the next one runs."""
        while True:
            try:
                await self.sweep()
            except OSError:
                log.exception("retention sweep failed")
            await asyncio.sleep(every_s)

    def _record(self, report: SweepReport) -> None:
        private_file(self.log_path)
        line = json.dumps({"event": "retention_sweep", **asdict(report),
                           "material_cache_days": self.policy.material_cache_days,
                           "outbox_done_days": self.policy.outbox_done_days})
        with self.log_path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


def _delete_older(root: Path, cutoff: float) -> int:
    """Delete the files under ``root`` last written before ``cutoff``; how many."""
    if not root.exists():
        return 0
    private_dir(root)
    deleted = 0
    for path in sorted(root.rglob("*")):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("retention: %s not deleted: %s", path.name, exc)
    return deleted
