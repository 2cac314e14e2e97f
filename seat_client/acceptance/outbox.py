"""The submission outbox: applications are written to local SQLite before they go on the wire.

``SubmissionOutbox.enqueue`` stores the application in one transaction (SQLite
WAL, ``synchronous=FULL``: on disk when it returns) under its idempotency key,
which comes from the application itself (``idempotency_key``: the work order,
the item, the form and its revision, that is what was filled in and the
materials), so one application has one key however often it is submitted: a
submit clicked again after an error, or after the workstation crashed, finds
the entry already there and sends nothing new (a failed one is queued again,
with its key). A corrected form is another revision, with a key of its own.

A worker task then delivers queued applications to the government API: up to
``concurrency`` at once, full-jitter exponential backoff between attempts, at
least the API's ``Retry-After``, a token refresh on 401 (inside
``GovApiClient``). Field errors (422) put the entry in ``returned`` with the
problems to show on the form. An answer that retrying cannot change (400, 403,
404, credentials refused, a reused key with a different body, an answer that
breaks the API's own document) makes it ``failed`` with the server's message,
at once; the agent may send it again after fixing the cause. A dropped or timed
out connection, 5xx and 429 are retried, so nothing is lost.

Because every attempt carries the same idempotency key, an application
whose answer was lost (dropped connection, kill -9 between the API's commit
and ours) is not duplicated: the retry gets the first answer back. Entries
found ``sending`` at start-up go back to ``queued`` for exactly that reason.

All SQLite work runs on one dedicated thread, so the event loop (and the
UI on it) never waits for a disk flush. The worker and each delivery are tasks of the
outbox's ``TaskOwner``, closed by ``stop``. ``changed`` is emitted on the loop
with each entry's new snapshot.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any, Final, Protocol, TypeVar

from seat_client.acceptance.gov_api_client import (
    Application,
    FieldErrors,
    FieldProblem,
    GovApiError,
)
from seat_common.events import Event
from seat_common.pii import mask_text
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)
T = TypeVar("T")


class OutboxState(Enum):
    QUEUED = "queued"
    SENDING = "sending"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Submission:
    """What the agent submitted: the form's values and what the receipt needs."""

    work_order_id: str
    item_code: str
    item_name: str
    form: str
    values: dict[str, str]
    materials: tuple[str, ...] = ()
    material_names: tuple[str, ...] = ()
    applicant_name: str = ""
    applicant_id_number: str = ""
    agent_id: str = ""
    #: the agent's confirmation that the applicant is not the caller (masked), or ""; a
    #: record of how the application was made, not part of it: not in the idempotency key
    #: nor sent to the API
    identity_note: str = ""
    #: the materials the pre-review did not accept, one line each, for the receipt; not in
    #: the idempotency key either (``materials`` is what goes with the application)
    materials_to_correct: tuple[str, ...] = ()

    def api_body(self) -> dict[str, Any]:
        return {"item_code": self.item_code, "form": self.form, "values": dict(self.values),
                "materials": list(self.materials), "work_order_id": self.work_order_id,
                "agent_id": self.agent_id}

    def to_json(self) -> str:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Submission:
        d = json.loads(text)
        d["materials"] = tuple(d.get("materials", ()))
        d["material_names"] = tuple(d.get("material_names", ()))
        d["materials_to_correct"] = tuple(d.get("materials_to_correct", ()))
        return cls(**d)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One application in the outbox, as of its last change."""

    entry_id: int
    idempotency_key: str
    submission: Submission
    state: OutboxState
    attempts: int = 0
    next_attempt_at: float = 0.0
    application_no: str = ""
    api_status: str = ""
    detail: str = ""
    field_errors: tuple[FieldProblem, ...] = ()
    created_at: float = 0.0
    updated_at: float = 0.0


class ApplicationsApi(Protocol):
    """The part of ``GovApiClient`` the outbox uses."""

    async def submit_application(self, idempotency_key: str, body: dict[str, Any]) -> (
        Application
    ): ...
    async def application(self, number: str) -> Application: ...


SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS outbox (
    entry_id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    submission TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    application_no TEXT NOT NULL DEFAULT '',
    api_status TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    field_errors TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state, next_attempt_at);
"""
#: Durability for every outbox connection (and the benchmark's raw inserts).
PRAGMAS: Final = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000")


def open_db(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        db.execute(pragma)
    db.executescript(SCHEMA)
    return db


def idempotency_key(submission: Submission) -> str:
    """The key of one application: its work order, item and form, and the revision of the
    form (what was filled in, and the materials); the same for the same application
    however often it is submitted, and on any workstation."""
    revision = {"work_order_id": submission.work_order_id, "item_code": submission.item_code,
                "form": submission.form, "values": submission.values,
                "materials": list(submission.materials)}
    canonical = json.dumps(revision, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "seat-" + hashlib.sha256(canonical.encode()).hexdigest()[:40]


def backoff_delay(attempts: int, rng: random.Random, *, base_s: float, cap_s: float,
                  retry_after: float | None = None) -> float:
    """Full jitter: uniform in [0, min(cap, base·2^(attempts-1))], and never below Retry-After."""
    ceiling = min(cap_s, base_s * 2 ** min(max(attempts - 1, 0), 30))
    delay = rng.uniform(0, ceiling)
    return max(delay, retry_after) if retry_after is not None else delay


class SubmissionOutbox:
    """The outbox file and its delivery worker, whose tasks run under ``tasks`` (the
    outbox's own: ``stop`` closes it). Emits ``changed(OutboxEntry)`` and
    ``forgotten(entry ids)``."""

    def __init__(
        self,
        path: Path,
        api: ApplicationsApi,
        *,
        concurrency: int = 4,
        base_s: float = 0.5,
        cap_s: float = 60.0,
        status_poll_s: float = 30.0,
        rng: random.Random | None = None,
        tasks: TaskOwner | None = None,
    ) -> None:
        self.path = path
        self.api = api
        self.concurrency = concurrency
        self.base_s = base_s
        self.cap_s = cap_s
        self.status_poll_s = status_poll_s
        self.changed: Event[OutboxEntry] = Event()
        #: entries deleted by retention (their ids)
        self.forgotten: Event[tuple[int, ...]] = Event()
        self._rng = rng or random.Random()
        self._entries: dict[int, OutboxEntry] = {}
        self._inflight: set[int] = set()
        self._enqueueing = asyncio.Lock()
        self._tasks = tasks or TaskOwner("outbox")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._woken = False
        self._runner: asyncio.Task[None] | None = None
        self._db_thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="outbox-db")
        self._local = threading.local()

    # --- lifecycle ----------------------------------------------------------------------

    async def open(self) -> None:
        """Open (or create) the file; entries caught ``sending`` by a crash are queued again."""
        self._loop = asyncio.get_running_loop()
        rows = await self._db(self._open_and_recover)
        self._entries = {e.entry_id: e for e in map(_entry, rows)}

    def start(self) -> None:
        if self._runner is None:
            self._runner = self._tasks.spawn(self._run(), "outbox worker")

    async def stop(self) -> None:
        await self._tasks.close()  # the worker and the deliveries under way
        self._runner = None
        await self._db(self._close)
        self._db_thread.shutdown(wait=True)

    # --- what the agent does --------------------------------------------------------------

    async def enqueue(self, submission: Submission) -> OutboxEntry:
        """Store the application durably under its key; the worker sends it. The same
        application submitted again is the entry already there (queued again if it had
        failed), never a second one."""
        key = idempotency_key(submission)
        async with self._enqueueing:  # two clicks at once: still one entry
            known = next((e for e in self._entries.values() if e.idempotency_key == key), None)
            if known is not None:
                if known.state is OutboxState.FAILED:
                    await self.retry(known.entry_id)
                return self._entries[known.entry_id]
            now = time.time()
            entry_id = await self._db(self._insert, key, submission.to_json(), now)
            entry = OutboxEntry(entry_id, key, submission, OutboxState.QUEUED, created_at=now,
                                updated_at=now)
            self._publish(entry)
        self._wake_up()
        return entry

    async def retry(self, entry_id: int) -> None:
        """Send a failed application again, with its same key (so still at most once)."""
        entry = self._entries.get(entry_id)
        if entry is not None and entry.state is OutboxState.FAILED:
            await self._update(entry, state=OutboxState.QUEUED, next_attempt_at=0.0, detail="")
            self._wake_up()

    def entries(self) -> list[OutboxEntry]:
        """All entries, newest first."""
        return sorted(self._entries.values(), key=lambda e: -e.entry_id)

    def entry(self, entry_id: int) -> OutboxEntry | None:
        return self._entries.get(entry_id)

    def counts(self) -> dict[OutboxState, int]:
        out = dict.fromkeys(OutboxState, 0)
        for e in self._entries.values():
            out[e.state] += 1
        return out

    async def forget_done(self, before: float) -> int:
        """Retention: delete accepted or returned applications last changed before
        ``before`` (their personal data has done its work here); failed and unsent ones
        stay until the agent deals with them. How many were deleted."""
        done = [e.entry_id for e in self._entries.values()
                if e.state in (OutboxState.ACCEPTED, OutboxState.RETURNED)
                and e.updated_at < before and e.entry_id not in self._inflight]
        if done:
            await self._db(self._delete, done)
            for entry_id in done:
                self._entries.pop(entry_id, None)
            self.forgotten.emit(tuple(done))
        return len(done)

    async def refresh_statuses(self) -> None:
        """Ask the API how accepted applications moved on (received → accepted/returned)."""
        for entry in list(self._entries.values()):
            if entry.state is not OutboxState.ACCEPTED or entry.api_status != "received":
                continue
            try:
                app = await self.api.application(entry.application_no)
            except GovApiError as exc:
                log.info("status of %s not read: %s", entry.application_no, exc)
                return
            if app.status == "returned":
                await self._update(entry, state=OutboxState.RETURNED, api_status=app.status,
                                   detail=app.status_reason)
            elif app.status != entry.api_status:
                await self._update(entry, api_status=app.status)

    # --- the worker ---------------------------------------------------------------------

    async def _run(self) -> None:
        last_poll = time.monotonic()
        while True:
            now = time.time()
            queued = sorted((e for e in self._entries.values()
                             if e.state is OutboxState.QUEUED and e.entry_id not in self._inflight),
                            key=lambda e: e.entry_id)
            held_back = False
            for entry in queued:
                if len(self._inflight) >= self.concurrency:
                    break
                if entry.next_attempt_at <= now:
                    if not _loop_is_running():
                        held_back = True
                        break
                    self._inflight.add(entry.entry_id)
                    self._tasks.spawn(self._deliver(entry), f"deliver application {entry.entry_id}")
            waiting = [e.next_attempt_at - now for e in queued
                       if e.entry_id not in self._inflight and e.next_attempt_at > now]
            timeout = min([*waiting, self.status_poll_s])
            if len(self._inflight) >= self.concurrency:
                timeout = self.status_poll_s
            if held_back:
                timeout = min(timeout, self.base_s)
            await self._sleep(max(timeout, 0.0))
            if time.monotonic() - last_poll >= self.status_poll_s:
                last_poll = time.monotonic()
                try:
                    await self.refresh_statuses()
                except Exception:
                    log.exception("outbox status poll failed")

    async def _deliver(self, entry: OutboxEntry) -> None:
        try:
            entry = await self._update(entry, state=OutboxState.SENDING,
                                       attempts=entry.attempts + 1)
            try:
                app = await self.api.submit_application(entry.idempotency_key,
                                                        entry.submission.api_body())
            except FieldErrors as exc:
                await self._update(entry, state=OutboxState.RETURNED, detail=exc.message,
                                   field_errors=exc.fields)
            except GovApiError as exc:
                if not exc.retryable:  # asking again would get the same answer
                    await self._update(entry, state=OutboxState.FAILED,
                                       detail=mask_text(str(exc))[:300])
                else:
                    await self._retry_later(entry, exc, exc.retry_after)
            except Exception as exc:
                log.exception("outbox delivery of entry %d failed", entry.entry_id)
                await self._retry_later(entry, exc, None)
            else:
                await self._update(entry, state=OutboxState.ACCEPTED,
                                   application_no=app.application_no, api_status=app.status,
                                   detail="", field_errors=())
        finally:
            self._inflight.discard(entry.entry_id)
            self._wake_up()

    async def _retry_later(self, entry: OutboxEntry, exc: Exception,
                           retry_after: float | None) -> None:
        delay = backoff_delay(entry.attempts, self._rng, base_s=self.base_s, cap_s=self.cap_s,
                              retry_after=retry_after)
        await self._update(entry, state=OutboxState.QUEUED, next_attempt_at=time.time() + delay,
                           detail=mask_text(f"{type(exc).__name__}: {exc}")[:300])

    async def _update(self, entry: OutboxEntry, **changes: Any) -> OutboxEntry:
        new = replace(entry, updated_at=time.time(), **changes)
        await self._db(self._write, new)
        self._publish(new)
        return new

    def _publish(self, entry: OutboxEntry) -> None:
        self._entries[entry.entry_id] = entry
        self.changed.emit(entry)

    # The loop is kept from open(): under qasync a task step may run while asyncio's
    # "running loop" is unset (Qt dispatching a timer), where get_running_loop() raises.
    def _running_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    async def _sleep(self, seconds: float) -> None:
        """Until ``seconds`` pass or ``_wake_up`` is called (a wake-up is never lost)."""
        if self._woken:
            self._woken = False
            return
        loop = self._running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiter = waiter
        timer = loop.call_later(seconds, _settle, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None
            self._woken = False

    def _wake_up(self) -> None:
        if self._waiter is not None:
            _settle(self._waiter)
        else:
            self._woken = True

    # --- the database thread ----------------------------------------------------------------

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._running_loop().run_in_executor(self._db_thread, fn, *args)

    def _conn(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = open_db(self.path)
            db.row_factory = sqlite3.Row
            self._local.db = db
        return db

    def _close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def _open_and_recover(self) -> list[sqlite3.Row]:
        db = self._conn()
        db.execute("UPDATE outbox SET state = 'queued', next_attempt_at = 0 "
                   "WHERE state = 'sending'")
        return list(db.execute("SELECT * FROM outbox ORDER BY entry_id"))

    def _delete(self, entry_ids: list[int]) -> None:
        with self._conn() as db:
            db.executemany("DELETE FROM outbox WHERE entry_id = ?", [(i,) for i in entry_ids])

    def _insert(self, key: str, submission: str, now: float) -> int:
        # One statement in autocommit mode is one transaction: on disk (WAL, FULL) on return.
        cursor = self._conn().execute(
            "INSERT INTO outbox (idempotency_key, submission, state, created_at, updated_at)"
            " VALUES (?, ?, 'queued', ?, ?)", (key, submission, now, now))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _write(self, e: OutboxEntry) -> None:
        errors = json.dumps([[p.field, p.code, p.message] for p in e.field_errors],
                            ensure_ascii=False)
        self._conn().execute(
            "UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, application_no = ?,"
            " api_status = ?, detail = ?, field_errors = ?, updated_at = ? WHERE entry_id = ?",
            (e.state.value, e.attempts, e.next_attempt_at, e.application_no, e.api_status,
             e.detail, errors, e.updated_at, e.entry_id))


def _loop_is_running() -> bool:
    """WORKAROUND: a task step qasync runs outside ``run_forever`` (see ``_running_loop``)
    cannot start a task; the worker then holds its deliveries back for a moment."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _settle(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        entry_id=int(row["entry_id"]),
        idempotency_key=str(row["idempotency_key"]),
        submission=Submission.from_json(row["submission"]),
        state=OutboxState(row["state"]),
        attempts=int(row["attempts"]),
        next_attempt_at=float(row["next_attempt_at"]),
        application_no=str(row["application_no"]),
        api_status=str(row["api_status"]),
        detail=str(row["detail"]),
        field_errors=tuple(FieldProblem(*p) for p in json.loads(row["field_errors"])),
        created_at=float(row["created_at"]),
        updated_at=float(row["updated_at"]),
    )


__all__ = ["OutboxEntry", "OutboxState", "Submission", "SubmissionOutbox", "backoff_delay",
           "idempotency_key"]
