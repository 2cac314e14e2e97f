"""``seat-hub --config FILE``: the hub's options from a TOML file (``/etc/seat/hub.toml``).

Every key is an option of ``seat-hub`` spelled with underscores (``ring_timeout = 15`` is
``--ring-timeout 15``); the command line wins over the file. Each key is checked where it
enters: an unknown key, a value of the wrong type or outside its range stops the hub
with a Chinese message that names the file and the key.

    host = "0.0.0.0"
    port = 8765
    seats = "/var/lib/seat/seats.json"
    db = "/var/lib/seat/ledger.sqlite3"
    record_calls = true
    stun = ["stun:stun.dg.gov.cn:3478"]

The file's values become the parser's defaults (so anything on the command line wins),
and the same range checks as the command line's are run on the file's values alone
first, so an error is blamed on the file only when it comes from the file.
"""

from __future__ import annotations

import argparse
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

#: Options that are not settings: they never come from the file.
_NOT_KEYS = frozenset({"help", "version", "config", "tls", "ice"})


class HubConfigError(Exception):
    """The config file is missing, unreadable or wrong; the message is for the operator."""


def _where(path: Path, key: str) -> str:
    return f"配置文件有误 / bad config: {path}：{key}"


def _option_actions(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    actions: dict[str, argparse.Action] = {}
    for action in parser._actions:  # argparse offers no public list of its actions
        if action.option_strings and action.dest not in _NOT_KEYS:
            actions[action.dest] = action
    return actions


def load(path: Path, parser: argparse.ArgumentParser) -> dict[str, object]:
    """The file's settings, each checked for its key and type, as argparse dests."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise HubConfigError(f"配置文件不存在 / config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HubConfigError(f"配置文件无法读取 / cannot read config: {path}：{exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HubConfigError(f"配置文件不是有效的 TOML / not TOML: {path}：{exc}") from None
    actions = _option_actions(parser)
    values: dict[str, object] = {}
    for key, value in raw.items():
        action = actions.get(key)
        if action is None:
            known = ", ".join(sorted(actions))
            raise HubConfigError(f"{_where(path, key)}：未知的设置项（可用的有：{known}）")
        values[key] = _value(path, key, value, action)
    return values


def _value(path: Path, key: str, value: object, action: argparse.Action) -> object:
    where = _where(path, key)
    if isinstance(action, argparse.BooleanOptionalAction):
        if not isinstance(value, bool):
            raise HubConfigError(f"{where} 应为 true 或 false，而不是 {value!r}")
        return value
    if isinstance(action, argparse._AppendAction):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise HubConfigError(f"{where} 应为字符串列表，如 [\"…\"]，而不是 {value!r}")
        return list(value)
    kind: Callable[[str], object] | None = action.type  # type: ignore[assignment]
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise HubConfigError(f"{where} 应为整数，而不是 {value!r}")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise HubConfigError(f"{where} 应为数字，而不是 {value!r}")
        return float(value)
    if not isinstance(value, str) or not value:
        raise HubConfigError(f"{where} 应为非空字符串，而不是 {value!r}")
    if action.choices is not None and value not in action.choices:
        allowed = " / ".join(str(c) for c in action.choices)
        raise HubConfigError(f"{where} 应为 {allowed} 之一，而不是 {value!r}")
    if kind is Path:
        return Path(value)
    return value


def as_arguments(values: dict[str, object], parser: argparse.ArgumentParser) -> list[str]:
    """The file's values as the command line that would say the same (for the range checks)."""
    actions = _option_actions(parser)
    argv: list[str] = []
    for key, value in values.items():
        option = actions[key].option_strings[0]
        if isinstance(value, bool):
            argv.append(option if value else "--no-" + option.removeprefix("--"))
        elif isinstance(value, list):
            for item in value:
                argv += [option, str(item)]
        else:
            argv += [option, str(value)]
    return argv


def blame(path: Path, message: str) -> str:
    """A range check's message about a value from the file, naming the file and the key."""
    found = re.search(r"--([a-z][a-z0-9-]*)", message)
    key = found.group(1).replace("-", "_") if found else "?"
    return f"{_where(path, key)} 的值不在允许的范围内：{message}"
