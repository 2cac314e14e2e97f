"""The device check's results on screen, and the check before the agent's first "ready".

``CheckResultsView`` lists camera, microphone and speaker with what the last check found
(the device dialog shows one; so does the dialog below).

``ReadyGate`` is ``Workstation.before_first_ready`` for a seat with real devices: it takes
the check's result (the one made at the seat's start if the devices are unchanged and the
microphone and speaker worked, else a fresh check) and

- all fine: ready at once, nothing shown;
- only the camera has a problem: ready (voice calls work; the citizen is told why it is
  dark), the problem said in the status bar;
- the microphone or the speaker has a problem: ``ReadyCheckDialog`` shows the results
  with 仍然就绪 (go ready anyway), 取消 (stay not ready; the default) and 重新检测 (check
  again after fixing it: fine now, and the agent goes ready).

The dialog is opened with ``open()`` and its answers awaited as futures, never ``exec()``:
a nested event loop under qasync would stall the asyncio tasks it runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Literal

from PyQt6.QtCore import QEvent, Qt
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from seat_client.media.devices import DeviceKind
from ui.devices.precheck import CheckReport, DeviceCheck, problem_text
from ui.devices.seat_devices import kind_label
from ui.labels import PlainLabel

Answer = Literal["ready", "cancel", "again"]
_OK_COLOUR, _PROBLEM_COLOUR, _PENDING_COLOUR = "#1a7f37", "#cf222e", "#57606a"


class CheckResultsView(QWidget):
    """One line per device: working, its problem in words, or not checked yet."""

    def __init__(self, kinds: tuple[DeviceKind, ...] = ("camera", "microphone", "speaker"),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kinds = kinds
        self.marks: dict[DeviceKind, QLabel] = {}
        self.texts: dict[DeviceKind, QLabel] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(8)
        layout.setColumnStretch(2, 1)
        for row, kind in enumerate(kinds):
            mark = PlainLabel(self)
            mark.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            name = PlainLabel(kind_label(kind), self)
            name.setAlignment(Qt.AlignmentFlag.AlignTop)
            name.setStyleSheet("font-weight: 600;")
            text = PlainLabel(self)
            text.setWordWrap(True)
            text.setAlignment(Qt.AlignmentFlag.AlignTop)
            text.setObjectName(f"checkResult_{kind}")
            layout.addWidget(mark, row, 0)
            layout.addWidget(name, row, 1)
            layout.addWidget(text, row, 2)
            self.marks[kind], self.texts[kind] = mark, text
        self.show_pending(self.tr("Not checked yet"))

    def show_pending(self, text: str) -> None:
        """Every line says ``text`` (not checked yet; checking)."""
        for kind in self.kinds:
            self._show(kind, "·", text, _PENDING_COLOUR)

    def show_report(self, report: CheckReport) -> None:
        for kind in self.kinds:
            if kind not in report.results:
                self._show(kind, "·", self.tr("Not checked"), _PENDING_COLOUR)
            elif (problem := report.problem(kind)) is not None:
                self._show(kind, "✗", problem_text(problem), _PROBLEM_COLOUR)
            else:
                self._show(kind, "✓", self.tr("Working"), _OK_COLOUR)

    def text(self, kind: DeviceKind) -> str:
        return self.texts[kind].text()

    def _show(self, kind: DeviceKind, mark: str, text: str, colour: str) -> None:
        self.marks[kind].setText(mark)
        self.marks[kind].setStyleSheet(f"color: {colour}; font-weight: 700;")
        self.texts[kind].setText(text)
        self.texts[kind].setStyleSheet(f"color: {colour};" if colour == _PROBLEM_COLOUR else "")


class GrowingDialog(QDialog):
    """A dialog that grows to fit rows that wrap onto more lines (a check's results).

    A window's minimum size ignores word-wrapped labels' extra lines, so a layout asked
    for more height than the window has squeezes the other rows instead (a meter's scale
    cut off). This one grows, never shrinks, whenever its layout's needs change."""

    def fit_contents(self) -> None:
        """Start at the size the rows need (``adjustSize`` would cap it at ⅔ of the screen)."""
        self.ensurePolished()  # the style sheet's paddings count in the size
        self.resize(0, 0)
        self._grow_to_fit()

    def event(self, event: QEvent | None) -> bool:
        handled = super().event(event)
        if event is not None and event.type() == QEvent.Type.LayoutRequest:
            self._grow_to_fit()
        return handled

    def _grow_to_fit(self) -> None:
        if (layout := self.layout()) is not None:
            layout.activate()
        hint = self.sizeHint()
        width = max(self.width(), hint.width())
        needed = self.heightForWidth(width) if self.hasHeightForWidth() else hint.height()
        height = max(self.height(), hint.height(), needed)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)


class ReadyCheckDialog(GrowingDialog):
    """The check's results before going ready; ``answer()`` is the agent's next choice."""

    def __init__(self, report: CheckReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Device check"))
        self.setObjectName("readyCheckDialog")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        heading = PlainLabel(self.tr("The microphone or the speaker is not working: if you go ready"
                                 " now, calls may not be heard."), self)
        heading.setWordWrap(True)
        heading.setStyleSheet("font-weight: 600;")
        self.results = CheckResultsView(parent=self)
        self.results.show_report(report)
        self.buttons = QDialogButtonBox(self)
        self.again_button = self._button(self.tr("Check a&gain"),
                                         QDialogButtonBox.ButtonRole.ActionRole)
        self.ready_button = self._button(self.tr("Go ready &anyway"),
                                         QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self._button(self.tr("Cancel"),
                                          QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(self.results)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self._answer: asyncio.Future[Answer] | None = None
        self._connect_signals()
        self.fit_contents()
        self.cancel_button.setFocus()

    def _button(self, text: str, role: QDialogButtonBox.ButtonRole) -> QPushButton:
        button = self.buttons.addButton(text, role)
        assert button is not None
        button.setAutoDefault(False)
        return button

    def _connect_signals(self) -> None:
        self.again_button.clicked.connect(self._on_again_button_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.finished.connect(self._on_finished)

    def answer(self) -> asyncio.Future[Answer]:
        """The agent's next choice (a new future after each 重新检测)."""
        if self._answer is None or self._answer.done():
            self._answer = asyncio.get_running_loop().create_future()
        return self._answer

    def set_checking(self, checking: bool) -> None:
        self.again_button.setEnabled(not checking)
        self.ready_button.setEnabled(not checking)
        if checking:
            self.results.show_pending(self.tr("Checking…"))

    def _resolve(self, answer: Answer) -> None:
        future = self.answer()
        if not future.done():
            future.set_result(answer)

    def _on_again_button_clicked(self) -> None:
        self.set_checking(True)
        self._resolve("again")

    def _on_finished(self, result: int) -> None:
        self._resolve("ready" if result == QDialog.DialogCode.Accepted else "cancel")


class ReadyGate:
    """``Workstation.before_first_ready`` on a seat with real devices (see the module
    docstring); ``dialog`` is the one asking now, if any."""

    def __init__(self, check: DeviceCheck, parent: QWidget,
                 show_message: Callable[[str, int], None]) -> None:
        self._check = check
        self._parent = parent
        self._show_message = show_message
        self.dialog: ReadyCheckDialog | None = None

    async def __call__(self) -> bool:
        if self.dialog is not None:  # already asking (F9 again): that answer decides
            self.dialog.raise_()
            self.dialog.activateWindow()
            return False
        report = await self._check.report_for_ready()
        if not report.blocks_ready:
            self._tell_camera(report)
            return True
        dialog = self.dialog = ReadyCheckDialog(report, self._parent)
        try:
            return await self._ask(dialog)
        finally:
            self.dialog = None
            dialog.hide()
            dialog.deleteLater()

    async def _ask(self, dialog: ReadyCheckDialog) -> bool:
        answer = dialog.answer()
        dialog.open()
        while True:
            choice = await answer
            if choice != "again":
                return choice == "ready"
            answer = dialog.answer()
            report = await self._check.run()
            if answer.done():  # closed while checking
                continue
            dialog.set_checking(False)
            dialog.results.show_report(report)
            if not report.blocks_ready:
                self._tell_camera(report)
                dialog.accept()
                return True

    def _tell_camera(self, report: CheckReport) -> None:
        problem = report.problem("camera")
        if problem is not None:
            self._show_message(problem_text(problem), 15_000)
