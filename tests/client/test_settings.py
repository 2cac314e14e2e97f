"""Settings from a file are checked where they enter: bad ones name the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seat_client import settings


def test_file_then_options(tmp_path: Path) -> None:
    path = tmp_path / "ws.json"
    path.write_text(json.dumps({"hub_url": "ws://10.0.0.5:9000/ws", "agent_id": "0012"}))
    loaded = settings.load(path, language="en")
    assert loaded.hub_url == "ws://10.0.0.5:9000/ws"
    assert loaded.agent_id == "0012"
    assert loaded.language == "en"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"hub_url": "http://x"}', "ws://"),
        ('{"colour": "red"}', "unknown setting 'colour'"),
        ('{"large_text": "yes"}', "large_text must be a bool"),
        ('{"language": "fr"}', "language must be one of"),
        ('{"devices": "fake"}', "devices must be one of"),
        ('{"agent_id": "../../etc"}', "agent_id"),
        ("[1, 2]", "must be a JSON object"),
        ("{not json", "cannot read settings"),
    ],
)
def test_bad_settings_are_refused_with_the_key(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "ws.json"
    path.write_text(content)
    with pytest.raises(settings.SettingsError, match=message):
        settings.load(path)


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert settings.load(tmp_path / "none.json").language == "zh_CN"
