"""The seat's real devices: one camera, one microphone, one speaker, kept working.

``SeatDevices`` is ``SeatMedia`` (``seat_client.media.devices``) on Qt Multimedia. It
opens the devices the agent chose (``devices.json``), or the next best, and keeps them:

- a device that fails or is pulled out is replaced by the next one, with a notice
  ("麦克风「…」已断开，已改用「…」"); with none left, the notice says so and the call
  goes on without it (no camera: black frames, and the citizen is told);
- a device plugged in is listed at once; it is opened if the seat had none of its kind,
  or if it is the one the agent chose;
- ``choose`` switches a device live and remembers it.

The microphone goes through WebRTC's echo canceller unless the agent turned it off;
the speaker plays the far voice through a ``VoicePlayout`` and short chimes (the test
tone) beside it. Events: ``notice`` (text for the status bar), ``changed`` (a device
was opened, closed or failed: the settings page and the call's camera state follow).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from PyQt6.QtCore import QCoreApplication, QObject, pyqtSignal, pyqtSlot
from PyQt6.QtMultimedia import QAudioDevice, QCameraDevice

from seat_client.media.capture import CapturedVideoTrack, CapturedVoiceTrack, VideoFeed, VoiceFeed
from seat_client.media.devices import (
    DeviceChoice,
    DeviceChoiceError,
    DeviceKind,
    DeviceProblem,
    ProblemCode,
    load_choice,
    save_choice,
)
from seat_client.media.echo import EchoCanceller
from seat_client.media.local_media import CameraTrack, GatedAudioTrack
from seat_client.media.playout import VoicePlayout
from ui.devices.audio_thread import AudioThread
from ui.devices.camera import Camera
from ui.devices.microphone import Microphone
from ui.devices.registry import DeviceRegistry, device_id
from ui.devices.speaker import Speaker

log = logging.getLogger(__name__)
translate = QCoreApplication.translate
Samples = npt.NDArray[np.int16]
_KINDS: dict[str, DeviceKind] = {"camera": "camera", "microphone": "microphone",
                                 "speaker": "speaker"}
_CAMERA_PROBLEMS: dict[str, ProblemCode] = {"refused": "refused", "busy": "busy"}


def kind_label(kind: DeviceKind) -> str:
    return {
        "camera": translate("devices", "Camera"),
        "microphone": translate("devices", "Microphone"),
        "speaker": translate("devices", "Speaker"),
    }[kind]


class Chimes:
    """Short sounds the speaker plays beside the far voice (the test tone); played from
    the GUI thread, pulled from the audio thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Samples = np.zeros(0, np.int16)

    def play(self, samples: Samples) -> None:
        with self._lock:
            self._pending = np.concatenate((self._pending, samples))

    def pull(self, count: int) -> Samples:
        out = np.zeros(count, np.int16)
        with self._lock:
            taken = self._pending[:count]
            self._pending = self._pending[taken.size :]
        out[: taken.size] = taken
        return out


class SeatDevices(QObject):
    """The seat's camera, microphone and speaker (see the module docstring)."""

    notice = pyqtSignal(str)
    changed = pyqtSignal()

    def __init__(self, choice_path: Path, *, with_camera: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.choice_path = choice_path
        self.problems: dict[DeviceKind, DeviceProblem] = {}
        try:
            self.choice = load_choice(choice_path)
        except DeviceChoiceError as exc:
            log.warning("device choice ignored: %s", exc)
            self.choice = DeviceChoice()
        self.with_camera = with_camera
        self.registry = DeviceRegistry(self)
        self.video = VideoFeed()
        self.voice = VoiceFeed()
        self.echo = EchoCanceller() if self.choice.echo_cancellation else None
        self.playout = VoicePlayout()
        self.chimes = Chimes()
        self.camera = Camera(self.video, self)
        self.audio = AudioThread()
        self.microphone = Microphone(self.voice, self.echo, audio=self.audio)
        self.speaker = Speaker(self.echo, audio=self.audio)
        self.speaker.sources += [self.playout.pull, self.chimes.pull]
        self.camera.failed.connect(self._on_camera_failed)
        # Told on the audio thread; the slots of this GUI-thread object run queued here.
        self.microphone.lost.connect(self._microphone_lost)
        self.speaker.lost.connect(self._speaker_lost)
        self.registry.changed.connect(self._on_list_changed)

    # --- SeatMedia ---------------------------------------------------------------------

    @property
    def camera_available(self) -> bool:
        return self.camera.is_open

    def call_media(self) -> tuple[CameraTrack, GatedAudioTrack]:
        return CapturedVideoTrack(self.video), self.microphone_track()

    def microphone_track(self) -> GatedAudioTrack:
        return GatedAudioTrack(CapturedVoiceTrack(self.voice))

    def hear(self, frame: av.AudioFrame) -> None:
        self.playout.push(frame)

    def stop_hearing(self) -> None:
        self.playout.clear()

    # --- the devices ---------------------------------------------------------------------

    def start(self) -> None:
        """Open the chosen devices (or the next best)."""
        kinds: tuple[DeviceKind, ...] = ("microphone", "speaker")
        for kind in (("camera", *kinds) if self.with_camera else kinds):
            self._open_best(kind)

    def close(self) -> None:
        self.registry.close()
        self.camera.close()
        self.microphone.close()
        self.speaker.close()
        self.audio.stop()

    def current(self, kind: DeviceKind) -> QAudioDevice | QCameraDevice | None:
        if kind == "camera":
            return self.camera.device
        return self.microphone.device if kind == "microphone" else self.speaker.device

    def reopen(self, kind: DeviceKind) -> bool:
        """Try ``kind`` again if it is not open (the device check); whether it is open now."""
        part: Camera | Microphone | Speaker = self.camera if kind == "camera" else (
            self.microphone if kind == "microphone" else self.speaker)
        if not part.is_open:
            self._open_best(kind)
        return part.is_open

    def choose(self, kind: DeviceKind, wanted: str) -> None:
        """Use device ``wanted`` for ``kind`` from now on (remembered)."""
        values = {"camera": self.choice.camera, "microphone": self.choice.microphone,
                  "speaker": self.choice.speaker, kind: wanted}
        self.choice = DeviceChoice(values["camera"], values["microphone"], values["speaker"],
                                   self.choice.echo_cancellation)
        save_choice(self.choice_path, self.choice)
        self._open_best(kind)

    def set_echo_cancellation(self, on: bool) -> None:
        self.choice = DeviceChoice(self.choice.camera, self.choice.microphone,
                                   self.choice.speaker, on)
        save_choice(self.choice_path, self.choice)
        if self.echo is not None:
            self.echo.enabled = on
        elif on:
            self.echo = EchoCanceller()
            self.microphone.echo = self.speaker.echo = self.echo

    def play_test_tone(self) -> None:
        """A short two-note chime on the speaker (播放测试音)."""
        rate = 48_000
        notes = []
        for frequency in (660.0, 880.0):
            t = np.arange(int(0.25 * rate)) / rate
            envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
            notes.append(np.sin(2 * np.pi * frequency * t) * envelope * 0.3)
        self.chimes.play(np.round(np.concatenate(notes) * 32767).astype(np.int16))

    # --- keeping them working ------------------------------------------------------------------

    def _open_best(self, kind: DeviceKind) -> None:
        wanted = self.choice.device(kind)
        device = self.registry.best(kind, wanted)
        if device is None:
            self._close(kind)
            self._set_problem(kind, "missing")
            return
        if self._is_current(kind, device):
            return
        if self._open(kind, device):
            self.problems.pop(kind, None)
        else:
            self._set_problem(kind, "failed", device.description())
        self.changed.emit()

    def _open(self, kind: DeviceKind, device: QAudioDevice | QCameraDevice) -> bool:
        if kind == "camera":
            assert isinstance(device, QCameraDevice)
            return self.camera.open(device)
        assert isinstance(device, QAudioDevice)
        part = self.microphone if kind == "microphone" else self.speaker
        return part.open(device)

    def _close(self, kind: DeviceKind) -> None:
        if kind == "camera":
            self.camera.close()
        elif kind == "microphone":
            self.microphone.close()
        else:
            self.speaker.close()
        self.changed.emit()

    def _is_current(self, kind: DeviceKind, device: QAudioDevice | QCameraDevice) -> bool:
        current = self.current(kind)
        return current is not None and device_id(current) == device_id(device)

    @pyqtSlot()
    def _microphone_lost(self) -> None:
        self._replace("microphone", gone=self.current("microphone"))

    @pyqtSlot()
    def _speaker_lost(self) -> None:
        self._replace("speaker", gone=self.current("speaker"))

    def _on_camera_failed(self, reason: str) -> None:
        name = self.camera.device.description() if self.camera.device else ""
        self._set_problem("camera", _CAMERA_PROBLEMS.get(reason, "failed"), name)
        self.changed.emit()

    def _on_list_changed(self, kind: str) -> None:
        which = _KINDS.get(kind)
        if which is None or (which == "camera" and not self.with_camera):
            return
        current = self.current(which)
        if current is not None and not self.registry.present(which, device_id(current)):
            self._replace(which, gone=current)
            return
        best = self.registry.best(which, self.choice.device(which))
        if best is None or (current is not None and self._is_current(which, best)):
            return
        if current is None or device_id(best) == self.choice.device(which):
            self._open_best(which)
            if self._is_current(which, best):
                self.notice.emit(translate("devices", "{kind} “{name}” is connected and in use")
                                 .format(kind=kind_label(which), name=best.description()))

    def _replace(self, kind: DeviceKind, gone: QAudioDevice | QCameraDevice | None) -> None:
        name = gone.description() if gone is not None else ""
        self._close(kind)
        wanted = self.choice.device(kind)
        others = [d for d in self.registry.devices(kind)
                  if gone is None or device_id(d) != device_id(gone)]
        device = next((d for d in others if device_id(d) == wanted), None) or next(
            (d for d in others if d.isDefault()), None) or (others[0] if others else None)
        if device is not None and self._open(kind, device):
            self.problems.pop(kind, None)
            self.notice.emit(translate("devices", "{kind} “{old}” was disconnected; now using"
                                       " “{new}”").format(kind=kind_label(kind), old=name,
                                                          new=device.description()))
        else:
            self._set_problem(kind, "missing", name)
            self.notice.emit(translate("devices", "{kind} “{old}” was disconnected and no other"
                                       " is available").format(kind=kind_label(kind), old=name))
        self.changed.emit()

    def _set_problem(self, kind: DeviceKind, code: ProblemCode, device: str = "") -> None:
        self.problems[kind] = DeviceProblem(kind, code, device)
