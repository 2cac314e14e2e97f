"""The ledger as a cluster's hub sees it: the writes the shared queue's scripts make are
not made a second time.

In a cluster every decision about a contact (an offer and how it ended, the answer, the
end of the call, its leg, the wrap-up's close, an abandon) is taken by a Lua script in
Redis, which appends its ledger write to the ``{seat}:ledger`` stream in the same step;
each hub's consumer writes those entries to the database once (``cluster.ledger_stream``).
The hub's rules, which the cluster runs unchanged for the calls a hub holds, make the same
writes as the single hub; ``ScriptedLedger`` answers those at once without writing, and
passes every other call (numbering a work order, chat, rating, reads) to the store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection

from seat_common.protocol import CitizenInfo, Outcome
from seat_hub.storage.interface import WorkOrderLedger
from seat_hub.storage.records import (
    ChatRecord,
    EndedBy,
    HandleTime,
    LegRecord,
    ListedWorkOrder,
    OfferRecord,
    OfferResult,
    QueuePlace,
    RecordingLink,
    RecordingReport,
    WorkOrder,
    WorkOrderQuery,
)


def _written_elsewhere() -> asyncio.Future[None]:
    """A write the shared queue's script has made already: done at once."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    done.set_result(None)
    return done


class ScriptedLedger:
    """``WorkOrderLedger`` over ``store``, without the writes the cluster's scripts make
    (see the module's docstring)."""

    def __init__(self, store: WorkOrderLedger) -> None:
        self._store = store

    # --- written by the scripts (the ledger stream), not here ---------------------------

    def record_offer(self, work_order_id: str, call_id: str, agent_id: str,
                     offered_at: float) -> asyncio.Future[None]:
        return _written_elsewhere()

    def record_offer_result(self, call_id: str, result: OfferResult,
                            at: float) -> asyncio.Future[None]:
        return _written_elsewhere()

    def record_answer(self, work_order_id: str, call_id: str, agent_id: str,
                      answered_at: float) -> asyncio.Future[None]:
        return _written_elsewhere()

    def record_end(self, work_order_id: str, ended_by: EndedBy,
                   ended_at: float) -> asyncio.Future[None]:
        return _written_elsewhere()

    def close_work_order(self, work_order_id: str, outcome: Outcome, notes: str,
                         closed_at: float) -> asyncio.Future[None]:
        return _written_elsewhere()

    def record_leg(self, leg: LegRecord) -> asyncio.Future[None]:
        return _written_elsewhere()

    def abandon(self, work_order_id: str, at: float) -> asyncio.Future[None]:
        return _written_elsewhere()

    def move_item(self, work_order_id: str, item_code: str) -> asyncio.Future[None]:
        return _written_elsewhere()

    # --- the store's own ----------------------------------------------------------------

    def create_work_order(
        self, *, item_code: str, channel: str, priority: str, media: str,
        citizen: CitizenInfo, queued_at: float, citizen_key: str = "",
        resume_sha256: str = "", priority_check: str = "", large_text: bool = False,
    ) -> asyncio.Future[str]:
        return self._store.create_work_order(
            item_code=item_code, channel=channel, priority=priority, media=media,
            citizen=citizen, queued_at=queued_at, citizen_key=citizen_key,
            resume_sha256=resume_sha256, priority_check=priority_check, large_text=large_text)

    def legs(self, work_order_id: str) -> asyncio.Future[list[LegRecord]]:
        return self._store.legs(work_order_id)

    def open_walk_in(self, *, item_code: str, agent_id: str, citizen: CitizenInfo,
                     opened_at: float, citizen_key: str = "") -> asyncio.Future[str]:
        return self._store.open_walk_in(item_code=item_code, agent_id=agent_id,
                                        citizen=citizen, opened_at=opened_at,
                                        citizen_key=citizen_key)

    def add_chat(self, work_order_id: str, sender_role: str, sender_name: str, text: str,
                 sent_at: float) -> asyncio.Future[None]:
        return self._store.add_chat(work_order_id, sender_role, sender_name, text, sent_at)

    def rate(self, work_order_id: str, score: int, comment: str,
             rated_at: float) -> asyncio.Future[None]:
        return self._store.rate(work_order_id, score, comment, rated_at)

    def link_recording(self, report: RecordingReport) -> asyncio.Future[RecordingLink]:
        return self._store.link_recording(report)

    def queue_places(self) -> asyncio.Future[list[QueuePlace]]:
        return self._store.queue_places()

    def close_stale(self, at: float, keep: Collection[str] = ()) -> asyncio.Future[int]:
        return self._store.close_stale(at, keep)

    def work_order(self, work_order_id: str) -> asyncio.Future[WorkOrder | None]:
        return self._store.work_order(work_order_id)

    def offers(self, work_order_id: str) -> asyncio.Future[list[OfferRecord]]:
        return self._store.offers(work_order_id)

    def chat_messages(self, work_order_id: str) -> asyncio.Future[list[ChatRecord]]:
        return self._store.chat_messages(work_order_id)

    def handle_times(self) -> asyncio.Future[dict[str, HandleTime]]:
        return self._store.handle_times()

    def work_orders_queued(self, since: float,
                           until: float | None = None) -> asyncio.Future[list[WorkOrder]]:
        return self._store.work_orders_queued(since, until)

    def search(self, query: WorkOrderQuery) -> asyncio.Future[list[ListedWorkOrder]]:
        return self._store.search(query)
