"""Which cameras, microphones and speakers this PC has, now, and which one to use.

``DeviceRegistry`` lists the devices Qt Multimedia sees and says when the list changes
(``changed``, with the kind: a headset plugged in or pulled out, no restart needed).
Qt's PulseAudio backend signals a device that appears but never drops one that goes
(Qt 6.11), so sound devices are also checked against the sound server's own list
(``seat_client.media.sound_server``), and the lists compared every ``POLL_MS``.
``best`` picks the device to use for a kind: the one asked for if it is there, else the
system's default, else the first; None when there is none at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from PyQt6.QtCore import QObject, QTimer, pyqtSignal
from PyQt6.QtMultimedia import QAudioDevice, QCameraDevice, QMediaDevices

from seat_client.media.devices import DeviceKind
from seat_client.media.sound_server import SoundServer

KINDS: Final[tuple[DeviceKind, ...]] = ("camera", "microphone", "speaker")

Device = QAudioDevice | QCameraDevice
POLL_MS: Final = 1000


@dataclass(frozen=True, slots=True)
class Listed:
    """One device as the settings page shows it."""

    kind: DeviceKind
    id: str
    name: str
    is_default: bool


def device_id(device: Device) -> str:
    return bytes(device.id().data()).decode("utf-8", "replace")


class DeviceRegistry(QObject):
    """The devices of this PC (see the module docstring)."""

    changed = pyqtSignal(str)  # the DeviceKind whose list changed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = SoundServer()
        self._live = self._server.live_devices()
        self._media = QMediaDevices(self)
        self._media.videoInputsChanged.connect(self._compare)
        self._media.audioInputsChanged.connect(self._compare)
        self._media.audioOutputsChanged.connect(self._compare)
        self._seen = {kind: self._ids(kind) for kind in KINDS}
        self._poll = QTimer(self)
        self._poll.timeout.connect(self._compare)
        self._poll.start(POLL_MS)

    def _ids(self, kind: DeviceKind) -> tuple[str, ...]:
        return tuple(device_id(d) for d in self.devices(kind))

    def _compare(self) -> None:
        self._live = self._server.live_devices()
        for kind in KINDS:
            ids = self._ids(kind)
            if ids != self._seen[kind]:
                self._seen[kind] = ids
                self.changed.emit(kind)

    def devices(self, kind: DeviceKind) -> list[Device]:
        if kind == "camera":
            return list(QMediaDevices.videoInputs())
        listed = QMediaDevices.audioInputs() if kind == "microphone" else (
            QMediaDevices.audioOutputs())
        if self._live is None:
            return list(listed)
        live = self._live.inputs if kind == "microphone" else self._live.outputs
        return [device for device in listed if device_id(device) in live]

    def listed(self, kind: DeviceKind) -> list[Listed]:
        return [Listed(kind, device_id(d), d.description() or device_id(d), d.isDefault())
                for d in self.devices(kind)]

    def best(self, kind: DeviceKind, wanted: str = "") -> Device | None:
        devices = self.devices(kind)
        for device in devices:
            if wanted and device_id(device) == wanted:
                return device
        for device in devices:
            if device.isDefault():
                return device
        return devices[0] if devices else None

    def present(self, kind: DeviceKind, device_id_: str) -> bool:
        return any(device_id(d) == device_id_ for d in self.devices(kind))

    def close(self) -> None:
        """Stop following the PC's devices: nothing is told after this."""
        if not self._poll.isActive():
            return
        self._poll.stop()
        for signal in (self._media.videoInputsChanged, self._media.audioInputsChanged,
                       self._media.audioOutputsChanged):
            signal.disconnect(self._compare)
        self._server.close()
