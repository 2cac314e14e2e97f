"""The machine-wide client.toml a fleet of counter PCs shares: read under the agent's own
settings and the command line, every key checked, a wrong one named with its file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seat_client import settings

GOOD = """\
# 东城大厅的柜台电脑
hub_url = "wss://hub.dg.gov.cn/ws"
hall = "东城大厅"
ice_policy = "relay"
ice_host_addresses = "10.20.0.5, 10.20.0.6"
devices = "real"
large_text = true
recording_retention_days = 90
"""


def machine_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "client.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_machine_file_sets_the_fleet_and_says_so(tmp_path: Path) -> None:
    machine = machine_file(tmp_path, GOOD)
    sourced = settings.load_sourced(tmp_path / "none.json", machine_path=machine)
    s = sourced.settings
    assert (s.hub_url, s.hall, s.ice_policy, s.large_text) == (
        "wss://hub.dg.gov.cn/ws", "东城大厅", "relay", True)
    assert s.host_addresses() == ("10.20.0.5", "10.20.0.6")
    assert s.recording_retention_days == 90
    assert sourced.sources["hub_url"] == str(machine)
    assert sourced.sources["agent_id"] == settings.DEFAULT_SOURCE
    assert sourced.files == (machine,)


def test_the_user_file_wins_over_the_machine_file_and_the_command_line_over_both(
    tmp_path: Path,
) -> None:
    machine = machine_file(tmp_path, GOOD)
    user = tmp_path / "workstation.json"
    user.write_text(json.dumps({"hall": "南城大厅", "large_text": False, "agent_id": "0012"}))
    sourced = settings.load_sourced(user, machine_path=machine, hall="莞城大厅")
    s = sourced.settings
    assert (s.hall, s.large_text, s.agent_id, s.ice_policy) == ("莞城大厅", False, "0012", "relay")
    assert sourced.sources["hall"] == settings.COMMAND_LINE
    assert sourced.sources["large_text"] == str(user)
    assert sourced.sources["ice_policy"] == str(machine)
    text = settings.describe(sourced)
    assert f'hall = "莞城大厅"    # {settings.COMMAND_LINE}' in text
    assert f'hub_url = "wss://hub.dg.gov.cn/ws"    # {machine}' in text
    assert "升级不动" in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('hub_url = "ws://hub.dg.gov.cn/ws"', r"client.toml：hub_url: .*不允许以明文"),
        ('hub_url = ""', r"client.toml：hub_url: must be a wss://"),
        ('hall = 3', "client.toml：hall 应为 字符串，而不是 3"),
        ('ice_policy = "turn"', "client.toml：ice_policy: 应为 hub / relay 之一，而不是 'turn'"),
        ('ice_host_addresses = "10.0.0.300"', "client.toml：ice_host_addresses: 应为逗号分隔的 IP"),
        ('devices = "webcam"', "client.toml：devices: 应为 real / synthetic 之一"),
        ('large_text = "yes"', "client.toml：large_text 应为 true 或 false"),
        ('recording_retention_days = 0', "client.toml：recording_retention_days: 录像保留天数"),
        ('ca_file = "/nonexistent/ca.pem"', "client.toml：ca_file: CA file .*no such file"),
        ('hub_adress = "wss://x/ws"', "client.toml：未知的设置项 'hub_adress'（可用的有：ca_file"),
        ('agent_id = "0012"', "client.toml：agent_id 是每位坐席自己的设置"),
        ('state_dir = "/tmp"', "client.toml：state_dir 是每位坐席自己的设置"),
        ('[client]\nhub_url = "wss://x/ws"', "client.toml：未知的设置项 'client'"),
        ('hub_url = "wss://x/ws', "无法读取配置文件 .*client.toml：Unterminated string"),
    ],
)
def test_a_wrong_machine_file_names_the_file_and_the_key(
    tmp_path: Path, text: str, message: str,
) -> None:
    machine = machine_file(tmp_path, text)
    with pytest.raises(settings.SettingsError, match=message):
        settings.load(tmp_path / "none.json", machine_path=machine)


def test_every_wrong_key_of_a_file_is_named_at_once(tmp_path: Path) -> None:
    machine = machine_file(tmp_path, 'hub_adress = "wss://x/ws"\nhall = 5\nagent_id = "1"\n'
                                     'ice_policy = "turn"\n')
    with pytest.raises(settings.SettingsError) as refused:
        settings.load(tmp_path / "none.json", machine_path=machine)
    lines = str(refused.value).splitlines()
    assert [line.split("：")[1].split(" ")[0] for line in lines] == [
        "未知的设置项", "hall", "agent_id"]
    # The values are checked once the types are right: the next round names ice_policy.
    machine.write_text('ice_policy = "turn"\ndevices = "webcam"\n', encoding="utf-8")
    with pytest.raises(settings.SettingsError) as refused:
        settings.load(tmp_path / "none.json", machine_path=machine)
    assert [line.split("：")[1].split(":")[0] for line in str(refused.value).splitlines()] == [
        "devices", "ice_policy"]


def test_a_wrong_value_in_the_user_file_names_the_user_file(tmp_path: Path) -> None:
    machine = machine_file(tmp_path, GOOD)
    user = tmp_path / "workstation.json"
    user.write_text(json.dumps({"ice_policy": "direct"}))
    with pytest.raises(settings.SettingsError, match=r"workstation.json：ice_policy: 应为"):
        settings.load(user, machine_path=machine)


def test_a_named_machine_file_must_exist_the_default_one_need_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(settings.SettingsError, match=r"找不到全机配置文件 .*nowhere.toml"):
        settings.load(tmp_path / "none.json", machine_path=missing)
    monkeypatch.setenv(settings.MACHINE_CONFIG_ENV, str(missing))
    with pytest.raises(settings.SettingsError, match="找不到全机配置文件"):
        settings.load(tmp_path / "none.json")
    monkeypatch.setenv(settings.MACHINE_CONFIG_ENV, str(machine_file(tmp_path, GOOD)))
    assert settings.load(tmp_path / "none.json").hall == "东城大厅"
    monkeypatch.delenv(settings.MACHINE_CONFIG_ENV)
    if not settings.default_machine_path().exists():
        assert settings.load(tmp_path / "none.json").hall == ""


def test_the_default_machine_file_is_where_an_administrator_looks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings.sys, "platform", "linux")
    assert settings.default_machine_path() == Path("/etc/seat/client.toml")
    monkeypatch.setattr(settings.sys, "platform", "win32")
    monkeypatch.setenv("PROGRAMDATA", "D:\\Data")
    assert settings.default_machine_path() == Path("D:\\Data") / "Seat" / "client.toml"
