"""The one codec: the field rules every wire format declares, the hook for rules across
fields, and formats that keep to their own messages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import pytest

from seat_common import protocol
from seat_common.protocol import ProtocolError, TextPattern, WireFormat
from seat_common.protocol import assist as wire

PLATE = TextPattern(r"粤S[A-Z0-9]{5}", "a Dongguan number plate")


@dataclass(frozen=True, slots=True)
class Span:
    start: int = field(metadata={"min": 0})
    end: int = field(metadata={"min": 0})

    def check_across_fields(self) -> None:
        if self.end < self.start:
            raise ProtocolError("bad_message", "ends before it starts", "end")


@dataclass(frozen=True, slots=True)
class Parked:
    TYPE: ClassVar[str] = "parked"
    plate: str = field(metadata={"min_len": 7, "max_len": 7, "pattern": PLATE})
    photo: str = field(default="", metadata={"max_len": 100, "base64": True})
    spans: tuple[Span, ...] = field(default=(), metadata={"max_items": 2})
    level: Literal["low", "high"] = "low"
    fee: float = field(default=0.0, metadata={"min": 0, "max": 100})


PARKING = WireFormat("parking", 3, [Parked])


def raw(**fields: Any) -> dict[str, Any]:
    return {"v": 3, "type": "parked", "plate": "粤SAB123", **fields}


def test_a_good_message_comes_back_typed() -> None:
    message = PARKING.from_wire(raw(photo="AAEC", spans=[{"start": 1, "end": 2}], fee=5))
    assert message == Parked("粤SAB123", "AAEC", (Span(1, 2),), "low", 5.0)
    assert isinstance(message.fee, float)
    assert PARKING.from_wire(json.loads(PARKING.to_text(message, check=True))) == message


@pytest.mark.parametrize(
    ("fields", "where", "says"),
    [
        ({"plate": "粤sab123"}, "plate", "must be a Dongguan number plate"),
        ({"plate": "粤SAB123\n"}, "plate", "too long"),
        ({"photo": "AAE"}, "photo", "must be base64"),
        ({"photo": "办办办办"}, "photo", "must be base64"),
        ({"spans": [{"start": 2, "end": 1}]}, "spans[0].end", "ends before it starts"),
        ({"spans": [{"start": 1}]}, "spans[0].end", "required field missing"),
        ({"spans": [{}, {}, {}]}, "spans", "too many items"),
        ({"level": "medium"}, "level", "must be one of 'low', 'high'"),
        ({"fee": 10**400}, "fee", "must be at most 100"),
        ({"fee": True}, "fee", "must be a number"),
        ({"colour": "red"}, "colour", "unknown field"),
    ],
)
def test_a_broken_rule_is_refused_naming_the_field(
    fields: dict[str, Any], where: str, says: str
) -> None:
    with pytest.raises(ProtocolError) as refused:
        PARKING.from_wire(raw(**fields))
    assert (refused.value.code, refused.value.field, refused.value.message) == (
        "bad_message", where, says
    )


def test_the_envelope_names_the_format_and_its_version() -> None:
    with pytest.raises(ProtocolError) as old:
        PARKING.from_wire(raw(v=1))
    assert (old.value.code, old.value.field, old.value.message) == (
        "unsupported_version", "v", "parking version must be 3"
    )
    with pytest.raises(ProtocolError) as unknown:
        PARKING.from_wire({"v": 3, "type": "hello", "role": "citizen"})
    assert (unknown.value.code, unknown.value.field) == ("unknown_type", "type")


def test_checking_before_sending_refuses_what_would_not_decode() -> None:
    PARKING.to_text(Parked("粤SAB123"), check=True)
    with pytest.raises(ProtocolError) as refused:
        PARKING.to_text(Parked("粤SAB123", fee=float("nan")), check=True)
    assert refused.value.field == "fee"
    with pytest.raises(ProtocolError) as stranger:
        PARKING.to_text(protocol.LeaveQueue(), check=True)  # type: ignore[arg-type]  # on purpose
    assert (stranger.value.code, stranger.value.field) == ("unknown_type", "type")


def test_a_huge_whole_number_in_a_number_field_is_refused_not_a_crash() -> None:
    frame = '{"v":1,"type":"queue_position","work_order_id":"w","position":1,"expected_wait_s":'
    with pytest.raises(ProtocolError) as refused:
        protocol.decode(frame + "1" + "0" * 400 + "}")
    assert (refused.value.code, refused.value.field) == ("bad_message", "expected_wait_s")
    with pytest.raises(wire.AssistWireError) as too_big:
        wire.parse('{"v":1,"type":"face_scanned","matched":true,"score":1' + "0" * 400 + "}")
    assert too_big.value.field == "score"


def test_hub_and_assist_messages_are_not_decoded_on_each_other_s_channel() -> None:
    assert not set(protocol.MESSAGE_TYPES) & set(wire.ASSIST_WIRE.types)
    for message in (wire.RequestControl("s1"), wire.Key(1, key="Enter")):
        with pytest.raises(ProtocolError) as on_hub:
            protocol.decode(wire.format_message(message))
        assert (on_hub.value.code, on_hub.value.field) == ("unknown_type", "type")
    for hub_message in (protocol.LeaveQueue(), protocol.Accept(call_id="c1")):
        with pytest.raises(wire.AssistWireError) as on_assist:
            wire.parse(protocol.encode(hub_message))
        assert on_assist.value.field == "type"
        with pytest.raises(wire.AssistWireError) as sent:
            wire.format_message(hub_message)  # type: ignore[arg-type]  # on purpose
        assert sent.value.field == "type"


def test_mistakes_in_a_message_class_show_when_the_format_is_made() -> None:
    @dataclass(frozen=True, slots=True)
    class Typo:
        TYPE: ClassVar[str] = "typo"
        name: str = field(metadata={"maxlen": 5})

    @dataclass(frozen=True, slots=True)
    class Either:
        TYPE: ClassVar[str] = "either"
        value: int | str

    @dataclass(frozen=True, slots=True)
    class Envelope:
        TYPE: ClassVar[str] = "envelope"
        type: str

    @dataclass(frozen=True, slots=True)
    class NotAPattern:
        TYPE: ClassVar[str] = "not_a_pattern"
        name: str = field(metadata={"pattern": r"\d+"})

    for cls in (Typo, Either, Envelope, NotAPattern):
        with pytest.raises(TypeError):
            WireFormat("test", 1, [cls])
    with pytest.raises(TypeError):
        WireFormat("test", 1, [Parked, Parked])
