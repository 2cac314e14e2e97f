"""The pre-review (材料预审) of one work order: checklist, materials, annotations, verdicts.

A ``ReviewSession`` holds the item's checklist (from the catalog), the
materials received (``MaterialRef``), one ``AnnotationLayer`` and
``UndoStack`` per material, which checklist material each image shows, the
agent's marks (accepted / to correct with a reason code and a note /
missing), each image's quarter-turn rotation, the certificates from the
electronic-licence library attached instead of photos (``attach_certificate``: the
material accepted, verified at source, no image to pre-review), and the history of
verdicts sent. ``decide()`` turns the marks into a ``PreReviewVerdict`` and keeps it.

Emits ``changed(ReviewChange)`` when materials, marks or verdicts change
(annotation edits are announced by each layer's own ``changed`` event).

``ReviewStore`` keeps each session as one JSON file,
``<state dir>/review/<work order id>.json``, written atomically, so a
crashed workstation finds its annotations and verdict history again.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args

from seat_client.materials.values import (
    MaterialRef,
    MaterialVerdict,
    PreReviewVerdict,
    VerdictStatus,
)
from seat_client.review.annotation_commands import UndoStack
from seat_client.review.annotations import AnnotationLayer
from seat_client.review.certificates import (
    ElectronicLicence,
    VerifiedCertificate,
    check_usable,
    verified_from_json,
)
from seat_client.review.shapes import AnnotationError
from seat_common import review_reasons
from seat_common.catalog import Material, ServiceItem
from seat_common.events import Event
from seat_common.review_reasons import REASONS_PATH as REASONS_PATH
from seat_common.review_reasons import ReasonCode as ReasonCode

ReviewChange = Literal["materials", "marks", "verdicts", "rotation"]


class ReviewError(ValueError):
    """A reason list, a mark or a stored review is wrong."""


def load_reasons(path: Path = REASONS_PATH) -> tuple[ReasonCode, ...]:
    """The reason codes the agent may give (``seat_common.review_reasons``)."""
    try:
        return review_reasons.load_reasons(path)
    except review_reasons.ReasonsError as exc:
        raise ReviewError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class ChecklistMark:
    """The agent's current mark on one checklist material; ``status`` empty = not yet reviewed."""

    status: VerdictStatus | Literal[""] = ""
    reason_code: str = ""
    note: str = ""


class ReviewSession:
    """Everything the agent decides while pre-reviewing one work order's materials."""

    def __init__(self, work_order_id: str, item: ServiceItem,
                 reasons: tuple[ReasonCode, ...]) -> None:
        self.work_order_id = work_order_id
        self.item = item
        self.reasons = reasons
        self._reason_codes = {r.code for r in reasons}
        self.materials: dict[str, MaterialRef] = {}
        self.layers: dict[str, AnnotationLayer] = {}
        self.stacks: dict[str, UndoStack] = {}
        self.assignments: dict[str, str] = {}
        self.rotations: dict[str, int] = {}
        self.marks: dict[str, ChecklistMark] = {m.code: ChecklistMark() for m in item.materials}
        self.history: list[PreReviewVerdict] = []
        #: certificates standing for checklist materials, by material code
        self.certificates: dict[str, VerifiedCertificate] = {}
        self.changed: Event[ReviewChange] = Event()
        # Stored layers waiting for their material to arrive again (after a restart).
        self._pending: dict[str, tuple[AnnotationLayer, str, int]] = {}

    @property
    def checklist(self) -> tuple[Material, ...]:
        return self.item.materials

    # --- materials ------------------------------------------------------------------------

    def add_material(self, ref: MaterialRef, layer: AnnotationLayer | None = None) -> None:
        """Take in a material the transport delivered (again: keeps its annotations)."""
        if ref.work_order_id != self.work_order_id:
            raise ReviewError(f"material {ref.material_id} belongs to {ref.work_order_id}")
        self.materials[ref.material_id] = ref
        if ref.material_id in self._pending:
            self._apply_pending(ref.material_id)
        if ref.material_id not in self.layers:
            self.layers[ref.material_id] = layer or AnnotationLayer()
            self.stacks[ref.material_id] = UndoStack(self.layers[ref.material_id])
        if ref.material_id not in self.assignments:
            codes = [m.code for m in self.checklist]
            if ref.material_code in codes:
                self.assignments[ref.material_id] = ref.material_code
            elif len(codes) == 1:
                self.assignments[ref.material_id] = codes[0]
        self.changed.emit("materials")

    def assign(self, material_id: str, material_code: str) -> None:
        """Say which checklist material an image shows ("" = none of them)."""
        if material_id not in self.materials:
            raise KeyError(material_id)
        if material_code and material_code not in self.marks:
            raise ReviewError(f"{material_code!r} is not on this item's checklist")
        if material_code:
            self.assignments[material_id] = material_code
        else:
            self.assignments.pop(material_id, None)
        self.changed.emit("materials")

    def images_for(self, material_code: str) -> tuple[str, ...]:
        return tuple(mid for mid in self.materials if self.assignments.get(mid) == material_code)

    def rotate(self, material_id: str, quarter_turns: int) -> int:
        """Turn an image by 90° steps (clockwise positive); the flattened image follows."""
        turns = (self.rotations.get(material_id, 0) + quarter_turns) % 4
        self.rotations[material_id] = turns
        self.changed.emit("rotation")
        return turns

    # --- certificates from the electronic-licence library -------------------------------

    def attach_certificate(self, material_code: str, licence: ElectronicLicence,
                           consent_ref: str, *, today: date | None = None,
                           now: float | None = None) -> VerifiedCertificate:
        """Let a valid certificate stand for a checklist material: the material is
        accepted, verified at source. Raises ``CertificateError`` (in Chinese) for an
        expired or revoked one, or one of another kind."""
        if material_code not in self.marks:
            raise ReviewError(f"{material_code!r} is not on this item's checklist")
        check_usable(licence, material_code, today or date.today())
        verified = VerifiedCertificate(material_code, licence, consent_ref,
                                       time.time() if now is None else now)
        self.certificates[material_code] = verified
        self.marks[material_code] = ChecklistMark("accepted", "", verified.note())
        self.changed.emit("marks")
        return verified

    def certificate_image_stored(self, material_code: str, material_id: str) -> None:
        """The attached certificate's image is a material of the work order now."""
        verified = self.certificates.get(material_code)
        if verified is not None:
            self.certificates[material_code] = replace(verified, material_id=material_id)
            self.changed.emit("materials")

    def detach_certificate(self, material_code: str) -> None:
        """The agent no longer relies on the certificate: the material is unreviewed."""
        if self.certificates.pop(material_code, None) is not None:
            self.marks[material_code] = ChecklistMark()
            self.changed.emit("marks")

    # --- marks and verdicts ---------------------------------------------------------------

    def mark(self, material_code: str, status: VerdictStatus | Literal[""],
             reason_code: str = "", note: str = "") -> None:
        if material_code not in self.marks:
            raise ReviewError(f"{material_code!r} is not on this item's checklist")
        if status not in (*get_args(VerdictStatus), ""):
            raise ReviewError(f"unknown status {status!r}")
        if status == "to_correct":
            if reason_code not in self._reason_codes:
                raise ReviewError(f"unknown reason code {reason_code!r}")
        else:
            reason_code = ""
        if status != "accepted":  # the agent overrules the certificate: it no longer counts
            self.certificates.pop(material_code, None)
        self.marks[material_code] = ChecklistMark(status, reason_code, note.strip()[:500])
        self.changed.emit("marks")

    def unmarked(self) -> tuple[str, ...]:
        """Checklist codes with no mark yet (a verdict needs none left)."""
        return tuple(code for code, m in self.marks.items() if not m.status)

    def reason_name(self, code: str) -> str:
        return next((r.name for r in self.reasons if r.code == code), code)

    def build_verdict(self, agent_id: str, now: float | None = None) -> PreReviewVerdict:
        missing = self.unmarked()
        if missing:
            raise ReviewError(f"not yet reviewed: {', '.join(missing)}")
        verdicts = tuple(
            MaterialVerdict(code, m.status or "missing", m.reason_code, m.note,
                            self.images_for(code))
            for code, m in self.marks.items()
        )
        return PreReviewVerdict(self.work_order_id, self.item.code, verdicts,
                                time.time() if now is None else now, agent_id)

    def decide(self, agent_id: str, now: float | None = None) -> PreReviewVerdict:
        """Build the verdict from the marks and keep it in the history."""
        verdict = self.build_verdict(agent_id, now)
        self.history.append(verdict)
        self.changed.emit("verdicts")
        return verdict

    def annotated_material_ids(self) -> tuple[str, ...]:
        """Images whose annotations (or rotation) must be flattened before they go back."""
        return tuple(mid for mid in self.materials
                     if len(self.layers[mid]) or self.rotations.get(mid, 0))

    # --- storage --------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "work_order_id": self.work_order_id,
            "item_code": self.item.code,
            "materials": {
                mid: {"annotations": self.layers[mid].to_json(),
                      "assigned": self.assignments.get(mid, ""),
                      "rotation": self.rotations.get(mid, 0)}
                for mid in self.materials
            },
            "marks": {code: {"status": m.status, "reason_code": m.reason_code, "note": m.note}
                      for code, m in self.marks.items()},
            "history": [verdict_to_json(v) for v in self.history],
            "certificates": [c.to_json() for c in self.certificates.values()],
        }

    def restore(self, raw: Any) -> None:
        """Take back what ``to_json`` stored: layers (for materials already added or
        added later), marks and history. Raises ``ReviewError`` on a malformed file."""
        if not isinstance(raw, dict) or raw.get("version") != 1:
            raise ReviewError("stored review must be an object with version 1")
        try:
            for mid, m in dict(raw.get("materials", {})).items():
                layer = AnnotationLayer.from_json(m.get("annotations", []))
                self._pending[mid] = (layer, str(m.get("assigned", "")),
                                             int(m.get("rotation", 0)) % 4)
            for code, m in dict(raw.get("marks", {})).items():
                if code in self.marks and m.get("status"):
                    self.mark(code, m["status"], m.get("reason_code", ""), m.get("note", ""))
            self.history = [verdict_from_json(v) for v in raw.get("history", [])]
            for c in raw.get("certificates", []):
                verified = verified_from_json(c)
                if verified.material_code in self.marks:
                    self.certificates[verified.material_code] = verified
        except (AnnotationError, AttributeError, TypeError, KeyError, ValueError) as exc:
            raise ReviewError(f"stored review is malformed: {exc}") from exc
        for mid in list(self.materials):
            self._apply_pending(mid)

    def _apply_pending(self, material_id: str) -> None:
        pending = self._pending.pop(material_id, None)
        if pending is None:
            return
        layer, assigned, rotation = pending
        self.layers[material_id] = layer
        self.stacks[material_id] = UndoStack(layer)
        if assigned in self.marks:
            self.assignments[material_id] = assigned
        self.rotations[material_id] = rotation
        self.changed.emit("materials")


def verdict_to_json(v: PreReviewVerdict) -> dict[str, Any]:
    return {
        "work_order_id": v.work_order_id, "item_code": v.item_code,
        "decided_at": v.decided_at, "agent_id": v.agent_id,
        "verdicts": [{"material_code": m.material_code, "status": m.status,
                      "reason_code": m.reason_code, "note": m.note,
                      "material_ids": list(m.material_ids)} for m in v.verdicts],
    }


def verdict_from_json(raw: dict[str, Any]) -> PreReviewVerdict:
    return PreReviewVerdict(
        str(raw["work_order_id"]), str(raw["item_code"]),
        tuple(MaterialVerdict(str(m["material_code"]), m["status"], str(m["reason_code"]),
                              str(m["note"]), tuple(str(i) for i in m["material_ids"]))
              for m in raw["verdicts"]),
        float(raw["decided_at"]), str(raw["agent_id"]),
    )


_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


class ReviewStore:
    """One JSON file per work order under ``<state dir>/review/`` (atomic replace)."""

    def __init__(self, state_dir: Path) -> None:
        self.directory = state_dir / "review"

    def path_for(self, work_order_id: str) -> Path:
        if not _SAFE_ID.match(work_order_id) or work_order_id.startswith("."):
            raise ReviewError(f"unusable work order id for a file name: {work_order_id!r}")
        return self.directory / f"{work_order_id}.json"

    def save(self, data: dict[str, Any]) -> Path:
        """Write what ``ReviewSession.to_json()`` returned (blocking: call off the UI loop)."""
        path = self.path_for(str(data["work_order_id"]))
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                       encoding="utf-8")
        os.replace(tmp, path)
        return path

    def load(self, work_order_id: str) -> dict[str, Any] | None:
        path = self.path_for(work_order_id)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise ReviewError(f"cannot read {path}: {exc}") from exc
        if not isinstance(raw, dict):
            raise ReviewError(f"{path}: not an object")
        return raw
