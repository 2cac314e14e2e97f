"""Workstation settings: where the hub is, who sits here, language and text size.

Three layers, each checked as it enters, the later winning key by key:

1. the machine-wide file an administrator rolls out to a fleet of counter PCs,
   ``/etc/seat/client.toml`` (Windows: ``%ProgramData%\\Seat\\client.toml``; the
   environment variable ``SEAT_CLIENT_CONFIG`` or ``--machine-config`` name another):
   TOML, the keys of ``MACHINE_KEYS`` (hub, CA, hall, ICE, devices, ...);
2. the agent's own file, ``~/.config/seat/workstation.json`` (JSON, every key);
3. the command line.

An unknown key, a value of the wrong type or a wrong value is a ``SettingsError`` whose
Chinese message names the file (or the command line) and the key, never a silent
default. ``load_sourced`` also tells where each effective value came from
(``seat-client --print-config``).

The hub and the government API are reached over TLS (``wss://``, ``https://``),
their certificates verified against the system store or, with ``ca_file``, the
CAs in that PEM file only (a government intranet's own CA). Plain ``ws://`` and
``http://`` are refused here unless they stay on this machine (loopback).
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final, Literal, get_args

from seat_common import tls
from seat_common.media import ice_policy

Language = Literal["zh_CN", "en"]
#: "real": the PC's camera, microphone and speaker; "synthetic": a test pattern and silence,
#: nothing played (the demo and the benchmarks on a machine without devices)
Devices = Literal["real", "synthetic"]
#: "hub": the ICE servers and policy the hub hands out; "relay": this PC's media goes only
#: through the hub's TURN relays, whatever the hub's policy (a hall network that must not
#: show its addresses)
IceChoice = Literal["hub", "relay"]

#: The environment variable that names the machine-wide file instead of the default.
MACHINE_CONFIG_ENV: Final = "SEAT_CLIENT_CONFIG"
DEFAULT_SOURCE: Final = "默认值 default"
COMMAND_LINE: Final = "命令行 command line"


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class WorkstationSettings:
    """Everything the composition root needs to build the workstation."""

    hub_url: str = "ws://127.0.0.1:8765/ws"
    agent_id: str = ""
    language: Language = "zh_CN"
    large_text: bool = False
    state_dir: str = ""
    #: the government service API (业务受理); its client secret lives in the keyring
    gov_api_url: str = "http://127.0.0.1:8780"
    gov_api_client_id: str = "seat-dongguan"
    #: PEM file of the CAs that vouch for the hub's and the government API's certificates
    #: ("" = the system's trust store)
    ca_file: str = ""
    #: the folder a counter's document camera (高拍仪) saves its captures in ("" = none)
    document_camera_dir: str = ""
    #: call recordings not yet uploaded to the hub are deleted after this (录像保留天数);
    #: an uploaded one is deleted here as soon as the hub confirms it
    recording_retention_days: int = 30
    #: material files in the local cache are deleted after this (材料缓存保留天数)
    material_cache_days: int = 7
    #: accepted or returned applications (the outbox's and their receipts) are deleted after
    #: this; failed and unsent ones stay until the agent deals with them (提交箱保留天数)
    outbox_done_days: int = 30
    devices: Devices = "real"
    #: the hall (大厅) this PC stands in, e.g. "东城大厅" ("" = not said)
    hall: str = ""
    ice_policy: IceChoice = "hub"
    #: the only addresses this PC's media may offer, comma-separated ("" = every interface)
    ice_host_addresses: str = ""

    def checked(self) -> WorkstationSettings:
        """Check every value; raises ``SettingsError`` naming the first wrong key."""
        for key, check in _CHECKS.items():
            problem = check(self)
            if problem:
                raise SettingsError(f"{key}: {problem}")
        return self

    def ca_path(self) -> Path | None:
        """The CA file the hub's and the API's certificates are checked against, if set."""
        return Path(self.ca_file).expanduser() if self.ca_file else None

    def document_camera_path(self) -> Path | None:
        """The document camera's folder, if this seat has one."""
        return Path(self.document_camera_dir).expanduser() if self.document_camera_dir else None

    def devices_path(self) -> Path:
        """Where the agent's choice of camera, microphone and speaker is kept."""
        return self.state_path() / "devices.json"

    def recordings_path(self) -> Path:
        """Where call recordings are kept: ``<state>/recordings``."""
        return self.state_path() / "recordings"

    def state_path(self) -> Path:
        """Where the workstation keeps its window layout, drafts, outbox and recordings: in
        the user's own data, never in the install, so a package upgrade keeps them."""
        base = self.state_dir or os.environ.get("XDG_STATE_HOME", "") or "~/.local/state"
        return Path(base).expanduser() / "seat"

    def host_addresses(self) -> tuple[str, ...]:
        """``ice_host_addresses`` as addresses (checked already)."""
        return ice_policy.parse_addresses(self.ice_host_addresses)


#: The keys the machine-wide file may set: what a fleet shares. Who sits at the PC
#: (agent_id) and where their own data lives (state_dir) are the user's alone.
MACHINE_KEYS: Final = frozenset({
    "hub_url", "ca_file", "hall", "ice_policy", "ice_host_addresses", "devices",
    "gov_api_url", "gov_api_client_id", "language", "large_text", "document_camera_dir",
    "recording_retention_days",
})


def _url(key: str, secure: str) -> Callable[[WorkstationSettings], str]:
    def check(s: WorkstationSettings) -> str:
        try:
            tls.check_url(getattr(s, key), what=key, secure=secure)
        except tls.InsecureUrlError as exc:
            return str(exc).removeprefix(f"{key}: ").removeprefix(f"{key} ")
        return ""
    return check


def _ca_file(s: WorkstationSettings) -> str:
    if not s.ca_file:
        return ""
    try:
        tls.check_ca_file(Path(s.ca_file).expanduser())
    except tls.TlsSetupError as exc:
        return str(exc)
    return ""


def _one_of(key: str, allowed: tuple[str, ...]) -> Callable[[WorkstationSettings], str]:
    def check(s: WorkstationSettings) -> str:
        value = getattr(s, key)
        return "" if value in allowed else f"应为 {' / '.join(allowed)} 之一，而不是 {value!r}"
    return check


def _agent_id(s: WorkstationSettings) -> str:
    if len(s.agent_id) > 64 or not all(c.isalnum() or c in "-_" for c in s.agent_id):
        return "工号只能含字母、数字、'-' 和 '_'，最多 64 个字符"
    return ""


def _days(key: str, label: str) -> Callable[[WorkstationSettings], str]:
    def check(s: WorkstationSettings) -> str:
        days = getattr(s, key)
        return "" if 1 <= days <= 3650 else f"{label}应为 1..3650 天，而不是 {days}"
    return check


def _hall(s: WorkstationSettings) -> str:
    if len(s.hall) > 64 or any(not c.isprintable() for c in s.hall):
        return "大厅名称最多 64 个可见字符"
    return ""


def _host_addresses(s: WorkstationSettings) -> str:
    try:
        ice_policy.parse_addresses(s.ice_host_addresses)
    except ice_policy.IcePolicyError as exc:
        return f"应为逗号分隔的 IP 地址：{str(exc).removeprefix(ice_policy.ENV + ': ')}"
    return ""


_CHECKS: Final[Mapping[str, Callable[[WorkstationSettings], str]]] = {
    "hub_url": _url("hub_url", "wss"),
    "gov_api_url": _url("gov_api_url", "https"),
    "ca_file": _ca_file,
    "gov_api_client_id": lambda s: "" if s.gov_api_client_id.strip() else "不能为空",
    "language": _one_of("language", get_args(Language)),
    "devices": _one_of("devices", get_args(Devices)),
    "ice_policy": _one_of("ice_policy", get_args(IceChoice)),
    "ice_host_addresses": _host_addresses,
    "agent_id": _agent_id,
    "hall": _hall,
    "recording_retention_days": _days("recording_retention_days", "录像保留天数"),
    "material_cache_days": _days("material_cache_days", "材料缓存保留天数"),
    "outbox_done_days": _days("outbox_done_days", "提交箱保留天数"),
}


def default_path() -> Path:
    """The agent's own settings file."""
    base = os.environ.get("XDG_CONFIG_HOME", "") or "~/.config"
    return Path(base).expanduser() / "seat" / "workstation.json"


def default_machine_path() -> Path:
    """The machine-wide file: ``/etc/seat/client.toml``, on Windows in ProgramData."""
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "Seat" / "client.toml"
    return Path("/etc/seat/client.toml")


@dataclass(frozen=True, slots=True)
class SourcedSettings:
    """The effective settings and, per key, where its value came from."""

    settings: WorkstationSettings
    sources: dict[str, str] = field(default_factory=dict)
    #: the files read, in order (machine-wide first)
    files: tuple[Path, ...] = ()
    #: where the machine-wide and the agent's own file are looked for (read or not)
    machine_path: Path | None = None
    user_path: Path | None = None


def load(path: Path | None = None, *, machine_path: Path | None = None,
         **overrides: Any) -> WorkstationSettings:
    """Settings from the machine-wide file, then ``path`` (the agent's own file), then the
    non-None ``overrides`` (the command line); each layer only if it exists."""
    return load_sourced(path, machine_path=machine_path, **overrides).settings


def load_sourced(path: Path | None = None, *, machine_path: Path | None = None,
                 user_file: bool = True, **overrides: Any) -> SourcedSettings:
    """``load``, also saying where each value came from. Without ``user_file`` the
    agent's own file is not read (the seat wall: the machine-wide file, then options)."""
    settings = WorkstationSettings()
    sources = {f.name: DEFAULT_SOURCE for f in fields(WorkstationSettings)}
    files: list[Path] = []
    machine, explicit = _machine_path(machine_path)
    if machine.exists() or explicit:
        raw = _read_toml(machine)
        settings = _apply(settings, raw, str(machine), allowed=MACHINE_KEYS)
        sources.update(dict.fromkeys(raw, str(machine)))
        files.append(machine)
    path = path or default_path()
    if user_file and path.exists():
        raw = _read_json(path)
        settings = _apply(settings, raw, str(path), allowed=None)
        sources.update(dict.fromkeys(raw, str(path)))
        files.append(path)
    given = {k: v for k, v in overrides.items() if v is not None}
    settings = _apply(settings, given, COMMAND_LINE, allowed=None)
    sources.update(dict.fromkeys(given, COMMAND_LINE))
    problems = [f"{sources[key]}：{key}: {problem}"
                for key, check in _CHECKS.items() if (problem := check(settings))]
    if problems:
        raise SettingsError("\n".join(problems))
    return SourcedSettings(settings, sources, tuple(files), machine, path)


def _machine_path(given: Path | None) -> tuple[Path, bool]:
    """The machine-wide file, and whether someone named it (then it must exist)."""
    if given is not None:
        return given, True
    named = os.environ.get(MACHINE_CONFIG_ENV, "")
    if named:
        return Path(named).expanduser(), True
    return default_machine_path(), False


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError as exc:
        raise SettingsError(f"找不到全机配置文件 {path}（由 --machine-config 或"
                            f" {MACHINE_CONFIG_ENV} 指定）") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"无法读取配置文件 {path}：{exc}") from exc


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"无法读取设置文件 {path}：{exc}") from exc


_KINDS: Final = {"bool": (bool, "true 或 false"), "int": (int, "整数")}


def _apply(settings: WorkstationSettings, raw: Any, where: str,
           allowed: frozenset[str] | None) -> WorkstationSettings:
    """``settings`` with the keys of ``raw``; every key is looked at, and all the problems
    found are raised together, one line each, so one round of fixing is enough."""
    if not isinstance(raw, dict):
        raise SettingsError(f"{where}：设置应为一个 JSON 对象（{{...}}）")
    types = {f.name: str(f.type) for f in fields(WorkstationSettings)}
    problems = []
    for key, value in raw.items():
        if key not in types:
            known = ", ".join(sorted(allowed if allowed is not None else types))
            problems.append(f"{where}：未知的设置项 {key!r}（可用的有：{known}）")
        elif allowed is not None and key not in allowed:
            problems.append(f"{where}：{key} 是每位坐席自己的设置，不能写在全机配置里"
                            "（请写在坐席自己的 workstation.json 或命令行）")
        else:
            want, said = _KINDS.get(types[key], (str, "字符串"))
            if not isinstance(value, want) or (want is int and isinstance(value, bool)):
                problems.append(f"{where}：{key} 应为 {said}，而不是 {value!r}")
    if problems:
        raise SettingsError("\n".join(problems))
    return replace(settings, **raw)


def describe(sourced: SourcedSettings) -> str:
    """The effective settings, one per line with where each came from
    (``seat-client --print-config``)."""
    lines = []
    for what, where in (("全机配置 machine-wide", sourced.machine_path),
                       ("坐席设置 the agent's own", sourced.user_path)):
        if where is not None:
            found = "已读取 read" if where in sourced.files else "不存在 absent"
            lines.append(f"# {what}: {where} ({found})")
    for f in fields(WorkstationSettings):
        value = getattr(sourced.settings, f.name)
        shown = json.dumps(value, ensure_ascii=False)
        lines.append(f"{f.name} = {shown}    # {sourced.sources.get(f.name, DEFAULT_SOURCE)}")
    state = sourced.settings.state_path()
    lines.append(f"# 数据目录（待发件、录像、窗口布局；升级不动）state: {state}")
    return "\n".join(lines)
