"""What the hub asks of its records: the one storage interface every store implements.

The rest of the hub (routing, calls, materials, supervision, reports) is typed
against these protocols and never learns how the records are kept. The
embedded store is SQLite (``seat_hub.storage.sqlite``); a cluster's store
(PostgreSQL, ``seat_hub.storage.postgres``) implements the same protocols, and
``stores.open_store`` picks one from the address it is given.

The contract every implementation keeps:

- **Queued when called.** Each method starts its work *when it is called* and
  returns an ``asyncio.Future``: the writes of one hub happen in exactly the
  order the hub made them, whether or not it awaits them. (A coroutine would
  not start until awaited, and the hub leaves most writes unawaited.)
- **Failures are reported.** A write that fails is passed to the store's
  ``on_write_error`` even if nobody awaits it.
- **Never blocking the event loop.** Blocking I/O runs off the hub's loop (SQLite on
  its own thread; PostgreSQL through an asyncio driver).
- **Closing waits.** ``close`` waits for every queued write; after it every
  method raises ``LedgerError``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from typing import Protocol

from seat_common.protocol import AuditRecord, CitizenInfo, MaterialInfo, Outcome, VerdictEntry
from seat_hub.storage.audit_chain import AuditRow
from seat_hub.storage.records import (
    BookingRecord,
    ChatRecord,
    EndedBy,
    Expired,
    HandleTime,
    LegRecord,
    ListedWorkOrder,
    OfferRecord,
    OfferResult,
    QueuePlace,
    RecordingFile,
    RecordingLink,
    RecordingReport,
    WorkOrder,
    WorkOrderQuery,
)


class LedgerError(RuntimeError):
    """The records could not be opened, or the store is closed."""


#: Told of every failed write, awaited or not: what was being written, and the error.
WriteErrorHandler = Callable[[str, BaseException], None]

#: Hears that a database server could not be reached (the reason, the writes held) and
#: that it is back (``None``, the writes still to replay); the embedded store never calls it.
OutageHandler = Callable[[str | None, int], None]


class WorkOrderLedger(Protocol):
    """The work-order ledger (工单台账): every contact from queue to rating, its offers,
    chat and recording, and the reads the hub and its reports make of them."""

    # --- a contact's life -----------------------------------------------------

    def create_work_order(
        self,
        *,
        item_code: str,
        channel: str,
        priority: str,
        media: str,
        citizen: CitizenInfo,
        queued_at: float,
        citizen_key: str = "",
        resume_sha256: str = "",
        priority_check: str = "",
        large_text: bool = False,
    ) -> asyncio.Future[str]:
        """A new work order in state ``queued``; resolves to its id (WO-YYYYMMDD-NNNNNN,
        numbered per local day of ``queued_at``). ``citizen_key`` is the citizen's
        pseudonymous key (``seat_hub.parties.citizen_keys``), "" when unknown.

        With ``resume_sha256`` (the SHA-256 of the citizen's resume token) the queue place
        is kept in the same transaction, with whether the priority was checked and whether
        the citizen asked for large text (``large_text``): a citizen
        told ``Queued`` can take the place back after a hub crash, however soon it comes."""
        ...

    def record_offer(
        self, work_order_id: str, call_id: str, agent_id: str, offered_at: float
    ) -> asyncio.Future[None]:
        """An offer started ringing at an agent."""
        ...

    def record_offer_result(
        self, call_id: str, result: OfferResult, at: float
    ) -> asyncio.Future[None]:
        """An offer ended without an answer; its work order is back to ``queued``."""
        ...

    def record_answer(
        self, work_order_id: str, call_id: str, agent_id: str, answered_at: float
    ) -> asyncio.Future[None]:
        """The agent accepted: the call is on."""
        ...

    def record_end(
        self, work_order_id: str, ended_by: EndedBy, ended_at: float
    ) -> asyncio.Future[None]:
        """The call ended; the work order waits for wrap-up."""
        ...

    def close_work_order(
        self, work_order_id: str, outcome: Outcome, notes: str, closed_at: float
    ) -> asyncio.Future[None]:
        """Wrap-up done: the work order is closed with an outcome."""
        ...

    def record_leg(self, leg: LegRecord) -> asyncio.Future[None]:
        """An agent's leg of a call ended (the call ended, or it was handed on)."""
        ...

    def legs(self, work_order_id: str) -> asyncio.Future[list[LegRecord]]:
        """The work order's legs, in the order they ended."""
        ...

    def open_walk_in(
        self,
        *,
        item_code: str,
        agent_id: str,
        citizen: CitizenInfo,
        opened_at: float,
        citizen_key: str = "",
    ) -> asyncio.Future[str]:
        """A citizen served at ``agent_id``'s counter: a new work order on channel
        ``counter``, answered at once (``queued_at`` = ``answered_at`` = ``opened_at``, no
        offer: nobody waited in the queue), in state ``in_call`` until closed."""
        ...

    def abandon(self, work_order_id: str, at: float) -> asyncio.Future[None]:
        """The citizen left before an answer."""
        ...

    def move_item(self, work_order_id: str, item_code: str) -> asyncio.Future[None]:
        """A supervisor moved a waiting work order to another item's queue."""
        ...

    def add_chat(
        self, work_order_id: str, sender_role: str, sender_name: str, text: str, sent_at: float
    ) -> asyncio.Future[None]:
        """One chat message of a call."""
        ...

    def rate(
        self, work_order_id: str, score: int, comment: str, rated_at: float
    ) -> asyncio.Future[None]:
        """The citizen's rating (1–10) of the contact."""
        ...

    def link_recording(self, report: RecordingReport) -> asyncio.Future[RecordingLink]:
        """Link a call's recording to its work order, once: "linked" (the same report
        again is "linked" too), "no_such_call" unless ``report.call_id`` was answered on
        that work order, "already_recorded" if another recording is linked to it (the
        first is kept). Nothing is stored but for "linked"."""
        ...

    def queue_places(self) -> asyncio.Future[list[QueuePlace]]:
        """After a restart: the waiting (queued or offered) work orders whose citizen may
        resume, in the order they queued."""
        ...

    def close_stale(self, at: float, keep: Collection[str] = ()) -> asyncio.Future[int]:
        """After a restart: close what the previous run left open; resolves to how many.

        Queued or offered work orders are abandoned, except those in ``keep`` (queue
        places recovered: they are ``queued`` again); every ringing offer is withdrawn;
        calls that were on, or waiting for a wrap-up that can no longer come, are closed
        as dropped.
        """
        ...

    # --- reads ------------------------------------------------------------------

    def work_order(self, work_order_id: str) -> asyncio.Future[WorkOrder | None]: ...

    def offers(self, work_order_id: str) -> asyncio.Future[list[OfferRecord]]:
        """The work order's offers, oldest first."""
        ...

    def chat_messages(self, work_order_id: str) -> asyncio.Future[list[ChatRecord]]:
        """The work order's chat, in the order it was written."""
        ...

    def handle_times(self) -> asyncio.Future[dict[str, HandleTime]]:
        """Per item: count and mean answer-to-close seconds of closed work orders."""
        ...

    def work_orders_queued(
        self, since: float, until: float | None = None
    ) -> asyncio.Future[list[WorkOrder]]:
        """Work orders queued in [``since``, ``until``) (no end if None), oldest first."""
        ...

    def search(self, query: WorkOrderQuery) -> asyncio.Future[list[ListedWorkOrder]]:
        """At most ``query.limit`` work orders matching ``query``, newest first; ``text``
        matches literally (no wildcards)."""
        ...


class MaterialIndex(Protocol):
    """The materials of work orders (their files live in the content-addressed store) and
    the pre-review verdicts agents sent, in order."""

    def add(self, info: MaterialInfo, uploaded_by: str) -> asyncio.Future[None]: ...

    def get(self, material_id: str) -> asyncio.Future[MaterialInfo | None]: ...

    def of_work_order(self, work_order_id: str) -> asyncio.Future[list[MaterialInfo]]:
        """The work order's materials, in the order they were added."""
        ...

    def verdicts(self, work_order_id: str) -> asyncio.Future[list[dict[str, object]]]:
        """The work order's verdict history, oldest first (entries as wire data)."""
        ...

    def add_verdict(
        self,
        work_order_id: str,
        agent_id: str,
        item_code: str,
        entries: tuple[VerdictEntry, ...],
        decided_at: float,
    ) -> asyncio.Future[int]:
        """Store a verdict as the work order's next revision; resolves to the revision."""
        ...

    def link_booking(self, booking: BookingRecord) -> asyncio.Future[bool]:
        """Keep a proxy booking, once: True if kept (or the same booking again), False if
        the number is already linked to another work order (the first is kept)."""
        ...

    def booking(self, booking_no: str) -> asyncio.Future[BookingRecord | None]: ...

    def expire(self, closed_before: float, now: float) -> asyncio.Future[Expired]:
        """Retention: the citizens' personal columns of work orders closed before
        ``closed_before`` blanked (the pseudonymous citizen key stays, for counting), and
        their materials marked purged at ``now`` (no longer found by ``get`` and
        ``of_work_order``); resolves to what was done, with the stored files
        (by SHA-256) that no material still kept refers to, for the caller to delete."""
        ...

    def recording_file(self, work_order_id: str) -> asyncio.Future[RecordingFile | None]:
        """The work order's reported recording and whether its file is in the store."""
        ...

    def add_recording_file(self, work_order_id: str, at: float) -> asyncio.Future[bool]:
        """The reported recording's file is in the store from ``at``: written once (True),
        a second time changes nothing (False)."""
        ...

    def expire_recordings(self, saved_before: float, now: float) -> asyncio.Future[
            tuple[str, ...]]:
        """Retention: stored recordings saved before ``saved_before`` marked purged at
        ``now``; resolves to their files' SHA-256, for the caller to delete."""
        ...


class AuditTrail(Protocol):
    """The supervisors' audit log: append-only, nothing in it is ever changed or removed."""

    def record(
        self,
        *,
        at: float,
        supervisor_id: str,
        action: str,
        target: str,
        detail: str,
        result: str,
    ) -> asyncio.Future[None]:
        """Append one action (``target`` cut to 64 characters, ``detail`` to 500, ``result``
        to 64)."""
        ...

    def record_once(
        self,
        key: str,
        *,
        at: float,
        supervisor_id: str,
        action: str,
        target: str,
        detail: str,
        result: str,
    ) -> asyncio.Future[bool]:
        """``record``, unless a row with this ``key`` was written before: True when it
        was written now, False when it already was (nothing changes)."""
        ...

    def recent(self, limit: int) -> asyncio.Future[list[AuditRecord]]:
        """The newest ``limit`` entries, newest first."""
        ...

    def chain(self, after_seq: int = 0) -> asyncio.Future[list[AuditRow]]:
        """The rows after ``after_seq`` as stored, with their hashes, in order: what
        ``audit_chain.verify`` walks (a migration's check, an audit)."""
        ...


class HubStore(Protocol):
    """All the hub's records, opened by the composition root and closed with the hub."""

    @property
    def ledger(self) -> WorkOrderLedger: ...

    @property
    def materials(self) -> MaterialIndex: ...

    @property
    def audit(self) -> AuditTrail: ...

    def once(self, key: str) -> AbstractContextManager[None]:
        """Every write queued inside the block is applied at most once for ``key``, across
        hubs and restarts (``storage.once``): the same key again returns the kept answer
        (for answers JSON holds) and changes nothing."""
        ...

    async def close(self) -> None:
        """Wait for every queued write, then let go of the records."""
        ...
