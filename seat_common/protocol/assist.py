"""The wire format of the remote-assist data channel (远程操控协办) between agent and kiosk.

A kiosk caller opens one WebRTC data channel labelled ``"assist"`` before
its SDP offer. Every message on it is one text message holding one JSON
object ``{"v": 1, "type": ..., <fields>}``, exactly the fields of its type:

| type | direction | fields |
| --- | --- | --- |
| ``request_control`` | agent → kiosk | ``session`` (a fresh id per control session) |
| ``control_granted`` / ``control_denied`` | kiosk → agent | ``session`` |
| ``control_stopped`` | both | ``session``, ``by`` (agent, kiosk, call_end) |
| ``pointer`` | agent → kiosk | ``seq``, ``x``, ``y`` (0..1 of the frame), ``action``, ``button`` |
| ``key`` | agent → kiosk | ``seq``, ``key`` (a name from ``KEY_NAMES``) or ``text`` |
| ``input_refused`` | kiosk → agent | ``seq``, ``reason``, ``count`` (refused so far) |
| ``print_chunk`` | agent → kiosk | ``job name index total size sha256 data`` (base64) |
| ``print_result`` | kiosk → agent | ``job``, ``name``, ``ok``, ``error`` |
| ``id_card_read`` | kiosk → agent | ``name``, ``id_number``, ``photo_jpeg_b64`` |
| ``face_scanned`` | kiosk → agent | ``matched``, ``score`` (0..1) |

``parse`` checks every field (type, range, length, no NaN, no unknown or
missing keys) and raises ``AssistWireError`` naming the field; callers log
and ignore a bad message. ``format_message`` is its inverse. Pure stdlib.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar, Final, Literal, TypeAlias, get_args

VERSION: Final = 1
CHANNEL_LABEL: Final = "assist"
#: One message on the channel (aiortc's SCTP limit is 64 KiB).
MAX_MESSAGE_CHARS: Final = 60_000
#: Raw bytes per print chunk (base64 makes it 4/3 larger).
PRINT_CHUNK_BYTES: Final = 16 * 1024
MAX_PRINT_BYTES: Final = 8 * 1024 * 1024
MAX_PRINT_CHUNKS: Final = -(-MAX_PRINT_BYTES // PRINT_CHUNK_BYTES)
MAX_PHOTO_B64_CHARS: Final = 48_000

PointerAction: TypeAlias = Literal["down", "up", "move", "click"]
PointerButton: TypeAlias = Literal["left", "right", "middle"]
StoppedBy: TypeAlias = Literal["agent", "kiosk", "call_end"]
RefusalReason: TypeAlias = Literal["no_control", "local_only", "outside"]
#: Keys without text an agent may press on the kiosk.
KeyName: TypeAlias = Literal[
    "", "Enter", "Backspace", "Delete", "Tab", "Escape", "Left", "Right", "Up", "Down",
    "Home", "End", "Space",
]
KEY_NAMES: Final = frozenset(k for k in get_args(KeyName) if k)

_ID_NUMBER: Final = re.compile(r"^\d{17}[\dX]$")
_HEX64: Final = re.compile(r"^[0-9a-f]{64}$")
_DOC_NAME: Final = re.compile(r"^[^/\\\x00-\x1f]{1,120}$")


class AssistWireError(ValueError):
    """A message on the assist channel is malformed; ``field`` names what was wrong."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class RequestControl:
    TYPE: ClassVar[str] = "request_control"
    session: str


@dataclass(frozen=True, slots=True)
class ControlGranted:
    TYPE: ClassVar[str] = "control_granted"
    session: str


@dataclass(frozen=True, slots=True)
class ControlDenied:
    TYPE: ClassVar[str] = "control_denied"
    session: str


@dataclass(frozen=True, slots=True)
class ControlStopped:
    TYPE: ClassVar[str] = "control_stopped"
    session: str
    by: StoppedBy


@dataclass(frozen=True, slots=True)
class Pointer:
    """A pointer event at (x, y), each 0..1 of the shared frame's width and height."""

    TYPE: ClassVar[str] = "pointer"
    seq: int
    x: float
    y: float
    action: PointerAction
    button: PointerButton = "left"


@dataclass(frozen=True, slots=True)
class Key:
    """A named key (``KEY_NAMES``) or typed text; exactly one of them is set."""

    TYPE: ClassVar[str] = "key"
    seq: int
    key: KeyName = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class InputRefused:
    TYPE: ClassVar[str] = "input_refused"
    seq: int
    reason: RefusalReason
    count: int


@dataclass(frozen=True, slots=True)
class PrintChunk:
    """One piece of a document for the kiosk printer; ``sha256`` is of the whole document."""

    TYPE: ClassVar[str] = "print_chunk"
    job: str
    name: str
    index: int
    total: int
    size: int
    sha256: str
    data: str


@dataclass(frozen=True, slots=True)
class PrintResult:
    TYPE: ClassVar[str] = "print_result"
    job: str
    name: str
    ok: bool
    error: str = ""


@dataclass(frozen=True, slots=True)
class IdCardRead:
    """What the kiosk's ID-card reader read; the photo is the face-check reference."""

    TYPE: ClassVar[str] = "id_card_read"
    name: str
    id_number: str
    photo_jpeg_b64: str

    def photo_jpeg(self) -> bytes:
        return base64.b64decode(self.photo_jpeg_b64)


@dataclass(frozen=True, slots=True)
class FaceScanned:
    TYPE: ClassVar[str] = "face_scanned"
    matched: bool
    score: float


AssistMessage: TypeAlias = (
    RequestControl | ControlGranted | ControlDenied | ControlStopped | Pointer | Key
    | InputRefused | PrintChunk | PrintResult | IdCardRead | FaceScanned
)
_TYPES: Final[dict[str, type[Any]]] = {
    cls.TYPE: cls
    for cls in (RequestControl, ControlGranted, ControlDenied, ControlStopped, Pointer, Key,
                InputRefused, PrintChunk, PrintResult, IdCardRead, FaceScanned)
}


def format_message(message: AssistMessage) -> str:
    """The JSON text of ``message`` (checked: a message that would not parse raises)."""
    body: dict[str, Any] = {"v": VERSION, "type": message.TYPE}
    for f in fields(message):
        body[f.name] = getattr(message, f.name)
    text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    _check(message)
    if len(text) > MAX_MESSAGE_CHARS:
        raise AssistWireError(f"{message.TYPE} is {len(text)} chars long")
    return text


def parse(text: str | bytes) -> AssistMessage:
    """One message from the channel; raises ``AssistWireError`` for anything malformed."""
    if isinstance(text, bytes):
        raise AssistWireError("binary messages are not used on the assist channel")
    if len(text) > MAX_MESSAGE_CHARS:
        raise AssistWireError(f"message of {len(text)} chars is too long")
    try:
        raw = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise AssistWireError(f"not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise AssistWireError("not a JSON object")
    if raw.get("v") != VERSION or isinstance(raw.get("v"), bool):
        raise AssistWireError(f"unsupported version {raw.get('v')!r}", "v")
    kind = raw.get("type")
    cls = _TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise AssistWireError(f"unknown type {kind!r}", "type")
    known = {f.name: f for f in fields(cls)}
    for key in raw:
        if key not in known and key not in ("v", "type"):
            raise AssistWireError(f"unknown field {key!r}", key)
    values: dict[str, Any] = {}
    for name, f in known.items():
        if name not in raw:
            if f.default is MISSING:
                raise AssistWireError(f"missing field {name!r}", name)
            continue
        values[name] = raw[name]
    message: AssistMessage = cls(**values)
    _check(message)
    return message


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _check(m: AssistMessage) -> None:
    """Field types and ranges; raises ``AssistWireError`` naming the field."""
    match m:
        case RequestControl() | ControlGranted() | ControlDenied():
            _string(m.session, "session", 1, 64)
        case ControlStopped():
            _string(m.session, "session", 1, 64)
            _choice(m.by, "by", StoppedBy)
        case Pointer():
            _integer(m.seq, "seq", 0, 2**53)
            _number(m.x, "x", 0.0, 1.0)
            _number(m.y, "y", 0.0, 1.0)
            _choice(m.action, "action", PointerAction)
            _choice(m.button, "button", PointerButton)
        case Key():
            _integer(m.seq, "seq", 0, 2**53)
            _choice(m.key, "key", KeyName)
            _string(m.text, "text", 0, 64)
            if bool(m.key) == bool(m.text):
                raise AssistWireError("a key event holds a key name or text, not both", "key")
            if any(ord(c) < 0x20 or ord(c) == 0x7F for c in m.text):
                raise AssistWireError("control characters in text (use a key name)", "text")
        case InputRefused():
            _integer(m.seq, "seq", 0, 2**53)
            _choice(m.reason, "reason", RefusalReason)
            _integer(m.count, "count", 1, 2**53)
        case PrintChunk():
            _check_print_chunk(m)
        case PrintResult():
            _string(m.job, "job", 1, 64)
            _string(m.name, "name", 1, 120)
            _boolean(m.ok, "ok")
            _string(m.error, "error", 0, 200)
        case IdCardRead():
            _string(m.name, "name", 1, 50)
            _string(m.id_number, "id_number", 18, 18)
            if not _ID_NUMBER.match(m.id_number):
                raise AssistWireError("not an 18-character ID number", "id_number")
            _string(m.photo_jpeg_b64, "photo_jpeg_b64", 0, MAX_PHOTO_B64_CHARS)
            _base64(m.photo_jpeg_b64, "photo_jpeg_b64")
        case FaceScanned():
            _boolean(m.matched, "matched")
            _number(m.score, "score", 0.0, 1.0)


def _check_print_chunk(m: PrintChunk) -> None:
    _string(m.job, "job", 1, 64)
    _string(m.name, "name", 1, 120)
    if not _DOC_NAME.match(m.name) or m.name in (".", ".."):
        raise AssistWireError("a document name is a plain file name", "name")
    _integer(m.total, "total", 1, MAX_PRINT_CHUNKS)
    _integer(m.index, "index", 0, m.total - 1)
    _integer(m.size, "size", 1, MAX_PRINT_BYTES)
    _string(m.sha256, "sha256", 64, 64)
    if not _HEX64.match(m.sha256):
        raise AssistWireError("sha256 is 64 lower-case hex digits", "sha256")
    _string(m.data, "data", 1, -(-PRINT_CHUNK_BYTES // 3) * 4)
    _base64(m.data, "data")


def _string(value: object, name: str, low: int, high: int) -> None:
    if not isinstance(value, str):
        raise AssistWireError(f"{name} must be a string", name)
    if not low <= len(value) <= high:
        raise AssistWireError(f"{name} must be {low}–{high} characters", name)
    if "\x00" in value:
        raise AssistWireError(f"{name} holds a NUL character", name)


def _integer(value: object, name: str, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise AssistWireError(f"{name} must be an integer", name)
    if not low <= value <= high:
        raise AssistWireError(f"{name} must be {low}–{high}", name)


def _number(value: object, name: str, low: float, high: float) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise AssistWireError(f"{name} must be a number", name)
    if not math.isfinite(value) or not low <= value <= high:
        raise AssistWireError(f"{name} must be {low}–{high}", name)


def _boolean(value: object, name: str) -> None:
    if not isinstance(value, bool):
        raise AssistWireError(f"{name} must be true or false", name)


def _choice(value: object, name: str, allowed: Any) -> None:
    if not isinstance(value, str) or value not in get_args(allowed):
        raise AssistWireError(f"{name} must be one of {get_args(allowed)}", name)


def _base64(value: str, name: str) -> None:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise AssistWireError(f"{name} is not base64", name) from None
