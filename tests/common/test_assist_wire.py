"""The remote-assist channel's wire format: good messages round-trip, bad ones are refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seat_common.protocol import assist as wire

GOOD: list[wire.AssistMessage] = [
    wire.RequestControl("s1"),
    wire.ControlGranted("s1"),
    wire.ControlDenied("s1"),
    wire.ControlStopped("s1", "kiosk"),
    wire.Pointer(1, 0.0, 1.0, "click", "left"),
    wire.Key(2, key="Enter"),
    wire.Key(3, text="王小明"),
    wire.InputRefused(4, "no_control", 1),
    wire.PrintChunk("j", "营业执照.pdf", 0, 1, 5, "a" * 64, "JVBERi0="),
    wire.PrintResult("j", "营业执照.pdf", True),
    wire.IdCardRead("王小明", "11010519491231002X", ""),
    wire.FaceScanned(True, 0.93),
]


@pytest.mark.parametrize("message", GOOD, ids=lambda m: m.TYPE)
def test_good_messages_round_trip(message: wire.AssistMessage) -> None:
    assert wire.parse(wire.format_message(message)) == message


def body(**fields: Any) -> str:
    return json.dumps({"v": 1, **fields})


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (body(type="pointer", seq=1, x=1.5, y=0.5, action="click"), "x"),
        (body(type="pointer", seq=1, x=0.5, y=0.5, action="drag"), "action"),
        (body(type="pointer", seq=True, x=0.5, y=0.5, action="click"), "seq"),
        (body(type="pointer", seq=1, x=0.5, action="click"), "y"),
        (body(type="pointer", seq=1, x=0.5, y=0.5, action="click", z=1), "z"),
        ('{"v": 1, "type": "pointer", "seq": 1, "x": NaN, "y": 0, "action": "click"}', ""),
        (body(type="key", seq=1, key="Enter", text="a"), "key"),
        (body(type="key", seq=1, key="F13"), "key"),
        (body(type="key", seq=1, text="\n"), "text"),
        (body(type="control_stopped", session="s", by="someone"), "by"),
        (body(type="request_control", session=""), "session"),
        (body(type="print_chunk", job="j", name="../etc/passwd", index=0, total=1, size=1,
              sha256="a" * 64, data="AA=="), "name"),
        (body(type="print_chunk", job="j", name="a.pdf", index=1, total=1, size=1,
              sha256="a" * 64, data="AA=="), "index"),
        (body(type="print_chunk", job="j", name="a.pdf", index=0, total=1, size=1,
              sha256="A" * 64, data="AA=="), "sha256"),
        (body(type="print_chunk", job="j", name="a.pdf", index=0, total=1, size=1,
              sha256="a" * 64, data="@@@"), "data"),
        (body(type="id_card_read", name="王", id_number="123", photo_jpeg_b64=""), "id_number"),
        (body(type="face_scanned", matched=1, score=0.5), "matched"),
        (body(type="launch_missiles"), "type"),
        (json.dumps({"v": 2, "type": "request_control", "session": "s"}), "v"),
        ("[1, 2]", ""),
        ("not json", ""),
    ],
)
def test_bad_messages_are_refused_naming_the_field(text: str, field: str) -> None:
    with pytest.raises(wire.AssistWireError) as refused:
        wire.parse(text)
    assert refused.value.field == field


def test_binary_and_oversized_messages_are_refused() -> None:
    with pytest.raises(wire.AssistWireError):
        wire.parse(b"{}")
    with pytest.raises(wire.AssistWireError):
        wire.parse(" " * (wire.MAX_MESSAGE_CHARS + 1))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.sampled_from(["v", "type", "seq", "x", "y", "action", "button", "key",
                                        "text", "session", "by", "name", "ok"]),
                       json_values, max_size=8))
def test_anything_else_is_either_a_message_or_a_wire_error(raw: dict[str, Any]) -> None:
    try:
        message = wire.parse(json.dumps(raw))
    except wire.AssistWireError:
        return
    assert wire.parse(wire.format_message(message)) == message


@given(st.floats(0, 1), st.floats(0, 1), st.sampled_from(["down", "up", "move", "click"]),
       st.integers(0, 2**40))
def test_pointers_round_trip(x: float, y: float, action: Any, seq: int) -> None:
    message = wire.Pointer(seq, x, y, action)
    assert wire.parse(wire.format_message(message)) == message
