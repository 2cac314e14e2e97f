"""Protocol v1: every message type survives encode → decode, and bad input only ever
raises ProtocolError.

Strategies are built from the dataclasses themselves (field types and their
``metadata`` limits), so a new message type or field is covered without
touching this file, and a limit the decoder forgets shows up as a failure.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seat_common import protocol
from seat_common.protocol import (
    MAX_MESSAGE_BYTES,
    MAX_RECEIPT_PDF_BYTES,
    MESSAGE_TYPES,
    SENDABLE_BY,
    CitizenInfo,
    JoinQueue,
    Message,
    ProtocolError,
    ReceiptPdf,
    decode,
    encode,
)

_TEXT_ALPHABET = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
_MAX_NUMBER = 2**53


def _field_strategy(hint: Any, meta: typing.Mapping[str, Any]) -> st.SearchStrategy[Any]:
    origin = get_origin(hint)
    if origin is Literal:
        return st.sampled_from(get_args(hint))
    if origin is tuple:
        (item_hint, _ellipsis) = get_args(hint)
        items = _field_strategy(item_hint, {})
        return st.lists(items, max_size=min(meta.get("max_items", 3), 3)).map(tuple)
    if dataclasses.is_dataclass(hint):
        return strategy_for(hint)  # type: ignore[arg-type]
    if hint is str and meta.get("base64"):  # the one such field is a PDF's bytes
        return st.binary(max_size=100).map(
            lambda data: base64.b64encode(b"%PDF-" + data).decode("ascii"))
    if hint is str:
        longest = min(meta.get("max_len", 200), 300)
        if (shape := meta.get("pattern")) is not None:
            return st.from_regex(shape.regex, fullmatch=True).filter(lambda t: len(t) <= longest)
        return st.text(_TEXT_ALPHABET, min_size=meta.get("min_len", 0), max_size=longest)
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers(meta.get("min", -_MAX_NUMBER), meta.get("max", _MAX_NUMBER))
    if hint is float:
        return st.floats(
            meta.get("min", -_MAX_NUMBER),
            meta.get("max", _MAX_NUMBER),
            allow_nan=False,
            allow_infinity=False,
        )
    raise TypeError(f"no strategy for {hint!r}")


def strategy_for(cls: type[Any]) -> st.SearchStrategy[Any]:
    """Valid instances of a protocol dataclass, within every limit it declares."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: _field_strategy(hints[f.name], f.metadata) for f in dataclasses.fields(cls)}
    built = st.builds(cls, **fields)
    if hasattr(cls, "check_across_fields"):
        built = built.filter(_passes_across_fields)
    return built


def _passes_across_fields(value: Any) -> bool:
    try:
        value.check_across_fields()
    except ProtocolError:
        return False
    return True


ALL_TYPES = sorted(MESSAGE_TYPES.values(), key=lambda c: c.TYPE)
any_message: st.SearchStrategy[Message] = st.one_of([strategy_for(c) for c in ALL_TYPES])


@pytest.mark.parametrize("cls", ALL_TYPES, ids=lambda c: c.TYPE)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_message_type_round_trips(cls: type[Message], data: st.DataObject) -> None:
    message = data.draw(strategy_for(cls))
    text = encode(message)
    assert json.loads(text)["type"] == cls.TYPE
    assert decode(text) == message
    assert decode(text.encode("utf-8")) == message


@pytest.mark.parametrize("cls", ALL_TYPES, ids=lambda c: c.TYPE)
@settings(max_examples=5)
@given(data=st.data())
def test_string_limits_are_enforced_at_the_exact_boundary(
    cls: type[Message], data: st.DataObject
) -> None:
    raw = json.loads(encode(data.draw(strategy_for(cls))))
    for f in dataclasses.fields(cls):
        if typing.get_type_hints(cls)[f.name] is not str:
            continue
        longest = f.metadata.get("max_len", 200)
        if "pattern" not in f.metadata and not f.metadata.get("base64"):
            # (a patterned or base64 field's own test checks its shape)
            decode(json.dumps({**raw, f.name: "办" * longest}, ensure_ascii=False))
        char = "A" if f.metadata.get("base64") else "办"  # a big base64 field fits a frame
        with pytest.raises(ProtocolError) as refused:
            decode(json.dumps({**raw, f.name: char * (longest + 1)}, ensure_ascii=False))
        assert (refused.value.code, refused.value.field) == ("bad_message", f.name)


def test_the_message_types_are_all_covered_and_sendable_types_exist() -> None:
    assert len(ALL_TYPES) == len(typing.get_args(Message)) == 92
    assert set(SENDABLE_BY) <= set(MESSAGE_TYPES)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def _decodes_or_refuses(frame: str | bytes) -> None:
    try:
        result = decode(frame)
    except ProtocolError as exc:
        assert exc.code in get_args(protocol.ErrorCode)
        return
    assert isinstance(result, tuple(MESSAGE_TYPES.values()))


@given(_json_values)
def test_random_json_is_decoded_or_refused_with_a_protocol_error(value: Any) -> None:
    _decodes_or_refuses(json.dumps(value))


@given(
    st.sampled_from(ALL_TYPES).map(lambda c: c.TYPE),
    st.dictionaries(st.text(max_size=15), _json_values, max_size=6),
)
def test_random_fields_under_a_real_type_are_decoded_or_refused(
    kind: str, fields: dict[str, Any]
) -> None:
    _decodes_or_refuses(json.dumps({"v": 1, "type": kind, **fields}))


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    raw = json.loads(encode(draw(any_message)))
    action = draw(st.sampled_from(["drop", "replace", "add", "retype", "truncate", "flip"]))
    if action == "drop":
        raw.pop(draw(st.sampled_from(sorted(raw))))
    elif action == "replace":
        raw[draw(st.sampled_from(sorted(raw)))] = draw(_json_values)
    elif action == "add":
        raw[draw(st.text(max_size=10))] = draw(_json_values)
    elif action == "retype":
        raw["type"] = draw(st.sampled_from([c.TYPE for c in ALL_TYPES]) | st.text(max_size=8))
    text = json.dumps(raw, ensure_ascii=False)
    if action == "truncate":
        text = text[: draw(st.integers(0, max(0, len(text) - 1)))]
    elif action == "flip" and text:
        i = draw(st.integers(0, len(text) - 1))
        text = text[:i] + draw(st.characters(exclude_categories=("Cs",))) + text[i + 1 :]
    return text


@settings(max_examples=300)
@given(_mutated())
def test_mutated_messages_are_decoded_or_refused(frame: str) -> None:
    _decodes_or_refuses(frame)


@given(st.binary(max_size=200))
def test_random_bytes_are_decoded_or_refused(frame: bytes) -> None:
    _decodes_or_refuses(frame)


def test_refusals_name_the_field() -> None:
    with pytest.raises(ProtocolError) as missing:
        decode('{"v": 1, "type": "join_queue", "channel": "web"}')
    assert (missing.value.code, missing.value.field) == ("bad_message", "item_code")
    with pytest.raises(ProtocolError) as nested:
        decode(
            '{"v": 1, "type": "join_queue", "item_code": "X", "channel": "web",'
            ' "citizen": {"phone": 13800138000}}'
        )
    assert nested.value.field == "citizen.phone"
    with pytest.raises(ProtocolError) as extra:
        decode('{"v": 1, "type": "leave_queue", "sneaky": true}')
    assert extra.value.field == "sneaky"
    with pytest.raises(ProtocolError) as version:
        decode('{"v": true, "type": "leave_queue"}')
    assert version.value.code == "unsupported_version"
    with pytest.raises(ProtocolError) as too_long:
        decode(
            encode(JoinQueue(item_code="X", channel="web", citizen=CitizenInfo())).replace(
                '"item_code":"X"', '"item_code":"' + "X" * 65 + '"'
            )
        )
    assert (too_long.value.field, too_long.value.message) == ("item_code", "too long")


def _queue_snapshot_frame(**extra: Any) -> str:
    entry = {
        "work_order_id": "WO-1", "item_code": "SI-1", "item_name": "失业保险", "channel": "web",
        "priority": "normal", "media": "video", "citizen": {}, "queued_at": 1000.0, **extra,
    }
    return json.dumps({"v": 1, "type": "queue_snapshot", "entries": [entry]})


def test_a_queue_entry_says_until_when_a_lost_link_keeps_the_place() -> None:
    older = decode(_queue_snapshot_frame())  # an older hub's entry: connected
    assert isinstance(older, protocol.QueueSnapshot)
    assert older.entries[0].link_lost_until == 0.0
    marked = decode(_queue_snapshot_frame(link_lost_until=1060.5))
    assert isinstance(marked, protocol.QueueSnapshot)
    assert marked.entries[0].link_lost_until == 1060.5
    assert decode(encode(marked)) == marked


@pytest.mark.parametrize("bad", [-1, "1060", True, None, [1060]])
def test_a_negative_or_non_number_link_lost_until_is_refused(bad: Any) -> None:
    with pytest.raises(ProtocolError) as refused:
        decode(_queue_snapshot_frame(link_lost_until=bad))
    assert refused.value.code == "bad_message"
    assert refused.value.field.endswith("link_lost_until")


def test_oversized_frames_are_refused_before_parsing() -> None:
    with pytest.raises(ProtocolError) as big:
        decode(b"{" + b" " * MAX_MESSAGE_BYTES + b"}")
    assert big.value.code == "too_large"


def test_protocol_document_describes_every_message_type_and_field() -> None:
    """docs/protocol.md must keep up with the module (it is generated from it by hand)."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text("utf-8")
    for cls in ALL_TYPES:
        heading = re.search(rf"^### `{cls.TYPE}`", doc, re.MULTILINE)
        assert heading, f"docs/protocol.md lacks a section for {cls.TYPE}"
        section = doc[heading.end() :].split("\n### ", 1)[0]
        for f in dataclasses.fields(cls):
            assert f"`{f.name}`" in section, f"docs/protocol.md: {cls.TYPE} lacks {f.name}"
    for code in get_args(protocol.ErrorCode):
        assert f"`{code}`" in doc, f"docs/protocol.md lacks error code {code}"


def test_chunks_round_trip_and_damage_is_caught() -> None:
    data = bytes(range(256)) * 1500  # 384000 bytes: two chunks
    frames = protocol.chunk_frames(protocol.CHUNK_UPLOAD, 7, data)
    chunks = [protocol.unpack_chunk(f) for f in frames]
    assert [(c.kind, c.transfer_id, c.seq, c.crc_ok) for c in chunks] == [
        (protocol.CHUNK_UPLOAD, 7, 0, True),
        (protocol.CHUNK_UPLOAD, 7, 1, True),
    ]
    assert b"".join(c.data for c in chunks) == data
    flipped = bytearray(frames[1])
    flipped[-5] ^= 1
    assert not protocol.unpack_chunk(bytes(flipped)).crc_ok
    wrong_version = frames[0][:2] + b"\x09" + frames[0][3:]
    for bad in (b"", b"XX" + frames[0][2:], frames[0][:-1], wrong_version):
        with pytest.raises(ProtocolError):
            protocol.unpack_chunk(bad)


@given(st.binary(max_size=64))
def test_random_binary_frames_are_unpacked_or_refused(frame: bytes) -> None:
    try:
        protocol.unpack_chunk(frame)
    except ProtocolError as exc:
        assert exc.code in get_args(protocol.ErrorCode)


def test_a_receipt_pdf_is_base64_of_a_pdf_within_its_size() -> None:
    pdf = base64.b64encode(b"%PDF-1.7\n" + b"x" * 1000).decode("ascii")
    good = {"v": 1, "type": "receipt_pdf", "work_order_id": "WO-1", "application_no": "SL-1",
            "pdf": pdf}
    assert decode(json.dumps(good)) == ReceiptPdf("WO-1", "SL-1", pdf)
    too_big = base64.b64encode(b"%PDF-" + b"x" * MAX_RECEIPT_PDF_BYTES).decode("ascii")
    for bad in ({"pdf": base64.b64encode(b"<html>not a pdf</html>").decode("ascii")},
                {"pdf": "%PDF-1.7 plain text"}, {"pdf": too_big}, {"application_no": ""}):
        with pytest.raises(ProtocolError) as refused:
            decode(json.dumps({**good, **bad}))
        assert (refused.value.code, refused.value.field) == ("bad_message", next(iter(bad)))
