"""The citizen's summary of a contact (``contact_summary``), sent when the call ends.

Today a citizen's page is left with nothing but "thank you" after the call. The
``ContactSummaryDesk`` gathers, per work order, what the citizen should keep: the last
pre-review verdict the agent sent (the review desk's ``verdict_sent``), the applications
the agent submitted with their numbers once the government API accepted them (the
application desk's ``progress`` and ``accepted``), and the counter appointments booked
for the citizen (the government-API lookups' ``booked``). When the call ends, from
either side, it sends all of it once; something added during wrap-up (an application
the outbox delivers late, a booking made after hang-up) sends it again, and the page
shows the newest. The work order closing forgets it.

The desk writes no words for the citizen: it sends facts, and the page says them in
plain Chinese (see ``seat_hub/web/summary.js``). The receipt's PDF goes with its image when
the agent sends the receipt (``receipt_pdf_message``), for the citizen to download.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from seat_client.acceptance.desk import ApplicationDesk
from seat_client.acceptance.outbox_entries import OutboxEntry, OutboxState
from seat_client.call.workstation import ActiveCall, Workstation, WrapUpRequest
from seat_client.materials.values import PreReviewVerdict
from seat_client.review.desk import ReviewDesk
from seat_common import protocol
from seat_common.events import Event
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)

Unsubscribe = Callable[[], None]


def receipt_pdf_message(work_order_id: str, application_no: str, pdf: bytes
                        ) -> protocol.ReceiptPdf | None:
    """The receipt's PDF for the work order's citizen; None if it is not a PDF or too big
    for the wire (the image of its page still goes)."""
    if not pdf.startswith(b"%PDF-") or len(pdf) > protocol.MAX_RECEIPT_PDF_BYTES:
        log.warning("receipt %s: not sent as a PDF (%d bytes)", application_no, len(pdf))
        return None
    return protocol.ReceiptPdf(work_order_id, application_no[:64],
                               base64.b64encode(pdf).decode("ascii"))


@dataclass(frozen=True, slots=True)
class BookedSlot:
    """A counter appointment the government API confirmed, for the work order it serves."""

    work_order_id: str
    booking_no: str
    hall_name: str
    address: str
    day: str
    start: str


@dataclass
class _Contact:
    """What one work order has to tell its citizen so far."""

    item_code: str = ""
    entries: tuple[protocol.VerdictEntry, ...] = ()
    applications: dict[int, protocol.SummaryApplication] = field(default_factory=dict)
    bookings: dict[str, protocol.SummaryBooking] = field(default_factory=dict)
    ended: bool = False


class ContactSummaryDesk:
    """Collects each work order's verdict, applications and bookings and sends the summary
    when its call ends (and again on a change during wrap-up). Emits ``sent``
    (``protocol.ContactSummary``) once a summary has gone to the hub."""

    def __init__(self, send: Callable[[protocol.Message], Awaitable[None]],
                 tasks: TaskOwner) -> None:
        self._send = send
        self._items: dict[str, str] = {}  # work order -> item, of the calls seen
        self._tasks = tasks
        self._contacts: dict[str, _Contact] = {}
        self.sent: Event[protocol.ContactSummary] = Event()

    def follow(self, workstation: Workstation, review: ReviewDesk | None,
               applications: ApplicationDesk | None, bookings: Event[BookedSlot] | None
               ) -> list[Unsubscribe]:
        """Take the calls' ends and closings, the sent verdicts, the applications and the
        bookings from the parts that make them; the unsubscribe functions."""
        unsubscribe = [
            workstation.call_changed.connect(self._on_call_changed),
            workstation.wrap_up_needed.connect(
                lambda w: self.call_ended(w, self._items.get(w.work_order_id, ""))),
            workstation.work_order_closed.connect(lambda c: self.forget(c.work_order_id)),
        ]
        if review is not None:
            unsubscribe.append(review.verdict_sent.connect(self.take_verdict))
        if applications is not None:
            unsubscribe += [applications.progress.connect(self.take_application),
                            applications.accepted.connect(self.take_application)]
        if bookings is not None:
            unsubscribe.append(bookings.connect(self.take_booking))
        return unsubscribe

    def _on_call_changed(self, call: ActiveCall | None) -> None:
        if call is not None:
            self._items[call.work_order_id] = call.started.item_code

    # --- what the contact decided --------------------------------------------------------

    def take_verdict(self, verdict: PreReviewVerdict) -> None:
        contact = self._contact(verdict.work_order_id, verdict.item_code)
        contact.entries = tuple(
            protocol.VerdictEntry(v.material_code, v.status, v.reason_code, v.note[:500],
                                  v.material_ids[:20])
            for v in verdict.verdicts[:50])
        self._changed(verdict.work_order_id)

    def take_application(self, entry: OutboxEntry) -> None:
        """An application of a work order moved in the outbox: submitted or accepted (a
        returned or failed one is the agent's to fix, not the citizen's to keep)."""
        s = entry.submission
        if not s.work_order_id:
            return  # a walk-in's application: the counter hands its own receipt over
        contact = self._contact(s.work_order_id, s.item_code)
        if entry.state is OutboxState.ACCEPTED and entry.application_no:
            status: protocol.ApplicationStatus = "accepted"
        elif entry.state in (OutboxState.QUEUED, OutboxState.SENDING):
            status = "submitted"
        else:
            contact.applications.pop(entry.entry_id, None)
            return
        application = protocol.SummaryApplication(
            status, entry.application_no[:64] if status == "accepted" else "", s.item_name[:200])
        if contact.applications.get(entry.entry_id) != application:
            contact.applications[entry.entry_id] = application
            self._changed(s.work_order_id)

    def take_booking(self, booked: BookedSlot) -> None:
        if not booked.work_order_id or not booked.booking_no:
            return
        try:
            booking = protocol.SummaryBooking(
                booked.booking_no[:64], (booked.hall_name or "办事大厅")[:200], booked.day,
                booked.start, booked.address[:200])
            # The day and time as the wire wants them, or not at all.
            protocol.decode(protocol.encode(protocol.ContactSummary("-", "-", bookings=(booking,))))
        except protocol.ProtocolError as exc:
            log.warning("a booking the citizen cannot be told of: %s", exc)
            return
        contact = self._contact(booked.work_order_id, "")
        contact.bookings[booking.booking_no] = booking
        self._changed(booked.work_order_id)

    # --- the call's life -------------------------------------------------------------------

    def call_ended(self, wrap_up: WrapUpRequest, item_code: str) -> None:
        contact = self._contact(wrap_up.work_order_id, item_code)
        contact.ended = True
        self._changed(wrap_up.work_order_id)

    def forget(self, work_order_id: str) -> None:
        self._contacts.pop(work_order_id, None)
        self._items.pop(work_order_id, None)

    def summary(self, work_order_id: str) -> protocol.ContactSummary | None:
        contact = self._contacts.get(work_order_id)
        if contact is None or not contact.item_code:
            return None
        return protocol.ContactSummary(
            work_order_id=work_order_id, item_code=contact.item_code, entries=contact.entries,
            applications=tuple(contact.applications.values())[:10],
            bookings=tuple(contact.bookings.values())[:10])

    def _contact(self, work_order_id: str, item_code: str) -> _Contact:
        contact = self._contacts.setdefault(work_order_id, _Contact())
        if item_code and not contact.item_code:
            contact.item_code = item_code
        return contact

    def _changed(self, work_order_id: str) -> None:
        contact = self._contacts.get(work_order_id)
        summary = self.summary(work_order_id)
        if contact is None or not contact.ended or summary is None:
            return  # during the call the page has the verdict already; the rest comes at the end

        async def send() -> None:
            await self._send(summary)
            self.sent.emit(summary)

        self._tasks.spawn(send(), "send the citizen's summary")
