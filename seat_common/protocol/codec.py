"""The codec: every message type (``Message``), who may send which (``SENDABLE_BY``),
and ``encode`` / ``decode``, which checks everything from the wire against the dataclasses
and raises ``ProtocolError`` naming the field that is wrong."""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from typing import Any, Final, Literal, TypeAlias, get_args, get_origin

from seat_common.protocol.call_messages import (
    Accept,
    Ack,
    CallEnded,
    CallStarted,
    Chat,
    ChatMessage,
    Decline,
    Error,
    Hangup,
    Hello,
    Ice,
    JoinQueue,
    LeaveQueue,
    Offer,
    OfferWithdrawn,
    Presence,
    Queued,
    QueuePosition,
    QueueSnapshot,
    Rate,
    Sdp,
    SetMode,
    SetState,
    Welcome,
    WorkOrderClosed,
    WrapUp,
)
from seat_common.protocol.material_messages import (
    FetchMaterial,
    MaterialAdded,
    MaterialDownload,
    PreReviewNotice,
    ReviewVerdict,
    UploadFailed,
    UploadProgress,
    UploadStart,
)
from seat_common.protocol.supervision_messages import (
    AuditLog,
    BargeIn,
    FetchAudit,
    MoveContact,
    RecordingSaved,
    SearchWorkOrders,
    StopWatch,
    SubscribeWall,
    SuperviseState,
    WallSnapshot,
    WallUpdate,
    WatchCall,
    WatchSdp,
    WatchState,
    Whisper,
    WhisperMessage,
    WorkOrderList,
)
from seat_common.protocol.terms import (
    MAX_MESSAGE_BYTES,
    VERSION,
    ProtocolError,
    Role,
)

Message: TypeAlias = (
    Hello
    | Welcome
    | JoinQueue
    | Queued
    | QueuePosition
    | LeaveQueue
    | QueueSnapshot
    | SetState
    | SetMode
    | Presence
    | Offer
    | OfferWithdrawn
    | Accept
    | Decline
    | CallStarted
    | Sdp
    | Ice
    | Chat
    | ChatMessage
    | Hangup
    | CallEnded
    | WrapUp
    | WorkOrderClosed
    | Rate
    | Ack
    | Error
    | UploadStart
    | UploadProgress
    | UploadFailed
    | MaterialAdded
    | FetchMaterial
    | MaterialDownload
    | ReviewVerdict
    | PreReviewNotice
    | SubscribeWall
    | WallSnapshot
    | WallUpdate
    | Whisper
    | WhisperMessage
    | SuperviseState
    | MoveContact
    | FetchAudit
    | AuditLog
    | SearchWorkOrders
    | WorkOrderList
    | RecordingSaved
    | WatchCall
    | BargeIn
    | StopWatch
    | WatchState
    | WatchSdp
)

MESSAGE_TYPES: Final[dict[str, type[Message]]] = {
    cls.TYPE: cls for cls in typing.get_args(Message)
}

#: Which roles may send which message types to the hub. Everything else the
#: hub sends; a client sending it is refused.
SENDABLE_BY: Final[dict[str, frozenset[Role]]] = {
    "hello": frozenset({"citizen", "agent", "supervisor", "kiosk"}),
    "join_queue": frozenset({"citizen", "kiosk"}),
    "leave_queue": frozenset({"citizen", "kiosk"}),
    "set_state": frozenset({"agent"}),
    "set_mode": frozenset({"agent"}),
    "accept": frozenset({"agent"}),
    "decline": frozenset({"agent"}),
    "sdp": frozenset({"citizen", "kiosk", "agent"}),
    "ice": frozenset({"citizen", "kiosk", "agent"}),
    "chat": frozenset({"citizen", "kiosk", "agent"}),
    "hangup": frozenset({"citizen", "kiosk", "agent"}),
    "wrap_up": frozenset({"agent"}),
    "rate": frozenset({"citizen", "kiosk"}),
    "upload_start": frozenset({"citizen", "kiosk", "agent"}),
    "fetch_material": frozenset({"citizen", "kiosk", "agent"}),
    "review_verdict": frozenset({"agent"}),
    "subscribe_wall": frozenset({"supervisor"}),
    "whisper": frozenset({"supervisor"}),
    "supervise_state": frozenset({"supervisor"}),
    "move_contact": frozenset({"supervisor"}),
    "fetch_audit": frozenset({"supervisor"}),
    "search_work_orders": frozenset({"agent", "supervisor"}),
    "recording_saved": frozenset({"agent"}),
    "watch_call": frozenset({"supervisor"}),
    "barge_in": frozenset({"supervisor"}),
    "stop_watch": frozenset({"supervisor", "agent"}),
    "watch_sdp": frozenset({"supervisor", "agent"}),
}


# --- encoding ----------------------------------------------------------------


def to_wire(value: Any) -> Any:
    """Plain JSON-ready data for a message or a value inside one."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_wire(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [to_wire(v) for v in value]
    return value


def encode(message: Message) -> str:
    """The text frame for ``message``."""
    body = {"v": VERSION, "type": message.TYPE}
    body.update(to_wire(message))
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


# --- decoding ----------------------------------------------------------------


def decode(frame: str | bytes) -> Message:
    """Check one text frame from the wire and return its typed message.

    Raises ``ProtocolError`` with a code and the offending field.
    """
    if isinstance(frame, bytes):
        if len(frame) > MAX_MESSAGE_BYTES:
            raise ProtocolError("too_large", f"message over {MAX_MESSAGE_BYTES} bytes")
        try:
            frame = frame.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError("bad_json", "message is not UTF-8") from exc
    # Characters are up to 4 bytes in UTF-8: count bytes only when it could matter.
    if len(frame) > MAX_MESSAGE_BYTES or (
        len(frame) * 4 > MAX_MESSAGE_BYTES
        and len(frame.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES
    ):
        raise ProtocolError("too_large", f"message over {MAX_MESSAGE_BYTES} bytes")
    try:
        raw = json.loads(frame, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("bad_json", f"not JSON: {exc}") from exc
    return from_wire(raw)


def from_wire(raw: Any) -> Message:
    """Check already-parsed JSON data and return its typed message."""
    if not isinstance(raw, dict):
        raise ProtocolError("bad_message", "a message must be a JSON object")
    version = raw.get("v")
    if version != VERSION or isinstance(version, bool):
        raise ProtocolError(
            "unsupported_version", f"protocol version must be {VERSION}", "v"
        )
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("bad_message", "message type missing", "type")
    cls = MESSAGE_TYPES.get(kind)
    if cls is None:
        raise ProtocolError("unknown_type", f"unknown message type {kind[:40]!r}", "type")
    body = {k: v for k, v in raw.items() if k not in ("v", "type")}
    result: Message = _build(cls, body, "")
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _build(cls: type[Any], body: dict[str, Any], path: str) -> Any:
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in body:
        if key not in fields:
            raise ProtocolError("bad_message", "unknown field", _join(path, str(key)[:40]))
    values: dict[str, Any] = {}
    for name, f in fields.items():
        where = _join(path, name)
        if name not in body:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ProtocolError("bad_message", "required field missing", where)
            continue
        values[name] = _check(hints[name], body[name], f.metadata, where)
    return cls(**values)


def _check(hint: Any, value: Any, meta: typing.Mapping[str, Any], where: str) -> Any:
    origin = get_origin(hint)
    if origin is Literal:
        allowed = get_args(hint)
        if not isinstance(value, str) or value not in allowed:
            raise ProtocolError(
                "bad_message", f"must be one of {', '.join(map(repr, allowed))}", where
            )
        return value
    if origin in (typing.Union, types.UnionType):
        raise TypeError(f"unions are not part of protocol v1 ({where})")
    if origin is tuple:
        (item_hint, _ellipsis) = get_args(hint)
        if not isinstance(value, list):
            raise ProtocolError("bad_message", "must be a list", where)
        if len(value) > meta.get("max_items", 100):
            raise ProtocolError("bad_message", "too many items", where)
        return tuple(
            _check(item_hint, v, {}, f"{where}[{i}]") for i, v in enumerate(value)
        )
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ProtocolError("bad_message", "must be an object", where)
        return _build(hint, value, where)  # type: ignore[arg-type]
    if hint is str:
        if not isinstance(value, str):
            raise ProtocolError("bad_message", "must be a string", where)
        if len(value) > meta.get("max_len", 200):
            raise ProtocolError("bad_message", "too long", where)
        if len(value) < meta.get("min_len", 0):
            raise ProtocolError("bad_message", "must not be empty", where)
        if "\x00" in value:
            raise ProtocolError("bad_message", "must not contain NUL", where)
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ProtocolError("bad_message", "must be true or false", where)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProtocolError("bad_message", "must be a whole number", where)
        _check_range(value, meta, where)
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProtocolError("bad_message", "must be a number", where)
        if not math.isfinite(value):
            raise ProtocolError("bad_message", "must be finite", where)
        _check_range(value, meta, where)
        return float(value)
    raise TypeError(f"no wire form for {hint!r} ({where})")


def _check_range(value: float, meta: typing.Mapping[str, Any], where: str) -> None:
    if "min" in meta and value < meta["min"]:
        raise ProtocolError("bad_message", f"must be at least {meta['min']}", where)
    if "max" in meta and value > meta["max"]:
        raise ProtocolError("bad_message", f"must be at most {meta['max']}", where)
    if abs(value) > 2**53:
        raise ProtocolError("bad_message", "number out of range", where)


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    cached = _HINTS.get(cls)
    if cached is None:
        cached = typing.get_type_hints(cls)
        _HINTS[cls] = cached
    return cached


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
