"""The seat registry: who may log in as an agent or supervisor, with which skills.

Seats come from a JSON seats file, checked as it is loaded (a wrong entry
stops the hub with a message naming it). Only the SHA-256 of each token is
stored; a login is checked by hashing the offered token and comparing it
with ``hmac.compare_digest``. ``write_seats_file`` makes such a file from
seat specs and plain tokens, for the test and demo launcher.

The file::

    {"version": 1,
     "seats": [{"agent_id": "0012", "name": "张三", "role": "agent",
                "skills": ["social_insurance"], "hall": "市民服务中心",
                "mode": "video", "token_sha256": "<64 lowercase hex digits>"}]}
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, cast, get_args

from seat_common.protocol import SeatMode

SeatRole = Literal["agent", "supervisor"]

_AGENT_ID: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_SHA256_HEX: Final = re.compile(r"[0-9a-f]{64}")


class SeatsError(ValueError):
    """The seats file is unreadable or an entry in it is wrong."""


@dataclass(frozen=True, slots=True)
class Seat:
    """One agent or supervisor position and what it may do."""

    agent_id: str
    name: str
    role: SeatRole
    skills: frozenset[str]
    hall: str
    mode: SeatMode
    token_sha256: str


@dataclass(frozen=True, slots=True)
class SeatSpec:
    """A seat to write into a seats file (the token is given separately)."""

    agent_id: str
    name: str
    role: SeatRole = "agent"
    skills: tuple[str, ...] = ()
    hall: str = ""
    mode: SeatMode = "video"


class SeatRegistry:
    """All seats, looked up by agent id or by login token."""

    def __init__(self, seats: Iterable[Seat]) -> None:
        self._seats: dict[str, Seat] = {s.agent_id: s for s in seats}

    def __len__(self) -> int:
        return len(self._seats)

    def get(self, agent_id: str) -> Seat | None:
        return self._seats.get(agent_id)

    def all(self) -> list[Seat]:
        return list(self._seats.values())

    def authenticate(self, role: SeatRole, token: str) -> Seat | None:
        """The seat of ``role`` whose token is ``token``, or None.

        Every seat is compared (in constant time each), so the time taken does
        not tell which seat, if any, came close.
        """
        if not token:
            return None
        offered = hash_token(token)
        found: Seat | None = None
        for seat in self._seats.values():
            if hmac.compare_digest(offered, seat.token_sha256) and seat.role == role:
                found = seat
        return found


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored for ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random login token."""
    return secrets.token_urlsafe(24)


def load_seats(path: Path, known_skills: Collection[str] | None = None) -> SeatRegistry:
    """Read and check a seats file; skills must be among ``known_skills`` if given."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeatsError(f"cannot read seats file {path}: {exc}") from exc
    return parse_seats(raw, known_skills)


def parse_seats(raw: Any, known_skills: Collection[str] | None = None) -> SeatRegistry:
    """Check already-parsed seats data; raise ``SeatsError`` naming the entry."""
    if not isinstance(raw, dict):
        raise SeatsError("seats file must be a JSON object")
    if raw.get("version") != 1:
        raise SeatsError("seats file: version must be 1")
    unknown = set(raw) - {"version", "seats"}
    if unknown:
        raise SeatsError(f"seats file: unknown keys {sorted(unknown)}")
    entries = raw.get("seats")
    if not isinstance(entries, list):
        raise SeatsError("seats file: seats must be a list")
    seats: list[Seat] = []
    ids: set[str] = set()
    hashes: set[str] = set()
    for i, entry in enumerate(entries):
        seat = _seat(entry, f"seats[{i}]", known_skills)
        if seat.agent_id in ids:
            raise SeatsError(f"seats[{i}]: duplicate agent_id {seat.agent_id!r}")
        if seat.token_sha256 in hashes:
            raise SeatsError(f"seats[{i}] ({seat.agent_id}): token shared with another seat")
        ids.add(seat.agent_id)
        hashes.add(seat.token_sha256)
        seats.append(seat)
    return SeatRegistry(seats)


_KEYS: Final = {"agent_id", "name", "role", "skills", "hall", "mode", "token_sha256"}


def _seat(raw: Any, where: str, known_skills: Collection[str] | None) -> Seat:
    if not isinstance(raw, dict):
        raise SeatsError(f"{where} must be an object")
    agent_id = raw.get("agent_id")
    if not isinstance(agent_id, str) or not _AGENT_ID.fullmatch(agent_id):
        raise SeatsError(f"{where}.agent_id must be 1-64 of A-Z a-z 0-9 _ . -")
    where = f"{where} ({agent_id})"
    unknown = set(raw) - _KEYS
    if unknown:
        raise SeatsError(f"{where}: unknown keys {sorted(unknown)}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise SeatsError(f"{where}.name must be a non-empty string (at most 200 characters)")
    role = raw.get("role")
    if role not in get_args(SeatRole):
        raise SeatsError(f"{where}.role must be one of {get_args(SeatRole)}")
    skills = raw.get("skills", [])
    if not isinstance(skills, list) or not all(isinstance(s, str) and s for s in skills):
        raise SeatsError(f"{where}.skills must be a list of skill codes")
    if role == "agent" and not skills:
        raise SeatsError(f"{where}.skills: an agent needs at least one skill")
    if len(skills) > 64:
        raise SeatsError(f"{where}.skills: at most 64")
    if known_skills is not None:
        for s in skills:
            if s not in known_skills:
                raise SeatsError(f"{where}.skills: unknown skill {s!r}")
    hall = raw.get("hall", "")
    if not isinstance(hall, str) or len(hall) > 200:
        raise SeatsError(f"{where}.hall must be a string (at most 200 characters)")
    mode = raw.get("mode", "video")
    if mode not in get_args(SeatMode):
        raise SeatsError(f"{where}.mode must be one of {get_args(SeatMode)}")
    token_sha256 = raw.get("token_sha256")
    if not isinstance(token_sha256, str) or not _SHA256_HEX.fullmatch(token_sha256):
        raise SeatsError(f"{where}.token_sha256 must be 64 lowercase hex digits")
    return Seat(
        agent_id=agent_id,
        name=name,
        role=cast(SeatRole, role),
        skills=frozenset(skills),
        hall=hall,
        mode=cast(SeatMode, mode),
        token_sha256=token_sha256,
    )


def seats_document(specs: Iterable[SeatSpec], tokens: Mapping[str, str]) -> dict[str, Any]:
    """The JSON-ready seats file for ``specs``; ``tokens`` maps agent id → plain token."""
    seats: list[dict[str, Any]] = []
    for spec in specs:
        token = tokens.get(spec.agent_id)
        if not token:
            raise SeatsError(f"no token given for seat {spec.agent_id!r}")
        seats.append(
            {
                "agent_id": spec.agent_id,
                "name": spec.name,
                "role": spec.role,
                "skills": list(spec.skills),
                "hall": spec.hall,
                "mode": spec.mode,
                "token_sha256": hash_token(token),
            }
        )
    return {"version": 1, "seats": seats}


def write_seats_file(path: Path, specs: Iterable[SeatSpec], tokens: Mapping[str, str]) -> None:
    """Write a seats file (checked by ``parse_seats`` first) atomically, mode 0600."""
    document = seats_document(specs, tokens)
    parse_seats(document)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=2)
        f.write("\n")
    os.replace(tmp, path)
