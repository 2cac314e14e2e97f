"""The device check (设备检测): does each device the seat uses work, and if not, why.

``run_check`` looks at the seat's devices as a call would use them, all three at once:

- camera: none listed → ``missing``; one that will not open, or fails while checked, says
  why (``refused``, ``busy``, ``failed``); open but no frame within ``CAMERA_WAIT_S`` →
  ``failed``;
- microphone: none → ``missing``; will not open, or gives no sound at all → ``failed``;
  nothing louder than ``SILENT_BELOW_DBFS`` while listening (``listen_s``) → ``silent``:
  a real microphone always hears some room noise, so this is a dead or muted one;
- speaker: none → ``missing``; will not open, or takes no more than its buffer within
  ``SPEAKER_WAIT_S`` (a stalled device) → ``failed``.

A device that is not open is tried once more first (``SeatDevices.reopen``): the agent
who fixed something and checks again should not have to restart.

``problem_text`` and ``short_problem_text`` are the words for a problem, in one place, so
the status bar, the device button and the dialogs say the same.

``DeviceCheck`` runs the check for one seat (one run at a time: asking while one runs
joins it) and keeps what it found while the same devices stay in use; a device that
changes since (plugged in, switched, lost) is judged by the seat's own state again.
Signals: ``started``, ``finished(CheckReport)``, ``changed`` (the known problems may
have changed).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from PyQt6.QtCore import QCoreApplication, QObject, pyqtSignal

from seat_client.media.devices import DeviceKind, DeviceProblem, ProblemCode
from seat_common.tasks import TaskOwner
from ui.devices.registry import device_id
from ui.devices.seat_devices import SeatDevices, kind_label
from ui.devices.speaker import BUFFER_BYTES as SPEAKER_BUFFER_BYTES

translate = QCoreApplication.translate

#: How long the microphone is listened to.
LISTEN_S: Final = 1.5
#: A microphone whose loudest read stays at or below this hears nothing at all.
SILENT_BELOW_DBFS: Final = -70.0
#: An open microphone must deliver its first samples within this.
MICROPHONE_START_S: Final = 2.0
#: An open camera must deliver a frame within this.
CAMERA_WAIT_S: Final = 3.0
#: An open speaker must take more than its buffer within this (or while listening).
SPEAKER_WAIT_S: Final = 1.0
_SPEAKER_BUFFER_SAMPLES: Final = SPEAKER_BUFFER_BYTES // 2
_POLL_S: Final = 0.01
#: The order problems are told in: what stops a call first.
SEVERITY: Final[tuple[DeviceKind, ...]] = ("microphone", "speaker", "camera")


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What one check found: per kind checked, None (it works) or its problem; and which
    device of each kind was in use (``in_use``), so a later change shows the finding is old."""

    results: Mapping[DeviceKind, DeviceProblem | None]
    checked: Mapping[DeviceKind, str] = field(default_factory=dict)
    finished_at: float = 0.0

    def problem(self, kind: DeviceKind) -> DeviceProblem | None:
        return self.results.get(kind)

    @property
    def problems(self) -> list[DeviceProblem]:
        """The problems found, the most serious first."""
        found = (self.results.get(kind) for kind in SEVERITY)
        return [problem for problem in found if problem is not None]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def blocks_ready(self) -> bool:
        """The microphone or the speaker does not work: a call would not be heard."""
        return any(p.kind in ("microphone", "speaker") for p in self.problems)


def in_use(devices: SeatDevices, kind: DeviceKind) -> str:
    """Which device of ``kind`` is in use now ("" for none; a camera fed by a program has
    no device: "input")."""
    current = devices.current(kind)
    if current is not None:
        return device_id(current)
    return "input" if kind == "camera" and devices.camera.is_open else ""


async def run_check(devices: SeatDevices, *, listen_s: float = LISTEN_S) -> CheckReport:
    """Check the seat's devices (see the module docstring); takes about ``listen_s``, up to
    ``CAMERA_WAIT_S`` for a camera that shows nothing."""
    checks: dict[DeviceKind, Awaitable[DeviceProblem | None]] = {
        "microphone": _check_microphone(devices, listen_s),
        "speaker": _check_speaker(devices, max(SPEAKER_WAIT_S, listen_s)),
    }
    if devices.with_camera:
        checks["camera"] = _check_camera(devices)
    found = await asyncio.gather(*checks.values())
    results = dict(zip(checks, found, strict=True))
    return CheckReport(results, {kind: in_use(devices, kind) for kind in results},
                       time.monotonic())


async def _until(condition: Callable[[], bool], seconds: float) -> bool:
    """Whether ``condition`` came true within ``seconds`` (polled on the event loop)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(_POLL_S)
    return True


def _best_name(devices: SeatDevices, kind: DeviceKind) -> str:
    current = devices.current(kind) or devices.registry.best(kind, devices.choice.device(kind))
    return current.description() if current is not None else ""


def _not_open(devices: SeatDevices, kind: DeviceKind) -> DeviceProblem | None:
    """The problem of a device that is not open, after one more try (None: open now)."""
    if devices.reopen(kind):
        return None
    if not devices.registry.devices(kind):
        return DeviceProblem(kind, "missing")
    known = devices.problems.get(kind)
    if known is not None and known.code in ("busy", "refused"):
        return known
    return DeviceProblem(kind, "failed", _best_name(devices, kind))


async def _check_camera(devices: SeatDevices) -> DeviceProblem | None:
    camera = devices.camera
    reasons: list[str] = []

    def on_failed(reason: str) -> None:
        reasons.append(reason)

    camera.failed.connect(on_failed)
    try:
        if not camera.is_open:
            problem = _not_open(devices, "camera")
            if reasons:  # it said why it would not open
                return _camera_failure(reasons, _best_name(devices, "camera"))
            if problem is not None:
                return problem
        name = _best_name(devices, "camera")
        first = camera.frames
        await _until(lambda: camera.frames != first or bool(reasons) or not camera.is_open,
                     CAMERA_WAIT_S)
        return None if camera.frames != first else _camera_failure(reasons, name)
    finally:
        camera.failed.disconnect(on_failed)


def _camera_failure(reasons: list[str], name: str) -> DeviceProblem:
    reason = reasons[-1] if reasons else "failed"
    code: ProblemCode = "refused" if reason == "refused" else (
        "busy" if reason == "busy" else "failed")
    return DeviceProblem("camera", code, name)


async def _check_microphone(devices: SeatDevices, listen_s: float, *, again: bool = True
                            ) -> DeviceProblem | None:
    microphone = devices.microphone
    if not microphone.is_open and (problem := _not_open(devices, "microphone")) is not None:
        return problem
    device = microphone.device
    name = device.description() if device is not None else ""
    first = devices.voice.published
    if not await _until(lambda: devices.voice.published != first
                        or microphone.device is not device, MICROPHONE_START_S):
        return DeviceProblem("microphone", "failed", name)
    loudest = microphone.level_dbfs
    deadline = time.monotonic() + listen_s
    while loudest <= SILENT_BELOW_DBFS and microphone.device is device and (
            time.monotonic() < deadline):
        await asyncio.sleep(_POLL_S)
        loudest = max(loudest, microphone.level_dbfs)
    if microphone.device is not device:  # lost while checked: the seat took another, or none
        if again:
            return await _check_microphone(devices, listen_s, again=False)
        return DeviceProblem("microphone", "failed", name)
    return None if loudest > SILENT_BELOW_DBFS else DeviceProblem("microphone", "silent", name)


async def _check_speaker(devices: SeatDevices, wait_s: float) -> DeviceProblem | None:
    speaker = devices.speaker
    if not speaker.is_open and (problem := _not_open(devices, "speaker")) is not None:
        return problem
    name = speaker.device.description() if speaker.device is not None else ""
    first = speaker.written
    if await _until(lambda: speaker.written - first > _SPEAKER_BUFFER_SAMPLES
                    or not speaker.is_open, wait_s) and speaker.is_open:
        return None
    return DeviceProblem("speaker", "failed", name)


# --- words ------------------------------------------------------------------------------


def problem_text(problem: DeviceProblem) -> str:
    """What is wrong and what to do, in a sentence or two (the dialogs, tool tips, the
    status bar)."""
    kind, code, name = problem.kind, problem.code, problem.device
    if code == "missing":
        return {
            "camera": translate("devices", "No camera found. You can still take voice calls; "
                                "the citizen sees “The agent's camera is unavailable”."),
            "microphone": translate("devices", "No microphone found: the citizen will not hear"
                                    " you. Plug in a headset."),
            "speaker": translate("devices", "No speaker or headphones found: you will not hear"
                                 " the citizen."),
        }[kind]
    if code == "busy":
        return translate("devices", "The {kind} is in use by another program. Close the program"
                         " that uses it and try again.").format(kind=_kind_word(kind))
    if code == "refused":
        return translate("devices", "The system refused access to the {kind}. Allow this program"
                         " to use the {kind} in the system settings.").format(kind=_kind_word(kind))
    if code == "silent":
        return translate("devices", "The microphone gives no sound: check that it is not muted and"
                         " is plugged in, then speak into it and check again.")
    name = name or kind_label(kind)
    return {
        "camera": translate("devices", "The camera could not be opened ({name}). The citizen"
                            " sees “The agent's camera is unavailable”."),
        "microphone": translate("devices", "The microphone could not be opened ({name}): the"
                                " citizen will not hear you."),
        "speaker": translate("devices", "The speaker could not be opened ({name}): you will not"
                             " hear the citizen."),
    }[kind].format(name=name)


def _kind_word(kind: DeviceKind) -> str:
    """The kind inside a sentence ("camera", 摄像头)."""
    return {
        "camera": translate("devices", "camera"),
        "microphone": translate("devices", "microphone"),
        "speaker": translate("devices", "speaker"),
    }[kind]


def short_problem_text(problem: DeviceProblem) -> str:
    """A few words for the status bar's device button ("无摄像头", "麦克风无声")."""
    kind, code = problem.kind, problem.code
    if code == "missing":
        return {"camera": translate("devices", "No camera"),
                "microphone": translate("devices", "No microphone"),
                "speaker": translate("devices", "No speaker")}[kind]
    if code == "silent":
        return translate("devices", "Microphone silent")
    if code == "busy":
        return translate("devices", "{kind} in use").format(kind=kind_label(kind))
    if code == "refused":
        return translate("devices", "{kind} not allowed").format(kind=kind_label(kind))
    return translate("devices", "{kind} not working").format(kind=kind_label(kind))


# --- one seat's check ---------------------------------------------------------------------


class DeviceCheck(QObject):
    """The device check of one seat and what it found (see the module docstring)."""

    started = pyqtSignal()
    finished = pyqtSignal(object)  # CheckReport
    changed = pyqtSignal()

    def __init__(self, devices: SeatDevices, tasks: TaskOwner, *, listen_s: float = LISTEN_S,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.devices = devices
        self.listen_s = listen_s
        self.report: CheckReport | None = None
        self._tasks = tasks
        self._running: asyncio.Task[CheckReport] | None = None
        devices.changed.connect(self.changed)

    @property
    def running(self) -> bool:
        return self._running is not None and not self._running.done()

    def start(self) -> None:
        """Run the check in the background (the seat's start; the dialog's button)."""
        if not self.running:
            self._running = self._tasks.spawn(self._run(), "device check")
            self.started.emit()
            self.changed.emit()

    async def run(self) -> CheckReport:
        """A fresh check (joining the one running, if any)."""
        self.start()
        assert self._running is not None
        return await asyncio.shield(self._running)

    async def report_for_ready(self) -> CheckReport:
        """What the devices are like now: the last report if it found the microphone and
        the speaker working and the same devices are still in use, else a fresh check."""
        report = self.report
        if not self.running and report is not None and not report.blocks_ready and (
                self._still_current(report)):
            return report
        return await self.run()

    def problems(self) -> list[DeviceProblem]:
        """The problems known now, the most serious first: the last check's findings for the
        devices it checked that are still in use, the seat's own for the others."""
        report = self.report
        found: list[DeviceProblem] = []
        for kind in SEVERITY:
            if kind == "camera" and not self.devices.with_camera:
                continue
            if report is not None and kind in report.results and (
                    report.checked.get(kind) == in_use(self.devices, kind)):
                problem = report.results[kind]
            else:
                problem = self.devices.problems.get(kind)
            if problem is not None:
                found.append(problem)
        return found

    async def close(self) -> None:
        """Stop a check still running (the seat closes)."""
        await self._tasks.close()

    def _still_current(self, report: CheckReport) -> bool:
        return all(in_use(self.devices, kind) == checked
                   for kind, checked in report.checked.items())

    async def _run(self) -> CheckReport:
        try:
            report = await run_check(self.devices, listen_s=self.listen_s)
        finally:
            self._running = None
        self.report = report
        self.finished.emit(report)
        self.changed.emit()
        return report
