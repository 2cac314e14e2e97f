"""Helpers for tests of the device pages on the session's sound rig (``sound``).

``open_devices`` opens a ``SeatDevices`` on the rig (speaker ``speaker``, microphone
``mic``, no camera) and closes it after; ``plugged_microphone`` plugs in one more
microphone (silent, dead, or hearing the room) and pulls it out after; ``until`` waits
on the running qasync loop for what matters.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest
from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QApplication

from sandbox.sound_rig import SoundRig
from ui import i18n
from ui.devices.seat_devices import SeatDevices


async def until(condition: Callable[[], bool], what: str, timeout_s: float = 20.0) -> None:
    """Wait on the running loop until ``condition`` holds; fail naming ``what``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for: {what}")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def open_devices(path: Path) -> AsyncIterator[SeatDevices]:
    """A started ``SeatDevices`` whose choice is kept at ``path``; closed after."""
    devices = SeatDevices(path)
    devices.start()
    try:
        await until(lambda: devices.microphone.is_open and devices.speaker.is_open,
                    "the rig's microphone and speaker open")
        yield devices
    finally:
        devices.close()


@contextmanager
def plugged_microphone(sound: SoundRig, name: str, description: str, *,
                       room_dbfs: float | None = -60.0) -> Iterator[None]:
    """Microphone ``name`` plugged in, hearing a quiet room (or, with ``room_dbfs=None``,
    nothing at all: a dead microphone); pulled out after."""
    sound.add_microphone(name, description)
    mouth = sound.mouth_into(name, room_dbfs=room_dbfs)
    try:
        yield
    finally:
        mouth.close()
        if name in sound.devices:
            sound.remove(name)


async def choose_when_listed(devices: SeatDevices, name: str) -> None:
    """Choose microphone ``name`` once the seat lists it."""
    await until(lambda: devices.registry.present("microphone", name),
                f"microphone {name} is listed")
    devices.choose("microphone", name)
    current = devices.current("microphone")
    assert current is not None and current.id().data().decode() == name


@contextmanager
def language(code: str) -> Iterator[None]:
    """The UI in ``code`` ("zh_CN" or "en") for the block."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, code)  # type: ignore[arg-type]
    try:
        yield
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
        i18n.install(app, "en")
