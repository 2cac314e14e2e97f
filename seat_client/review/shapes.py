"""The shapes agents draw on a material image: frozen values, their geometry, their JSON.

Shapes are frozen values in IMAGE coordinates (pixels of the upright,
EXIF-corrected image), so they stay crisp at any zoom and are only burned
into pixels when an image is flattened to send or print: rectangles,
ellipses, highlights and mosaics (box-shaped, one base), arrows, pen strokes
and text labels. ``shape_to_json`` / ``shape_from_json`` carry them to the
review store and back, checking every field. The layer that holds one
material's shapes is ``seat_client.review.annotations``.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from typing import Any, Literal, Self, TypeAlias

ShapeKind = Literal["rect", "ellipse", "arrow", "pen", "text", "highlight", "mosaic"]

DEFAULT_COLOUR = "#d1242f"
HIGHLIGHT_COLOUR = "#ffd33d"


class AnnotationError(ValueError):
    """A stored or received annotation is malformed."""


def new_shape_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle in image coordinates (always normalised: w, h >= 0)."""

    x: float
    y: float
    w: float
    h: float

    @staticmethod
    def from_corners(x1: float, y1: float, x2: float, y2: float) -> Box:
        return Box(min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def intersects(self, other: Box) -> bool:
        return (self.x <= other.right and other.x <= self.right
                and self.y <= other.bottom and other.y <= self.bottom)

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        return (self.x - margin <= x <= self.right + margin
                and self.y - margin <= y <= self.bottom + margin)

    def grown(self, margin: float) -> Box:
        return Box(self.x - margin, self.y - margin, self.w + 2 * margin, self.h + 2 * margin)


def _scale_x(x: float, old: Box, new: Box) -> float:
    return new.x + (x - old.x) * (new.w / old.w if old.w else 1.0)


def _scale_y(y: float, old: Box, new: Box) -> float:
    return new.y + (y - old.y) * (new.h / old.h if old.h else 1.0)


class _BoxShape:
    """What the box-shaped kinds (rectangle, ellipse, highlight, mosaic) share: their
    geometry is ``x, y, w, h`` in image pixels, drawn with a ``stroke`` around it."""

    __slots__ = ()
    x: float
    y: float
    w: float
    h: float
    stroke: float

    def box(self) -> Box:
        return Box(self.x, self.y, self.w, self.h)

    def bounds(self) -> Box:
        return self.box().grown(self.stroke / 2)

    def moved(self, dx: float, dy: float) -> Self:
        return replace(self, x=self.x + dx, y=self.y + dy)  # type: ignore[type-var]

    def resized(self, box: Box) -> Self:
        return replace(self, x=box.x, y=box.y, w=box.w, h=box.h)  # type: ignore[type-var]


@dataclass(frozen=True, slots=True)
class Rect(_BoxShape):
    """An outlined rectangle."""

    id: str
    x: float
    y: float
    w: float
    h: float
    colour: str = DEFAULT_COLOUR
    stroke: float = 6.0
    kind: Literal["rect"] = "rect"

    def hit(self, x: float, y: float, tolerance: float) -> bool:
        outer = self.box().grown(tolerance + self.stroke / 2)
        inner = self.box().grown(-(tolerance + self.stroke / 2))
        return outer.contains(x, y) and not (inner.w > 0 and inner.h > 0 and inner.contains(x, y))


@dataclass(frozen=True, slots=True)
class Ellipse(_BoxShape):
    """An outlined ellipse inscribed in its box."""

    id: str
    x: float
    y: float
    w: float
    h: float
    colour: str = DEFAULT_COLOUR
    stroke: float = 6.0
    kind: Literal["ellipse"] = "ellipse"

    def hit(self, x: float, y: float, tolerance: float) -> bool:
        rx, ry = self.w / 2, self.h / 2
        if rx <= 0 or ry <= 0:
            return self.bounds().contains(x, y, tolerance)
        cx, cy = self.x + rx, self.y + ry
        # Distance to the outline, approximated through the normalised radius.
        r = math.hypot((x - cx) / rx, (y - cy) / ry)
        return abs(r - 1.0) * min(rx, ry) <= tolerance + self.stroke / 2


@dataclass(frozen=True, slots=True)
class Highlight(_BoxShape):
    """A translucent filled box, like a highlighter pen over a line of text."""

    id: str
    x: float
    y: float
    w: float
    h: float
    colour: str = HIGHLIGHT_COLOUR
    stroke: float = 0.0
    kind: Literal["highlight"] = "highlight"

    def hit(self, x: float, y: float, tolerance: float) -> bool:
        return self.box().contains(x, y, tolerance)


@dataclass(frozen=True, slots=True)
class Mosaic(_BoxShape):
    """A region pixelated into blocks to hide personal data before the image leaves."""

    id: str
    x: float
    y: float
    w: float
    h: float
    block: float = 24.0
    colour: str = "#57606a"
    stroke: float = 0.0
    kind: Literal["mosaic"] = "mosaic"

    def hit(self, x: float, y: float, tolerance: float) -> bool:
        return self.box().contains(x, y, tolerance)


def _segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


@dataclass(frozen=True, slots=True)
class Arrow:
    """A line from (x1, y1) to a head at (x2, y2)."""

    id: str
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str = DEFAULT_COLOUR
    stroke: float = 6.0
    kind: Literal["arrow"] = "arrow"

    def head_size(self) -> float:
        return max(4.0 * self.stroke, 12.0)

    def bounds(self) -> Box:
        return Box.from_corners(self.x1, self.y1, self.x2, self.y2).grown(self.head_size())

    def box(self) -> Box:
        return Box.from_corners(self.x1, self.y1, self.x2, self.y2)

    def moved(self, dx: float, dy: float) -> Arrow:
        return replace(self, x1=self.x1 + dx, y1=self.y1 + dy, x2=self.x2 + dx, y2=self.y2 + dy)

    def resized(self, box: Box) -> Arrow:
        old = self.box()
        return replace(self, x1=_scale_x(self.x1, old, box), y1=_scale_y(self.y1, old, box),
                       x2=_scale_x(self.x2, old, box), y2=_scale_y(self.y2, old, box))

    def hit(self, x: float, y: float, tolerance: float) -> bool:
        d = _segment_distance(x, y, self.x1, self.y1, self.x2, self.y2)
        return d <= tolerance + self.stroke / 2


@dataclass(frozen=True, slots=True)
class Pen:
    """A freehand stroke through ``points`` ((x, y) pairs)."""

    id: str
    points: tuple[tuple[float, float], ...]
    colour: str = DEFAULT_COLOUR
    stroke: float = 6.0
    kind: Literal["pen"] = "pen"

    def box(self) -> Box:
        xs = [p[0] for p in self.points] or [0.0]
        ys = [p[1] for p in self.points] or [0.0]
        return Box.from_corners(min(xs), min(ys), max(xs), max(ys))

    def bounds(self) -> Box:
        return self.box().grown(self.stroke / 2)

    def moved(self, dx: float, dy: float) -> Pen:
        return replace(self, points=tuple((x + dx, y + dy) for x, y in self.points))

    def resized(self, box: Box) -> Pen:
        old = self.box()
        return replace(self, points=tuple((_scale_x(x, old, box), _scale_y(y, old, box))
                                          for x, y in self.points))

    def hit(self, x: float, y: float, tolerance: float) -> bool:
        if not self.bounds().contains(x, y, tolerance):
            return False
        reach = tolerance + self.stroke / 2
        pts = self.points
        if len(pts) == 1:
            return math.hypot(x - pts[0][0], y - pts[0][1]) <= reach
        return any(_segment_distance(x, y, *pts[i], *pts[i + 1]) <= reach
                   for i in range(len(pts) - 1))


@dataclass(frozen=True, slots=True)
class Text:
    """A text label whose top-left corner is (x, y); ``size`` is the font's pixel height."""

    id: str
    x: float
    y: float
    text: str
    size: float = 48.0
    colour: str = DEFAULT_COLOUR
    stroke: float = 0.0
    kind: Literal["text"] = "text"

    def box(self) -> Box:
        # A layout-free estimate (CJK glyphs are about one em wide, Latin about half);
        # the painter measures exactly, this is for hit tests and culling.
        width = sum(self.size if ord(c) > 0x2E80 else self.size * 0.6 for c in self.text)
        return Box(self.x, self.y, max(width, self.size), self.size * 1.3)

    def bounds(self) -> Box:
        return self.box()

    def moved(self, dx: float, dy: float) -> Text:
        return replace(self, x=self.x + dx, y=self.y + dy)

    def resized(self, box: Box) -> Text:
        old = self.box()
        factor = box.h / old.h if old.h else 1.0
        return replace(self, x=box.x, y=box.y, size=max(8.0, self.size * factor))

    def hit(self, x: float, y: float, tolerance: float) -> bool:
        return self.box().contains(x, y, tolerance)


Shape: TypeAlias = Rect | Ellipse | Highlight | Mosaic | Arrow | Pen | Text
BOX_SHAPES = (Rect, Ellipse, Highlight, Mosaic)


def recoloured(shape: Shape, colour: str) -> Shape:
    return replace(shape, colour=colour)


# --- JSON --------------------------------------------------------------------------------------

_FIELDS: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "rect": (Rect, ("x", "y", "w", "h", "stroke")),
    "ellipse": (Ellipse, ("x", "y", "w", "h", "stroke")),
    "highlight": (Highlight, ("x", "y", "w", "h", "stroke")),
    "mosaic": (Mosaic, ("x", "y", "w", "h", "block", "stroke")),
    "arrow": (Arrow, ("x1", "y1", "x2", "y2", "stroke")),
    "pen": (Pen, ("stroke",)),
    "text": (Text, ("x", "y", "size", "stroke")),
}


def shape_to_json(shape: Shape) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": shape.kind, "id": shape.id, "colour": shape.colour}
    for name in _FIELDS[shape.kind][1]:
        out[name] = round(float(getattr(shape, name)), 2)
    if isinstance(shape, Pen):
        out["points"] = [[round(x, 2), round(y, 2)] for x, y in shape.points]
    if isinstance(shape, Text):
        out["text"] = shape.text
    return out


def _number(raw: dict[str, Any], key: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AnnotationError(f"annotation field {key!r} must be a finite number")
    return float(value)


def shape_from_json(raw: Any) -> Shape:
    """Check and build a shape; raises ``AnnotationError`` naming what is wrong."""
    if not isinstance(raw, dict):
        raise AnnotationError("an annotation must be an object")
    kind = raw.get("kind")
    if kind not in _FIELDS:
        raise AnnotationError(f"unknown annotation kind {kind!r}")
    cls, fields = _FIELDS[kind]
    shape_id, colour = raw.get("id"), raw.get("colour")
    if not isinstance(shape_id, str) or not shape_id:
        raise AnnotationError("annotation id must be a non-empty string")
    if not isinstance(colour, str) or not colour.startswith("#") or len(colour) not in (7, 9):
        raise AnnotationError("annotation colour must be #rrggbb or #aarrggbb")
    kwargs: dict[str, Any] = {name: _number(raw, name) for name in fields}
    if kind == "pen":
        points = raw.get("points")
        if not isinstance(points, list) or not points or len(points) > 100_000:
            raise AnnotationError("pen points must be a non-empty list")
        checked: list[tuple[float, float]] = []
        for p in points:
            if not isinstance(p, list) or len(p) != 2:
                raise AnnotationError("each pen point must be [x, y]")
            checked.append((_number({"p": p[0]}, "p"), _number({"p": p[1]}, "p")))
        kwargs["points"] = tuple(checked)
    if kind == "text":
        text = raw.get("text")
        if not isinstance(text, str) or len(text) > 500:
            raise AnnotationError("text label must be a string of at most 500 characters")
        kwargs["text"] = text
    shape: Shape = cls(id=shape_id, colour=colour, **kwargs)
    return shape
