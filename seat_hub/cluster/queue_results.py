"""What the queue and dispatch scripts answer, as small frozen values, and the checks of
everything read back from Redis where it enters.

A script answers one JSON object; ``Answer`` reads its fields and raises
``MalformedState`` (naming what was read) on a missing field or a value of the wrong kind,
so a bad answer never travels on as a ``None`` or a wrong type. ``MalformedState`` is also
what a script's own ``malformed <key>: …`` error becomes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from seat_common.protocol import AgentState, Priority, SeatMode

AGENT_STATES: Final[frozenset[str]] = frozenset(
    {"offline", "ready", "ringing", "on_call", "wrap_up", "away", "counter"}
)
SEAT_MODES: Final[frozenset[str]] = frozenset({"video", "counter", "combined"})
PRIORITIES: Final[frozenset[str]] = frozenset({"normal", "elderly", "disabled"})
CONTACT_STATES: Final[frozenset[str]] = frozenset({"queued", "parked", "offered"})
#: Longest id (agent, work order, party, skill, call) the API accepts (as the ledger
#: stream's consumer, ``ledger_stream``).
MAX_ID: Final = 100


class MalformedState(RuntimeError):
    """A value in Redis (or a script's answer) is not what the scripts write."""


class Answer:
    """One script's JSON answer, read field by field with its kind checked."""

    def __init__(self, script: str, raw: object) -> None:
        self.script = script
        text = raw.decode() if isinstance(raw, bytes) else raw
        if not isinstance(text, str):
            raise MalformedState(f"{script}: answer is {type(raw).__name__}, not JSON text")
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise MalformedState(f"{script}: answer is not JSON: {text[:200]!r}") from exc
        if not isinstance(value, dict):
            raise MalformedState(f"{script}: answer is not an object: {text[:200]!r}")
        self._value: dict[str, Any] = value

    def _field(self, name: str) -> object:
        if name not in self._value:
            raise MalformedState(f"{self.script}: answer lacks {name!r}")
        return self._value[name]

    def text(self, name: str) -> str:
        value = self._field(name)
        if not isinstance(value, str):
            raise MalformedState(f"{self.script}: {name} is {value!r}, not text")
        return value

    def text_or(self, name: str, default: str) -> str:
        return self.text(name) if name in self._value else default

    def number(self, name: str) -> int:
        value = self._field(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise MalformedState(f"{self.script}: {name} is {value!r}, not a whole number")
        return int(value)

    def items(self, name: str) -> list[Answer]:
        """A list of objects (Lua's cjson writes an empty list as ``{}``)."""
        value = self._field(name)
        if value == {}:
            return []
        if not isinstance(value, list):
            raise MalformedState(f"{self.script}: {name} is {value!r}, not a list")
        return [Answer(f"{self.script}.{name}", json.dumps(item)) for item in value]

    def texts(self, name: str) -> list[str]:
        value = self._field(name)
        if value == {}:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise MalformedState(f"{self.script}: {name} is {value!r}, not a list of text")
        return list(value)


@dataclass(frozen=True, slots=True)
class Joined:
    """``join``: ``queued`` (new) or ``exists`` (joined before: a retry); the join order
    and the place in the skill's queue (1 is next)."""

    status: str
    seq: int
    position: int


@dataclass(frozen=True, slots=True)
class Offered:
    """One offer a dispatch pass made: ring ``agent_id`` with ``work_order_id``."""

    call_id: str
    work_order_id: str
    agent_id: str
    citizen: str
    skill: str
    dispatch_ms: int


@dataclass(frozen=True, slots=True)
class Dispatched:
    """One dispatch pass: the offers made, best contact first, and the contacts whose
    exclusions were reset."""

    offers: tuple[Offered, ...]
    exclusions_reset: frozenset[str]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a state-changing script did: ``status`` (``refused`` with ``code`` when the
    state did not allow it), and what the caller needs to tell the parties."""

    status: str
    code: str = ""
    state: str = ""
    call_id: str = ""
    work_order_id: str = ""
    agent_id: str = ""
    citizen: str = ""

    @property
    def refused(self) -> bool:
        return self.status == "refused"


@dataclass(frozen=True, slots=True)
class TimedOut:
    """An offer that rang out; ``agent_state`` is where its agent went (ready, or away
    after too many missed in a row)."""

    call_id: str
    work_order_id: str
    agent_id: str
    agent_state: str


@dataclass(frozen=True, slots=True)
class AgentRecord:
    """An agent's hash, checked."""

    agent_id: str
    party: str
    state: AgentState
    mode: SeatMode
    skills: frozenset[str]
    idle_since_ms: int
    missed_offers: int
    offer: str
    call: str
    wrap_up: str


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A contact's hash, checked."""

    work_order_id: str
    skill: str
    priority: Priority
    queued_at_ms: int
    seq: int
    score: int
    state: str
    party: str
    transferred: bool
    transferred_by: str
    offer: str


def _whole(key: str, fields: dict[str, str], name: str) -> int:
    value = _present(key, fields, name)
    try:
        return int(value)
    except ValueError:
        raise MalformedState(f"malformed {key}: {name} is not a whole number: {value!r}") from None


def _present(key: str, fields: dict[str, str], name: str) -> str:
    if name not in fields:
        raise MalformedState(f"malformed {key}: {name} is missing")
    return fields[name]


def _one_of(key: str, fields: dict[str, str], name: str, allowed: frozenset[str]) -> str:
    value = _present(key, fields, name)
    if value not in allowed:
        raise MalformedState(f"malformed {key}: {name} is {value!r}")
    return value


def _handed_on_by(key: str, fields: dict[str, str], transferred: bool) -> str:
    """``transferred_by``: "" or an agent id (as ``live_queue.check_id`` lets one in), set
    on a transferred contact only."""
    value = _present(key, fields, "transferred_by")
    if not value:
        return value
    if (len(value) > MAX_ID or not value.isprintable() or "," in value
            or value != value.strip()):
        raise MalformedState(f"malformed {key}: transferred_by is not an agent id: {value!r}")
    if not transferred:
        raise MalformedState(f"malformed {key}: transferred_by {value!r} on a contact not "
                             "transferred")
    return value


def agent_record(key: str, agent_id: str, fields: dict[str, str]) -> AgentRecord:
    """An agent's hash as read (``HGETALL``), checked field by field."""
    return AgentRecord(
        agent_id=agent_id,
        party=_present(key, fields, "party"),
        state=_one_of(key, fields, "state", AGENT_STATES),  # type: ignore[arg-type]
        mode=_one_of(key, fields, "mode", SEAT_MODES),  # type: ignore[arg-type]
        skills=frozenset(s for s in _present(key, fields, "skills").split(",") if s),
        idle_since_ms=_whole(key, fields, "idle_since"),
        missed_offers=_whole(key, fields, "missed"),
        offer=fields.get("offer", ""),
        call=fields.get("call", ""),
        wrap_up=fields.get("wrap_up", ""),
    )


def contact_record(key: str, work_order_id: str, fields: dict[str, str]) -> ContactRecord:
    """A contact's hash as read (``HGETALL``), checked field by field."""
    transferred = _one_of(key, fields, "transferred", frozenset({"0", "1"})) == "1"
    return ContactRecord(
        work_order_id=work_order_id,
        skill=_present(key, fields, "skill"),
        priority=_one_of(key, fields, "priority", PRIORITIES),  # type: ignore[arg-type]
        queued_at_ms=_whole(key, fields, "queued_at"),
        seq=_whole(key, fields, "seq"),
        score=_whole(key, fields, "score"),
        state=_one_of(key, fields, "state", CONTACT_STATES),
        party=_present(key, fields, "party"),
        transferred=transferred,
        transferred_by=_handed_on_by(key, fields, transferred),
        offer=fields.get("offer", ""),
    )
