"""Undo for annotations: small commands that each know how to do and undo one edit.

``UndoStack`` applies commands to an ``AnnotationLayer`` (add, remove, and
replace for move, resize, recolour and text edits) and keeps them, not copies
of the whole list, so undo and redo cost what the edit cost.
"""

from __future__ import annotations

from dataclasses import replace

from seat_client.review.annotations import AnnotationLayer
from seat_client.review.shapes import AnnotationError, Box, Shape, Text, recoloured
from seat_common.events import Event


class Command:
    """One undoable edit of a layer; subclasses keep only what they need to undo."""

    label = "edit"

    def do(self, layer: AnnotationLayer) -> None:
        raise NotImplementedError

    def undo(self, layer: AnnotationLayer) -> None:
        raise NotImplementedError


class AddShape(Command):
    label = "add"

    def __init__(self, shape: Shape, index: int | None = None) -> None:
        self.shape = shape
        self.index = index

    def do(self, layer: AnnotationLayer) -> None:
        layer.insert(self.shape, self.index)

    def undo(self, layer: AnnotationLayer) -> None:
        layer.remove(self.shape.id)


class RemoveShape(Command):
    label = "remove"

    def __init__(self, shape_id: str) -> None:
        self.shape_id = shape_id
        self._removed: Shape | None = None
        self._index = 0

    def do(self, layer: AnnotationLayer) -> None:
        self._index = layer.index_of(self.shape_id)
        self._removed = layer.remove(self.shape_id)

    def undo(self, layer: AnnotationLayer) -> None:
        assert self._removed is not None, "undo before do"
        layer.insert(self._removed, self._index)


class ReplaceShape(Command):
    """Swap one shape value for another with the same id (the base of move/resize/...)."""

    label = "change"

    def __init__(self, before: Shape, after: Shape) -> None:
        if before.id != after.id:
            raise AnnotationError("a replacement keeps the shape's id")
        self.before = before
        self.after = after

    def do(self, layer: AnnotationLayer) -> None:
        layer.replace(self.after)

    def undo(self, layer: AnnotationLayer) -> None:
        layer.replace(self.before)


class MoveShape(ReplaceShape):
    label = "move"

    def __init__(self, shape: Shape, dx: float, dy: float) -> None:
        super().__init__(shape, shape.moved(dx, dy))


class ResizeShape(ReplaceShape):
    label = "resize"

    def __init__(self, shape: Shape, box: Box) -> None:
        super().__init__(shape, shape.resized(box))


class RecolourShape(ReplaceShape):
    label = "recolour"

    def __init__(self, shape: Shape, colour: str) -> None:
        super().__init__(shape, recoloured(shape, colour))


class EditText(ReplaceShape):
    label = "edit text"

    def __init__(self, shape: Text, text: str) -> None:
        super().__init__(shape, replace(shape, text=text))


class UndoStack:
    """Applies commands to one layer and walks them back and forth.

    Emits ``changed(None)`` whenever what can be undone or redone changes.
    """

    def __init__(self, layer: AnnotationLayer, limit: int = 500) -> None:
        self.layer = layer
        self.limit = limit
        self._done: list[Command] = []
        self._undone: list[Command] = []
        self.changed: Event[None] = Event()

    def push(self, command: Command) -> None:
        command.do(self.layer)
        self._done.append(command)
        if len(self._done) > self.limit:
            del self._done[0]
        self._undone.clear()
        self.changed.emit(None)

    def can_undo(self) -> bool:
        return bool(self._done)

    def can_redo(self) -> bool:
        return bool(self._undone)

    def undo(self) -> bool:
        if not self._done:
            return False
        command = self._done.pop()
        command.undo(self.layer)
        self._undone.append(command)
        self.changed.emit(None)
        return True

    def redo(self) -> bool:
        if not self._undone:
            return False
        command = self._undone.pop()
        command.do(self.layer)
        self._done.append(command)
        self.changed.emit(None)
        return True

    def undo_label(self) -> str:
        return self._done[-1].label if self._done else ""

    def redo_label(self) -> str:
        return self._undone[-1].label if self._undone else ""
