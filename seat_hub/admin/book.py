"""The seats file as ``seat-admin`` edits it: add, change and remove seats, kiosks, tokens.

``SeatsBook.open`` reads the file and checks it as the hub does (``parse_seats``); each
change is checked first with a message in Chinese naming what is wrong; ``save`` checks
the whole document once more against the catalog's skills, exactly as the hub will at
load or on SIGHUP, and writes it atomically with mode 0600 (``save_seats_document``).
``locked`` keeps two ``seat-admin`` runs from editing the file at once.

A token is made with ``secrets`` (``new_token``), handed back once to be shown to the
person who needs it, and only its SHA-256 is written. Revoking removes the hash: the
seat or kiosk stays in the file and cannot log in until a new token is issued.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, get_args

from seat_common.protocol import SeatMode
from seat_hub.parties.seats import (
    SeatRegistry,
    SeatRole,
    SeatsError,
    hash_token,
    new_token,
    parse_seats,
    save_seats_document,
)

EntryKind = Literal["seat", "kiosk"]

_ID: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")
#: what a seat's mode may be called (the wire's word or the hall's)
MODE_NAMES: Final[Mapping[str, SeatMode]] = {
    "video": "video", "counter": "counter", "combined": "combined",
    "视频": "video", "窗口": "counter", "综合": "combined",
}
ROLE_NAMES: Final[Mapping[str, SeatRole]] = {
    "agent": "agent", "supervisor": "supervisor", "坐席": "agent", "班长": "supervisor",
    "监控": "supervisor",
}
_KIND_NAME: Final = {"seat": "坐席", "kiosk": "自助终端"}


class AdminError(Exception):
    """A change refused, or a file that cannot be used; the message is in Chinese."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A plain token, to be shown once to whoever logs in with it."""

    kind: EntryKind
    entry_id: str
    name: str
    token: str


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path``'s lock file (``<name>.lock``) while editing."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise AdminError(f"无法打开锁文件 {lock_path}：{exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def check_id(value: str, what: str) -> str | None:
    """Why ``value`` cannot be an agent id or device id, or None."""
    if not _ID.fullmatch(value):
        return f"{what}“{value}”不合规：只能用 1–64 个英文字母、数字、_ . -"
    return None


def check_text(value: str, what: str, *, required: bool) -> str | None:
    """Why ``value`` cannot be a name or hall (at most 200 characters), or None."""
    if required and not value.strip():
        return f"{what}不能为空"
    if len(value) > 200:
        return f"{what}太长（{len(value)} 个字，最多 200 个）"
    return None


class SeatsBook:
    """The seats file's document, being edited; ``skills`` maps skill code → name."""

    def __init__(self, path: Path, document: dict[str, Any], skills: Mapping[str, str]) -> None:
        self.path = path
        self.document = document
        self.skills = dict(skills)
        self._by_name = {name: code for code, name in skills.items()}

    @classmethod
    def open(cls, path: Path, skills: Mapping[str, str], *, create: bool = False) -> SeatsBook:
        """Read ``path`` (an empty book when it does not exist and ``create``)."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            if not create:
                raise AdminError(f"座席文件 {path} 不存在") from None
            return cls(path, {"version": 1, "seats": [], "kiosks": []}, skills)
        except (OSError, UnicodeDecodeError) as exc:
            raise AdminError(f"无法读取座席文件 {path}：{exc}") from exc
        try:
            document = json.loads(text)
            parse_seats(document, skills.keys())
        except ValueError as exc:  # SeatsError and JSON errors
            raise AdminError(f"座席文件 {path} 有误，未做任何修改：{exc}") from exc
        document.setdefault("kiosks", [])
        return cls(path, document, skills)

    # --- reading -------------------------------------------------------------------

    @property
    def seats(self) -> list[dict[str, Any]]:
        return list(self.document["seats"])

    @property
    def kiosks(self) -> list[dict[str, Any]]:
        return list(self.document["kiosks"])

    def has_seat(self, agent_id: str) -> bool:
        return any(s["agent_id"] == agent_id for s in self.document["seats"])

    def resolve_skills(self, given: Iterable[str]) -> tuple[str, ...]:
        """Skill codes for ``given`` codes or names (社保业务 is social_insurance)."""
        codes: list[str] = []
        unknown: list[str] = []
        for raw in given:
            skill = raw.strip()
            if not skill:
                continue
            code = skill if skill in self.skills else self._by_name.get(skill)
            if code is None:
                unknown.append(skill)
            elif code not in codes:
                codes.append(code)
        if unknown:
            known = "、".join(f"{c}（{n}）" for c, n in self.skills.items())
            raise AdminError(f"未知技能：{'、'.join(unknown)}。可用的技能：{known}")
        return tuple(codes)

    # --- changes --------------------------------------------------------------------

    def add_seat(self, agent_id: str, name: str, *, role: SeatRole = "agent",
                 skills: Iterable[str] = (), hall: str = "",
                 mode: SeatMode = "video") -> IssuedToken:
        """A new seat with a new token (returned, to be shown once)."""
        codes = self.resolve_skills(skills)
        problem = (check_id(agent_id, "工号") or check_text(name, "姓名", required=True)
                   or check_text(hall, "大厅", required=False))
        if problem is None and role == "agent" and not codes:
            problem = "坐席至少要有一项技能（--skills）"
        if problem is None and mode not in get_args(SeatMode):
            problem = f"模式“{mode}”不对：只能是 video、counter、combined"
        if problem is None and self.has_seat(agent_id):
            problem = f"工号 {agent_id} 已存在，未重复添加"
        if problem is not None:
            raise AdminError(problem)
        token = new_token()
        self.document["seats"].append({
            "agent_id": agent_id, "name": name, "role": role, "skills": list(codes),
            "hall": hall, "mode": mode, "token_sha256": hash_token(token),
        })
        return IssuedToken("seat", agent_id, name, token)

    def add_kiosk(self, device_id: str, hall: str) -> IssuedToken:
        """A new kiosk in ``hall`` with a new token (returned, to be shown once)."""
        problem = check_id(device_id, "终端编号") or check_text(hall, "大厅", required=True)
        if problem is None and any(k["device_id"] == device_id for k in self.document["kiosks"]):
            problem = f"自助终端 {device_id} 已存在，未重复添加"
        if problem is not None:
            raise AdminError(problem)
        token = new_token()
        self.document["kiosks"].append(
            {"device_id": device_id, "hall": hall, "token_sha256": hash_token(token)})
        return IssuedToken("kiosk", device_id, hall, token)

    def issue_token(self, entry_id: str, kind: EntryKind | None = None) -> IssuedToken:
        """A new token for a seat or kiosk; the old one stops working."""
        found_kind, entry = self._find(entry_id, kind)
        token = new_token()
        entry["token_sha256"] = hash_token(token)
        name = str(entry.get("name") or entry.get("hall") or "")
        return IssuedToken(found_kind, entry_id, name, token)

    def revoke(self, entry_id: str, kind: EntryKind | None = None) -> EntryKind:
        """Remove the token's hash: the seat or kiosk cannot log in any more."""
        found_kind, entry = self._find(entry_id, kind)
        if "token_sha256" not in entry:
            raise AdminError(f"{_KIND_NAME[found_kind]} {entry_id} 没有有效的登录令牌，无需吊销")
        del entry["token_sha256"]
        return found_kind

    def set_skills(self, agent_id: str, skills: Iterable[str]) -> tuple[str, ...]:
        _, entry = self._find(agent_id, "seat")
        codes = self.resolve_skills(skills)
        if entry["role"] == "agent" and not codes:
            raise AdminError("坐席至少要有一项技能")
        entry["skills"] = list(codes)
        return codes

    def set_hall(self, entry_id: str, hall: str, kind: EntryKind | None = None) -> EntryKind:
        found_kind, entry = self._find(entry_id, kind)
        problem = check_text(hall, "大厅", required=found_kind == "kiosk")
        if problem is not None:
            raise AdminError(problem)
        entry["hall"] = hall
        return found_kind

    def remove(self, entry_id: str, kind: EntryKind | None = None) -> EntryKind:
        found_kind, entry = self._find(entry_id, kind)
        key = "seats" if found_kind == "seat" else "kiosks"
        self.document[key] = [e for e in self.document[key] if e is not entry]
        return found_kind

    def append_seats(self, entries: Iterable[dict[str, Any]]) -> None:
        """Seats already checked (``csv_import``), each with its ``token_sha256``."""
        self.document["seats"].extend(entries)

    def save(self) -> SeatRegistry:
        """Check the document as the hub will, then write it atomically (mode 0600)."""
        document = dict(self.document)
        if not document.get("kiosks"):
            document.pop("kiosks", None)
        try:
            return save_seats_document(self.path, document, self.skills.keys())
        except SeatsError as exc:
            raise AdminError(f"检查未通过，座席文件未改动：{exc}") from exc
        except OSError as exc:
            raise AdminError(f"无法写入座席文件 {self.path}：{exc.strerror or exc}") from exc

    def _find(self, entry_id: str, kind: EntryKind | None) -> tuple[EntryKind, dict[str, Any]]:
        seat = next((s for s in self.document["seats"] if s["agent_id"] == entry_id), None)
        kiosk = next((k for k in self.document["kiosks"] if k["device_id"] == entry_id), None)
        if kind == "seat" or (kind is None and kiosk is None):
            if seat is None:
                raise AdminError(f"没有工号为 {entry_id} 的坐席")
            return "seat", seat
        if kind == "kiosk" or seat is None:
            if kiosk is None:
                raise AdminError(f"没有编号为 {entry_id} 的自助终端")
            return "kiosk", kiosk
        raise AdminError(f"{entry_id} 既是坐席工号也是自助终端编号：请加 --seat 或 --kiosk 指明")
