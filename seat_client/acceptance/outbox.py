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

All SQLite work runs on one dedicated thread (``outbox_store``), so the event loop
(and the UI on it) never waits for a disk flush; the values it keeps are in
``outbox_entries``. The worker and each delivery are tasks of the
outbox's ``TaskOwner``, closed by ``stop``. ``changed`` is emitted on the loop
with each entry's new snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from seat_client.acceptance.gov_api_client import Application, FieldErrors, GovApiError
from seat_client.acceptance.outbox_entries import (
    OutboxEntry,
    OutboxState,
    Submission,
    idempotency_key,
)
from seat_client.acceptance.outbox_store import OutboxStore
from seat_common.events import Event
from seat_common.personal_data.pii import mask_text
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)


class ApplicationsApi(Protocol):
    """The part of ``GovApiClient`` the outbox uses."""

    async def submit_application(self, idempotency_key: str, body: dict[str, Any]) -> (
        Application
    ): ...
    async def application(self, number: str) -> Application: ...


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
        self._store = OutboxStore(path, self._running_loop)

    # --- lifecycle ----------------------------------------------------------------------

    async def open(self) -> None:
        """Open (or create) the file; entries caught ``sending`` by a crash are queued again."""
        self._loop = asyncio.get_running_loop()
        self._entries = {e.entry_id: e for e in await self._store.open_and_recover()}

    def start(self) -> None:
        if self._runner is None:
            self._runner = self._tasks.spawn(self._run(), "outbox worker")

    async def stop(self) -> None:
        await self._tasks.close()  # the worker and the deliveries under way
        self._runner = None
        await self._store.close()

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
            entry_id = await self._store.insert(key, submission, now)
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
            await self._store.delete(done)
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
        await self._store.write(new)
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


__all__ = ["ApplicationsApi", "SubmissionOutbox", "backoff_delay"]
