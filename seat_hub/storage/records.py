"""The hub's records as values: what the storage interface takes and gives back.

Frozen values for a work order, its offers and chat, the handle time of an
item, a search of the work-order list and what it finds, and a call's recording
as the agent reports it. They say nothing of how a store keeps them: the SQLite
implementation (``seat_hub.storage.sqlite``) maps them to its tables, a second
store maps them to its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

WorkOrderState = Literal["queued", "offered", "in_call", "ended", "closed", "abandoned"]
OfferResult = Literal["ringing", "accepted", "declined", "timeout", "withdrawn", "agent_left"]
#: What became of a recording's report: linked (or the same report again), no answered call
#: of that id on the work order, or another recording already linked (kept once).
RecordingLink = Literal["linked", "no_such_call", "already_recorded"]
EndedBy = Literal["citizen", "agent", "kiosk", "hub"]


@dataclass(frozen=True, slots=True)
class WorkOrder:
    """One work order: a citizen contact from queue to rating."""

    id: str
    item_code: str
    channel: str
    priority: str
    media: str
    citizen_name: str
    citizen_id_number: str
    citizen_phone: str
    hall: str
    agent_id: str | None
    queued_at: float
    offered_at: float | None
    answered_at: float | None
    ended_at: float | None
    closed_at: float | None
    ended_by: str | None
    outcome: str | None
    notes: str
    rating: int | None
    rating_comment: str
    rated_at: float | None
    state: WorkOrderState
    #: The citizen's pseudonymous key (``seat_hub.parties.citizen_keys``; "": unknown).
    citizen_key: str = ""


#: How an agent's leg of a call ended: the call ended, or the agent handed it on.
LegEnd = Literal["ended", "transferred"]


@dataclass(frozen=True, slots=True)
class LegRecord:
    """One agent's stretch of a work order's call (``call_legs``): from answer to the end
    or the hand-over; ``handed_to`` is the agent id or ``skill:<code>`` it went to."""

    work_order_id: str
    call_id: str
    agent_id: str
    from_at: float
    to_at: float
    how: LegEnd
    handed_to: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class OfferRecord:
    """One offer of a work order to an agent and how it ended."""

    call_id: str
    work_order_id: str
    agent_id: str
    offered_at: float
    result: OfferResult
    result_at: float | None


@dataclass(frozen=True, slots=True)
class ChatRecord:
    """One chat message of a call as stored."""

    work_order_id: str
    sender_role: str
    sender_name: str
    text: str
    sent_at: float


@dataclass(frozen=True, slots=True)
class QueuePlace:
    """A waiting work order whose citizen can resume across a hub restart: the SHA-256
    of the citizen's resume token, whether its priority was checked, and whether the
    citizen's page is in large text (大字版: the agent's offer says so)."""

    work_order: WorkOrder
    resume_sha256: str
    priority_check: str
    large_text: bool = False


@dataclass(frozen=True, slots=True)
class HandleTime:
    """How long closed work orders of an item took, answer to close."""

    count: int
    mean_s: float


@dataclass(frozen=True, slots=True)
class WorkOrderQuery:
    """A search of the work-order list: work orders queued in [``since``, ``until``) (0: open)
    of ``agent_id`` (empty: everyone's) whose id, item code, outcome or agent id contains
    ``text``, or whose item is one of ``item_codes`` (the items whose names matched)."""

    agent_id: str = ""
    since: float = 0.0
    until: float = 0.0
    text: str = ""
    item_codes: tuple[str, ...] = ()
    limit: int = 100


@dataclass(frozen=True, slots=True)
class ListedWorkOrder:
    """A work order found by a search, with the length of its call's recording (0: none)."""

    work_order: WorkOrder
    recording_s: float = 0.0


@dataclass(frozen=True, slots=True)
class RecordingReport:
    """Where an agent's workstation keeps a call's recording: one per work order."""

    work_order_id: str
    call_id: str
    agent_id: str
    duration_s: float
    byte_size: int
    sha256: str
    video_frames: int
    saved_at: float


@dataclass(frozen=True, slots=True)
class RecordingFile:
    """A work order's recording as the hub knows it: the report (``recordings``) and, once
    the workstation uploaded it, when the file entered the store (``stored_at``; 0: not
    yet) and when retention removed it (``purged_at``; 0: kept)."""

    work_order_id: str
    agent_id: str
    duration_s: float
    byte_size: int
    sha256: str
    saved_at: float
    stored_at: float = 0.0
    purged_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Expired:
    """What one retention pass did: work orders whose citizen's name, ID number and phone
    were blanked, materials marked purged, and the stored files (SHA-256) no material
    still kept refers to."""

    work_orders: int
    materials: int
    unreferenced_files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BookingRecord:
    """A counter appointment an agent booked for the caller of ``work_order_id``: its photos
    may be seen by the clerks of ``hall`` (the government API's code; ``hall_name``)."""

    booking_no: str
    work_order_id: str
    hall: str
    hall_name: str
    agent_id: str
    booked_at: float
