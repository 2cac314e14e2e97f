"""Annotation shapes, the layer, the undo stack and the tool state machine (pure Python)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seat_client.review.annotation_commands import (
    AddShape,
    EditText,
    MoveShape,
    RecolourShape,
    RemoveShape,
    ResizeShape,
    UndoStack,
)
from seat_client.review.annotation_tools import ToolController
from seat_client.review.annotations import AnnotationLayer, LayerChange
from seat_client.review.shapes import (
    AnnotationError,
    Arrow,
    Box,
    Ellipse,
    Highlight,
    Mosaic,
    Pen,
    Rect,
    Text,
)

ALL_KINDS = (
    Rect("r", 10, 10, 100, 50),
    Ellipse("e", 200, 10, 80, 40, "#0969da", 4),
    Arrow("a", 0, 0, 300, 200),
    Pen("p", ((5, 5), (15, 25), (40, 30))),
    Text("t", 50, 300, "请重新拍摄", 40),
    Highlight("h", 60, 60, 200, 30),
    Mosaic("m", 400, 400, 120, 60, 20),
)


def stack_with(*shapes: object) -> UndoStack:
    stack = UndoStack(AnnotationLayer())
    for s in shapes:
        stack.push(AddShape(s))  # type: ignore[arg-type]
    return stack


def test_every_kind_survives_a_json_round_trip() -> None:
    layer = AnnotationLayer(ALL_KINDS)
    text = json.dumps(layer.to_json(), ensure_ascii=False)
    again = AnnotationLayer.from_json(json.loads(text))
    assert again.shapes() == layer.shapes()


@pytest.mark.parametrize("bad", [
    [{"kind": "circle", "id": "x", "colour": "#000000"}],
    [{"kind": "rect", "id": "x", "colour": "red", "x": 1, "y": 1, "w": 1, "h": 1, "stroke": 1}],
    [{"kind": "rect", "id": "x", "colour": "#000000", "x": "1", "y": 1, "w": 1, "h": 1,
      "stroke": 1}],
    [{"kind": "rect", "id": "", "colour": "#000000", "x": 1, "y": 1, "w": 1, "h": 1, "stroke": 1}],
    [{"kind": "pen", "id": "p", "colour": "#000000", "stroke": 1, "points": []}],
    [{"kind": "text", "id": "t", "colour": "#000000", "x": 1, "y": 1, "size": 9, "stroke": 0,
      "text": "x" * 501}],
    [{"kind": "rect", "id": "x", "colour": "#000000", "x": float("nan"), "y": 1, "w": 1, "h": 1,
      "stroke": 1}],
    {"not": "a list"},
])
def test_malformed_stored_annotations_are_refused(bad: object) -> None:
    with pytest.raises(AnnotationError):
        AnnotationLayer.from_json(bad)


def test_undo_and_redo_walk_each_command_back_and_forth() -> None:
    stack = stack_with(*ALL_KINDS)
    layer = stack.layer
    original = layer.shapes()
    stack.push(MoveShape(layer.get("r"), 5, -5))  # type: ignore[arg-type]
    stack.push(ResizeShape(layer.get("e"), Box(0, 0, 10, 10)))  # type: ignore[arg-type]
    stack.push(RecolourShape(layer.get("a"), "#1a7f37"))  # type: ignore[arg-type]
    stack.push(EditText(layer.get("t"), "证件过期"))  # type: ignore[arg-type]
    stack.push(RemoveShape("p"))
    assert layer.get("r") == Rect("r", 15, 5, 100, 50)
    assert layer.get("e") == Ellipse("e", 0, 0, 10, 10, "#0969da", 4)
    assert layer.get("a").colour == "#1a7f37"  # type: ignore[union-attr]
    assert layer.get("t").text == "证件过期"  # type: ignore[union-attr]
    assert "p" not in layer
    for _ in range(5):
        assert stack.undo()
    assert layer.shapes() == original  # order too: the pen went back to its place
    assert stack.redo() and stack.redo()
    assert layer.get("e") == Ellipse("e", 0, 0, 10, 10, "#0969da", 4)
    stack.push(RemoveShape("r"))
    assert not stack.can_redo(), "a new command drops what was undone"


def test_layer_announces_each_change() -> None:
    stack = stack_with()
    seen: list[LayerChange] = []
    stack.layer.changed.connect(seen.append)
    stack.push(AddShape(ALL_KINDS[0]))
    stack.push(MoveShape(ALL_KINDS[0], 1, 1))
    stack.undo()
    stack.push(RemoveShape("r"))
    assert [c.kind for c in seen] == ["added", "changed", "changed", "removed"]


commands = st.lists(st.tuples(st.sampled_from(["add", "move", "remove", "undo", "redo"]),
                              st.integers(0, 50), st.floats(-50, 50)), max_size=40)


@given(commands)
@settings(max_examples=60, deadline=None)
def test_undoing_everything_empties_the_layer_and_redo_replays(
        ops: list[tuple[str, int, float]]) -> None:
    stack = stack_with()
    layer = stack.layer
    n = 0
    for op, pick, d in ops:
        ids = [s.id for s in layer]
        if op == "add":
            n += 1
            stack.push(AddShape(Rect(f"s{n}", pick, pick, 10, 10)))
        elif op == "move" and ids:
            stack.push(MoveShape(layer.get(ids[pick % len(ids)]), d, -d))  # type: ignore[arg-type]
        elif op == "remove" and ids:
            stack.push(RemoveShape(ids[pick % len(ids)]))
        elif op == "undo":
            stack.undo()
        elif op == "redo":
            stack.redo()
    final = layer.shapes()
    undone = 0
    while stack.undo():
        undone += 1
    assert layer.shapes() == ()
    for _ in range(undone):
        stack.redo()
    assert layer.shapes() == final


def test_hit_tests_follow_the_outline_not_the_box() -> None:
    rect = Rect("r", 100, 100, 200, 100, stroke=4)
    assert rect.hit(100, 150, 3) and rect.hit(300, 199, 3)
    assert not rect.hit(200, 150, 3), "the inside of an outlined box is not the box"
    arrow = Arrow("a", 0, 0, 100, 100, stroke=2)
    assert arrow.hit(50, 52, 3) and not arrow.hit(50, 80, 3)
    pen = Pen("p", ((0, 0), (100, 0), (100, 100)), stroke=2)
    assert pen.hit(100, 50, 2) and not pen.hit(50, 50, 2)
    layer = AnnotationLayer((Highlight("h", 0, 0, 500, 500), rect))
    assert layer.hit_test(100, 150, 3) is rect, "the topmost shape wins"
    assert layer.hit_test(200, 150, 3).id == "h"  # type: ignore[union-attr]


def test_culling_keeps_only_shapes_meeting_the_visible_area() -> None:
    shapes = tuple(Rect(f"r{i}", (i % 40) * 100, (i // 40) * 100, 50, 50) for i in range(1000))
    layer = AnnotationLayer(shapes)
    visible = list(layer.visible(Box(0, 0, 300, 300)))
    assert 9 <= len(visible) <= 16
    assert all(s.x < 310 and s.y < 310 for s in visible)  # type: ignore[union-attr]


def test_drawing_a_rectangle_is_one_undoable_command() -> None:
    tools = ToolController(stack_with())
    tools.view_scale = 0.5
    tools.set_tool("rect")
    tools.press(100, 100)
    for x in range(100, 400, 50):
        tools.move(x, x)
        assert tools.preview is not None and len(tools.stack.layer) == 0
    tools.release(400, 300)
    (shape,) = tools.stack.layer.shapes()
    assert isinstance(shape, Rect) and shape.box() == Box(100, 100, 300, 200)
    assert shape.stroke == pytest.approx(6.0), "3 screen px at half zoom are 6 image px"
    assert tools.selected_id == shape.id
    tools.stack.undo()
    assert len(tools.stack.layer) == 0


def test_a_click_without_a_drag_draws_nothing() -> None:
    tools = ToolController(stack_with())
    for tool in ("rect", "ellipse", "arrow", "pen", "highlight", "mosaic"):
        tools.set_tool(tool)  # type: ignore[arg-type]
        tools.press(10, 10)
        tools.release(11, 11, min_size=4)
    assert len(tools.stack.layer) == 0


def test_select_moves_and_resizes_then_recolours_and_deletes() -> None:
    rect = Rect("r", 100, 100, 200, 100)
    tools = ToolController(stack_with(rect))
    tools.set_tool("select")
    tools.press(100, 150, 5)  # on the left edge
    tools.move(150, 170)
    assert tools.stack.layer.get("r") == rect, "the layer changes only when the drag ends"
    tools.release(150, 170)
    assert tools.stack.layer.get("r") == Rect("r", 150, 120, 200, 100)
    tools.press(350, 220, 5)  # bottom-right handle
    tools.release(450, 320)
    assert tools.stack.layer.get("r").box() == Box(150, 120, 300, 200)  # type: ignore[union-attr]
    tools.set_colour("#0969da")
    assert tools.stack.layer.get("r").colour == "#0969da"  # type: ignore[union-attr]
    assert tools.delete_selected() and len(tools.stack.layer) == 0
    for _ in range(4):
        tools.stack.undo()
    assert tools.stack.layer.get("r") == rect


def test_text_tool_places_the_current_label_and_edits_the_selected_one() -> None:
    tools = ToolController(stack_with())
    tools.set_tool("text")
    tools.text = "证件过期"
    tools.press(20, 30)
    (label,) = tools.stack.layer.shapes()
    assert isinstance(label, Text) and label.text == "证件过期" and (label.x, label.y) == (20, 30)
    tools.set_text("请补充反面")
    assert tools.stack.layer.get(label.id).text == "请补充反面"  # type: ignore[union-attr]
    tools.stack.undo()
    assert tools.stack.layer.get(label.id).text == "证件过期"  # type: ignore[union-attr]


def test_pen_collects_every_point_of_the_stroke() -> None:
    tools = ToolController(stack_with())
    tools.set_tool("pen")
    tools.press(0, 0)
    for i in range(1, 20):
        tools.move(i * 5, (i % 3) * 5)
    tools.release(100, 0)
    (pen,) = tools.stack.layer.shapes()
    assert isinstance(pen, Pen) and len(pen.points) == 21
