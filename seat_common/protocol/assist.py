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

The messages are checked by the protocol's one codec (``codec``), from the
limits in their field metadata and, for rules across fields, their
``check_across_fields``; this channel is its own ``WireFormat``
(``ASSIST_WIRE``), so hub messages are unknown here and these are unknown
to the hub. ``parse`` refuses binary and over-long messages, then anything
the codec refuses, raising ``AssistWireError`` naming the field; callers
log and ignore a bad message. ``format_message`` is its inverse. Pure stdlib.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import ClassVar, Final, Literal, TypeAlias, get_args

from seat_common.protocol.codec import TextPattern, WireFormat, load_json
from seat_common.protocol.terms import ID_TEXT, SHORT_TEXT, ProtocolError

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

#: A document for the printer is named like a plain file: no folders, no control characters.
DOCUMENT_NAME: Final = TextPattern(r"(?!\.\.?\Z)[^/\\\x00-\x1f]{1,120}", "a plain file name")
SHA256_HEX: Final = TextPattern(r"[0-9a-f]{64}", "64 lower-case hex digits")
ID_NUMBER: Final = TextPattern(r"\d{17}[\dX]", "an 18-character ID number")

_SEQ: Final = {"min": 0, "max": 2**53}
_FRACTION: Final = {"min": 0.0, "max": 1.0}
_DOCUMENT: Final = {"min_len": 1, "max_len": 120}


class AssistWireError(ValueError):
    """A message on the assist channel is malformed; ``field`` names what was wrong."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class RequestControl:
    TYPE: ClassVar[str] = "request_control"
    session: str = field(metadata=ID_TEXT)


@dataclass(frozen=True, slots=True)
class ControlGranted:
    TYPE: ClassVar[str] = "control_granted"
    session: str = field(metadata=ID_TEXT)


@dataclass(frozen=True, slots=True)
class ControlDenied:
    TYPE: ClassVar[str] = "control_denied"
    session: str = field(metadata=ID_TEXT)


@dataclass(frozen=True, slots=True)
class ControlStopped:
    TYPE: ClassVar[str] = "control_stopped"
    session: str = field(metadata=ID_TEXT)
    by: StoppedBy


@dataclass(frozen=True, slots=True)
class Pointer:
    """A pointer event at (x, y), each 0..1 of the shared frame's width and height."""

    TYPE: ClassVar[str] = "pointer"
    seq: int = field(metadata=_SEQ)
    x: float = field(metadata=_FRACTION)
    y: float = field(metadata=_FRACTION)
    action: PointerAction
    button: PointerButton = "left"


@dataclass(frozen=True, slots=True)
class Key:
    """A named key (``KEY_NAMES``) or typed text; exactly one of them is set."""

    TYPE: ClassVar[str] = "key"
    seq: int = field(metadata=_SEQ)
    key: KeyName = ""
    text: str = field(default="", metadata={"max_len": 64})

    def check_across_fields(self) -> None:
        if bool(self.key) == bool(self.text):
            raise ProtocolError(
                "bad_message", "a key event holds a key name or text, not both", "key"
            )
        # Enter, Tab and the like go as key names, so a widget sees them as keys.
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in self.text):
            raise ProtocolError(
                "bad_message", "control characters in text (use a key name)", "text"
            )


@dataclass(frozen=True, slots=True)
class InputRefused:
    TYPE: ClassVar[str] = "input_refused"
    seq: int = field(metadata=_SEQ)
    reason: RefusalReason
    count: int = field(metadata={"min": 1, "max": 2**53})


@dataclass(frozen=True, slots=True)
class PrintChunk:
    """One piece of a document for the kiosk printer; ``sha256`` is of the whole document."""

    TYPE: ClassVar[str] = "print_chunk"
    job: str = field(metadata=ID_TEXT)
    name: str = field(metadata={**_DOCUMENT, "pattern": DOCUMENT_NAME})
    index: int = field(metadata={"min": 0, "max": MAX_PRINT_CHUNKS - 1})
    total: int = field(metadata={"min": 1, "max": MAX_PRINT_CHUNKS})
    size: int = field(metadata={"min": 1, "max": MAX_PRINT_BYTES})
    sha256: str = field(metadata={"min_len": 64, "max_len": 64, "pattern": SHA256_HEX})
    data: str = field(
        metadata={"min_len": 1, "max_len": -(-PRINT_CHUNK_BYTES // 3) * 4, "base64": True}
    )

    def check_across_fields(self) -> None:
        if self.index >= self.total:
            raise ProtocolError("bad_message", f"must be below total ({self.total})", "index")


@dataclass(frozen=True, slots=True)
class PrintResult:
    TYPE: ClassVar[str] = "print_result"
    job: str = field(metadata=ID_TEXT)
    name: str = field(metadata=_DOCUMENT)
    ok: bool
    error: str = field(default="", metadata=SHORT_TEXT)


@dataclass(frozen=True, slots=True)
class IdCardRead:
    """What the kiosk's ID-card reader read; the photo is the face-check reference."""

    TYPE: ClassVar[str] = "id_card_read"
    name: str = field(metadata={"min_len": 1, "max_len": 50})
    id_number: str = field(metadata={"min_len": 18, "max_len": 18, "pattern": ID_NUMBER})
    photo_jpeg_b64: str = field(metadata={"max_len": MAX_PHOTO_B64_CHARS, "base64": True})

    def photo_jpeg(self) -> bytes:
        return base64.b64decode(self.photo_jpeg_b64)


@dataclass(frozen=True, slots=True)
class FaceScanned:
    TYPE: ClassVar[str] = "face_scanned"
    matched: bool
    score: float = field(metadata=_FRACTION)


AssistMessage: TypeAlias = (
    RequestControl | ControlGranted | ControlDenied | ControlStopped | Pointer | Key
    | InputRefused | PrintChunk | PrintResult | IdCardRead | FaceScanned
)
#: The assist channel's wire format: its version and its message types.
ASSIST_WIRE: Final[WireFormat[AssistMessage]] = WireFormat(
    "assist", VERSION, get_args(AssistMessage)
)


def format_message(message: AssistMessage) -> str:
    """The JSON text of ``message`` (checked: a message that would not parse raises)."""
    try:
        text = ASSIST_WIRE.to_text(message, check=True)
    except ProtocolError as exc:
        raise _wire_error(exc) from None
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
        return ASSIST_WIRE.from_wire(load_json(text))
    except ProtocolError as exc:
        raise _wire_error(exc) from None


def _wire_error(refused: ProtocolError) -> AssistWireError:
    return AssistWireError(str(refused), refused.field)
