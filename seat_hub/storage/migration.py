"""Moving a town hall's records into a cluster: every table of an embedded store (SQLite)
copied into a PostgreSQL database, then checked row by row.

    report = await migrate(Path("ledger.sqlite3"), "postgresql://seat@db/seat",
                           progress=print_progress)

What it does, in order, and why:

1. The file is opened read-only (a hub may still run on it; stop it first for a copy that
   misses nothing). It must be a Seat ledger whose every table this migration knows: a
   table it does not know (written by a newer hub) stops it before anything is copied.
2. The target's tables are made if missing (``postgres.schema``); every column of the
   file must have its twin there. A target that holds any row is refused unless
   ``replace``: then its Seat tables are dropped and made anew, in the same transaction
   as the copy.
3. Every table is copied with COPY, parents first, in one transaction: a copy that fails
   half-way leaves the target as it was. Numbered rows keep their numbers (the counters
   move past them), so audit rows, chat and legs keep their order and ids.
4. After the commit, every table is read back from both sides in key order and compared
   row by row, column by column (counts first), and the audit log's hash chain is walked
   on the target: it must be whole and end on the file's last hash.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import tuple_row

from seat_hub.storage.audit_chain import GENESIS, AuditRow, verify
from seat_hub.storage.postgres import schema
from seat_hub.storage.postgres.worker import Connection, connect, shown

#: Rows read from the file at a time (and between two progress reports).
CHUNK = 2000

#: SQLite's own tables, and the file's text index (made again from the rows: the target
#: has its own, ``schema``): not records, not copied.
_NOT_RECORDS = ("sqlite_", "work_orders_text", "store_once")

#: Each table's key, the order rows are compared in (text keys in byte order).
_KEYS = {
    "work_orders": "id", "offers": "call_id", "call_legs": "seq", "chat_messages": "id",
    "queue_places": "work_order_id", "recordings": "work_order_id",
    "recording_files": "work_order_id", "materials": "id", "verdicts": "id",
    "bookings": "booking_no", "audit_log": "seq", "audit_keys": "key",
}
#: Tables whose key is a number (the others' are text, compared in byte order).
_NUMBER_KEYED = ("call_legs", "chat_messages", "verdicts", "audit_log")
#: Tables whose target numbers rows itself (``seq``) in the order the file wrote them.
_IN_ROWID_ORDER = ("offers", "materials")

#: Told after each chunk: the table, the rows copied or checked so far, the table's rows.
Progress = Callable[[str, str, int, int], None]


class MigrationError(Exception):
    """The migration cannot start or did not check out; the message is for the operator."""


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """What was copied and checked: rows per table, and the audit chain on the target."""

    rows: dict[str, int]
    audit_rows: int
    audit_last_hash: str


async def migrate(source: Path, target: str, *, replace: bool = False,
                  progress: Progress | None = None) -> MigrationReport:
    """Copy the embedded store at ``source`` into the PostgreSQL database at ``target`` and
    check it; a ``MigrationError`` (or ``LedgerError`` for an unreachable server) says why
    not."""
    copied = asyncio.Event()  # set once the copy is committed
    try:
        return await _migrate(source, target, replace, progress or (lambda *_: None), copied)
    except (psycopg.Error, sqlite3.Error) as exc:
        # A row the target refused, a lost connection, a file that went bad while read.
        if copied.is_set():
            raise MigrationError(f"已复制但未能核对 / copied but not checked: {exc}; 请加 --replace"
                                 " 重新迁移 / run it again with --replace") from exc
        raise MigrationError(f"复制中断，目标库未改动 / the copy stopped, the target is"
                             f" unchanged: {type(exc).__name__}: {exc}") from exc


async def _migrate(source: Path, target: str, replace: bool, tell: Progress,
                   copied: asyncio.Event) -> MigrationReport:
    db = await asyncio.to_thread(_open_source, source)
    try:
        tables = await asyncio.to_thread(_source_tables, db)
        conn = await connect(target)
        try:
            await schema.prepare(conn)
            await _check_target(conn, db, tables, target, replace)
            async with conn.transaction():
                if replace:
                    await conn.execute("DROP TABLE IF EXISTS " + ", ".join(schema.STORE_TABLES)
                                       + " CASCADE")
                    await schema.prepare(conn)
                for table, columns in tables.items():
                    await _copy(conn, db, table, columns, tell)
                for table, column in schema.IDENTITY_COLUMNS:
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                        f" COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)")
            copied.set()
            rows = {table: await _compare(conn, db, table, columns, tell)
                    for table, columns in tables.items()}
            audit = await _check_chain(conn, db) if "audit_log" in tables else (0, GENESIS)
        finally:
            await conn.close()
    finally:
        await asyncio.to_thread(db.close)
    return MigrationReport(rows, audit[0], audit[1])


# --- the file --------------------------------------------------------------------------


def _open_source(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise MigrationError(f"源文件不存在 / no such file: {path}")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0,
                             check_same_thread=False)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise MigrationError(f"不是可读的 SQLite 文件 / not a readable SQLite file: {path}: {exc}"
                             ) from exc
    return db


def _source_tables(db: sqlite3.Connection) -> dict[str, list[str]]:
    """The file's store tables (parents first) and their columns."""
    names = {str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    names = {n for n in names if not n.startswith(_NOT_RECORDS)}
    if "work_orders" not in names:
        raise MigrationError("这不是坐席中心的台账文件（没有 work_orders 表）"
                             " / not a Seat ledger: no work_orders table")
    unknown = sorted(names - set(schema.STORE_TABLES))
    if unknown:
        raise MigrationError(f"台账中有本程序不认识的表：{', '.join(unknown)}"
                             "（由更新版本的中心写入？请用同一版本迁移）"
                             " / unknown tables, written by a newer hub")
    columns: dict[str, list[str]] = {
        t: [str(r[1]) for r in db.execute(f"PRAGMA table_info({t})")]
               for t in schema.STORE_TABLES if t in names}
    if "audit_log" in columns and "hash" not in columns["audit_log"]:
        raise MigrationError("审计日志尚无哈希链：请先用本版本的 seat-hub 打开此文件一次"
                             " / the audit log has no hash chain yet: start the hub on it once")
    return columns


def _rows(db: sqlite3.Connection, table: str, columns: list[str], *, by_key: bool
          ) -> Iterator[list[tuple[Any, ...]]]:
    order = _KEYS[table] if by_key or table not in _IN_ROWID_ORDER else "rowid"
    cursor = db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
    while chunk := cursor.fetchmany(CHUNK):
        yield [tuple(row) for row in chunk]


async def _chunks(db: sqlite3.Connection, table: str, columns: list[str], *, by_key: bool
                  ) -> AsyncIterator[list[tuple[Any, ...]]]:
    """The file's rows in chunks, read off the event loop."""
    rows = _rows(db, table, columns, by_key=by_key)
    while (chunk := await asyncio.to_thread(next, rows, None)) is not None:
        yield chunk


def _count(db: sqlite3.Connection, table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# --- the target ------------------------------------------------------------------------


async def _check_target(conn: Connection, db: sqlite3.Connection,
                        tables: dict[str, list[str]], target: str, replace: bool) -> None:
    for table, columns in tables.items():
        cur = await conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s", (table,))
        present = {str(r["column_name"]) for r in await cur.fetchall()}
        missing = [c for c in columns if c not in present]
        if missing:
            raise MigrationError(
                f"目标库的 {table} 表缺少列：{', '.join(missing)}（中心版本不一致）"
                f" / the target's {table} lacks {', '.join(missing)}: versions differ")
    if replace:
        return
    for table in schema.STORE_TABLES:
        cur = await conn.execute(f"SELECT count(*) AS n FROM {table}")
        row = await cur.fetchone()
        if row is not None and row["n"]:
            raise MigrationError(
                f"目标库不是空的：{table} 已有 {row['n']} 行（{shown(target)}）。要先清空它，"
                "请加 --replace / the target is not empty; --replace empties it first")


async def _copy(conn: Connection, db: sqlite3.Connection, table: str, columns: list[str],
                tell: Progress) -> None:
    total = await asyncio.to_thread(_count, db, table)
    done = 0
    tell("copy", table, done, total)
    async with conn.cursor().copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        async for chunk in _chunks(db, table, columns, by_key=False):
            for row in chunk:
                await copy.write_row(row)
            done += len(chunk)
            tell("copy", table, done, total)


async def _compare(conn: Connection, db: sqlite3.Connection, table: str, columns: list[str],
                   tell: Progress) -> int:
    """Every row of ``table`` the same on both sides, in key order; how many."""
    total = await asyncio.to_thread(_count, db, table)
    cur = await conn.execute(f"SELECT count(*) AS n FROM {table}")
    counted = await cur.fetchone()
    if counted is None or counted["n"] != total:
        raise MigrationError(f"{table}：源 {total} 行，目标 {counted and counted['n']} 行"
                             " / row counts differ")
    key = _KEYS[table]
    order = key if table in _NUMBER_KEYED else f'{key} COLLATE "C"'
    target = conn.cursor(row_factory=tuple_row)
    rows = target.stream(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
    done = 0
    async for chunk in _chunks(db, table, columns, by_key=True):
        for want in chunk:
            got = await anext(rows, None)
            if got != want:
                raise MigrationError(
                    f"{table} 第 {done + 1} 行不一致 / row {done + 1} differs:"
                    f" {_key_of(columns, want, key)} (source {want!r}, target {got!r})")
            done += 1
        tell("check", table, done, total)
    if await anext(rows, None) is not None:  # counted the same: this only ends the stream
        raise MigrationError(f"{table}：目标行数多于源 / the target has more rows")
    return done


def _key_of(columns: list[str], row: tuple[Any, ...], key: str) -> str:
    return f"{key}={row[columns.index(key)]!r}" if key in columns else ""


async def _check_chain(conn: Connection, db: sqlite3.Connection) -> tuple[int, str]:
    """The audit log's chain on the target: whole, and ending where the file's ends."""
    cur = await conn.execute(
        "SELECT seq, at, supervisor_id, action, target, detail, result, hash FROM audit_log"
        " ORDER BY seq")
    check = verify(AuditRow(**row) for row in await cur.fetchall())
    if not check.intact:
        raise MigrationError(f"目标库的审计日志哈希链断裂 / the audit chain breaks on the target:"
                             f" {check.reason}")
    last = await asyncio.to_thread(
        lambda: db.execute("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone())
    if last is not None and str(last[0]) != check.last_hash:
        raise MigrationError("目标库审计日志的末行哈希与源文件不同 / the chain ends elsewhere")
    return check.rows, check.last_hash

