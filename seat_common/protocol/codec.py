"""The one codec for every wire format Seat speaks: the hub's protocol v1 (``hub_wire``) and
the remote-assist data channel (``assist``).

A wire format is a ``WireFormat``: a version and a set of message types, each a frozen
dataclass with a ``TYPE`` class attribute. A message on the wire is a JSON object
``{"v": <version>, "type": <TYPE>, <fields>}`` holding exactly the fields of its type.
``WireFormat.from_wire`` checks parsed JSON against the dataclass and returns the typed
message, or raises ``ProtocolError`` with a code and the field that is wrong (``a.b[2].c``
inside nested values). A format only knows its own types: a hub message is an unknown
type on the assist channel, and the other way round.

What a field may hold comes from its type and its ``metadata`` (every key optional):

- ``str``: ``max_len`` (200) and ``min_len`` (0) characters; ``pattern``, a ``TextPattern``
  the whole string must match; ``base64: True`` for standard base64 text. NUL is refused.
- ``int``: ``min`` and ``max``; ``true``/``false`` and fractions are refused.
- ``float``: ``min`` and ``max``; ``true``/``false``, NaN and infinities are refused.
  Every number, whole or not, stays within ±2**53.
- ``bool``: only ``true`` or ``false``.
- ``Literal[...]``: one of the listed strings.
- ``tuple[X, ...]``: a list of at most ``max_items`` (100) items, each checked as ``X``.
- a dataclass: an object, its own fields checked by the same rules.

A rule that involves more than one field lives on the message class as a method
``check_across_fields(self) -> None``: the codec calls it once every field has passed its
own checks, and it raises ``ProtocolError`` naming the field to blame.

The rules of each dataclass are compiled once, the first time a format names it, into
one small check function per field: decoding a message then costs a dictionary walk and
a few ``isinstance`` tests per field (the hub decodes every frame it gets).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import math
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Generic, Literal, Protocol, TypeVar, get_args, get_origin

from seat_common.protocol.terms import ProtocolError

#: The hook a message class may define for rules across its fields.
ACROSS_FIELDS_HOOK: Final = "check_across_fields"
#: The envelope's keys, which no message field may use.
_ENVELOPE: Final = frozenset({"v", "type"})
_NO_KEYS: Final[frozenset[str]] = frozenset()
#: Numbers beyond this are not exact in a JavaScript peer (the citizen's web page).
_LARGEST_NUMBER: Final = 2**53

#: Checks one value from the wire at ``where`` (a field path) and returns it typed.
FieldCheck = Callable[[Any, str], Any]


class WireMessage(Protocol):
    """What every message class has: its wire name."""

    TYPE: ClassVar[str]


M = TypeVar("M", bound=WireMessage)


@dataclass(frozen=True, slots=True)
class TextPattern:
    """A shape a string field must have as a whole (``re.fullmatch``), and what that shape
    is called in a refusal (``must be <means>``)."""

    regex: str
    means: str


@dataclass(frozen=True, slots=True)
class _Plan:
    """The compiled rules of one dataclass: a check per field, the fields that must be
    present, and the cross-field hook if it has one."""

    cls: type[Any]
    checks: dict[str, FieldCheck]
    required: frozenset[str]
    across: Callable[[Any], None] | None


class WireFormat(Generic[M]):
    """One wire format: its ``name`` (used in refusals), ``version`` and message ``types``
    by their ``TYPE``. Holds no state beyond that; safe to share."""

    def __init__(self, name: str, version: int, messages: Iterable[type[M]]) -> None:
        self.name = name
        self.version = version
        self.types: dict[str, type[M]] = {}
        self._plans: dict[str, _Plan] = {}
        for cls in messages:
            kind = cls.TYPE
            if kind in self.types:
                raise TypeError(f"{name}: two message types named {kind!r}")
            plan = _plan(cls)
            if clash := _ENVELOPE & plan.checks.keys():
                raise TypeError(f"{name}: {kind} has a field named like the envelope: {clash}")
            self.types[kind] = cls
            self._plans[kind] = plan

    def from_wire(self, raw: Any) -> M:
        """Check already-parsed JSON data and return its typed message."""
        if not isinstance(raw, dict):
            raise ProtocolError("bad_message", "a message must be a JSON object")
        version = raw.get("v")
        if version != self.version or isinstance(version, bool):
            raise ProtocolError(
                "unsupported_version", f"{self.name} version must be {self.version}", "v"
            )
        kind = raw.get("type")
        if not isinstance(kind, str):
            raise ProtocolError("bad_message", "message type missing", "type")
        plan = self._plans.get(kind)
        if plan is None:
            raise ProtocolError("unknown_type", f"unknown message type {kind[:40]!r}", "type")
        message: M = _build(plan, raw, "", _ENVELOPE)
        return message

    def to_text(self, message: M, *, check: bool = False) -> str:
        """The JSON text of ``message`` with its envelope. With ``check``, first raise
        ``ProtocolError`` unless it is one of this format's types and would pass
        ``from_wire`` as it is (for senders whose messages carry outside data)."""
        fields = to_wire(message)
        if check:
            plan = self._plans.get(getattr(message, "TYPE", ""))
            if plan is None or type(message) is not plan.cls:
                raise ProtocolError(
                    "unknown_type", f"{type(message).__name__} is not a {self.name} message",
                    "type",
                )
            _build(plan, fields, "", _NO_KEYS)
        body: dict[str, Any] = {"v": self.version, "type": message.TYPE}
        body.update(fields)
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def to_wire(value: Any) -> Any:
    """Plain JSON-ready data for a message or a value inside one."""
    names = _field_names(type(value))
    if names is not None:
        return {name: to_wire(getattr(value, name)) for name in names}
    if isinstance(value, tuple):
        return [to_wire(v) for v in value]
    return value


_FIELD_NAMES: dict[type[Any], tuple[str, ...] | None] = {}


def _field_names(cls: type[Any]) -> tuple[str, ...] | None:
    """The field names of a dataclass, None for any other type (asked once per type)."""
    try:
        return _FIELD_NAMES[cls]
    except KeyError:
        names = (
            tuple(f.name for f in dataclasses.fields(cls))
            if dataclasses.is_dataclass(cls) else None
        )
        _FIELD_NAMES[cls] = names
        return names


def load_json(text: str) -> Any:
    """Parse one message's JSON text; ``NaN`` and infinities are refused (``bad_json``)."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("bad_json", f"not JSON: {exc}") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


# --- checking ------------------------------------------------------------------


def _build(plan: _Plan, body: Mapping[str, Any], path: str, envelope: frozenset[str]) -> Any:
    checks = plan.checks
    for key in body:
        if key not in checks and key not in envelope:
            raise ProtocolError("bad_message", "unknown field", _join(path, str(key)[:40]))
    values: dict[str, Any] = {}
    for name, check in checks.items():
        if name in body:
            values[name] = check(body[name], f"{path}.{name}" if path else name)
        elif name in plan.required:
            raise ProtocolError("bad_message", "required field missing", _join(path, name))
    message = plan.cls(**values)
    if plan.across is not None:
        try:
            plan.across(message)
        except ProtocolError as exc:
            if not path:
                raise
            # The hook names a field of its own value; the sender needs the whole path.
            raise ProtocolError(exc.code, exc.message, _join(path, exc.field)) from None
    return message


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# --- compiling the rules of a dataclass --------------------------------------------

_PLANS: dict[type[Any], _Plan] = {}
_NO_METADATA: Final[Mapping[str, Any]] = types.MappingProxyType({})


def _plan(cls: type[Any]) -> _Plan:
    cached = _PLANS.get(cls)
    if cached is not None:
        return cached
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    hints = typing.get_type_hints(cls)
    checks: dict[str, FieldCheck] = {}
    required: set[str] = set()
    for f in dataclasses.fields(cls):
        checks[f.name] = _compile(hints[f.name], f.metadata, f"{cls.__name__}.{f.name}")
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.add(f.name)
    plan = _Plan(cls, checks, frozenset(required), getattr(cls, ACROSS_FIELDS_HOOK, None))
    _PLANS[cls] = plan
    return plan


#: The metadata each kind of field understands; anything else is a mistake in a message class.
_VOCABULARY: Final[dict[str, frozenset[str]]] = {
    "str": frozenset({"max_len", "min_len", "pattern", "base64"}),
    "int": frozenset({"min", "max"}),
    "float": frozenset({"min", "max"}),
    "tuple": frozenset({"max_items"}),
}


def _compile(hint: Any, meta: Mapping[str, Any], what: str) -> FieldCheck:
    """The check for one field (``what`` names it in a mistake of ours)."""
    origin = get_origin(hint)
    kind = "tuple" if origin is tuple else getattr(hint, "__name__", "")
    if unknown := set(meta) - _VOCABULARY.get(kind, frozenset()):
        raise TypeError(f"metadata {sorted(unknown)} means nothing for {hint!r} ({what})")
    if origin is Literal:
        return _choice_check(get_args(hint), what)
    if origin in (typing.Union, types.UnionType):
        raise TypeError(f"unions are not part of the wire formats ({what})")
    if origin is tuple:
        item_hint, ellipsis = get_args(hint)
        if ellipsis is not Ellipsis:
            raise TypeError(f"only tuple[X, ...] is a wire list ({what})")
        return _list_check(_compile(item_hint, _NO_METADATA, f"{what}[]"), meta)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _object_check(_plan(hint))
    if hint is str:
        return _text_check(meta)
    if hint is bool:
        return _bool_check
    if hint is int:
        return _whole_check(meta)
    if hint is float:
        return _number_check(meta)
    raise TypeError(f"no wire form for {hint!r} ({what})")


def _choice_check(allowed: tuple[Any, ...], what: str) -> FieldCheck:
    if not all(isinstance(a, str) for a in allowed):
        raise TypeError(f"wire choices are strings ({what})")
    choices = frozenset(allowed)
    says = f"must be one of {', '.join(map(repr, allowed))}"

    def check_choice(value: Any, where: str) -> Any:
        if not isinstance(value, str) or value not in choices:
            raise ProtocolError("bad_message", says, where)
        return value

    return check_choice


def _list_check(item: FieldCheck, meta: Mapping[str, Any]) -> FieldCheck:
    most: int = meta.get("max_items", 100)

    def check_list(value: Any, where: str) -> Any:
        if not isinstance(value, list):
            raise ProtocolError("bad_message", "must be a list", where)
        if len(value) > most:
            raise ProtocolError("bad_message", "too many items", where)
        return tuple(item(v, f"{where}[{i}]") for i, v in enumerate(value))

    return check_list


def _object_check(plan: _Plan) -> FieldCheck:
    def check_object(value: Any, where: str) -> Any:
        if not isinstance(value, dict):
            raise ProtocolError("bad_message", "must be an object", where)
        return _build(plan, value, where, _NO_KEYS)

    return check_object


def _text_check(meta: Mapping[str, Any]) -> FieldCheck:
    longest: int = meta.get("max_len", 200)
    shortest: int = meta.get("min_len", 0)
    too_short = "must not be empty" if shortest <= 1 else "too short"
    shape: TextPattern | None = meta.get("pattern")
    if shape is not None and not isinstance(shape, TextPattern):
        raise TypeError(f"a pattern is a TextPattern, not {shape!r}")
    pattern = None if shape is None else re.compile(shape.regex)
    must_match = "" if shape is None else f"must be {shape.means}"
    is_base64: bool = meta.get("base64", False)

    def check_text(value: Any, where: str) -> Any:
        if not isinstance(value, str):
            raise ProtocolError("bad_message", "must be a string", where)
        if len(value) > longest:
            raise ProtocolError("bad_message", "too long", where)
        if len(value) < shortest:
            raise ProtocolError("bad_message", too_short, where)
        if "\x00" in value:
            raise ProtocolError("bad_message", "must not contain NUL", where)
        if pattern is not None and pattern.fullmatch(value) is None:
            raise ProtocolError("bad_message", must_match, where)
        if is_base64 and not _is_base64(value):
            raise ProtocolError("bad_message", "must be base64", where)
        return value

    return check_text


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _bool_check(value: Any, where: str) -> Any:
    if not isinstance(value, bool):
        raise ProtocolError("bad_message", "must be true or false", where)
    return value


def _whole_check(meta: Mapping[str, Any]) -> FieldCheck:
    in_range = _range_check(meta)

    def check_whole(value: Any, where: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProtocolError("bad_message", "must be a whole number", where)
        in_range(value, where)
        return value

    return check_whole


def _number_check(meta: Mapping[str, Any]) -> FieldCheck:
    in_range = _range_check(meta)

    def check_number(value: Any, where: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProtocolError("bad_message", "must be a number", where)
        # A JSON whole number may be too large for a float: it is finite, and the range
        # check refuses it (math.isfinite would raise OverflowError).
        if isinstance(value, float) and not math.isfinite(value):
            raise ProtocolError("bad_message", "must be finite", where)
        in_range(value, where)
        return float(value)

    return check_number


def _range_check(meta: Mapping[str, Any]) -> Callable[[float, str], None]:
    low = meta.get("min")
    high = meta.get("max")
    below = f"must be at least {low}"
    above = f"must be at most {high}"

    def in_range(value: float, where: str) -> None:
        if low is not None and value < low:
            raise ProtocolError("bad_message", below, where)
        if high is not None and value > high:
            raise ProtocolError("bad_message", above, where)
        if abs(value) > _LARGEST_NUMBER:
            raise ProtocolError("bad_message", "number out of range", where)

    return in_range
