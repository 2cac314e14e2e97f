"""Messages of online-application coaching (网办辅导): the citizen shares a screen or a
browser tab in the call, and the agent points at it.

The shared picture travels as media (the caller's second video m-section, see
``docs/protocol.md``, "Media"); these messages carry what media cannot: that sharing
started or stopped (``ScreenShare``, citizen → hub → agent) and the agent's pointer and
short-lived drawings over it (``ShareMark``, agent → hub → citizen), as points
normalised to the shared frame (0..1 from its left and top edges), so they land on the
same spot whatever the size of either side's view. Nothing here carries input: the agent
sees and points, never operates the citizen's screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Final, Literal, TypeAlias

from seat_common.protocol.terms import ID_TEXT, ProtocolError

#: What the citizen shares (``getDisplayMedia``'s ``displaySurface``; "" if unknown).
ShareSurface: TypeAlias = Literal["monitor", "window", "browser", ""]
#: A pointer (one point), a stroke (2 to ``MAX_STROKE_POINTS`` points) or clear (none).
MarkKind: TypeAlias = Literal["pointer", "stroke", "clear"]

#: Points in one stroke; a longer line is thinned before it is sent.
MAX_STROKE_POINTS: Final = 64
#: Marks a call's agent may send a second (the hub drops the rest), and the burst.
MARKS_PER_SECOND: Final = 20
MARK_BURST: Final = 40


@dataclass(frozen=True, slots=True)
class SharePoint:
    """A point on the shared frame: ``x`` from its left edge, ``y`` from its top, as
    fractions of its width and height (0..1)."""

    x: float = field(metadata={"min": 0, "max": 1})
    y: float = field(metadata={"min": 0, "max": 1})


@dataclass(frozen=True, slots=True)
class ScreenShare:
    """Citizen → hub → agent: the citizen started (``sharing`` true, with what they share)
    or stopped sharing their screen. The shared picture is the offer's second video
    m-section; this message says when it means something."""

    TYPE: ClassVar[str] = "screen_share"
    call_id: str = field(metadata=ID_TEXT)
    sharing: bool
    surface: ShareSurface = ""


@dataclass(frozen=True, slots=True)
class ShareMark:
    """Agent → hub → citizen: the agent's pointer (one point), a short-lived drawing (a
    stroke of 2–64 points, shown for a few seconds) or ``clear`` (no points: remove what
    is shown) over the citizen's shared screen. ``mark_id`` counts the agent's marks in
    the call (a later pointer replaces an earlier one)."""

    TYPE: ClassVar[str] = "share_mark"
    call_id: str = field(metadata=ID_TEXT)
    kind: MarkKind
    mark_id: int = field(metadata={"min": 0, "max": 2**31 - 1})
    points: tuple[SharePoint, ...] = field(default=(),
                                           metadata={"max_items": MAX_STROKE_POINTS})

    def check_across_fields(self) -> None:
        count = len(self.points)
        if self.kind == "pointer" and count != 1:
            raise ProtocolError("bad_message", "a pointer has exactly one point", "points")
        if self.kind == "stroke" and count < 2:
            raise ProtocolError("bad_message", "a stroke has 2 to 64 points", "points")
        if self.kind == "clear" and count:
            raise ProtocolError("bad_message", "clear has no points", "points")
