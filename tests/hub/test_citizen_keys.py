"""Citizens' pseudonymous keys: the same citizen gives the same key however the number was
written, different citizens different keys, and the secret file is made private and checked."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from hubclient import SI, agent_seat

from sandbox.hub_process import HubProcess, HubStartError
from seat_common.protocol import CitizenInfo
from seat_hub.parties.citizen_keys import CitizenKeyError, CitizenKeys

ID_A = "44190019900101123X"


def test_the_same_citizen_gives_one_key_and_another_citizen_another(tmp_path: Path) -> None:
    keys = CitizenKeys.from_file(tmp_path / "citizen-key.secret")
    a = keys.key_of(CitizenInfo(name="吴小明", id_number=ID_A))
    assert a == keys.key_of(CitizenInfo(name="吴 小明", id_number=" 4419 0019900101123x "))
    # Same masked display (吴**, 4419**********123X), another person.
    assert a != keys.key_of(CitizenInfo(name="吴大华", id_number="44190019851212123X"))
    assert ID_A not in a and len(a) == 64
    phone = keys.key_of(CitizenInfo(phone="+86 138-0013-8000"))
    assert phone == keys.key_of(CitizenInfo(phone="13800138000")) != ""
    # The ID number wins over the phone; a name alone tells nobody apart.
    assert keys.key_of(CitizenInfo(id_number=ID_A, phone="13800138000")) == a
    assert keys.key_of(CitizenInfo(name="吴小明")) == ""


def test_the_secret_is_made_once_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "var" / "citizen-key.secret"
    first = CitizenKeys.from_file(path).key_of(CitizenInfo(id_number=ID_A))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert CitizenKeys.from_file(path).key_of(CitizenInfo(id_number=ID_A)) == first
    other = tmp_path / "other.secret"
    other.write_text("x" * 64 + "\n")
    assert CitizenKeys.from_file(other).key_of(CitizenInfo(id_number=ID_A)) != first


def test_a_short_or_unreadable_secret_is_a_clear_error(tmp_path: Path) -> None:
    short = tmp_path / "short.secret"
    short.write_text("tooshort\n")
    with pytest.raises(CitizenKeyError, match="at least 32 characters"):
        CitizenKeys.from_file(short)
    with pytest.raises(CitizenKeyError, match="citizen-key secret"):
        CitizenKeys.from_file(tmp_path)  # a directory


def test_a_hub_with_a_bad_secret_file_stops_with_a_message(tmp_path: Path) -> None:
    short = tmp_path / "short.secret"
    short.write_text("tooshort\n")
    hub = HubProcess(
        [agent_seat("0001", SI)], workdir=tmp_path / "hub",
        extra_args=["--citizen-key-file", str(short)],
    )
    with pytest.raises(HubStartError, match=r"citizen-key secret .*short\.secret: want one line"):
        hub.start()


def test_a_hub_makes_its_secret_beside_the_ledger(tmp_path: Path) -> None:
    with HubProcess([agent_seat("0001", SI)], workdir=tmp_path / "hub") as hub:
        secret = hub.db_path.parent / "citizen-key.secret"
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
