"""The annotation tools as a state machine: pointer events in, undoable commands out.

The viewer translates mouse events to IMAGE coordinates and calls
``press``/``move``/``release``; the ``ToolController`` decides what they
mean for the current tool (draw a rectangle, drag a selected shape, pull a
corner handle...) and pushes one command on the undo stack when a gesture
ends. While a gesture runs, ``preview`` is the shape as it would be, so the
viewer can paint it without touching the layer. ``changed`` fires when the
selection, preview or tool settings change (the viewer repaints).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from seat_client.review.annotation_commands import (
    AddShape,
    EditText,
    MoveShape,
    RecolourShape,
    RemoveShape,
    ResizeShape,
    UndoStack,
)
from seat_client.review.shapes import (
    HIGHLIGHT_COLOUR,
    Arrow,
    Box,
    Ellipse,
    Highlight,
    Mosaic,
    Pen,
    Rect,
    Shape,
    Text,
    new_shape_id,
)
from seat_common.events import Event

ToolKind = Literal["select", "rect", "ellipse", "arrow", "pen", "text", "highlight", "mosaic"]
TOOL_KINDS: tuple[ToolKind, ...] = (
    "select", "rect", "ellipse", "arrow", "pen", "text", "highlight", "mosaic",
)


@dataclass(frozen=True, slots=True)
class _Gesture:
    mode: Literal["draw", "move", "resize"]
    start_x: float
    start_y: float
    original: Shape | None = None
    handle: int = -1


def handle_points(box: Box) -> tuple[tuple[float, float], ...]:
    """The four corner handles of a box: top-left, top-right, bottom-right, bottom-left."""
    return ((box.x, box.y), (box.right, box.y), (box.right, box.bottom), (box.x, box.bottom))


class ToolController:
    """The current tool, colour and selection for one layer's undo stack."""

    def __init__(self, stack: UndoStack) -> None:
        self.stack = stack
        self.tool: ToolKind = "rect"
        self.colour = "#d1242f"
        #: Stroke and label size in SCREEN pixels; shapes get them divided by ``view_scale``
        #: (view px per image px), so a new shape looks the same at any zoom it is drawn at.
        self.stroke = 3.0
        self.text = "请重新拍摄"
        self.text_size = 22.0
        self.view_scale = 1.0
        self.selected_id: str | None = None
        self.preview: Shape | None = None
        self._gesture: _Gesture | None = None
        self.changed: Event[None] = Event()

    # --- settings -------------------------------------------------------------------------

    def set_stack(self, stack: UndoStack) -> None:
        """Work on another material's layer (clears selection and any gesture)."""
        self.stack = stack
        self.selected_id = None
        self.preview = None
        self._gesture = None
        self.changed.emit(None)

    def set_tool(self, tool: ToolKind) -> None:
        self.tool = tool
        self._gesture = None
        self.preview = None
        if tool != "select":
            self.selected_id = None
        self.changed.emit(None)

    def set_colour(self, colour: str) -> None:
        """New shapes take the colour; a selected shape is recoloured (undoably)."""
        self.colour = colour
        shape = self.selected()
        if shape is not None and shape.colour != colour and not isinstance(shape, Mosaic):
            self.stack.push(RecolourShape(shape, colour))
        self.changed.emit(None)

    def set_text(self, text: str) -> None:
        """New labels take the text; a selected label is edited (undoably)."""
        self.text = text
        shape = self.selected()
        if isinstance(shape, Text) and shape.text != text and text:
            self.stack.push(EditText(shape, text))
        self.changed.emit(None)

    def selected(self) -> Shape | None:
        if self.selected_id is None:
            return None
        return self.stack.layer.get(self.selected_id)

    def select(self, shape_id: str | None) -> None:
        self.selected_id = shape_id
        self.changed.emit(None)

    def delete_selected(self) -> bool:
        shape = self.selected()
        if shape is None:
            return False
        self.stack.push(RemoveShape(shape.id))
        self.selected_id = None
        self.changed.emit(None)
        return True

    # --- pointer --------------------------------------------------------------------------

    def handle_at(self, x: float, y: float, tolerance: float) -> int:
        shape = self.selected()
        if shape is None:
            return -1
        for i, (hx, hy) in enumerate(handle_points(shape.box())):
            if abs(x - hx) <= tolerance and abs(y - hy) <= tolerance:
                return i
        return -1

    def press(self, x: float, y: float, tolerance: float = 6.0) -> None:
        """Start a gesture at image point (x, y); ``tolerance`` is the grab distance in image px."""
        if self.tool == "select":
            handle = self.handle_at(x, y, tolerance)
            current = self.selected()
            if handle >= 0 and current is not None:
                self._gesture = _Gesture("resize", x, y, current, handle)
                return
            shape = self.stack.layer.hit_test(x, y, tolerance)
            self.selected_id = shape.id if shape is not None else None
            if shape is not None:
                self._gesture = _Gesture("move", x, y, shape)
            self.changed.emit(None)
            return
        if self.tool == "text":
            if self.text.strip():
                shape = Text(new_shape_id(), x, y, self.text, self.text_size / self.view_scale,
                             self.colour)
                self.stack.push(AddShape(shape))
                self.selected_id = shape.id
                self.changed.emit(None)
            return
        self._gesture = _Gesture("draw", x, y)
        self.preview = self._drawn(x, y, x, y, ((x, y),))
        self.changed.emit(None)

    def move(self, x: float, y: float) -> None:
        g = self._gesture
        if g is None:
            return
        if g.mode == "draw":
            points: tuple[tuple[float, float], ...] = ((g.start_x, g.start_y),)
            if isinstance(self.preview, Pen):
                points = (*self.preview.points, (x, y))
            self.preview = self._drawn(g.start_x, g.start_y, x, y, points)
        elif g.mode == "move" and g.original is not None:
            self.preview = g.original.moved(x - g.start_x, y - g.start_y)
        elif g.mode == "resize" and g.original is not None:
            fixed = handle_points(g.original.box())[(g.handle + 2) % 4]
            self.preview = g.original.resized(Box.from_corners(fixed[0], fixed[1], x, y))
        self.changed.emit(None)

    def release(self, x: float, y: float, min_size: float = 4.0) -> Shape | None:
        """End the gesture; returns the shape it added or changed, if any."""
        self.move(x, y)
        g, preview = self._gesture, self.preview
        self._gesture = None
        self.preview = None
        result: Shape | None = None
        if g is not None and preview is not None:
            if g.mode == "draw":
                box = preview.box()
                if max(box.w, box.h) >= min_size:
                    self.stack.push(AddShape(preview))
                    self.selected_id = preview.id
                    result = preview
            elif g.original is not None and preview != g.original:
                if g.mode == "move":
                    dx, dy = x - g.start_x, y - g.start_y
                    self.stack.push(MoveShape(g.original, dx, dy))
                else:
                    self.stack.push(ResizeShape(g.original, preview.box()))
                result = preview
        self.changed.emit(None)
        return result

    def is_dragging(self) -> bool:
        """A gesture (draw, move or resize) is under way."""
        return self._gesture is not None

    def cancel(self) -> None:
        self._gesture = None
        self.preview = None
        self.changed.emit(None)

    def _drawn(self, x1: float, y1: float, x2: float, y2: float,
               points: tuple[tuple[float, float], ...]) -> Shape:
        sid = self.preview.id if self.preview is not None else new_shape_id()
        box = Box.from_corners(x1, y1, x2, y2)
        tool = self.tool
        stroke = round(self.stroke / self.view_scale, 2)
        if tool == "ellipse":
            return Ellipse(sid, box.x, box.y, box.w, box.h, self.colour, stroke)
        if tool == "highlight":
            colour = self.colour if self.colour != "#d1242f" else HIGHLIGHT_COLOUR
            return Highlight(sid, box.x, box.y, box.w, box.h, colour)
        if tool == "mosaic":
            block = max(8.0, min(box.w, box.h) / 6) if min(box.w, box.h) > 0 else 16.0
            return Mosaic(sid, box.x, box.y, box.w, box.h, block=round(min(block, 40.0)))
        if tool == "arrow":
            return Arrow(sid, x1, y1, x2, y2, self.colour, stroke)
        if tool == "pen":
            return Pen(sid, points, self.colour, stroke)
        return Rect(sid, box.x, box.y, box.w, box.h, self.colour, stroke)
