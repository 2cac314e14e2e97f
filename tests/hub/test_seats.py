"""The seats file: checked when loaded, tokens stored only as SHA-256, logins by token."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from seat_hub.parties.seats import (
    KioskSpec,
    SeatsError,
    SeatSpec,
    hash_token,
    load_seats,
    parse_seats,
    seats_document,
    write_seats_file,
)

SPECS = [
    SeatSpec("0012", "张三", skills=("social_insurance",), hall="市民服务中心"),
    SeatSpec("0013", "李四", skills=("housing_fund",), mode="combined"),
    SeatSpec("s1", "王主管", role="supervisor"),
]
TOKENS = {"0012": "token-zhang", "0013": "token-li", "s1": "token-boss"}


def test_a_written_seats_file_loads_and_holds_no_plain_token(tmp_path: Path) -> None:
    path = tmp_path / "seats.json"
    write_seats_file(path, SPECS, TOKENS)
    text = path.read_text(encoding="utf-8")
    assert not any(token in text for token in TOKENS.values())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    registry = load_seats(path, known_skills={"social_insurance", "housing_fund"})
    seat = registry.get("0012")
    assert seat is not None and seat.skills == frozenset({"social_insurance"})
    assert seat.token_sha256 == hash_token("token-zhang")
    assert len(registry) == 3


def test_tokens_log_in_only_to_their_own_seat_and_role() -> None:
    registry = parse_seats(seats_document(SPECS, TOKENS))
    found = registry.authenticate("agent", "token-li")
    assert found is not None and found.agent_id == "0013"
    assert registry.authenticate("agent", "token-boss") is None  # a supervisor's token
    assert registry.authenticate("supervisor", "token-boss") is not None
    assert registry.authenticate("agent", "") is None
    assert registry.authenticate("agent", "token-li ") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"agent_id": "bad id!"}, "agent_id"),
        ({"role": "admin"}, "role"),
        ({"skills": []}, "at least one skill"),
        ({"skills": ["astrology"]}, "unknown skill 'astrology'"),
        ({"mode": "phone"}, "mode"),
        ({"token_sha256": "abc"}, "token_sha256"),
        ({"token": "plain"}, "unknown keys"),
        ({"name": ""}, "name"),
    ],
)
def test_a_wrong_entry_is_named(change: dict[str, object], message: str) -> None:
    document = seats_document(SPECS[:1], TOKENS)
    document["seats"][0].update(change)
    with pytest.raises(SeatsError, match=message) as refused:
        parse_seats(document, known_skills={"social_insurance"})
    assert "seats[0]" in str(refused.value)


def test_duplicate_seats_and_shared_tokens_are_refused() -> None:
    twice = seats_document([SPECS[0], SPECS[0]], TOKENS)
    with pytest.raises(SeatsError, match="duplicate agent_id"):
        parse_seats(twice)
    shared = seats_document(SPECS[:2], {"0012": "same", "0013": "same"})
    with pytest.raises(SeatsError, match="token shared"):
        parse_seats(shared)


def test_a_seat_or_kiosk_without_a_token_stays_but_cannot_log_in() -> None:
    document = seats_document(SPECS, TOKENS, KIOSKS, KIOSK_TOKENS)
    for entry in (document["seats"][0], document["seats"][1], document["kiosks"][0]):
        del entry["token_sha256"]  # revoked: two seats without a token share nothing
    registry = parse_seats(document)
    seat = registry.get("0012")
    assert seat is not None and seat.token_sha256 == ""
    assert registry.authenticate("agent", "token-zhang") is None
    assert registry.authenticate("agent", "token-zhang", "0012") is None
    assert registry.authenticate("supervisor", "token-boss") is not None
    assert registry.authenticate_kiosk("K-SHATIAN-01", "kiosk-shatian") is None
    assert registry.authenticate_kiosk("K-SHATIAN-01", "") is None
    assert registry.authenticate_kiosk("K-HUMEN-02", "kiosk-humen") is not None


def test_a_seats_file_saved_with_a_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "seats.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(seats_document(SPECS, TOKENS)).encode())
    assert len(load_seats(path)) == 3


def test_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(SeatsError, match="cannot read seats file"):
        load_seats(tmp_path / "missing.json")
    (tmp_path / "v2.json").write_text(json.dumps({"version": 2, "seats": []}))
    with pytest.raises(SeatsError, match="version must be 1"):
        load_seats(tmp_path / "v2.json")


KIOSKS = [KioskSpec("K-SHATIAN-01", "沙田镇"), KioskSpec("K-HUMEN-02", "虎门镇")]
KIOSK_TOKENS = {"K-SHATIAN-01": "kiosk-shatian", "K-HUMEN-02": "kiosk-humen"}


def test_kiosks_are_provisioned_with_a_hall_and_a_hashed_token(tmp_path: Path) -> None:
    path = tmp_path / "seats.json"
    write_seats_file(path, SPECS, TOKENS, KIOSKS, KIOSK_TOKENS)
    text = path.read_text(encoding="utf-8")
    assert not any(token in text for token in KIOSK_TOKENS.values())
    registry = load_seats(path)
    assert registry.kiosk_count == 2
    kiosk = registry.authenticate_kiosk("K-HUMEN-02", "kiosk-humen")
    assert kiosk is not None and kiosk.hall == "虎门镇"
    # Only the device's own token, and only as the device it names.
    assert registry.authenticate_kiosk("K-HUMEN-02", "kiosk-shatian") is None
    assert registry.authenticate_kiosk("K-NOWHERE", "kiosk-humen") is None
    assert registry.authenticate_kiosk("K-HUMEN-02", "") is None
    # A kiosk's token is no seat's, and a seat's token is no kiosk's.
    assert registry.authenticate("agent", "kiosk-humen") is None
    assert registry.authenticate_kiosk("0012", "token-zhang") is None
    # A seat named with its token logs in; named with another seat's token it does not.
    assert registry.authenticate("agent", "token-zhang", "0012") is not None
    assert registry.authenticate("agent", "token-zhang", "0013") is None


@pytest.mark.parametrize(
    ("kiosks", "message"),
    [
        ("K-1", "kiosks must be a list"),
        ([{"device_id": "bad id!", "hall": "沙田镇", "token_sha256": "0" * 64}], "device_id"),
        ([{"device_id": "K-1", "hall": "", "token_sha256": "0" * 64}], "hall"),
        ([{"device_id": "K-1", "hall": "沙田镇", "token_sha256": "abc"}], "token_sha256"),
        ([{"device_id": "K-1", "hall": "沙田镇", "token_sha256": "0" * 64, "x": 1}], "unknown"),
        (
            [{"device_id": "K-1", "hall": "沙田镇", "token_sha256": "0" * 64},
             {"device_id": "K-1", "hall": "虎门镇", "token_sha256": "1" * 64}],
            "duplicate device_id",
        ),
        (
            [{"device_id": "K-1", "hall": "沙田镇", "token_sha256": hash_token("token-li")}],
            "token shared",
        ),
    ],
)
def test_a_wrong_kiosk_entry_is_named(kiosks: object, message: str) -> None:
    document = seats_document(SPECS, TOKENS)
    document["kiosks"] = kiosks
    with pytest.raises(SeatsError, match=message):
        parse_seats(document)
