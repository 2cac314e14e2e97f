"""What a seat's calls need from its devices, and which devices the agent chose.

``SeatMedia`` is the port between calls and devices: a call takes a camera track and a
microphone track from it (``call_media``), a supervisor's barge-in a microphone track
(``microphone_track``), and hands it what the far end says (``hear``) until the call
ends (``stop_hearing``). Two implementations:

- ``ui.devices.seat_devices.SeatDevices``: the real camera, microphone and speaker
  through Qt Multimedia;
- ``SyntheticMedia``: a test pattern and silence, and nothing played (``--devices
  synthetic``: the demo and the benchmarks on a machine without devices).

``DeviceChoice`` is the agent's choice of camera, microphone and speaker (device ids;
empty means the system's default), kept per workstation in ``devices.json`` in the
state folder and checked as it is read. ``DeviceProblem`` names what a device check
found wrong, for the pre-call check and the notices.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Literal, Protocol, get_args

import av

from seat_client.media.local_media import CameraTrack, GatedAudioTrack, PatternCameraTrack

log = logging.getLogger(__name__)

DeviceKind = Literal["camera", "microphone", "speaker"]
#: What a check can find: no such device, held by another program, access refused by the
#: system, a microphone that hears nothing, any other failure.
ProblemCode = Literal["missing", "busy", "refused", "silent", "failed"]


class SeatMedia(Protocol):
    """A seat's devices as its calls see them."""

    @property
    def camera_available(self) -> bool: ...

    def call_media(self) -> tuple[CameraTrack, GatedAudioTrack]:
        """New camera and microphone tracks for one call (stopped with it)."""
        ...

    def microphone_track(self) -> GatedAudioTrack:
        """A new microphone track (a supervisor's barge-in)."""
        ...

    def hear(self, frame: av.AudioFrame) -> None:
        """A frame of the far end's voice, to be played."""
        ...

    def stop_hearing(self) -> None:
        """The far end is gone: drop what is still waiting to be played."""
        ...


class SyntheticMedia:
    """No devices: a test pattern, silence, and nothing played."""

    camera_available = True

    def call_media(self) -> tuple[CameraTrack, GatedAudioTrack]:
        return PatternCameraTrack(), GatedAudioTrack()

    def microphone_track(self) -> GatedAudioTrack:
        return GatedAudioTrack()

    def hear(self, frame: av.AudioFrame) -> None:
        return None

    def stop_hearing(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class DeviceProblem:
    """Something wrong with one device (``device``: its name, if there is one)."""

    kind: DeviceKind
    code: ProblemCode
    device: str = ""


@dataclass(frozen=True, slots=True)
class DeviceChoice:
    """The devices this workstation uses (ids; "" is the system's default)."""

    camera: str = ""
    microphone: str = ""
    speaker: str = ""
    #: WebRTC's echo cancellation and noise suppression on the microphone
    echo_cancellation: bool = True

    def device(self, kind: DeviceKind) -> str:
        chosen: str = getattr(self, kind)
        return chosen


class DeviceChoiceError(ValueError):
    """``devices.json`` is not what this workstation wrote; the message says why."""


def load_choice(path: Path) -> DeviceChoice:
    """The choice kept at ``path`` (the defaults if there is none yet)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DeviceChoice()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DeviceChoiceError(f"{path}: not readable JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise DeviceChoiceError(f"{path}: expected an object")
    known = {f.name: f for f in fields(DeviceChoice)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise DeviceChoiceError(f"{path}: unknown keys {unknown}")
    for key, value in raw.items():
        wanted = bool if key == "echo_cancellation" else str
        if not isinstance(value, wanted) or (isinstance(value, str) and len(value) > 512):
            raise DeviceChoiceError(f"{path}: {key} must be a {wanted.__name__}")
    return DeviceChoice(**raw)


def save_choice(path: Path, choice: DeviceChoice) -> None:
    """Keep ``choice`` at ``path`` (written whole, then renamed: never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(asdict(choice), ensure_ascii=False, indent=1),
                       encoding="utf-8")
    os.replace(partial, path)


def kinds() -> tuple[DeviceKind, ...]:
    return get_args(DeviceKind)
