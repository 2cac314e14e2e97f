"""The audit log is evidence: each row carries the hash of the one before, ``seat-hub audit
verify`` names the first row changed behind the hub's back (one byte of the SQLite file is
enough), an old file is chained when the hub opens it, and a day's rows leave the host as
a signed file that ``check-export`` refuses once anything in it is changed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import psycopg
import pytest
from postgres_rig import PostgresRig

from seat_hub.storage.audit_chain import GENESIS, AuditRow, chained, verify
from seat_hub.storage.postgres.store import PostgresStore
from seat_hub.storage.sqlite.store import SqliteStore

#: Noon today, local time, so every row falls on today's date wherever the test runs.
NOON = time.mktime(date.today().timetuple()) + 12 * 3600


def seat_hub_audit(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "seat_hub.cli", "audit", *map(str, args)],
                          capture_output=True, text=True, timeout=60)


async def write_log(path: Path, count: int) -> None:
    store = await SqliteStore.open(path)
    for i in range(count):
        await store.audit.record(at=NOON + i, supervisor_id="S01", action="whisper",
                                 target=f"00{i:02d}", detail=f"请注意第{i}号市民的材料",
                                 result="ok")
    await store.close()


async def test_verify_passes_then_names_the_row_after_one_byte_of_the_file_changes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hub.sqlite3"
    await write_log(path, 5)
    whole = seat_hub_audit("verify", "--db", path)
    assert whole.returncode == 0 and "5 rows, chain whole" in whole.stdout
    # One byte of the file, inside row 3's text, changed by someone with the file.
    raw = bytearray(path.read_bytes())
    at = raw.find("请注意第3号市民".encode())
    assert at > 0, "the row's text is in the main file (the hub checkpointed on close)"
    raw[at + len("请注意第".encode())] = ord("8")
    path.write_bytes(bytes(raw))
    broken = seat_hub_audit("verify", "--db", path)
    assert broken.returncode == 1
    assert "BROKEN at row 4" in broken.stdout and "3 rows before it are whole" in broken.stdout


def test_a_removed_or_changed_row_breaks_the_chain_where_it_happened() -> None:
    rows = chained([AuditRow(n, NOON + n, "S01", "whisper", "0001", f"第{n}条", "ok")
                    for n in range(1, 6)])
    assert verify(rows).intact and verify(rows).rows == 5
    missing = verify(rows[:2] + rows[3:])
    assert (missing.broken_seq, missing.rows) == (3, 2) and "missing" in missing.reason
    changed = [*rows[:1], replace(rows[1], result="refused:bad_state"), *rows[2:]]
    assert verify(changed).broken_seq == 2
    # Rewriting a row's hash too does not help: the next row follows the old one.
    forged = replace(changed[1], hash="")
    forged = chained([forged], previous=rows[0].hash)[0]
    assert verify([rows[0], forged, *rows[2:]]).broken_seq == 3
    assert verify([], previous=GENESIS).intact


async def test_an_audit_log_written_before_the_chain_is_chained_when_the_hub_opens_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL,
            supervisor_id TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
            detail TEXT NOT NULL, result TEXT NOT NULL);
        INSERT INTO audit_log (at, supervisor_id, action, target, detail, result)
            VALUES (1.5, 'S01', 'whisper', '0001', '旧的一条', 'ok'),
                   (2.5, 'S01', 'move_contact', 'WO-1', '', 'refused:bad_state');
    """)
    db.close()
    before = seat_hub_audit("verify", "--db", path)
    assert before.returncode == 2 and "no hash chain yet" in before.stderr
    await write_log(path, 2)  # the hub opens it: chained, then two rows more
    after = seat_hub_audit("verify", "--db", path)
    assert after.returncode == 0 and "4 rows, chain whole" in after.stdout
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit_log SET result = 'ok'")  # the triggers are back
    db.close()


async def test_a_signed_day_file_checks_and_refuses_any_change_or_another_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hub.sqlite3"
    await write_log(path, 3)
    assert seat_hub_audit("keygen", "--out", tmp_path / "keys" / "audit").returncode != 0
    (tmp_path / "keys").mkdir()
    made = seat_hub_audit("keygen", "--out", tmp_path / "keys" / "audit")
    assert made.returncode == 0
    assert (tmp_path / "keys" / "audit.key").stat().st_mode & 0o777 == 0o600
    today = date.fromtimestamp(NOON).isoformat()
    export = seat_hub_audit("export", "--db", path, "--day", today, "--signing-key",
                            tmp_path / "keys" / "audit.key", "--out", tmp_path / "archive")
    assert export.returncode == 0 and "3 rows" in export.stdout
    day_file = tmp_path / "archive" / f"audit-{today}.jsonl"
    checked = seat_hub_audit("check-export", day_file, "--public-key",
                             tmp_path / "keys" / "audit.pub")
    assert checked.returncode == 0 and "signature good, 3 rows" in checked.stdout

    other = seat_hub_audit("keygen", "--out", tmp_path / "keys" / "other")
    assert other.returncode == 0
    wrong_key = seat_hub_audit("check-export", day_file, "--public-key",
                               tmp_path / "keys" / "other.pub")
    assert wrong_key.returncode == 1 and "signature does not match" in wrong_key.stdout
    day_file.write_text(day_file.read_text().replace("第1号", "第7号"))
    changed = seat_hub_audit("check-export", day_file, "--public-key",
                             tmp_path / "keys" / "audit.pub")
    assert changed.returncode == 1 and "signature does not match" in changed.stdout


async def test_a_broken_log_is_not_signed_and_bad_arguments_are_said_plainly(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hub.sqlite3"
    await write_log(path, 2)
    assert seat_hub_audit("keygen", "--out", tmp_path / "k").returncode == 0
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER audit_log_no_update")  # someone with the file and a shell
    db.execute("UPDATE audit_log SET detail = '' WHERE seq = 1")
    db.commit()
    db.close()
    today = date.fromtimestamp(NOON).isoformat()
    refused = seat_hub_audit("export", "--db", path, "--day", today, "--signing-key",
                             tmp_path / "k.key", "--out", tmp_path / "archive")
    assert refused.returncode == 1 and "BROKEN at row 1" in refused.stdout
    assert not (tmp_path / "archive").exists()
    missing = seat_hub_audit("verify", "--db", tmp_path / "nothing.sqlite3")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    not_a_key = seat_hub_audit("export", "--db", path, "--day", today, "--signing-key",
                               path, "--out", tmp_path / "archive")
    assert not_a_key.returncode == 2 and "cannot read the signing key" in not_a_key.stderr
    bad_day = seat_hub_audit("export", "--db", path, "--day", "yesterday", "--signing-key",
                             tmp_path / "k.key", "--out", tmp_path / "archive")
    assert bad_day.returncode == 2


async def test_verify_and_export_read_a_postgresql_audit_log(
    tmp_path: Path, postgres_url: str
) -> None:
    store = await PostgresStore.open(postgres_url)
    for i in range(4):
        await store.audit.record(at=NOON + i, supervisor_id="S01", action="whisper",
                                 target=f"00{i:02d}", detail=f"第{i}号", result="ok")
    await store.close()
    whole = seat_hub_audit("verify", "--db", postgres_url)
    assert whole.returncode == 0 and "4 rows, chain whole" in whole.stdout, whole.stderr
    assert seat_hub_audit("keygen", "--out", tmp_path / "audit").returncode == 0
    today = date.fromtimestamp(NOON).isoformat()
    export = seat_hub_audit("export", "--db", postgres_url, "--day", today, "--signing-key",
                            tmp_path / "audit.key", "--out", tmp_path / "archive")
    assert export.returncode == 0 and "4 rows" in export.stdout, export.stderr
    checked = seat_hub_audit("check-export", tmp_path / "archive" / f"audit-{today}.jsonl",
                             "--public-key", tmp_path / "audit.pub")
    assert checked.returncode == 0 and "signature good, 4 rows" in checked.stdout

    with psycopg.connect(postgres_url, autocommit=True) as admin:  # the owner, behind the hub
        admin.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
        admin.execute("UPDATE audit_log SET detail = '第9号' WHERE seq = 3")
    broken = seat_hub_audit("verify", "--db", postgres_url)
    assert broken.returncode == 1
    assert "BROKEN at row 3" in broken.stdout and "2 rows before it are whole" in broken.stdout
    refused = seat_hub_audit("export", "--db", postgres_url, "--day", today, "--signing-key",
                             tmp_path / "audit.key", "--out", tmp_path / "again")
    assert refused.returncode == 1 and "not signed" in refused.stdout


async def test_an_unreadable_postgresql_audit_log_is_said_plainly(postgres: PostgresRig) -> None:
    empty = postgres.new_database()
    nothing = seat_hub_audit("verify", "--db", empty)
    assert nothing.returncode == 2 and "holds no Seat records" in nothing.stderr
    gone = seat_hub_audit("verify", "--db", "postgresql://seat:hunter2@127.0.0.1:1/seat")
    assert gone.returncode == 2 and "cannot open ledger postgresql://seat:***@" in gone.stderr
    assert "hunter2" not in gone.stderr + gone.stdout
    other = seat_hub_audit("verify", "--db", "mysql://db/seat")
    assert other.returncode == 2 and "不支持的数据库地址" in other.stderr
