"""Retention: the daily sweep removes the personal data of work orders closed longer ago
than the hub keeps it (name, ID number, phone; materials and their files) and nothing else,
keeps the pseudonymous key the figures count people by, and says what it did in the audit
log; calls' recordings in the hub's store go by the same period; the hub runs it at start,
and a bad setting stops the hub."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from hubclient import agent_seat

from sandbox.hub_process import HubProcess
from seat_common.protocol import CitizenInfo, MaterialInfo
from seat_hub.materials.recordings import recording_path
from seat_hub.materials.retention import DAY_S, sweep
from seat_hub.storage.eventlog import EventLog
from seat_hub.storage.records import RecordingReport
from seat_hub.storage.stores import StoreAddress, open_store

NOW = 1_790_000_000.0
CITIZEN = CitizenInfo(name="吴小梅", id_number="11010519491231002X", phone="13800138000")


async def test_the_sweep_removes_what_has_expired_and_nothing_else(
    tmp_path: Path, store_address: StoreAddress
) -> None:
    store_dir = tmp_path / "materials"
    store = await open_store(store_address)  # on either store: SQLite and PostgreSQL
    ledger = store.ledger

    async def work_order(queued_at: float, closed_at: float | None) -> str:
        wo = await ledger.create_work_order(item_code="SI-UNEMP-QUERY", channel="web",
                                            priority="normal", media="video", citizen=CITIZEN,
                                            queued_at=queued_at, citizen_key="k" * 64)
        if closed_at is not None:
            ledger.record_offer(wo, f"C-{wo}", "0001", queued_at + 1)
            ledger.record_answer(wo, f"C-{wo}", "0001", queued_at + 2)
            await ledger.close_work_order(wo, "resolved", "", closed_at)
        return wo

    old = await work_order(NOW - 200 * DAY_S, NOW - 199 * DAY_S)  # closed 199 days ago
    recent = await work_order(NOW - 10 * DAY_S, NOW - 9 * DAY_S)
    still_open = await work_order(NOW - 300 * DAY_S, None)  # never closed: kept
    files = {"only_old": "a1" * 32, "shared": "b2" * 32, "open": "c3" * 32}
    for sha in files.values():
        (store_dir / sha[:2]).mkdir(parents=True, exist_ok=True)
        (store_dir / sha[:2] / sha).write_bytes(b"photo")
    for n, (wo, sha) in enumerate([(old, files["only_old"]), (old, files["shared"]),
                                   (recent, files["shared"]), (still_open, files["open"])]):
        await store.materials.add(MaterialInfo(
            material_id=f"M-{n}", work_order_id=wo, filename="身份证.jpg", mime="image/jpeg",
            byte_size=5, sha256=sha, width=4, height=3, orientation=1,
            source="citizen_upload", added_at=NOW - 250 * DAY_S), "S-1")

    # Calls' recordings in the store: the one saved 199 days ago goes, the recent one stays.
    recorded = {old: ("d4" * 32, NOW - 199 * DAY_S), recent: ("e5" * 32, NOW - 9 * DAY_S)}
    for wo, (sha, saved_at) in recorded.items():
        assert await ledger.link_recording(RecordingReport(
            wo, f"C-{wo}", "0001", 60.0, 5, sha, 900, saved_at)) == "linked"
        assert await store.materials.add_recording_file(wo, saved_at + 60)
        file = recording_path(store_dir / "recordings", sha)
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(b"movie")

    log = io.StringIO()
    done = await sweep(store.materials, store.audit, EventLog(log), store_dir, 180, lambda: NOW)
    assert (done.work_orders, done.materials, done.files_deleted, done.recordings) == (1, 2, 1, 1)
    assert not recording_path(store_dir / "recordings", recorded[old][0]).exists()
    assert recording_path(store_dir / "recordings", recorded[recent][0]).exists()
    gone, kept = [await store.materials.recording_file(wo) for wo in (old, recent)]
    assert gone is not None and gone.purged_at == NOW
    assert kept is not None and kept.purged_at == 0 and kept.stored_at
    people = {wo: await ledger.work_order(wo) for wo in (old, recent, still_open)}
    blanked = people[old]
    assert blanked is not None and blanked.citizen_name == blanked.citizen_id_number == ""
    assert blanked.citizen_phone == "" and blanked.citizen_key == "k" * 64
    for wo in (recent, still_open):
        person = people[wo]
        assert person is not None
        assert (person.citizen_name, person.citizen_phone) == ("吴小梅", "13800138000")
    assert await store.materials.get("M-0") is None and await store.materials.get("M-1") is None
    assert await store.materials.of_work_order(old) == []
    assert await store.materials.get("M-2") is not None  # the recent one's
    assert not (store_dir / files["only_old"][:2] / files["only_old"]).exists()
    for kept_file in ("shared", "open"):  # still referred to by a kept material
        assert (store_dir / files[kept_file][:2] / files[kept_file]).exists()
    rows = [(r.action, r.detail) for r in await store.audit.recent(10)]
    assert rows == [("retention_sweep", "1 work orders' personal data"
                     " removed, 2 materials purged, 1 files deleted, 1 recordings deleted")]
    assert '"event": "retention_sweep"' in log.getvalue()
    again = await sweep(store.materials, store.audit, EventLog(log), store_dir, 180, lambda: NOW)
    assert (again.work_orders, again.materials, again.files_deleted, again.recordings) == (
        0, 0, 0, 0)
    assert len(await store.audit.recent(10)) == 1  # nothing done: only logged
    await store.close()


async def test_the_hub_sweeps_at_start_and_refuses_a_bad_setting(
    start_hub: Callable[..., HubProcess], tmp_path: Path,
) -> None:
    hub = start_hub([agent_seat("0001")], extra_args=["--keep-personal-days", "30"])
    event = await hub.wait_for_event("retention_sweep", within=15)
    assert event["work_orders"] == 0 and event["files_deleted"] == 0
    command = [sys.executable, "-m", "seat_hub.cli", "--seats", "x.json",
               "--db", str(tmp_path / "x.sqlite3"), "--keep-personal-days", "-1"]
    bad = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True,
                                  timeout=60)
    assert bad.returncode == 2 and "--keep-personal-days" in bad.stderr
