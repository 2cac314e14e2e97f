"""The agent's pointer and keys turned into real Qt events on the kiosk window's widgets.

Coordinates arrive normalised to the shared frame, which is the kiosk
window rendered at its own size (``screen_track``), so ``(x, y)`` maps to
``(x × width, y × height)`` of the window whatever the scale of the
agent's view. The widget under that point (``QWidget.childAt``) gets a
``QMouseEvent`` through ``QApplication.sendEvent`` — synchronously, so
when ``pointer`` returns the widget has handled it. Keys go to the
window's focus widget. Input is scoped to the kiosk window: nothing is
injected into the system, and widgets reserved for the person at the
kiosk (``app.is_local_only``: consent prompt, banner, stop button) refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from PyQt6.QtCore import QEvent, QPointF, Qt
from PyQt6.QtGui import QKeyEvent, QMouseEvent
from PyQt6.QtWidgets import QApplication, QWidget

from sandbox.kiosk.app import is_local_only, widget_name
from seat_common.protocol import assist as wire

_BUTTONS: Final = {
    "left": Qt.MouseButton.LeftButton,
    "right": Qt.MouseButton.RightButton,
    "middle": Qt.MouseButton.MiddleButton,
}
_KEYS: Final[dict[str, tuple[Qt.Key, str]]] = {
    "Enter": (Qt.Key.Key_Return, "\r"),
    "Backspace": (Qt.Key.Key_Backspace, "\b"),
    "Delete": (Qt.Key.Key_Delete, ""),
    "Tab": (Qt.Key.Key_Tab, "\t"),
    "Escape": (Qt.Key.Key_Escape, ""),
    "Left": (Qt.Key.Key_Left, ""),
    "Right": (Qt.Key.Key_Right, ""),
    "Up": (Qt.Key.Key_Up, ""),
    "Down": (Qt.Key.Key_Down, ""),
    "Home": (Qt.Key.Key_Home, ""),
    "End": (Qt.Key.Key_End, ""),
    "Space": (Qt.Key.Key_Space, " "),
}


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where an input event went: the kiosk widget's name, or why it was refused."""

    widget: str
    refused: wire.RefusalReason | None = None


class RemoteInput:
    """Delivers agent input to the widgets of one kiosk window."""

    def __init__(self, window: QWidget) -> None:
        self.window = window
        self._pressed = Qt.MouseButton.NoButton
        self._grab: QWidget | None = None  # the widget a press went to, until the release

    def reset(self) -> None:
        """Forget a press in progress (control changed hands)."""
        self._pressed = Qt.MouseButton.NoButton
        self._grab = None

    def target_at(self, x: float, y: float) -> tuple[QWidget, QPointF]:
        """The widget under the normalised point and the point in its coordinates."""
        window = self.window
        point = QPointF(x * window.width(), y * window.height())
        target = window.childAt(point.toPoint()) or window
        return target, target.mapFrom(window, point)

    def pointer(self, message: wire.Pointer) -> Delivery:
        target, local = self.target_at(message.x, message.y)
        grab = self._grab
        if grab is not None and message.action in ("move", "up"):
            # As Qt's implicit grab: after a press, moves and the release go to that widget.
            target = grab
            local = grab.mapFrom(self.window, QPointF(message.x * self.window.width(),
                                                      message.y * self.window.height()))
        if is_local_only(target, self.window):
            return Delivery(widget_name(target), "local_only")
        button = _BUTTONS[message.button]
        if message.action in ("down", "click"):
            self._focus(target)
            self._mouse(target, QEvent.Type.MouseButtonPress, local, button, button)
            self._pressed = button
            self._grab = target
        if message.action in ("up", "click"):
            self._mouse(target, QEvent.Type.MouseButtonRelease, local, button,
                        Qt.MouseButton.NoButton)
            self._pressed = Qt.MouseButton.NoButton
            self._grab = None
        if message.action == "move":
            self._mouse(target, QEvent.Type.MouseMove, local, Qt.MouseButton.NoButton,
                        self._pressed)
        return Delivery(widget_name(target))

    def key(self, message: wire.Key) -> Delivery:
        target = self.window.focusWidget() or self.window
        if is_local_only(target, self.window):
            return Delivery(widget_name(target), "local_only")
        if message.key:
            key, text = _KEYS[message.key]
            self._key(target, key, text)
        else:
            for char in message.text:
                self._key(target, _key_for(char), char)
        return Delivery(widget_name(target))

    def _focus(self, target: QWidget) -> None:
        widget: QWidget | None = target
        while widget is not None and widget is not self.window:
            if widget.focusPolicy() & Qt.FocusPolicy.ClickFocus:
                widget.setFocus(Qt.FocusReason.MouseFocusReason)
                return
            widget = widget.parentWidget()

    @staticmethod
    def _mouse(
        target: QWidget,
        kind: QEvent.Type,
        local: QPointF,
        button: Qt.MouseButton,
        buttons: Qt.MouseButton,
    ) -> None:
        event = QMouseEvent(kind, local, target.mapToGlobal(local), button, buttons,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(target, event)

    @staticmethod
    def _key(target: QWidget, key: Qt.Key | int, text: str) -> None:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, int(key), Qt.KeyboardModifier.NoModifier, text)
            QApplication.sendEvent(target, event)


def _key_for(char: str) -> int:
    """The Qt key code of a typed character (letters and digits; others are Key_unknown)."""
    if char.isascii() and char.isalnum():
        return ord(char.upper())
    if char == " ":
        return int(Qt.Key.Key_Space.value)
    return int(Qt.Key.Key_unknown.value)
