"""What the outbox holds: the application as the agent submitted it (``Submission``), its
entry in the outbox as of its last change (``OutboxEntry``, ``OutboxState``) and the
idempotency key that makes one application one entry however often it is submitted.

Plain frozen values, with no I/O: ``outbox_store`` writes them to SQLite and
``outbox.SubmissionOutbox`` delivers them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

from seat_client.acceptance.gov_api_client import FieldProblem


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


def idempotency_key(submission: Submission) -> str:
    """The key of one application: its work order, item and form, and the revision of the
    form (what was filled in, and the materials); the same for the same application
    however often it is submitted, and on any workstation."""
    revision = {"work_order_id": submission.work_order_id, "item_code": submission.item_code,
                "form": submission.form, "values": submission.values,
                "materials": list(submission.materials)}
    canonical = json.dumps(revision, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "seat-" + hashlib.sha256(canonical.encode()).hexdigest()[:40]


__all__ = ["OutboxEntry", "OutboxState", "Submission", "idempotency_key"]
