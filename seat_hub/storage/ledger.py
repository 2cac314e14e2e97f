"""The work-order ledger (工单台账): every contact from queue to rating, in SQLite.

One real SQLite file in WAL mode with ``synchronous=FULL``: a write the hub
has been told is done survives a crash or a power cut. SQLite is blocking,
so the ledger runs on its own single worker thread and never on the hub's
event loop. Each method queues its statement on that thread *when it is
called* and returns an awaitable future: writes happen in exactly the order
the hub made them, whether or not the hub waits for them. The hub awaits a
write before telling a client it happened (``Queued``, ``WorkOrderClosed``,
``Ack``); other writes (offers, answers, chat) are queued and the hub moves
on. A failed write is reported to ``on_write_error`` even if nobody awaits it.

Tables: ``work_orders`` (one row per contact), ``offers`` (every offer of a
contact to an agent and how it ended), ``chat_messages`` and ``recordings``
(where an agent's workstation keeps the call's recording: one per work
order, written by ``seat_hub.calls.recordings``).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from seat_common.protocol import CitizenInfo, Outcome
from seat_hub.storage.workorders import (
    SCHEMA,
    ChatRecord,
    EndedBy,
    HandleTime,
    OfferRecord,
    OfferResult,
    WorkOrder,
)

__all__ = [
    "ChatRecord",
    "EndedBy",
    "HandleTime",
    "LedgerError",
    "OfferRecord",
    "OfferResult",
    "WorkOrder",
    "WorkOrderLedger",
]

_P = ParamSpec("_P")
_T = TypeVar("_T")


class LedgerError(RuntimeError):
    """The ledger could not be opened or a write went wrong."""


class WorkOrderLedger:
    """The work-order ledger on its own thread; build it with ``await WorkOrderLedger.open()``."""

    def __init__(
        self, path: Path, on_write_error: Callable[[str, BaseException], None] | None = None
    ) -> None:
        self.path = path
        self._on_write_error = on_write_error
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger")
        self._db: sqlite3.Connection | None = None
        self._closed = False

    @classmethod
    async def open(
        cls, path: Path, on_write_error: Callable[[str, BaseException], None] | None = None
    ) -> WorkOrderLedger:
        """Open (creating if needed) the ledger file and its tables."""
        ledger = cls(path, on_write_error)
        try:
            await ledger._submit("open", ledger._open)
        except (sqlite3.Error, OSError) as exc:
            ledger._executor.shutdown(wait=False)
            raise LedgerError(f"cannot open ledger {path}: {exc}") from exc
        return ledger

    async def close(self) -> None:
        """Wait for every queued write, then close the file."""
        if self._closed:
            return
        self._closed = True
        await asyncio.wrap_future(self._executor.submit(self._close_db))
        self._executor.shutdown(wait=False)

    # --- writes -----------------------------------------------------------

    def create_work_order(
        self,
        *,
        item_code: str,
        channel: str,
        priority: str,
        media: str,
        citizen: CitizenInfo,
        queued_at: float,
    ) -> asyncio.Future[str]:
        """A new work order in state ``queued``; resolves to its id (WO-YYYYMMDD-NNNNNN)."""
        return self._submit(
            "create_work_order",
            self._create,
            item_code,
            channel,
            priority,
            media,
            citizen,
            queued_at,
        )

    def record_offer(
        self, work_order_id: str, call_id: str, agent_id: str, offered_at: float
    ) -> asyncio.Future[None]:
        """An offer started ringing at an agent."""
        return self._submit(
            "record_offer", self._record_offer, work_order_id, call_id, agent_id, offered_at
        )

    def record_offer_result(
        self, call_id: str, result: OfferResult, at: float
    ) -> asyncio.Future[None]:
        """An offer ended without an answer; its work order is back to ``queued``."""
        return self._submit("record_offer_result", self._record_offer_result, call_id, result, at)

    def record_answer(
        self, work_order_id: str, call_id: str, agent_id: str, answered_at: float
    ) -> asyncio.Future[None]:
        """The agent accepted: the call is on."""
        return self._submit(
            "record_answer", self._record_answer, work_order_id, call_id, agent_id, answered_at
        )

    def record_end(
        self, work_order_id: str, ended_by: EndedBy, ended_at: float
    ) -> asyncio.Future[None]:
        """The call ended; the work order waits for wrap-up."""
        return self._execute(
            "record_end",
            "UPDATE work_orders SET ended_at = ?, ended_by = ?, state = 'ended'"
            " WHERE id = ? AND state = 'in_call'",
            (ended_at, ended_by, work_order_id),
        )

    def close_work_order(
        self, work_order_id: str, outcome: Outcome, notes: str, closed_at: float
    ) -> asyncio.Future[None]:
        """Wrap-up done: the work order is closed with an outcome."""
        return self._execute(
            "close_work_order",
            "UPDATE work_orders SET outcome = ?, notes = ?, closed_at = ?, state = 'closed'"
            " WHERE id = ? AND state IN ('in_call', 'ended')",
            (outcome, notes, closed_at, work_order_id),
        )

    def abandon(self, work_order_id: str, at: float) -> asyncio.Future[None]:
        """The citizen left before an answer."""
        return self._execute(
            "abandon",
            "UPDATE work_orders SET outcome = 'abandoned', closed_at = ?, state = 'abandoned'"
            " WHERE id = ? AND state IN ('queued', 'offered')",
            (at, work_order_id),
        )

    def move_item(self, work_order_id: str, item_code: str) -> asyncio.Future[None]:
        """A supervisor moved a waiting work order to another item's queue."""
        return self._execute(
            "move_item",
            "UPDATE work_orders SET item_code = ? WHERE id = ? AND state IN ('queued', 'offered')",
            (item_code, work_order_id),
        )

    def add_chat(
        self, work_order_id: str, sender_role: str, sender_name: str, text: str, sent_at: float
    ) -> asyncio.Future[None]:
        """One chat message of a call."""
        return self._execute(
            "add_chat",
            "INSERT INTO chat_messages (work_order_id, sender_role, sender_name, text, sent_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (work_order_id, sender_role, sender_name, text, sent_at),
        )

    def rate(
        self, work_order_id: str, score: int, comment: str, rated_at: float
    ) -> asyncio.Future[None]:
        """The citizen's rating of the contact."""
        return self._execute(
            "rate",
            "UPDATE work_orders SET rating = ?, rating_comment = ?, rated_at = ? WHERE id = ?",
            (score, comment, rated_at, work_order_id),
        )

    def close_stale(self, at: float) -> asyncio.Future[int]:
        """After a restart: close what the previous run left open; resolves to how many.

        Queued or offered work orders are abandoned; calls that were on, or
        waiting for a wrap-up that can no longer come, are closed as dropped.
        """
        return self._submit("close_stale", self._close_stale, at)

    # --- reads --------------------------------------------------------------

    def work_order(self, work_order_id: str) -> asyncio.Future[WorkOrder | None]:
        return self._submit("work_order", self._work_order, work_order_id)

    def offers(self, work_order_id: str) -> asyncio.Future[list[OfferRecord]]:
        return self._submit("offers", self._offers, work_order_id)

    def chat_messages(self, work_order_id: str) -> asyncio.Future[list[ChatRecord]]:
        return self._submit("chat_messages", self._chat_messages, work_order_id)

    def handle_times(self) -> asyncio.Future[dict[str, HandleTime]]:
        """Per item: count and mean answer-to-close seconds of closed work orders."""
        return self._submit("handle_times", self._handle_times)

    def run(self, name: str, fn: Callable[[sqlite3.Connection], _T]) -> asyncio.Future[_T]:
        """Run ``fn`` with the open connection on the ledger's thread, in order with
        every other write (for stores that share the file, e.g. ``materialdb``)."""
        return self._submit(name, self._with_conn, fn)

    # --- the worker thread ----------------------------------------------------

    def _with_conn(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        return fn(self._conn())

    def _submit(
        self, name: str, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
    ) -> asyncio.Future[_T]:
        if self._closed:
            raise LedgerError("the ledger is closed")
        future = asyncio.wrap_future(self._executor.submit(fn, *args, **kwargs))
        future.add_done_callback(lambda f: self._report(name, f))
        return future

    def _report(self, name: str, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            return
        exc = future.exception()  # also marks it retrieved for unawaited writes
        if exc is not None and self._on_write_error is not None:
            self._on_write_error(name, exc)

    def _execute(self, name: str, sql: str, params: tuple[Any, ...]) -> asyncio.Future[None]:
        return self._submit(name, self._run, sql, params)

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise LedgerError("the ledger is not open")
        return self._db

    def _open(self) -> None:
        db = sqlite3.connect(self.path, timeout=10.0)
        db.row_factory = sqlite3.Row
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            db.close()
            raise LedgerError(f"SQLite refused WAL mode (got {mode!r})")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(SCHEMA)
        db.commit()
        self._db = db

    def _close_db(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _run(self, sql: str, params: tuple[Any, ...]) -> None:
        db = self._conn()
        with db:
            db.execute(sql, params)

    def _create(
        self,
        item_code: str,
        channel: str,
        priority: str,
        media: str,
        citizen: CitizenInfo,
        queued_at: float,
    ) -> str:
        db = self._conn()
        prefix = time.strftime("WO-%Y%m%d-", time.localtime(queued_at))
        with db:
            row = db.execute(
                "SELECT MAX(CAST(substr(id, ?) AS INTEGER)) FROM work_orders WHERE id LIKE ?",
                (len(prefix) + 1, prefix + "%"),
            ).fetchone()
            work_order_id = f"{prefix}{(row[0] or 0) + 1:06d}"
            db.execute(
                "INSERT INTO work_orders (id, item_code, channel, priority, media,"
                " citizen_name, citizen_id_number, citizen_phone, hall, queued_at, state)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued')",
                (
                    work_order_id,
                    item_code,
                    channel,
                    priority,
                    media,
                    citizen.name,
                    citizen.id_number,
                    citizen.phone,
                    citizen.hall,
                    queued_at,
                ),
            )
        return work_order_id

    def _record_offer(
        self, work_order_id: str, call_id: str, agent_id: str, offered_at: float
    ) -> None:
        db = self._conn()
        with db:
            db.execute(
                "INSERT INTO offers (call_id, work_order_id, agent_id, offered_at)"
                " VALUES (?, ?, ?, ?)",
                (call_id, work_order_id, agent_id, offered_at),
            )
            db.execute(
                "UPDATE work_orders SET offered_at = COALESCE(offered_at, ?), state = 'offered'"
                " WHERE id = ? AND state = 'queued'",
                (offered_at, work_order_id),
            )

    def _record_offer_result(self, call_id: str, result: OfferResult, at: float) -> None:
        db = self._conn()
        with db:
            db.execute(
                "UPDATE offers SET result = ?, result_at = ? WHERE call_id = ?",
                (result, at, call_id),
            )
            db.execute(
                "UPDATE work_orders SET state = 'queued' WHERE state = 'offered'"
                " AND id = (SELECT work_order_id FROM offers WHERE call_id = ?)",
                (call_id,),
            )

    def _record_answer(
        self, work_order_id: str, call_id: str, agent_id: str, answered_at: float
    ) -> None:
        db = self._conn()
        with db:
            db.execute(
                "UPDATE offers SET result = 'accepted', result_at = ? WHERE call_id = ?",
                (answered_at, call_id),
            )
            db.execute(
                "UPDATE work_orders SET agent_id = ?, answered_at = ?, state = 'in_call'"
                " WHERE id = ?",
                (agent_id, answered_at, work_order_id),
            )

    def _close_stale(self, at: float) -> int:
        db = self._conn()
        with db:
            abandoned = db.execute(
                "UPDATE work_orders SET outcome = 'abandoned', closed_at = ?, state = 'abandoned'"
                " WHERE state IN ('queued', 'offered')",
                (at,),
            ).rowcount
            db.execute(
                "UPDATE offers SET result = 'withdrawn', result_at = ? WHERE result = 'ringing'",
                (at,),
            )
            dropped = db.execute(
                "UPDATE work_orders SET ended_at = COALESCE(ended_at, ?),"
                " ended_by = COALESCE(ended_by, 'hub'), outcome = 'dropped', closed_at = ?,"
                " notes = 'closed by the hub after a restart', state = 'closed'"
                " WHERE state IN ('in_call', 'ended')",
                (at, at),
            ).rowcount
        return abandoned + dropped

    def _work_order(self, work_order_id: str) -> WorkOrder | None:
        row = (
            self._conn()
            .execute("SELECT * FROM work_orders WHERE id = ?", (work_order_id,))
            .fetchone()
        )
        return None if row is None else WorkOrder(**dict(row))

    def _offers(self, work_order_id: str) -> list[OfferRecord]:
        rows = self._conn().execute(
            "SELECT * FROM offers WHERE work_order_id = ? ORDER BY offered_at, rowid",
            (work_order_id,),
        )
        return [OfferRecord(**dict(r)) for r in rows]

    def _chat_messages(self, work_order_id: str) -> list[ChatRecord]:
        rows = self._conn().execute(
            "SELECT work_order_id, sender_role, sender_name, text, sent_at FROM chat_messages"
            " WHERE work_order_id = ? ORDER BY id",
            (work_order_id,),
        )
        return [ChatRecord(**dict(r)) for r in rows]

    def _handle_times(self) -> dict[str, HandleTime]:
        rows = self._conn().execute(
            "SELECT item_code, COUNT(*) AS n, AVG(closed_at - answered_at) AS mean"
            " FROM work_orders WHERE state = 'closed' AND answered_at IS NOT NULL"
            " AND closed_at >= answered_at GROUP BY item_code"
        )
        return {r["item_code"]: HandleTime(int(r["n"]), float(r["mean"])) for r in rows}
