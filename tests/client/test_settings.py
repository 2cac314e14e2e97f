"""Settings from a file are checked where they enter: bad ones name the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seat_client import settings


def test_file_then_options(tmp_path: Path) -> None:
    path = tmp_path / "ws.json"
    path.write_text(json.dumps({"hub_url": "wss://10.0.0.5:9000/ws", "agent_id": "0012"}))
    loaded = settings.load(path, language="en")
    assert loaded.hub_url == "wss://10.0.0.5:9000/ws"
    assert loaded.agent_id == "0012"
    assert loaded.language == "en"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"hub_url": "http://x"}', "ws://"),
        ('{"colour": "red"}', "ws.json：未知的设置项 'colour'"),
        ('{"large_text": "yes"}', "ws.json：large_text 应为 true 或 false"),
        ('{"language": "fr"}', "ws.json：language: 应为 zh_CN / en 之一"),
        ('{"devices": "fake"}', "ws.json：devices: 应为 real / synthetic 之一"),
        ('{"agent_id": "../../etc"}', "ws.json：agent_id: 工号只能含"),
        ("[1, 2]", "ws.json：设置应为一个 JSON 对象"),
        ("{not json", "无法读取设置文件 .*ws.json"),
    ],
)
def test_bad_settings_are_refused_with_the_key(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "ws.json"
    path.write_text(content)
    with pytest.raises(settings.SettingsError, match=message):
        settings.load(path)


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert settings.load(tmp_path / "none.json").language == "zh_CN"


@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("hub_url", "ws://10.0.0.5:9000/ws"),
        ("hub_url", "ws://hub.dg.gov.cn/ws"),
        ("hub_url", "ws://127.0.0.1.example.com/ws"),  # a name that only looks like loopback
        ("hub_url", "ws://localhost.example.com/ws"),
        ("gov_api_url", "http://api.dg.gov.cn"),
        ("gov_api_url", "http://192.168.1.20:8780"),
    ],
)
def test_plain_text_off_this_machine_is_refused(tmp_path: Path, key: str, url: str) -> None:
    path = tmp_path / "ws.json"
    path.write_text(json.dumps({key: url}))
    with pytest.raises(settings.SettingsError,
                       match=rf"{key}: .*only for this machine.*不允许以明文") as refused:
        settings.load(path)
    assert ("wss://" if key == "hub_url" else "https://") in str(refused.value)


@pytest.mark.parametrize(
    ("hub", "api"),
    [
        ("ws://127.0.0.1:8765/ws", "http://127.0.0.1:8780"),
        ("ws://127.8.9.10:8765/ws", "http://127.0.0.2:8780"),  # all of 127.0.0.0/8
        ("ws://localhost:8765/ws", "http://localhost:8780"),
        ("ws://[::1]:8765/ws", "http://[::1]:8780"),
        ("wss://hub.dg.gov.cn/ws", "https://api.dg.gov.cn"),
        ("wss://10.0.0.5:9000/ws", "https://10.0.0.6"),
    ],
)
def test_loopback_in_clear_and_tls_anywhere_are_accepted(hub: str, api: str) -> None:
    loaded = settings.load(Path("/nonexistent/ws.json"), hub_url=hub, gov_api_url=api)
    assert (loaded.hub_url, loaded.gov_api_url) == (hub, api)


def test_a_ca_file_must_hold_a_certificate(tmp_path: Path) -> None:
    missing = tmp_path / "none.pem"
    with pytest.raises(settings.SettingsError,
                       match=r"命令行 command line：ca_file: CA file .*none.pem: no such file"):
        settings.load(tmp_path / "ws.json", ca_file=str(missing))
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(settings.SettingsError, match=r"ca_file: .*holds no PEM certificate"):
        settings.load(tmp_path / "ws.json", ca_file=str(garbage))
