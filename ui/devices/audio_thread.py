"""The thread the seat's sound lives on, away from the window's event loop.

The speaker's device buffer holds 40 ms; a window that is busy for longer (a large
photo decoded, a PDF drawn, a layout on a slow PC) would starve it if the speaker were
fed from the GUI thread: the agent hears a click, and the echo canceller, told of
sound that never played, loses the echo path (measured: ERLE from 39 dB to 7 dB on a
loaded machine). ``AudioThread`` runs a Qt event loop of its own; the speaker and the
microphone are moved onto it, their timers and device callbacks run there, and what
they share with the rest (the playout, the voice feed, the echo canceller, the chimes)
is locked.

``AudioThread.call(fn)`` runs ``fn`` on the thread and returns its result (the GUI
thread waits: opening a device takes a few milliseconds); called on the thread itself
it simply runs ``fn``. Signals from objects on the thread reach the GUI thread queued.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PyQt6.QtCore import QObject, Qt, QThread, pyqtSignal, pyqtSlot

T = TypeVar("T")


class _Runner(QObject):
    """Lives on the audio thread and runs what it is handed there."""

    run = pyqtSignal(object)

    def __init__(self) -> None:
        super().__init__()
        self.result: Any = None
        self.error: BaseException | None = None
        # PyQt6's stubs omit connect's connection type.
        self.run.connect(self._run, Qt.ConnectionType.BlockingQueuedConnection)  # type: ignore[call-arg]

    @pyqtSlot(object)
    def _run(self, fn: Callable[[], Any]) -> None:
        try:
            self.result, self.error = fn(), None
        except BaseException as exc:  # handed back to the calling thread
            self.result, self.error = None, exc


class AudioThread:
    """A started Qt thread for sound (see the module docstring); ``stop`` it at the end."""

    def __init__(self) -> None:
        self.thread = QThread()
        self.thread.setObjectName("seat-audio")
        self._runner = _Runner()
        self._runner.moveToThread(self.thread)
        self.thread.start(QThread.Priority.TimeCriticalPriority)

    def adopt(self, part: QObject) -> None:
        """Move ``part`` (no parent) onto the thread: its timers and slots run there."""
        part.moveToThread(self.thread)

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` on the audio thread; its exception, if any, raised here."""
        if QThread.currentThread() is self.thread or not self.thread.isRunning():
            return fn()
        self._runner.run.emit(fn)
        error, result = self._runner.error, self._runner.result
        self._runner.error = self._runner.result = None
        if error is not None:
            raise error
        return result  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.thread.quit()
        self.thread.wait()
