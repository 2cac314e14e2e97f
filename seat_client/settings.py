"""Workstation settings: where the hub is, who sits here, language and text size.

Read from a JSON file (``~/.config/seat/workstation.json`` by default) and
checked as they enter: an unknown key or a wrong value is an error naming
the key, not a silent default. Command-line options override the file.

The hub and the government API are reached over TLS (``wss://``, ``https://``),
their certificates verified against the system store or, with ``ca_file``, the
CAs in that PEM file only (a government intranet's own CA). Plain ``ws://`` and
``http://`` are refused here unless they stay on this machine (loopback).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args

from seat_common import tls

Language = Literal["zh_CN", "en"]
#: "real": the PC's camera, microphone and speaker; "synthetic": a test pattern and silence,
#: nothing played (the demo and the benchmarks on a machine without devices)
Devices = Literal["real", "synthetic"]


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names it."""


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

    def checked(self) -> WorkstationSettings:
        try:
            tls.check_url(self.hub_url, what="hub_url", secure="wss")
            tls.check_url(self.gov_api_url, what="gov_api_url", secure="https")
            if self.ca_file:
                tls.check_ca_file(Path(self.ca_file).expanduser())
        except tls.InsecureUrlError as exc:
            raise SettingsError(str(exc)) from exc
        except tls.TlsSetupError as exc:
            raise SettingsError(f"ca_file: {exc}") from exc
        if not self.gov_api_client_id.strip():
            raise SettingsError("gov_api_client_id must not be empty")
        if self.language not in get_args(Language):
            raise SettingsError(f"language must be one of {get_args(Language)}")
        if self.devices not in get_args(Devices):
            raise SettingsError(f"devices must be one of {get_args(Devices)}")
        if len(self.agent_id) > 64 or not all(c.isalnum() or c in "-_" for c in self.agent_id):
            raise SettingsError("agent_id may hold only letters, digits, '-' and '_'")
        for name, label in (("recording_retention_days", "录像保留天数"),
                            ("material_cache_days", "材料缓存保留天数"),
                            ("outbox_done_days", "提交箱保留天数")):
            days = getattr(self, name)
            if not 1 <= days <= 3650:
                raise SettingsError(f"{name} ({label}) must be 1..3650 days, not {days}")
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
        """Where the workstation keeps its window layout and drafts."""
        base = self.state_dir or os.environ.get("XDG_STATE_HOME", "") or "~/.local/state"
        return Path(base).expanduser() / "seat"


def default_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME", "") or "~/.config"
    return Path(base).expanduser() / "seat" / "workstation.json"


def load(path: Path | None = None, **overrides: Any) -> WorkstationSettings:
    """Settings from ``path`` (if it exists), then the non-None ``overrides``."""
    settings = WorkstationSettings()
    path = path or default_path()
    if path.exists():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SettingsError(f"cannot read settings {path}: {exc}") from exc
        settings = _apply(settings, raw, str(path))
    settings = _apply(settings, {k: v for k, v in overrides.items() if v is not None}, "options")
    return settings.checked()


def _apply(settings: WorkstationSettings, raw: Any, where: str) -> WorkstationSettings:
    if not isinstance(raw, dict):
        raise SettingsError(f"{where}: settings must be a JSON object")
    types = {f.name: f.type for f in fields(WorkstationSettings)}
    for key, value in raw.items():
        if key not in types:
            raise SettingsError(f"{where}: unknown setting {key!r}")
        want = {"bool": bool, "int": int}.get(str(types[key]), str)
        if not isinstance(value, want) or (want is int and isinstance(value, bool)):
            article = "an" if want is int else "a"
            raise SettingsError(f"{where}: {key} must be {article} {want.__name__}")
    return replace(settings, **raw)
