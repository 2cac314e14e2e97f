"""Work-order records: the ledger's tables and the rows read back from them.

The SQL schema of the work-order ledger (``work_orders``, ``offers``,
``chat_messages``) and frozen values for its rows, shared by
``seat_hub.storage.ledger`` (which writes and reads them) and the hub's memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

WorkOrderState = Literal["queued", "offered", "in_call", "ended", "closed", "abandoned"]
OfferResult = Literal["ringing", "accepted", "declined", "timeout", "withdrawn", "agent_left"]
EndedBy = Literal["citizen", "agent", "kiosk", "hub"]

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS work_orders (
    id                TEXT PRIMARY KEY,
    item_code         TEXT NOT NULL,
    channel           TEXT NOT NULL,
    priority          TEXT NOT NULL,
    media             TEXT NOT NULL,
    citizen_name      TEXT NOT NULL DEFAULT '',
    citizen_id_number TEXT NOT NULL DEFAULT '',
    citizen_phone     TEXT NOT NULL DEFAULT '',
    hall              TEXT NOT NULL DEFAULT '',
    agent_id          TEXT,
    queued_at         REAL NOT NULL,
    offered_at        REAL,
    answered_at       REAL,
    ended_at          REAL,
    closed_at         REAL,
    ended_by          TEXT,
    outcome           TEXT,
    notes             TEXT NOT NULL DEFAULT '',
    rating            INTEGER CHECK (rating BETWEEN 1 AND 10),
    rating_comment    TEXT NOT NULL DEFAULT '',
    rated_at          REAL,
    state             TEXT NOT NULL CHECK (state IN
        ('queued', 'offered', 'in_call', 'ended', 'closed', 'abandoned'))
);
CREATE INDEX IF NOT EXISTS work_orders_state ON work_orders (state);
CREATE INDEX IF NOT EXISTS work_orders_item ON work_orders (item_code, state);
CREATE TABLE IF NOT EXISTS offers (
    call_id       TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    agent_id      TEXT NOT NULL,
    offered_at    REAL NOT NULL,
    result        TEXT NOT NULL DEFAULT 'ringing',
    result_at     REAL
);
CREATE INDEX IF NOT EXISTS offers_work_order ON offers (work_order_id);
CREATE TABLE IF NOT EXISTS chat_messages (
    id            INTEGER PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    sender_role   TEXT NOT NULL,
    sender_name   TEXT NOT NULL,
    text          TEXT NOT NULL,
    sent_at       REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS chat_messages_work_order ON chat_messages (work_order_id);
CREATE TABLE IF NOT EXISTS recordings (
    work_order_id TEXT PRIMARY KEY REFERENCES work_orders (id),
    call_id       TEXT NOT NULL,
    agent_id      TEXT NOT NULL,
    duration_s    REAL NOT NULL,
    byte_size     INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    video_frames  INTEGER NOT NULL,
    saved_at      REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class WorkOrder:
    """One row of ``work_orders``: a citizen contact from queue to rating."""

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
class HandleTime:
    """How long closed work orders of an item took, answer to close."""

    count: int
    mean_s: float
