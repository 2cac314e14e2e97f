"""Test-wide set-up: Qt offscreen, qasync as the asyncio loop, and a sound server.

Qt must be told its platform before the first Qt import, and qasync which
binding to use; pytest-asyncio then runs each async test on a qasync loop so
widget tests and asyncio code share one event loop, as in the workstation.

A private PulseAudio (``sandbox.sound_rig``) starts before any test module is
imported: Qt Multimedia finds its sound server once per process, so it must be
there first. Every test then sees a speaker ``speaker`` and a microphone ``mic``.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyqt6")
# Media stays on loopback: our peers (and the processes tests start) offer only 127.0.0.1.
os.environ.setdefault("SEAT_ICE_HOST_ADDRESSES", "127.0.0.1")
# No machine-wide client.toml of this machine's (/etc/seat) leaks into the tests or the
# workstations they start: the empty file stands in; tests of the file name their own.
os.environ["SEAT_CLIENT_CONFIG"] = os.devnull

import asyncio
import faulthandler
from collections.abc import Callable, Generator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from sandbox import sound_rig

# A shared 2-core machine can be slow to generate inputs and to run one example: on
# such a machine Hypothesis' too-slow health check and its per-example deadline fail
# tests that are right. The suite runs with this profile unless HYPOTHESIS_PROFILE
# names another ("default" brings both checks back, for a quiet machine).
settings.register_profile(
    "busy-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "busy-machine"))


#: Longest a test's teardown may take before the run ends with every thread's stack.
TEARDOWN_LIMIT_S = 300


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    """WORKAROUND: pytest-timeout stops timing a test once its call has failed (2.4.0), so a
    teardown that hangs after a failure (an async fixture waiting on a peer that is gone)
    would hold the run until CI's limit. faulthandler ends it instead, with the stacks."""
    faulthandler.dump_traceback_later(TEARDOWN_LIMIT_S, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Async tests under tests/ui, tests/integration and tests/layout run on qasync; the rest
    on asyncio."""
    path = str(item.path)
    if any(f"/tests/{room}/" in path for room in ("ui", "integration", "layout")):
        return {"qasync": _qasync_loop}
    return {"asyncio": asyncio.new_event_loop}


def _qasync_loop() -> asyncio.AbstractEventLoop:
    import qasync
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    # As in the workstation: closing the last window must not stop the loop under a test.
    app.setQuitOnLastWindowClosed(False)
    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
    return loop


@pytest.fixture(scope="session")
def photo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where simulated document photos are rendered, once per test session."""
    return tmp_path_factory.mktemp("document-photos")


_SOUND: dict[str, sound_rig.SoundRig] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Start the sound server before collection imports any Qt Multimedia."""
    if not sound_rig.available() or os.environ.get("PULSE_SERVER"):
        return
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="seat-sound-"))
    rig = sound_rig.SoundRig(directory).start()
    os.environ.update(rig.env)
    _SOUND["rig"] = rig


def pytest_unconfigure(config: pytest.Config) -> None:
    rig = _SOUND.pop("rig", None)
    if rig is not None:
        rig.stop()


@pytest.fixture(scope="session")
def sound() -> sound_rig.SoundRig:
    """The session's sound server: its speaker, microphone, ear and mouth."""
    rig = _SOUND.get("rig")
    if rig is None:
        pytest.fail("no sound server: PulseAudio is missing (./scripts/setup installs it)"
                    " or PULSE_SERVER points elsewhere")
    return rig
