"""Materials (申请材料) as the workstation holds them, and the pre-review verdict on them.

Shared values between the transport (upload/download through the hub) and
the review pane: a ``MaterialRef`` is a document image the workstation has
on local disk, content-addressed by SHA-256; a ``PreReviewVerdict`` is what
the agent decided for each required material of the item's checklist.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MaterialSource = Literal[
    "citizen_upload", "video_still", "document_camera", "agent_annotated", "e_licence"
]
VerdictStatus = Literal["accepted", "to_correct", "missing"]


@dataclass(frozen=True, slots=True)
class MaterialRef:
    """One document image on local disk, linked to a work order."""

    material_id: str
    work_order_id: str
    path: Path
    sha256: str
    mime: str
    width: int
    height: int
    byte_size: int
    filename: str
    source: MaterialSource
    received_at: float
    #: The checklist material (catalog ``Material.code``) the sender says this is; may be empty.
    material_code: str = ""
    #: EXIF orientation (1–8) of the file as stored; width/height are already upright.
    #: Readers apply it (``material_cache.open_upright``, ``QImageReader.setAutoTransform``).
    orientation: int = 1


@dataclass(frozen=True, slots=True)
class MaterialVerdict:
    """The agent's decision on one checklist material (a catalog ``Material.code``)."""

    material_code: str
    status: VerdictStatus
    reason_code: str = ""
    note: str = ""
    material_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PreReviewVerdict:
    """The whole pre-review of one work order at one moment (the history keeps each)."""

    work_order_id: str
    item_code: str
    verdicts: tuple[MaterialVerdict, ...]
    decided_at: float
    agent_id: str
