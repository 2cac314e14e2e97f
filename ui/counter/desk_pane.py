"""The walk-in intake pane (窗口受理) that counter mode puts in the main area.

The clerk types the citizen's appointment number (Enter looks it up) or, without an
appointment, picks the item; the pane shows the appointment (item, time, citizen
masked), the materials with their verdicts — the video call's pre-review and the
counter's own — and what is still missing. "Take from document camera" (F8) brings
the camera's newest scan into the pre-review tab. The form itself, prefilled and
waiting for confirmation, is the ordinary form pane beside this one.

The pane shows a ``WalkInDesk`` and runs its coroutines as tasks of its ``TaskOwner``
(failures are shown here, busy state cleared in ``finally``). It emits
``form_requested`` (show the form tab) and ``review_requested`` (show the pre-review
tab); each opened walk-in goes to the application desk and the review pane
(``ui.workstation.counter_link``). What it says when a step fails is in ``desk_words``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QCloseEvent, QColor, QKeySequence
from PyQt6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from seat_client.counter.walk_in import (
    CaptureError,
    DeskState,
    WalkIn,
    WalkInDesk,
    WalkInFailure,
)
from seat_common.catalog import Catalog
from seat_common.tasks import TaskOwner
from ui.counter.desk_words import capture_problem_text, lookup_failure_text
from ui.item_picker import ItemPicker
from ui.labels import PlainLabel
from ui.review.checklist import status_label

log = logging.getLogger(__name__)

#: Text colour per review status; the status is always written out too (colour-blind staff).
STATUS_COLOURS = {"accepted": "#1a7f37", "to_correct": "#9a6700", "missing": "#cf222e",
                  "": "#57606a"}
STYLE = """
QLabel#counterMessage[tone="error"] { color: #cf222e; font-weight: 600; }
QLabel#counterMessage[tone="info"] { color: #57606a; }
QLabel#counterMissing[complete="false"] { color: #9a6700; font-weight: 600; }
QLabel#counterMissing[complete="true"] { color: #1a7f37; font-weight: 600; }
QLabel#counterWarning { color: #9a6700; }
QLabel#counterHint { color: #57606a; font-size: 11pt; padding: 16px 4px; }
QPushButton#lookUp, QPushButton#takeCapture { background: #0969da; color: white; border: none;
                                              font-weight: 600; padding: 5px 14px; }
QPushButton#lookUp:disabled, QPushButton#takeCapture:disabled { background: #8c959f; }
"""


class CounterDeskPane(QWidget):
    """Appointment lookup, walk-ins without one, and the materials of the one in hand."""

    form_requested = pyqtSignal()
    review_requested = pyqtSignal()

    def __init__(self, desk: WalkInDesk, catalog: Catalog, parent: QWidget | None = None, *,
                 tasks: TaskOwner | None = None, photos: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("counterDesk")
        self.setStyleSheet(STYLE)
        self.desk = desk
        self._tasks = tasks or TaskOwner("walk-in intake")
        self._call_live = False
        self.heading = PlainLabel(self.tr("Walk-in intake"), self)
        self.heading.setObjectName("paneHeading")
        self.booking_no = QLineEdit(self)
        self.booking_no.setObjectName("bookingNo")
        self.booking_no.setPlaceholderText("YY-00000042")
        self.booking_no.setClearButtonEnabled(True)
        self.look_up = QPushButton(self.tr("Look up (Enter)"), self)
        self.look_up.setObjectName("lookUp")
        self.item_box = ItemPicker(catalog.items.values(),
                                   self.tr("Type the item, its code or pinyin initials…"), self)
        self.start_blank = QPushButton(self.tr("Start"), self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: no percentage to tell
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.message = PlainLabel(self)
        self.message.setObjectName("counterMessage")
        self.message.setWordWrap(True)
        self.hint = PlainLabel(self.tr(
            "No walk-in open. Type the citizen's appointment number and press Enter, or "
            "choose the item for a walk-in without appointment.") + "\n\n" + self.tr(
            "Ctrl+M switches the seat between video, counter and combined mode."), self)
        self.hint.setObjectName("counterHint")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.appointment_box = QGroupBox(self.tr("Appointment"), self)
        self.item = PlainLabel("—")
        self.time = PlainLabel("—")
        self.citizen = PlainLabel("—")
        self.work_order = PlainLabel("—")
        self.warning = PlainLabel()
        self.warning.setObjectName("counterWarning")
        self.warning.setWordWrap(True)
        for label in (self.item, self.time, self.citizen, self.work_order):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts = QFormLayout(self.appointment_box)
        facts.addRow(self.tr("Item"), self.item)
        facts.addRow(self.tr("Time"), self.time)
        facts.addRow(self.tr("Citizen"), self.citizen)
        facts.addRow(self.tr("Work order"), self.work_order)
        facts.addRow(self.warning)

        self.materials_box = QGroupBox(self.tr("Materials"), self)
        self.materials = QListWidget(self.materials_box)
        self.materials.setObjectName("counterMaterials")
        self.missing = PlainLabel(self.materials_box)
        self.missing.setObjectName("counterMissing")
        self.missing.setWordWrap(True)
        self.capture = QPushButton(self.tr("Take from document camera (F8)"), self.materials_box)
        self.capture.setObjectName("takeCapture")
        self.capture.setShortcut(QKeySequence("F8"))
        column = QVBoxLayout(self.materials_box)
        if photos is not None:  # the appointment's photos pre-reviewed on video
            column.addWidget(photos)
        column.addWidget(self.materials, 1)
        column.addWidget(self.missing)
        column.addWidget(self.capture)

        self.open_form = QPushButton(self.tr("Open the form"), self)
        self.open_review = QPushButton(self.tr("Pre-review"), self)
        self.finish = QPushButton(self.tr("Done — next citizen"), self)
        self._build_layout()
        self._connect_signals()
        self._show_walk_in(desk.walk_in)
        self._show_state(desk.state)

    def _build_layout(self) -> None:
        lookup = QHBoxLayout()
        lookup.addWidget(PlainLabel(self.tr("Appointment no."), self))
        lookup.addWidget(self.booking_no, 1)
        lookup.addWidget(self.look_up)
        blank = QHBoxLayout()
        blank.addWidget(PlainLabel(self.tr("No appointment:"), self))
        blank.addWidget(self.item_box, 1)
        blank.addWidget(self.start_blank)
        self.buttons = QWidget(self)
        buttons = QHBoxLayout(self.buttons)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.open_review)
        buttons.addWidget(self.open_form)
        buttons.addStretch(1)
        buttons.addWidget(self.finish)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.heading)
        layout.addLayout(lookup)
        layout.addLayout(blank)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.hint, 1)  # idle: the hint takes the room the walk-in will
        layout.addWidget(self.appointment_box)
        layout.addWidget(self.materials_box, 1)
        layout.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.booking_no.returnPressed.connect(self._on_look_up_clicked)
        self.look_up.clicked.connect(self._on_look_up_clicked)
        self.start_blank.clicked.connect(self._on_start_blank_clicked)
        self.capture.clicked.connect(self._on_capture_clicked)
        self.open_form.clicked.connect(self.form_requested)
        self.open_review.clicked.connect(self.review_requested)
        self.finish.clicked.connect(lambda: self._run(self.desk.finish(), self._finished))
        self._unsubscribe = [
            self.desk.state_changed.connect(self._show_state),
            self.desk.opened.connect(self._show_walk_in),
            self.desk.failed.connect(self._on_desk_failed),
            self.desk.marks_changed.connect(self._show_materials),
        ]

    # --- what the main window tells the pane ----------------------------------------------

    def set_call_live(self, live: bool) -> None:
        """During a video call (combined seats) walk-ins wait: the call has the camera."""
        self._call_live = live
        self._show_state(self.desk.state)
        if live:
            self._say(self.tr("On a video call: walk-in intake resumes after the call."))
        elif self.message.text():
            self._say("")

    def focus_booking_no(self) -> None:
        self.booking_no.setFocus(Qt.FocusReason.OtherFocusReason)
        self.booking_no.selectAll()

    # --- slots ------------------------------------------------------------------------------

    def _on_look_up_clicked(self) -> None:
        text = self.booking_no.text().strip()
        if not text or self._call_live or self.desk.busy:
            return
        self._say(self.tr("Looking up appointment %1…").replace("%1", text))
        self._run(self.desk.look_up(text))

    def _on_start_blank_clicked(self) -> None:
        if self._call_live or self.desk.busy:
            return
        code = self.item_box.chosen_code()
        if not code:
            self._say(self.tr("Choose the item from the list first."), error=True)
            self.item_box.setFocus()
            return
        self._say(self.tr("Opening %1…").replace("%1", self.item_box.currentText().strip()))
        self._run(self.desk.start_without_appointment(code))

    def _on_capture_clicked(self) -> None:
        if self.desk.walk_in is None or self._call_live:
            return

        async def capture() -> None:
            try:
                ref = await self.desk.take_capture()
            except CaptureError as exc:
                self._say(capture_problem_text(exc), error=True)
                return
            self._say(self.tr("Took %1 from the document camera: check it in the pre-review.")
                      .replace("%1", ref.filename))
            self.review_requested.emit()

        self._run(capture())

    def _on_desk_failed(self, failure: WalkInFailure) -> None:
        self._say(lookup_failure_text(failure), error=True)
        self.focus_booking_no()

    def _finished(self) -> None:
        if self.desk.walk_in is not None:
            return  # not closed (the hub refused): the failure stays said
        self.booking_no.clear()
        self.item_box.setCurrentIndex(-1)
        self._say("")
        self.focus_booking_no()

    # --- showing the desk -----------------------------------------------------------------

    def _show_state(self, state: DeskState) -> None:
        busy = state is DeskState.LOOKING_UP
        free = not busy and not self._call_live
        self.progress.setVisible(busy)
        for widget in (self.booking_no, self.look_up, self.item_box, self.start_blank):
            widget.setEnabled(free)
        has_walk_in = self.desk.walk_in is not None
        for widget in (self.open_form, self.open_review, self.finish):
            widget.setEnabled(free and has_walk_in)
        camera = self.desk.camera_folder is not None
        self.capture.setEnabled(free and has_walk_in and camera)
        self.capture.setToolTip("" if camera else
                                self.tr("No document camera folder is set up for this seat"))

    def _show_walk_in(self, walk_in: WalkIn | None) -> None:
        self._show_state(self.desk.state)
        self.appointment_box.setTitle(self.tr("Appointment"))
        self.warning.hide()
        self.hint.setVisible(walk_in is None)
        for box in (self.appointment_box, self.materials_box, self.buttons):
            box.setVisible(walk_in is not None)
        if walk_in is None:
            for label in (self.item, self.time, self.citizen, self.work_order):
                label.setText("—")
            self.materials.clear()
            return
        self.item.setText(walk_in.item.name)
        self.work_order.setText(walk_in.work_order_id)
        facts = walk_in.appointment
        if facts is None:
            self.appointment_box.setTitle(self.tr("Walk-in without appointment"))
            self.time.setText(time.strftime("%Y-%m-%d %H:%M"))
            self.citizen.setText(self.tr("(fill in on the form)"))
        else:
            self.time.setText(f"{facts.date} {facts.start} · {facts.hall}")
            self.citizen.setText(f"{facts.citizen_name}  {facts.citizen_id_number}  "
                                 f"{facts.citizen_mobile}")
            if not facts.is_on(time.strftime("%Y-%m-%d")):
                self.warning.setText(self.tr("Note: the appointment is not for today (%1).")
                                     .replace("%1", facts.date))
                self.warning.show()
            prefilled = len(walk_in.prefill())
            self._say(self.tr("Appointment %1 opened; %2 form value(s) from the booking wait "
                              "for your confirmation.").replace("%1", facts.booking_no)
                      .replace("%2", str(prefilled)))
        self._show_materials(walk_in)

    def _show_materials(self, walk_in: WalkIn) -> None:
        self.materials.clear()
        review = walk_in.review
        for m in review.checklist:
            status = review.marks[m.code].status
            images = len(review.images_for(m.code))
            text = f"{m.name}{' *' if m.required else ''}：{status_label(status)}"
            if images:
                text += " · " + self.tr("%1 image(s) at the counter").replace("%1", str(images))
            elif status == "accepted" and walk_in.linked.get(m.code) == "accepted":
                text += " · " + self.tr("pre-reviewed on video")
            row = QListWidgetItem(text)
            row.setForeground(QBrush(QColor(STATUS_COLOURS.get(status, "#57606a"))))
            self.materials.addItem(row)
        missing = walk_in.missing()
        if missing:
            self.missing.setText(self.tr("Still missing: %1").replace(
                "%1", "、".join(m.name for m in missing)))
        else:
            self.missing.setText(self.tr("All required materials accepted"))
        _restyle(self.missing, "complete", "false" if missing else "true")

    # --- helpers ----------------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        _restyle(self.message, "tone", "error" if error else "info")

    def _run(self, coro: Coroutine[Any, Any, object],
             then: Callable[[], None] | None = None) -> None:
        async def guarded() -> None:
            try:
                await coro
                if then is not None:
                    then()
            except Exception as exc:
                log.exception("walk-in intake step failed")
                self._say(self.tr("Could not open the walk-in: %1").replace("%1", str(exc)),
                          error=True)
            finally:
                self._show_state(self.desk.state)

        # Told here, in the clerk's words: the owner only logs a failure.
        self._tasks.spawn(guarded(), "walk-in intake", report=False)

    def closeEvent(self, event: QCloseEvent | None) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for task in self._tasks.running():
            task.cancel()
        super().closeEvent(event)


def _restyle(widget: QWidget, name: str, value: str) -> None:
    """Set a property the style sheet selects on, and re-apply the style if it changed."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    if style is not None:
        style.unpolish(widget)
        style.polish(widget)


@dataclass(frozen=True)
class CounterParts:
    """Counter mode's walk-in intake: the desk (core) and its pane."""

    desk: WalkInDesk
    pane: CounterDeskPane
