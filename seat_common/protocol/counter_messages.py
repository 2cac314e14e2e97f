"""The counter's messages (综窗) and the statistics report from the seat wall.

A walk-in is a work order at the hub like any call's, on channel ``counter``:
``walk_in_open`` opens it (answered at once: nobody queued), ``walk_in_opened``
names it, ``walk_in_close`` closes it with an outcome (answered with
``work_order_closed``). In combined mode an open walk-in takes the seat out of
video routing until it closes.

A video agent's proxy booking is told to the hub with ``booking_made`` (the
booking number and its hall), so that the counter clerk of that hall may fetch
the booking's pre-reviewed photos with ``fetch_booked_material`` (answered like
``fetch_material``: ``material_download``, then the file as chunks).

A supervisor asks the hub for the statistics report of a period with
``make_report``; the hub answers ``report_progress`` as it works, then
``report_ready`` and the PDF as download chunks (kind 2) with the ``report_id``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar, Final, Literal, TypeAlias

from seat_common.protocol.codec import TextPattern
from seat_common.protocol.terms import (
    ID_TEXT,
    MAX_TRANSFER_ID,
    SHORT_TEXT,
    Outcome,
    ProtocolError,
)
from seat_common.protocol.values import CitizenInfo

#: The government API's appointment numbers, as the counter types them once normalised.
BOOKING_NO: Final = TextPattern(r"YY-[0-9]{8}", "YY- and eight digits, e.g. YY-00000042")
_BOOKING_NO_OR_NONE: Final = TextPattern(r"(?:YY-[0-9]{8})?", "empty, or YY- and eight digits")
_SHA256: Final = TextPattern(r"[0-9a-f]{64}", "64 lower-case hex digits")
_DAY: Final = TextPattern(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?", "YYYY, YYYY-MM or YYYY-MM-DD")
_DAY_OR_NONE: Final = TextPattern(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2})?", "empty, or YYYY-MM-DD")
#: How ``start`` is written for each kind of period.
_START_SHAPE: Final = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY",
                       "custom": "YYYY-MM-DD"}

ReportPeriodKind: TypeAlias = Literal["day", "month", "year", "custom"]
ReportDimension: TypeAlias = Literal["hall", "theme", "item", "agent", "channel", "month", "day"]
ReportStage: TypeAlias = Literal["reading", "counting", "writing"]


@dataclass(frozen=True, slots=True)
class WalkInOpen:
    """Agent → hub: a citizen is served at my counter: open a work order (channel counter)."""

    TYPE: ClassVar[str] = "walk_in_open"
    item_code: str = field(metadata=ID_TEXT)
    booking_no: str = field(default="", metadata={"max_len": 11, "pattern": _BOOKING_NO_OR_NONE})
    citizen: CitizenInfo = CitizenInfo()


@dataclass(frozen=True, slots=True)
class WalkInOpened:
    """Hub → agent: the walk-in's work order is open (answered at ``opened_at``)."""

    TYPE: ClassVar[str] = "walk_in_opened"
    work_order_id: str = field(metadata=ID_TEXT)
    item_code: str = field(metadata=ID_TEXT)
    opened_at: float = field(metadata={"min": 0})
    booking_no: str = field(default="", metadata={"max_len": 11})


@dataclass(frozen=True, slots=True)
class WalkInClose:
    """Agent → hub: the walk-in is served: close its work order with an outcome."""

    TYPE: ClassVar[str] = "walk_in_close"
    work_order_id: str = field(metadata=ID_TEXT)
    outcome: Outcome
    notes: str = field(default="", metadata={"max_len": 2000})


@dataclass(frozen=True, slots=True)
class BookingMade:
    """Agent → hub: I booked a counter appointment for my caller (代预约); its photos go
    to the clerks of ``hall`` (the API's hall code; ``hall_name`` its name)."""

    TYPE: ClassVar[str] = "booking_made"
    work_order_id: str = field(metadata=ID_TEXT)
    booking_no: str = field(metadata={"max_len": 11, "pattern": BOOKING_NO})
    hall: str = field(metadata={"max_len": 64, "min_len": 1})
    hall_name: str = field(default="", metadata=SHORT_TEXT)


@dataclass(frozen=True, slots=True)
class FetchBookedMaterial:
    """Agent or supervisor → hub: the photo ``sha256`` linked to appointment ``booking_no``
    (answered with ``material_download`` and chunks, like ``fetch_material``)."""

    TYPE: ClassVar[str] = "fetch_booked_material"
    booking_no: str = field(metadata={"max_len": 11, "pattern": BOOKING_NO})
    sha256: str = field(metadata={"max_len": 64, "pattern": _SHA256})
    download_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})


@dataclass(frozen=True, slots=True)
class MakeReport:
    """Supervisor → hub: make the statistics report of a period (``start``: YYYY-MM-DD for a
    day or custom, YYYY-MM for a month, YYYY for a year; ``end`` only for custom, its last
    day), broken down ``by`` (empty: the default)."""

    TYPE: ClassVar[str] = "make_report"
    report_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})
    period: ReportPeriodKind
    start: str = field(metadata={"max_len": 10, "pattern": _DAY})
    end: str = field(default="", metadata={"max_len": 10, "pattern": _DAY_OR_NONE})
    by: tuple[ReportDimension, ...] = field(default=(), metadata={"max_items": 7})

    def check_across_fields(self) -> None:
        shape = _START_SHAPE[self.period]
        if re.fullmatch(shape.replace("YYYY", "[0-9]{4}").replace("MM", "[0-9]{2}")
                        .replace("DD", "[0-9]{2}"), self.start) is None:
            raise ProtocolError("bad_message", f"a {self.period} starts as {shape}", "start")
        if (self.period == "custom") != bool(self.end):
            raise ProtocolError("bad_message", "end is the last day of a custom period only",
                                "end")


@dataclass(frozen=True, slots=True)
class ReportProgress:
    """Hub → supervisor: how far the report is (``done`` of ``total`` steps)."""

    TYPE: ClassVar[str] = "report_progress"
    report_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})
    stage: ReportStage
    done: int = field(metadata={"min": 0, "max": 1000})
    total: int = field(metadata={"min": 1, "max": 1000})
    work_orders: int = field(default=0, metadata={"min": 0})


@dataclass(frozen=True, slots=True)
class ReportReady:
    """Hub → supervisor: the PDF follows as download chunks (kind 2) with ``report_id``."""

    TYPE: ClassVar[str] = "report_ready"
    report_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})
    filename: str = field(metadata={"max_len": 200, "min_len": 1})
    byte_size: int = field(metadata={"min": 1, "max": 2**31})
    sha256: str = field(metadata={"max_len": 64, "pattern": _SHA256})
    work_orders: int = field(default=0, metadata={"min": 0})
