"""Group commit: several of a store worker's queued writes in one PostgreSQL transaction.

A cluster's ledger stream queues up to a hundred writes at once, each inside its own
``store.once`` block; in a transaction of its own each pays BEGIN, the worker's mark, the
once-key, the job, the answers and COMMIT: seven to nine round trips for one or two rows.
``commit_together`` runs a run of writes (``Write``) that were queued back to back in one
transaction instead, keeping what the worker (``worker``) promises of each write:

- **Order.** The writes run in the order they were queued, one after the other, on the
  one connection; the worker never puts a read in a batch (a batch ends at the next read).
- **Written once across an outage.** One mark per batch: ``store_writes.seq`` moves to the
  batch's last number, but only if it is below the batch's *first* one. If it is not, the
  batch, or a part of it, committed before its acknowledgement was lost: those writes (the
  ones at or below the mark) are answered from the mark's ``result``, and the worker tries
  the rest again. ``result`` holds the answers of the mark's whole transaction, a JSON
  object ``{"<seq>": answer}`` (an answer JSON cannot give back as it was is left out: its
  replay fails saying its answer was lost, as before). Only the last transaction can be
  in doubt: the worker answers nothing before its COMMIT is acknowledged.
- **Once-keys per write.** A write's key (``storage.once``) already in ``store_once`` (any
  hub, any transaction, this one included) makes that write's answer the stored one and
  its job is not run. A None answer is not written to ``store_once.result``: the column is
  NULL from the INSERT, which reads back as None.
- **A failing write fails alone.** If any job fails with its own error, this raises it and
  the whole transaction is rolled back: nothing of the batch is written, and the worker
  runs the batch's writes again one by one (``commit_together`` with one write each), so
  exactly that write gets its error. This is safe because every job of the store
  (``ledger``, ``audit``, ``materials``; ``ledger_reads`` has reads only) is database work
  on the connection and nothing else: no file, no message, no state outside the
  transaction, so a job rolled back and run again leaves no trace of the first run.
  A job that must do more must not be queued as a write.

**Locks.** Rows a write updates stay locked until its batch commits, a few milliseconds
longer than alone. A write that takes a lock every hub's writes of its kind wait for (a
work order's number, the audit chain's end, a verdict's revision) or the rows of many work
orders (a sweep, ``MANY_ROWS``) names it (``PostgresWorker.run(lock=...)``): its batch ends
after it unless more writes of that lock follow, so the lock is held for their own work
only, as alone, and a batch never holds two such locks (no two hubs wait for each other
on them). Two hubs whose batches update the same rows in opposite orders can still
deadlock: the server aborts one, and that batch is run again one by one like any other
that failed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import psycopg
from psycopg.rows import DictRow

from seat_hub.storage.interface import LedgerError

# The worker's own (``worker.Connection``, ``worker.Job``): it imports this module.
Connection = psycopg.AsyncConnection[DictRow]
Job = Callable[[Connection], Awaitable[Any]]

#: The most writes one transaction carries: enough that a ledger stream batch of 100
#: commits in two, few enough that the locks a batch holds are not held long.
GROUP_COMMIT_LIMIT: Final = 64

#: The ``lock`` (``PostgresWorker.run``) of a write that updates the rows of many work
#: orders at once (a sweep): nothing follows it in its transaction.
MANY_ROWS: Final = "rows of many work orders"

#: Moves a worker's mark to a batch's last number (the 2nd parameter) unless the mark has
#: reached its first (the 3rd) already, i.e. the batch committed, in whole or in part,
#: before its acknowledgement was lost: then no row comes back.
_MARK: Final = (
    "INSERT INTO store_writes (writer, seq) VALUES (%s, %s) ON CONFLICT (writer)"
    " DO UPDATE SET seq = EXCLUDED.seq, result = NULL WHERE store_writes.seq < %s"
    " RETURNING seq")

#: Marks a write made at most once per key (``storage.once``) in its transaction; no row
#: back when the key was written before.
_ONCE: Final = ("INSERT INTO store_once (key) VALUES (%s) ON CONFLICT (key) DO NOTHING"
                " RETURNING key")

#: The answers a mark keeps for a replay (JSON gives them back as they were).
_KEPT_ANSWERS: Final = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Write:
    """One queued write: its number in the worker's order, its once-key, its job."""

    seq: int
    once: str | None
    job: Job


@dataclass(frozen=True)
class Outcome:
    """What a write's caller gets: its answer, or the error that says it was not had."""

    answer: Any = None
    error: BaseException | None = None


async def commit_together(conn: Connection, writer: str, writes: Sequence[Write]) -> list[Outcome]:
    """Run ``writes`` (numbered in order, with no gap) in one transaction that moves
    ``writer``'s mark; the outcome of each, in order. Fewer outcomes than writes when a
    first part had committed before (``_made_before``): the rest are to be tried again.
    A job's own error is raised with the transaction rolled back."""
    first, last = writes[0].seq, writes[-1].seq
    async with conn.transaction():
        cur = await conn.execute(_MARK, (writer, last, first))
        if await cur.fetchone() is None:
            return await _made_before(conn, writer, writes)
        outcomes: list[Outcome] = []
        kept: dict[str, Any] = {}
        for write in writes:
            answer = await _run_once(conn, write)
            if type(answer) in _KEPT_ANSWERS:
                kept[str(write.seq)] = answer
            outcomes.append(Outcome(answer))
        await conn.execute("UPDATE store_writes SET result = %s WHERE writer = %s",
                           (json.dumps(kept), writer))
    return outcomes


async def _run_once(conn: Connection, write: Write) -> Any:
    """The write's job, unless its once-key was written before: then that write's answer."""
    if write.once is not None:
        cur = await conn.execute(_ONCE, (write.once,))
        if await cur.fetchone() is None:  # written before, by any hub: its answer
            cur = await conn.execute("SELECT result FROM store_once WHERE key = %s",
                                     (write.once,))
            row = await cur.fetchone()
            kept = None if row is None else row["result"]
            return None if kept is None else json.loads(kept)
    answer = await write.job(conn)
    if write.once is not None and answer is not None and type(answer) in _KEPT_ANSWERS:
        await conn.execute("UPDATE store_once SET result = %s WHERE key = %s",
                           (json.dumps(answer), write.once))
    return answer


async def _made_before(conn: Connection, writer: str, writes: Sequence[Write]) -> list[Outcome]:
    """The outcomes of the writes at or below the stored mark (they committed before the
    connection dropped), from the answers the mark keeps."""
    cur = await conn.execute("SELECT seq, result FROM store_writes WHERE writer = %s",
                             (writer,))
    row = await cur.fetchone()
    marked = -1 if row is None else int(row["seq"])
    # A ``result`` that is not an object is of the format before group commit (one answer,
    # no number): it cannot be met, as a worker's name is a fresh uuid each time it starts,
    # and if it were, its writes would fail saying their answers were lost.
    stored = json.loads(row["result"]) if row is not None and row["result"] else {}
    answers = stored if isinstance(stored, dict) else {}
    outcomes: list[Outcome] = []
    for write in writes:
        if write.seq > marked and outcomes:
            break
        if str(write.seq) in answers:
            outcomes.append(Outcome(answers[str(write.seq)]))
        else:
            outcomes.append(Outcome(error=LedgerError(
                f"write {write.seq} was made before the connection dropped; its answer was"
                " lost with it")))
    return outcomes
