"""Annotations on a material image: the layer that holds one material's shapes.

An ``AnnotationLayer`` holds one material's shapes (``seat_client.review.shapes``) in
paint order and emits ``changed`` with a ``LayerChange``; an ``UndoStack`` applies small
commands (add, remove, replace: move/resize/recolour/edit text; in
``seat_client.review.annotation_commands``) that each know how to do and undo
themselves on the layer — never copies of the whole list.
Everything here is plain Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from seat_client.review.shapes import AnnotationError, Box, Shape, shape_from_json, shape_to_json
from seat_common.events import Event

ChangeKind = Literal["added", "removed", "changed", "reset"]


@dataclass(frozen=True, slots=True)
class LayerChange:
    """What changed in a layer: ``shape_id`` is empty for ``reset``."""

    kind: ChangeKind
    shape_id: str = ""


class AnnotationLayer:
    """One material's shapes in paint order (first painted first), looked up by id.

    Emits ``changed(LayerChange)`` after every mutation.
    """

    def __init__(self, shapes: tuple[Shape, ...] = ()) -> None:
        self._shapes: dict[str, Shape] = {}
        self.changed: Event[LayerChange] = Event()
        for shape in shapes:
            self._shapes[shape.id] = shape

    def __len__(self) -> int:
        return len(self._shapes)

    def __iter__(self) -> Iterator[Shape]:
        return iter(self._shapes.values())

    def __contains__(self, shape_id: object) -> bool:
        return shape_id in self._shapes

    def get(self, shape_id: str) -> Shape | None:
        return self._shapes.get(shape_id)

    def shapes(self) -> tuple[Shape, ...]:
        return tuple(self._shapes.values())

    def index_of(self, shape_id: str) -> int:
        for i, key in enumerate(self._shapes):
            if key == shape_id:
                return i
        raise KeyError(shape_id)

    def insert(self, shape: Shape, index: int | None = None) -> None:
        if shape.id in self._shapes:
            raise AnnotationError(f"duplicate annotation id {shape.id!r}")
        if index is None or index >= len(self._shapes):
            self._shapes[shape.id] = shape
        else:
            items = list(self._shapes.items())
            items.insert(index, (shape.id, shape))
            self._shapes = dict(items)
        self.changed.emit(LayerChange("added", shape.id))

    def remove(self, shape_id: str) -> Shape:
        shape = self._shapes.pop(shape_id)
        self.changed.emit(LayerChange("removed", shape_id))
        return shape

    def replace(self, shape: Shape) -> None:
        if shape.id not in self._shapes:
            raise KeyError(shape.id)
        self._shapes[shape.id] = shape
        self.changed.emit(LayerChange("changed", shape.id))

    def hit_test(self, x: float, y: float, tolerance: float) -> Shape | None:
        """The topmost shape under (x, y), or None."""
        for shape in reversed(self._shapes.values()):
            if shape.hit(x, y, tolerance):
                return shape
        return None

    def visible(self, area: Box) -> Iterator[Shape]:
        """Shapes whose bounds meet ``area``, in paint order (culling for the viewer)."""
        for shape in self._shapes.values():
            if shape.bounds().intersects(area):
                yield shape

    def to_json(self) -> list[dict[str, Any]]:
        return [shape_to_json(s) for s in self._shapes.values()]

    @staticmethod
    def from_json(raw: Any) -> AnnotationLayer:
        if not isinstance(raw, list):
            raise AnnotationError("annotations must be a list")
        layer = AnnotationLayer()
        for item in raw:
            shape = shape_from_json(item)
            if shape.id in layer:
                raise AnnotationError(f"duplicate annotation id {shape.id!r}")
            layer._shapes[shape.id] = shape
        return layer
