"""The pre-review reason codes (why a material must be corrected, e.g. 模糊不清) and their
names, read from ``seat_common/resources/review_reasons.json`` and checked as they enter.

The workstation offers them to the agent; the hub hands them to citizens' and kiosks'
clients in the catalog (``catalog`` message) so a verdict's ``reason_code`` can be shown
in Chinese. Pure stdlib: both sides import it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from seat_common.resources import resource_path

REASONS_PATH: Final = resource_path("review_reasons.json")


class ReasonsError(ValueError):
    """The reason-code file is unreadable or an entry in it is wrong."""


@dataclass(frozen=True, slots=True)
class ReasonCode:
    """Why a material must be corrected (e.g. 模糊不清)."""

    code: str
    name: str
    name_en: str


def load_reasons(path: Path = REASONS_PATH) -> tuple[ReasonCode, ...]:
    """Read and check the reason codes; raise ``ReasonsError`` naming the entry."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReasonsError(f"cannot read reason codes {path}: {exc}") from exc
    if (not isinstance(raw, dict) or raw.get("version") != 1
            or not isinstance(raw.get("reasons"), list)):
        raise ReasonsError(f"{path}: expected {{'version': 1, 'reasons': [...]}}")
    reasons: list[ReasonCode] = []
    for i, r in enumerate(raw["reasons"]):
        if not isinstance(r, dict) or not all(isinstance(r.get(k), str) and r.get(k)
                                              for k in ("code", "name", "name_en")):
            raise ReasonsError(f"{path}: reasons[{i}] needs code, name and name_en")
        reasons.append(ReasonCode(r["code"], r["name"], r["name_en"]))
    if len({r.code for r in reasons}) != len(reasons):
        raise ReasonsError(f"{path}: reason codes must be unique")
    return tuple(reasons)
