"""The device button in the status bar: do the devices work, and the way to the 设备 dialog.

``DeviceButton`` says "设备正常", or the most serious problem known in a few words
("麦克风无声", "无摄像头"; with a count when there are more), red while there is one; its
tool tip has every problem in full. It follows ``DeviceCheck.changed`` (a check
finished, a device opened, lost or switched). A click or Ctrl+Shift+D (anywhere in its
window) opens the ``DeviceDialog``, one for the window, shown again if already open.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import QPushButton, QWidget

from ui.devices.device_dialog import DeviceDialog
from ui.devices.precheck import DeviceCheck, problem_text, short_problem_text

SHORTCUT = "Ctrl+Shift+D"


class DeviceButton(QPushButton):
    """A status-bar button for one seat's devices; ``dialog`` once opened."""

    def __init__(self, check: DeviceCheck, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deviceButton")
        self.setFlat(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.check = check
        self.dialog: DeviceDialog | None = None
        self.has_problem = False
        self._shortcut = QShortcut(QKeySequence(SHORTCUT), self)
        self._shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self._connect_signals()
        self._on_check_changed()

    def _connect_signals(self) -> None:
        self.clicked.connect(self.open_dialog)
        self._shortcut.activated.connect(self.open_dialog)
        self.check.changed.connect(self._on_check_changed)

    def open_dialog(self) -> DeviceDialog:
        """The device dialog, shown and in front."""
        if self.dialog is None:
            self.dialog = DeviceDialog(self.check.devices, self.check, self.window())
        if self.dialog.isVisible():  # behind the window: to the front
            self.dialog.raise_()
        else:
            self.dialog.show()
        self.dialog.activateWindow()
        return self.dialog

    def _on_check_changed(self) -> None:
        problems = self.check.problems()
        self.has_problem = bool(problems)
        if problems:
            text = short_problem_text(problems[0])
            if len(problems) > 1:
                text = self.tr("%1 (+%2)").replace("%1", text).replace(
                    "%2", str(len(problems) - 1))
            tip = "\n".join(problem_text(p) for p in problems)
        elif self.check.running and self.check.report is None:
            text, tip = self.tr("Checking devices…"), ""
        else:
            text, tip = self.tr("Devices OK"), ""
        hint = self.tr("Device settings (%1)").replace(
            "%1", QKeySequence(SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText))
        self.setText(("⚠ " if problems else "") + text)
        self.setToolTip(f"{tip}\n\n{hint}" if tip else hint)
        colour = "#cf222e" if problems else "#1a7f37"
        self.setStyleSheet(f"QPushButton#deviceButton {{ color: {colour}; font-weight: 600;"
                           " padding: 0 6px; border: none; background: transparent; }"
                           " QPushButton#deviceButton:hover { text-decoration: underline; }")
