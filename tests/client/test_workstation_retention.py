"""The workstation's retention sweep deletes the citizens' data past its period and nothing
else (real files, a real outbox file), writes down what it did (0600, no personal data),
and the settings refuse a period out of range."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from seat_client import settings as settings_module
from seat_client.acceptance.outbox_entries import OutboxState
from seat_client.retention import DAY_S, RetentionPolicy, WorkstationRetention
from tests.client.test_outbox import ScriptedApi, make, submission

NOW = time.time()


def aged(path: Path, days: float, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    when = NOW - days * DAY_S
    os.utime(path, (when, when))
    return path


async def test_the_sweep_deletes_what_has_expired_and_nothing_else(tmp_path: Path) -> None:
    cache, receipts = tmp_path / "materials", tmp_path / "receipts"
    old_photo = aged(cache / "ab" / ("ab" * 32 + ".jpg"), 8)
    new_photo = aged(cache / "cd" / ("cd" * 32 + ".jpg"), 6)
    old_receipt = aged(receipts / "SL-1.pdf", 31)
    new_receipt = aged(receipts / "SL-2.pdf", 29)
    path = tmp_path / "outbox.sqlite3"
    outbox = await make(path, ScriptedApi())
    ids = [(await outbox.enqueue(submission(n))).entry_id for n in range(1, 6)]
    await outbox.stop()
    # Five applications: accepted 31 and 29 days ago, returned 40 days ago, failed and
    # still queued 60 days ago.
    rows = [("accepted", 31), ("accepted", 29), ("returned", 40), ("failed", 60),
            ("queued", 60)]
    with sqlite3.connect(path) as db:
        for entry_id, (state, days) in zip(ids, rows, strict=True):
            db.execute("UPDATE outbox SET state = ?, updated_at = ? WHERE entry_id = ?",
                       (state, NOW - days * DAY_S, entry_id))
    outbox = await make(path, ScriptedApi())
    forgotten: list[tuple[int, ...]] = []
    outbox.forgotten.connect(forgotten.append)
    sweeper = WorkstationRetention(RetentionPolicy(material_cache_days=7, outbox_done_days=30),
                                   cache_root=cache, outbox=outbox, receipts_dir=receipts,
                                   state_dir=tmp_path, clock=lambda: NOW)
    report = await sweeper.sweep()
    assert (report.material_files, report.outbox_entries, report.receipts) == (1, 2, 1)
    assert not old_photo.exists() and new_photo.exists()
    assert not old_receipt.exists() and new_receipt.exists()
    kept = {e.entry_id: e.state for e in outbox.entries()}
    assert kept == {ids[1]: OutboxState.ACCEPTED, ids[3]: OutboxState.FAILED,
                    ids[4]: OutboxState.QUEUED}
    assert forgotten == [(ids[0], ids[2])]
    await outbox.stop()
    with sqlite3.connect(path) as db:  # gone from the file, not only from memory
        assert sorted(r[0] for r in db.execute("SELECT entry_id FROM outbox")) == sorted(kept)
    assert cache.stat().st_mode & 0o777 == 0o700

    lines = sweeper.log_path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["outbox_entries"] for line in lines] == [2]
    assert "吴小梅" not in lines[0] and "11010519491231002X" not in lines[0]
    assert sweeper.log_path.stat().st_mode & 0o777 == 0o600

    # Nothing left to do: the second pass deletes nothing and says so.
    outbox = await make(path, ScriptedApi())
    sweeper = WorkstationRetention(sweeper.policy, cache_root=cache, outbox=outbox,
                                   receipts_dir=receipts, state_dir=tmp_path,
                                   clock=lambda: NOW)
    again = await sweeper.sweep()
    assert (again.material_files, again.outbox_entries, again.receipts) == (0, 0, 0)
    assert len(sweeper.log_path.read_text(encoding="utf-8").splitlines()) == 2
    await outbox.stop()


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("material_cache_days", 0, "material_cache_days: 材料缓存保留天数应为 1..3650 天"),
    ("outbox_done_days", 4000, "outbox_done_days: 提交箱保留天数应为 1..3650 天"),
    ("outbox_done_days", "30", "outbox_done_days 应为 整数"),
])
def test_a_retention_setting_out_of_range_is_refused(
    tmp_path: Path, key: str, value: object, problem: str
) -> None:
    path = tmp_path / "workstation.json"
    path.write_text(json.dumps({key: value}), encoding="utf-8")
    with pytest.raises(settings_module.SettingsError, match=problem.replace("(", r"\(")
                       .replace(")", r"\)")):
        settings_module.load(path)


def test_the_defaults_keep_little() -> None:
    defaults = settings_module.WorkstationSettings()
    assert (defaults.material_cache_days, defaults.outbox_done_days,
            defaults.recording_retention_days) == (7, 30, 30)
