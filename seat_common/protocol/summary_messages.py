"""What the citizen keeps after the call (``contact_summary``): the pre-review's last
verdict, the applications made with their numbers, the counter bookings, and the agent's
note. The agent's workstation sends it when the call ends (and again when something is
added during wrap-up); the hub checks that the sender holds the work order and that the
item is the work order's, and relays it unchanged to the work order's citizen, whose page
turns it into a summary in plain Chinese with next steps, to print or save."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import ClassVar, Final, Literal

from seat_common.protocol.codec import TextPattern
from seat_common.protocol.terms import ID_TEXT, SHORT_TEXT, ProtocolError
from seat_common.protocol.values import VerdictEntry

#: ``accepted``: the government API took the application and gave its number;
#: ``submitted``: it waits in the workstation's outbox for the API (no number yet).
ApplicationStatus = Literal["accepted", "submitted"]

DAY: Final = TextPattern(r"\d{4}-\d{2}-\d{2}", "a day as YYYY-MM-DD")
CLOCK_TIME: Final = TextPattern(r"\d{2}:\d{2}", "a time of day as HH:MM")
#: A receipt PDF's most bytes (a receipt is ~40 KB; base64 of this fits a message).
MAX_RECEIPT_PDF_BYTES: Final = 180_000


@dataclass(frozen=True, slots=True)
class SummaryApplication:
    """One application of the contact: its number once the government API accepted it."""

    status: ApplicationStatus
    application_no: str = field(default="", metadata={"max_len": 64})
    item_name: str = field(default="", metadata=SHORT_TEXT)


@dataclass(frozen=True, slots=True)
class SummaryBooking:
    """A counter appointment booked for the citizen (代预约): where and when to go."""

    booking_no: str = field(metadata=ID_TEXT)
    hall_name: str = field(metadata={"max_len": 200, "min_len": 1})
    day: str = field(metadata={"max_len": 10, "pattern": DAY})
    start: str = field(metadata={"max_len": 5, "pattern": CLOCK_TIME})
    address: str = field(default="", metadata=SHORT_TEXT)


@dataclass(frozen=True, slots=True)
class ContactSummary:
    """Agent → hub → the work order's citizen: what the contact decided and what comes next.

    Sent by the agent holding the work order (in the call or in wrap-up); each one
    replaces the last. ``entries`` is the last pre-review verdict (empty without one)."""

    TYPE: ClassVar[str] = "contact_summary"
    work_order_id: str = field(metadata=ID_TEXT)
    item_code: str = field(metadata=ID_TEXT)
    entries: tuple[VerdictEntry, ...] = field(default=(), metadata={"max_items": 50})
    applications: tuple[SummaryApplication, ...] = field(default=(), metadata={"max_items": 10})
    bookings: tuple[SummaryBooking, ...] = field(default=(), metadata={"max_items": 10})
    note: str = field(default="", metadata={"max_len": 500})


@dataclass(frozen=True, slots=True)
class ReceiptPdf:
    """Agent → hub → the work order's citizen: the acceptance receipt (受理回执) as the PDF
    the workstation printed, for the citizen to download from the summary (the image of its
    first page comes as a material). ``pdf`` is base64 of at most
    ``MAX_RECEIPT_PDF_BYTES`` bytes that begin ``%PDF-``. Relayed only from the agent holding
    the work order, as ``contact_summary`` is."""

    TYPE: ClassVar[str] = "receipt_pdf"
    work_order_id: str = field(metadata=ID_TEXT)
    application_no: str = field(metadata={"min_len": 1, "max_len": 64})
    pdf: str = field(metadata={"base64": True, "min_len": 8,
                               "max_len": -(-MAX_RECEIPT_PDF_BYTES // 3) * 4})

    def check_across_fields(self) -> None:
        if not base64.b64decode(self.pdf[:12]).startswith(b"%PDF-"):
            raise ProtocolError("bad_message", "not a PDF", "pdf")
