"""The audit log's hash chain: each row carries the hash of the one before it.

A row's hash is SHA-256 over the previous row's hash and the row's own fields in a
canonical form (``row_hash``); the first row follows ``GENESIS``. Change a field of any
row, remove a row or put one in between, and every hash from there on no longer
follows: ``verify`` walks the rows in order and names the first that does not. The
chain alone does not stop someone who can rewrite the whole file from rewriting every
hash too: for that the day's rows leave the host, signed (``seat-hub audit export``).

Pure functions on plain values, so every store (SQLite here) chains the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final

#: What the first row's hash follows.
GENESIS: Final = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One row of the audit log as stored, with its hash."""

    seq: int
    at: float
    supervisor_id: str
    action: str
    target: str
    detail: str
    result: str
    hash: str = ""

    def canonical(self) -> str:
        """The fields the hash covers, in one fixed form (JSON, no spaces, UTF-8)."""
        fields = [self.seq, self.at, self.supervisor_id, self.action, self.target,
                  self.detail, self.result]
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def row_hash(previous: str, row: AuditRow) -> str:
    """The hash ``row`` must carry after a row whose hash is ``previous``."""
    return hashlib.sha256(f"{previous}\n{row.canonical()}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """What ``verify`` found: the rows checked, the last good hash, and the first row that
    breaks the chain (None when the chain is whole) with why."""

    rows: int
    last_seq: int
    last_hash: str
    broken_seq: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def verify(rows: Iterable[AuditRow], previous: str = GENESIS, first_seq: int = 1) -> ChainCheck:
    """Walk ``rows`` (in ``seq`` order, starting at ``first_seq`` after a row whose hash is
    ``previous``) and stop at the first that breaks the chain."""
    count, expected, last_seq = 0, first_seq, first_seq - 1
    for row in rows:
        if row.seq != expected:
            what = "missing" if row.seq > expected else "out of order"
            return ChainCheck(count, last_seq, previous, expected,
                              f"row {expected} is {what} (next row is {row.seq})")
        if row.hash != row_hash(previous, row):
            return ChainCheck(count, last_seq, previous, row.seq,
                              f"row {row.seq} does not match its hash: changed after it "
                              "was written, or a row before it was")
        count, previous, last_seq, expected = count + 1, row.hash, row.seq, row.seq + 1
    return ChainCheck(count, last_seq, previous)


def chained(rows: Iterable[AuditRow], previous: str = GENESIS) -> list[AuditRow]:
    """``rows`` with their hashes made, each after the one before (an upgrade of rows
    written before the chain existed)."""
    out = []
    for row in rows:
        linked = replace(row, hash=row_hash(previous, row))
        out.append(linked)
        previous = linked.hash
    return out
