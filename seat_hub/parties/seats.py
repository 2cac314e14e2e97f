"""The seat registry: who may log in as an agent, supervisor or kiosk, with which skills.

Seats come from a JSON seats file, checked as it is loaded (a wrong entry
stops the hub with a message naming it). Only the SHA-256 of each token is
stored; a login is checked by hashing the offered token and comparing it
with ``hmac.compare_digest``. ``write_seats_file`` makes such a file from
seat specs and plain tokens, for the test and demo launcher.

Kiosks (self-service terminals in town halls) are devices, not seats: each has
a device id, the hall it stands in and its own token. Only a kiosk logged in
with its token may queue on the kiosk channel (see ``routing.admission``).

The file::

    {"version": 1,
     "seats": [{"agent_id": "0012", "name": "张三", "role": "agent",
                "skills": ["social_insurance"], "hall": "市民服务中心",
                "mode": "video", "token_sha256": "<64 lowercase hex digits>"}],
     "kiosks": [{"device_id": "K-SHATIAN-01", "hall": "沙田镇",
                 "token_sha256": "<64 lowercase hex digits>"}]}

``kiosks`` may be left out. No two tokens (of seats or kiosks) may be the same. A seat or
kiosk without ``token_sha256`` has no token (it was revoked, or none was issued yet) and
cannot log in. ``seat-admin`` (``seat_hub.admin``) keeps the file; the hub reads it again
on SIGHUP (``connections.seat_reload``).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, cast, get_args

from seat_common.protocol import SeatMode

SeatRole = Literal["agent", "supervisor"]

_AGENT_ID: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_SHA256_HEX: Final = re.compile(r"[0-9a-f]{64}")
#: compared against when there is no token, so a login takes as long either way
_NO_TOKEN: Final = "0" * 64


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
    #: "" when the seat has no token (revoked, or none issued yet): it cannot log in
    token_sha256: str


@dataclass(frozen=True, slots=True)
class KioskDevice:
    """A self-service kiosk allowed on the kiosk channel, and where it stands."""

    device_id: str
    hall: str
    #: "" when the kiosk has no token (revoked, or none issued yet): it cannot log in
    token_sha256: str


@dataclass(frozen=True, slots=True)
class KioskSpec:
    """A kiosk to write into a seats file (the token is given separately)."""

    device_id: str
    hall: str


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
    """All seats and kiosks, looked up by id or by login token."""

    def __init__(self, seats: Iterable[Seat], kiosks: Iterable[KioskDevice] = ()) -> None:
        self._seats: dict[str, Seat] = {s.agent_id: s for s in seats}
        self._kiosks: dict[str, KioskDevice] = {k.device_id: k for k in kiosks}

    def __len__(self) -> int:
        return len(self._seats)

    def get(self, agent_id: str) -> Seat | None:
        return self._seats.get(agent_id)

    def all(self) -> list[Seat]:
        return list(self._seats.values())

    @property
    def kiosk_count(self) -> int:
        return len(self._kiosks)

    def kiosk(self, device_id: str) -> KioskDevice | None:
        return self._kiosks.get(device_id)

    def kiosks(self) -> list[KioskDevice]:
        return list(self._kiosks.values())

    def replace_with(self, other: SeatRegistry) -> None:
        """Take ``other``'s seats and kiosks in place (a reload of the seats file: whoever
        holds this registry sees the new seats)."""
        self._seats = dict(other._seats)
        self._kiosks = dict(other._kiosks)

    def authenticate(self, role: SeatRole, token: str, seat_id: str = "") -> Seat | None:
        """The seat of ``role`` whose token is ``token`` (and whose id is ``seat_id``, if
        given), or None.

        Every seat is compared (in constant time each), so the time taken does
        not tell which seat, if any, came close.
        """
        if not token:
            return None
        offered = hash_token(token)
        found: Seat | None = None
        for seat in self._seats.values():
            if (
                hmac.compare_digest(offered, seat.token_sha256 or _NO_TOKEN)
                and seat.token_sha256
                and seat.role == role
            ):
                found = seat
        if found is not None and seat_id and found.agent_id != seat_id:
            return None
        return found

    def authenticate_kiosk(self, device_id: str, token: str) -> KioskDevice | None:
        """The kiosk ``device_id`` if ``token`` is its token, else None (compared in
        constant time, and hashed even for an unknown device)."""
        offered = hash_token(token)
        kiosk = self._kiosks.get(device_id)
        expected = kiosk.token_sha256 if kiosk is not None else ""
        if hmac.compare_digest(offered, expected or _NO_TOKEN) and expected and token:
            return kiosk
        return None


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored for ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random login token."""
    return secrets.token_urlsafe(24)


def load_seats(path: Path, known_skills: Collection[str] | None = None) -> SeatRegistry:
    """Read and check a seats file; skills must be among ``known_skills`` if given."""
    try:
        # utf-8-sig: a file saved by a Windows editor starts with a BOM, which JSON does not take
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise SeatsError(f"cannot read seats file {path}: {exc}") from exc
    return parse_seats(raw, known_skills)


def parse_seats(raw: Any, known_skills: Collection[str] | None = None) -> SeatRegistry:
    """Check already-parsed seats data; raise ``SeatsError`` naming the entry."""
    if not isinstance(raw, dict):
        raise SeatsError("seats file must be a JSON object")
    if raw.get("version") != 1:
        raise SeatsError("seats file: version must be 1")
    unknown = set(raw) - {"version", "seats", "kiosks"}
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
        if seat.token_sha256 and seat.token_sha256 in hashes:
            raise SeatsError(f"seats[{i}] ({seat.agent_id}): token shared with another seat")
        ids.add(seat.agent_id)
        if seat.token_sha256:
            hashes.add(seat.token_sha256)
        seats.append(seat)
    kiosk_entries = raw.get("kiosks", [])
    if not isinstance(kiosk_entries, list):
        raise SeatsError("seats file: kiosks must be a list")
    kiosks: list[KioskDevice] = []
    device_ids: set[str] = set()
    for i, entry in enumerate(kiosk_entries):
        kiosk = _kiosk(entry, f"kiosks[{i}]")
        if kiosk.device_id in device_ids:
            raise SeatsError(f"kiosks[{i}]: duplicate device_id {kiosk.device_id!r}")
        if kiosk.token_sha256 and kiosk.token_sha256 in hashes:
            raise SeatsError(f"kiosks[{i}] ({kiosk.device_id}): token shared with another entry")
        device_ids.add(kiosk.device_id)
        if kiosk.token_sha256:
            hashes.add(kiosk.token_sha256)
        kiosks.append(kiosk)
    return SeatRegistry(seats, kiosks)


_KIOSK_KEYS: Final = {"device_id", "hall", "token_sha256"}


def _kiosk(raw: Any, where: str) -> KioskDevice:
    if not isinstance(raw, dict):
        raise SeatsError(f"{where} must be an object")
    device_id = raw.get("device_id")
    if not isinstance(device_id, str) or not _AGENT_ID.fullmatch(device_id):
        raise SeatsError(f"{where}.device_id must be 1-64 of A-Z a-z 0-9 _ . -")
    where = f"{where} ({device_id})"
    unknown = set(raw) - _KIOSK_KEYS
    if unknown:
        raise SeatsError(f"{where}: unknown keys {sorted(unknown)}")
    hall = raw.get("hall")
    if not isinstance(hall, str) or not hall.strip() or len(hall) > 200:
        raise SeatsError(f"{where}.hall must be a non-empty string (at most 200 characters)")
    token_sha256 = _token_hash(raw, where)
    return KioskDevice(device_id=device_id, hall=hall, token_sha256=token_sha256)


def _token_hash(raw: dict[str, Any], where: str) -> str:
    """The entry's token hash, "" when it has none (left out: revoked or never issued)."""
    if "token_sha256" not in raw:
        return ""
    token_sha256 = raw["token_sha256"]
    if not isinstance(token_sha256, str) or not _SHA256_HEX.fullmatch(token_sha256):
        raise SeatsError(f"{where}.token_sha256 must be 64 lowercase hex digits")
    return token_sha256


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
    token_sha256 = _token_hash(raw, where)
    return Seat(
        agent_id=agent_id,
        name=name,
        role=cast(SeatRole, role),
        skills=frozenset(skills),
        hall=hall,
        mode=cast(SeatMode, mode),
        token_sha256=token_sha256,
    )


def seats_document(
    specs: Iterable[SeatSpec],
    tokens: Mapping[str, str],
    kiosks: Iterable[KioskSpec] = (),
    kiosk_tokens: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON-ready seats file for ``specs`` and ``kiosks``; ``tokens`` maps agent id →
    plain token, ``kiosk_tokens`` device id → plain token."""
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
    devices: list[dict[str, Any]] = []
    for kiosk in kiosks:
        token = (kiosk_tokens or {}).get(kiosk.device_id)
        if not token:
            raise SeatsError(f"no token given for kiosk {kiosk.device_id!r}")
        devices.append(
            {"device_id": kiosk.device_id, "hall": kiosk.hall, "token_sha256": hash_token(token)}
        )
    document: dict[str, Any] = {"version": 1, "seats": seats}
    if devices:
        document["kiosks"] = devices
    return document


def write_seats_file(
    path: Path,
    specs: Iterable[SeatSpec],
    tokens: Mapping[str, str],
    kiosks: Iterable[KioskSpec] = (),
    kiosk_tokens: Mapping[str, str] | None = None,
) -> None:
    """Write a seats file (checked by ``parse_seats`` first) atomically, mode 0600."""
    save_seats_document(path, seats_document(specs, tokens, kiosks, kiosk_tokens))


def save_seats_document(
    path: Path, document: Mapping[str, Any], known_skills: Collection[str] | None = None
) -> SeatRegistry:
    """Check ``document`` as the hub checks the file at load (``parse_seats``), then write
    it atomically: a temporary file of mode 0600 beside ``path``, flushed to disk, renamed
    over it. A reader (the hub on SIGHUP) sees the old file or the new one, never half of
    one. The file keeps its owner and group when the writer may keep them (root editing the
    file of the hub's own user). Returns the registry the hub will load."""
    registry = parse_seats(document, known_skills)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    try:
        owner = path.stat()
    except FileNotFoundError:
        owner = None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), 0o600)
            if owner is not None:
                with contextlib.suppress(PermissionError):
                    os.fchown(f.fileno(), owner.st_uid, owner.st_gid)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return registry
