"""The load drills' figures (``sandbox.load_figures``) and the crowd's backoff
(``sandbox.signaling_crowd.full_jitter``): percentiles, CPU read from ``/proc`` (a command
name with spaces and parentheses, a process killed during a run), CPU per join, the
ledger's verdict on lost and duplicated work orders, and a backoff that spreads a crowd
without passing its cap."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from sandbox.load_figures import (
    CpuMeter,
    cpu_seconds,
    cpu_seconds_of_stat,
    ledger_verdict,
    ms_per,
    percentile,
)
from sandbox.signaling_crowd import full_jitter


def test_percentile_by_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 51.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 99) == 0.0


def test_cpu_is_read_after_the_command_names_last_parenthesis() -> None:
    # utime 250 and stime 50 ticks (fields 14 and 15), the name holding ") 9 9 ("
    fields = ["S"] + ["0"] * 10 + ["250", "50"] + ["0"] * 30
    stat = "4242 (seat hub) 9 9 () " + " ".join(fields)
    assert cpu_seconds_of_stat(stat, 100) == 3.0


def test_a_process_killed_during_a_run_keeps_what_it_spent() -> None:
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        meter = CpuMeter([busy.pid, 2**22 + 7])  # the second never existed
        meter.start()
        spent_before_kill = 0.0
        while spent_before_kill <= 0.05:  # polls the busy loop's CPU, no fixed sleep
            meter.sample()
            spent_before_kill = meter.spent_s()
        busy.kill()
        busy.wait()
        meter.sample()
        assert meter.spent_s() == spent_before_kill
        with pytest.raises(OSError):
            cpu_seconds(busy.pid)
    finally:
        if busy.poll() is None:
            busy.kill()
            busy.wait()


def test_cpu_per_join() -> None:
    assert ms_per(1.5, 300) == 5.0
    assert ms_per(1.5, 0) is None


def test_the_ledger_finds_lost_and_duplicated_work_orders() -> None:
    rows = [("WO-1", "cit0001", "closed"), ("WO-2", "cit0002", "abandoned"),
            ("WO-3", "cit0003", "waiting"),  # told queued, never finished: lost
            ("WO-5", "cit0005", "closed"), ("WO-6", "cit0005", "closed")]  # one duplicate
    queued = {"cit0001": "WO-1", "cit0002": "WO-2", "cit0003": "WO-3",
              "cit0004": "WO-4",  # missing altogether: lost
              "cit0005": "WO-5"}
    assert ledger_verdict(rows, queued) == (2, 1)
    assert ledger_verdict([], {}) == (0, 0)


def test_full_jitter_spreads_a_crowd_within_its_cap() -> None:
    rng = random.Random(1)
    first = [full_jitter(0, rng, 0.2, 2.0) for _ in range(500)]
    assert all(0.0 <= w <= 0.2 for w in first)
    late = [full_jitter(40, rng, 0.2, 2.0) for _ in range(500)]  # no overflow far on
    assert all(0.0 <= w <= 2.0 for w in late)
    assert max(late) > 1.5 and min(late) < 0.5  # spread over the whole range, not bunched
    assert len({round(w, 6) for w in late}) > 450
