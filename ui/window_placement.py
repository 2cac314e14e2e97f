"""Where a secondary window was last put, remembered in the app's ``QSettings``.

The workstation's main window keeps its geometry in ``workstation.ini``
(``MainWindow.save_layout``); the smaller windows that come and go with a call (the
supervisor's watch window on the seat wall, the joined supervisor's picture on the
agent's screen) keep theirs the same way, one key each, through ``WindowPlacement``.

A saved place is never trusted blindly: the PC may have lost the monitor it was on (a
laptop undocked, a 1366×768 screen where a 1920×1080 one was), so the window is pulled
back into the available area of the screen it would show on (``clamp_to``), shrunk first
if it is bigger than that screen. A saved value that is not a geometry (a hand-edited or
half-written file) is ignored: the window opens where it would have without one.
"""

from __future__ import annotations

from PyQt6.QtCore import QByteArray, QEvent, QObject, QPoint, QRect, QSettings
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import QWidget


def clamp_to(frame: QRect, available: QRect) -> QRect:
    """``frame`` moved (and first shrunk, if need be) so it lies wholly inside ``available``."""
    width = min(frame.width(), available.width())
    height = min(frame.height(), available.height())
    x = min(max(frame.x(), available.left()), available.left() + available.width() - width)
    y = min(max(frame.y(), available.top()), available.top() + available.height() - height)
    return QRect(x, y, width, height)


class WindowPlacement:
    """Saves and restores one window's geometry under ``key`` in ``settings``."""

    def __init__(self, settings: QSettings, key: str) -> None:
        self._settings = settings
        self._key = key

    def restore(self, window: QWidget) -> bool:
        """Put ``window`` where it was saved, on screen; ``False``: nothing usable saved
        (the window keeps its default place)."""
        saved = self._settings.value(self._key)
        if not isinstance(saved, QByteArray) or saved.isEmpty():
            return False
        if not window.restoreGeometry(saved):
            return False
        self.keep_on_screen(window)
        if not window.isVisible():  # the title bar counts only once shown: check again then
            window.installEventFilter(_KeepOnScreenWhenShown(window))
        return True

    def save(self, window: QWidget) -> None:
        self._settings.setValue(self._key, window.saveGeometry())
        self._settings.sync()

    @staticmethod
    def keep_on_screen(window: QWidget) -> None:
        """Move (and shrink) ``window`` into the available area of the screen nearest it."""
        frame = window.frameGeometry()
        screen = (QGuiApplication.screenAt(frame.center())
                  or QGuiApplication.screenAt(frame.topLeft())
                  or QGuiApplication.primaryScreen())
        if screen is None:
            return
        # frameGeometry includes the title bar once shown; before that it equals geometry.
        frame_extra = frame.size() - window.geometry().size()
        inside = clamp_to(frame, screen.availableGeometry())
        if inside.size() != frame.size():
            window.resize(inside.width() - frame_extra.width(),
                          inside.height() - frame_extra.height())
        if inside.topLeft() != frame.topLeft():
            window.move(QPoint(inside.x(), inside.y()))


class _KeepOnScreenWhenShown(QObject):
    """Keeps a window on screen once more when it first shows (with its frame), then goes."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if watched is self._window and event is not None and event.type() == QEvent.Type.Show:
            WindowPlacement.keep_on_screen(self._window)
            self._window.removeEventFilter(self)
            self.deleteLater()
        return False
