"""Figures of the hub's load drills (``scripts/bench_hub.py``, ``scripts/bench_cluster.py``):
percentiles, a process's CPU time and memory from ``/proc``, and CPU per join summed over
the hub processes of a run; and the ledger's verdict on a drill's work orders.

``CpuMeter`` samples several processes and keeps each one's last reading, so a hub killed
with SIGKILL during a run (its ``/proc`` entry gone) still counts what it spent until its
last sample.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    """The ``q`` percentile (0–100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def cpu_seconds_of_stat(stat: str, ticks_per_s: int) -> float:
    """User plus system CPU seconds from the text of ``/proc/PID/stat``. The command name
    (field 2, in parentheses) may itself hold spaces and parentheses: the fields are counted
    after its last ``)``."""
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks_per_s


def cpu_seconds(pid: int) -> float:
    """The CPU seconds process ``pid`` has spent (raises ``OSError`` once it is gone)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return cpu_seconds_of_stat(text, os.sysconf("SC_CLK_TCK"))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ms_per(cpu_s: float, count: int) -> float | None:
    """CPU milliseconds per unit of work; ``None`` when no work was done."""
    if count <= 0:
        return None
    return 1000.0 * cpu_s / count


class CpuMeter:
    """The CPU several processes spent between ``start`` and ``stop``, summed."""

    def __init__(self, pids: Iterable[int]) -> None:
        self._pids = list(pids)
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}

    def sample(self) -> None:
        """Read every process still alive; a gone one keeps its last reading."""
        for pid in self._pids:
            try:
                self._last[pid] = cpu_seconds(pid)
            except OSError:
                continue
            self._first.setdefault(pid, self._last[pid])

    def start(self) -> None:
        self._first.clear()
        self._last.clear()
        self.sample()

    def spent_s(self) -> float:
        """CPU seconds spent since ``start``, up to each process's last sample."""
        return sum(self._last[pid] - self._first[pid] for pid in self._first)


def ledger_verdict(rows: Iterable[tuple[str, str, str]],
                   queued: dict[str, str]) -> tuple[int, int]:
    """(lost, duplicated) work orders, from the ledger's ``(id, citizen_name, state)`` rows
    and the work order each citizen was told it is queued under: lost, one told ``queued``
    whose work order is missing or not finished (closed or abandoned); duplicated, every
    work order of a citizen beyond its first (each citizen of a drill has its own name)."""
    by_id = {row[0]: row for row in rows}
    lost = sum(1 for wo in queued.values()
               if wo not in by_id or by_id[wo][2] not in ("closed", "abandoned"))
    per_citizen = Counter(row[1] for row in by_id.values())
    duplicate = sum(n - 1 for n in per_citizen.values() if n > 1)
    return lost, duplicate
