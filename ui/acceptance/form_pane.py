"""The form pane (表单): the item's application form, generated from its schema.

``set_context`` builds one editor per field (``ui.acceptance.form_editors``), scenario
questions first; fields appear and disappear with the scenario answers.
Values the call already knew are prefilled and marked "to confirm" until
the agent confirms each (or all). Problems show under a field once it was
touched or a submit was tried; the "still missing" list always shows what
stops submission, and a click (or Enter) on a line jumps to the field.
Submit (Ctrl+Enter) hands the application to the ``SubmissionOutbox``;
field errors the API returns come back onto the form.

Emits ``submitted(entry_id)`` once the outbox holds the application, and
``accepted(entry_id)`` when the API accepted it (connect the receipt view).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence

from PyQt6.QtCore import QCoreApplication, Qt, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from seat_client.acceptance.form_state import FormState
from seat_client.acceptance.outbox import OutboxEntry, OutboxState, Submission, SubmissionOutbox
from seat_common.forms import FormField, FormSchema, Regions
from ui.acceptance.form_editors import FieldEditor, make_editor
from ui.acceptance.form_labels import field_label, form_title, problem_label

log = logging.getLogger(__name__)
SchemaProvider = Callable[[str], FormSchema | None]
translate = QCoreApplication.translate


class _FieldRow:
    """The widgets of one field: label, editor, confirm button, message."""

    def __init__(self, field: FormField, editor: FieldEditor, parent: QWidget) -> None:
        self.field = field
        self.editor = editor
        self.label = QLabel(field_label(field) + (" *" if field.required else ""), parent)
        self.label.setBuddy(editor.focus_target())
        self.confirm = QPushButton(translate("FormPane", "Prefilled — confirm"), parent)
        self.confirm.setObjectName("confirmPrefill")
        self.confirm.setToolTip(translate("FormPane", "Confirmed with the citizen"))
        self.message = QLabel(parent)
        self.message.setObjectName("fieldProblem")
        self.message.setWordWrap(True)
        self.box = QWidget(parent)
        column = QVBoxLayout(self.box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        line = QHBoxLayout()
        line.addWidget(editor, 1)
        line.addWidget(self.confirm)
        column.addLayout(line)
        column.addWidget(self.message)
        self.touched = False


class FormPane(QWidget):
    """One application form at a time, for the work order in hand."""

    submitted = pyqtSignal(int)
    accepted = pyqtSignal(int)

    def __init__(self, schemas: SchemaProvider, regions: Regions, outbox: SubmissionOutbox,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._schemas = schemas
        self._regions = regions
        self._outbox = outbox
        self.state: FormState | None = None
        self._rows: dict[str, _FieldRow] = {}
        self._context: dict[str, str] = {}
        self._materials: tuple[tuple[str, str], ...] = ()
        self._mine: set[int] = set()
        self._show_all_problems = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._forms: list[QFormLayout] = []
        self._unsubscribe_state: Callable[[], None] = lambda: None

        self.title = QLabel(self.tr("No application form for this work order"), self)
        self.title.setObjectName("formTitle")
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("formSubtitle")
        self.fields_area = QScrollArea(self)
        self.fields_area.setWidgetResizable(True)
        # Fields wrap to the pane's width; a sideways scroll bar only hides the labels.
        self.fields_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.missing_box = QGroupBox(self.tr("Still missing"), self)
        self.missing = QListWidget(self.missing_box)
        self.missing.setMaximumHeight(110)
        QVBoxLayout(self.missing_box).addWidget(self.missing)
        self.confirm_all = QPushButton(self.tr("Confirm all prefilled"), self)
        self.submit = QPushButton(self.tr("Submit application (Ctrl+Enter)"), self)
        self.submit.setObjectName("submitApplication")
        self.status = QLabel(self)
        self.status.setObjectName("submitStatus")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_all)
        buttons.addStretch(1)
        buttons.addWidget(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.fields_area, 1)
        layout.addWidget(self.missing_box)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        self._shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._connect_signals()
        self._set_enabled(False)

    def _connect_signals(self) -> None:
        self.submit.clicked.connect(self._on_submit_clicked)
        self._shortcut.activated.connect(self._on_submit_clicked)
        self.confirm_all.clicked.connect(self._on_confirm_all_clicked)
        self.missing.itemActivated.connect(self._on_missing_item_activated)
        self.missing.itemClicked.connect(self._on_missing_item_activated)
        self._unsubscribe = self._outbox.changed.connect(self._on_outbox_changed)

    # --- the work order in hand ------------------------------------------------------

    def set_context(
        self, work_order_id: str, item_code: str, form: str, prefill: Mapping[str, str], *,
        item_name: str = "", materials: Sequence[tuple[str, str]] = (), agent_id: str = "",
    ) -> bool:
        """Show ``form`` for a work order, prefilled from what the call knows
        (``id_card.name``, ``id_card.id_number``, ``citizen.phone`` or field codes).
        ``materials`` are the (code, name) pairs received so far. False if there is no form."""
        schema = self._schemas(form) if form else None
        self._clear()
        _restyle(self.status, "state", "")
        self._context = {"work_order_id": work_order_id, "item_code": item_code,
                         "item_name": item_name, "agent_id": agent_id}
        self._materials = tuple(materials)
        if schema is None:
            self.title.setText(self.tr("No application form for this work order"))
            self.subtitle.setText("")
            self._set_enabled(False)
            return False
        self.state = FormState(schema, self._regions)
        self.state.prefill(prefill)
        self.title.setText(form_title(schema))
        self.subtitle.setText(self.tr("Work order %1 · %2").replace("%1", work_order_id)
                              .replace("%2", item_name or item_code))
        self._build(schema)
        self._unsubscribe_state = self.state.changed.connect(self._on_state_changed)
        self._set_enabled(True)
        self._refresh()
        # One application per work order and form: if it is already in the outbox (and not
        # returned or failed), show where it stands instead of inviting a second one.
        earlier = [e for e in self._outbox.entries() if e.submission.work_order_id ==
                   work_order_id and e.submission.form == schema.code and e.state in
                   (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.ACCEPTED)]
        if earlier:
            self._mine.add(earlier[0].entry_id)
            self.submit.setEnabled(False)
            self._on_outbox_changed(earlier[0])
        return True

    def set_materials(self, materials: Sequence[tuple[str, str]]) -> None:
        """The (code, name) pairs of the materials received, for the submission and receipt."""
        self._materials = tuple(materials)

    def _build(self, schema: FormSchema) -> None:
        body = QWidget()
        column = QVBoxLayout(body)
        groups = [(self.tr("Scenario"), [f for f in schema.fields if f.scenario]),
                  (self.tr("Application"), [f for f in schema.fields if not f.scenario])]
        self._forms = []
        for title, fields in groups:
            if not fields:
                continue
            box = QGroupBox(title, body)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for f in fields:
                editor = make_editor(f, self._regions, box)
                row = _FieldRow(f, editor, box)
                row.confirm.clicked.connect(lambda _=False, code=f.code: self._on_confirm(code))
                editor.edited.connect(lambda value, code=f.code: self._on_edited(code, value))
                form.addRow(row.label, row.box)
                self._rows[f.code] = row
            self._forms.append(form)
            column.addWidget(box)
        column.addStretch(1)
        self.fields_area.setWidget(body)
        assert self.state is not None
        for code, row in self._rows.items():
            row.editor.set_value(self.state.value(code))

    def _clear(self) -> None:
        if self.state is not None:
            self._unsubscribe_state()
        self.state = None
        self._rows.clear()
        self._show_all_problems = False
        self.status.setText("")
        self.missing.clear()
        old = self.fields_area.takeWidget()
        if old is not None:
            old.deleteLater()

    # --- slots -------------------------------------------------------------------------

    def _on_edited(self, code: str, value: str) -> None:
        if self.state is not None:
            self._rows[code].touched = True
            self.state.set_value(code, value)

    def _on_confirm(self, code: str) -> None:
        if self.state is not None:
            self.state.confirm(code)

    def _on_confirm_all_clicked(self) -> None:
        if self.state is not None:
            self.state.confirm_all()

    def _on_state_changed(self, _code: str) -> None:
        self._refresh()

    def _on_missing_item_activated(self, item: QListWidgetItem | None) -> None:
        code = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        row = self._rows.get(code) if isinstance(code, str) else None
        if row is not None:
            self.fields_area.ensureWidgetVisible(row.box)
            row.editor.focus_target().setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_submit_clicked(self) -> None:
        state = self.state
        if state is None or not self.submit.isEnabled():
            return
        self._show_all_problems = True
        self._refresh()
        missing = state.missing()
        if missing:
            self._on_missing_item_activated(self.missing.item(0))
            self.status.setText(self.tr("Not submitted: %n item(s) still missing", "",
                                        len(missing)))
            return
        submission = self._submission(state)
        self.submit.setEnabled(False)
        self.status.setText(self.tr("Saving…"))

        async def enqueue() -> None:
            try:
                entry = await self._outbox.enqueue(submission)
            except Exception as exc:
                log.exception("the outbox refused an application")
                self.status.setText(self.tr("Not saved: %1").replace("%1", str(exc)))
                self.submit.setEnabled(True)
                return
            self._mine.add(entry.entry_id)
            self.submitted.emit(entry.entry_id)
            self._on_outbox_changed(self._outbox.entry(entry.entry_id) or entry)

        task = asyncio.get_running_loop().create_task(enqueue(), name="form submit")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_outbox_changed(self, entry: OutboxEntry) -> None:
        if entry.entry_id not in self._mine:
            return
        current = entry.submission.work_order_id == self._context.get("work_order_id")
        if entry.state is OutboxState.ACCEPTED:
            self.accepted.emit(entry.entry_id)
        if not current:
            return
        number = entry.application_no
        _restyle(self.status, "state", entry.state.value)
        self.status.setText({
            OutboxState.QUEUED: self.tr("Saved in the outbox; sending… (attempt %1)")
            .replace("%1", str(entry.attempts + 1)),
            OutboxState.SENDING: self.tr("Sending to the government service API…"),
            OutboxState.ACCEPTED: self.tr("Accepted: application number %1").replace("%1", number),
            OutboxState.RETURNED: self.tr("Returned for correction: %1").replace("%1",
                                                                                  entry.detail),
            OutboxState.FAILED: self.tr("Failed: %1").replace("%1", entry.detail),
        }[entry.state])
        if entry.state is OutboxState.RETURNED and self.state is not None:
            self.state.apply_server_problems({p.field: p.message for p in entry.field_errors})
            self._show_all_problems = True
            self.submit.setEnabled(True)
        elif entry.state is OutboxState.FAILED:
            self.submit.setEnabled(True)

    # --- helpers ------------------------------------------------------------------------

    def _submission(self, state: FormState) -> Submission:
        values = state.payload()
        id_field = next((f.code for f in state.schema.fields
                         if f.kind == "id_number" and f.prefill == "id_card.id_number"), "")
        name_field = next((f.code for f in state.schema.fields
                           if f.prefill == "id_card.name"), "")
        return Submission(
            work_order_id=self._context["work_order_id"],
            item_code=self._context["item_code"],
            item_name=self._context["item_name"] or self._context["item_code"],
            form=state.schema.code, values=values,
            materials=tuple(code for code, _ in self._materials),
            material_names=tuple(name for _, name in self._materials),
            applicant_name=values.get(name_field, ""),
            applicant_id_number=values.get(id_field, ""),
            agent_id=self._context["agent_id"],
        )

    def _refresh(self) -> None:
        state = self.state
        if state is None:
            return
        visible = {f.code for f in state.visible_fields()}
        problems = state.problems()
        for form in self._forms:
            for code, row in self._rows.items():
                if form.indexOf(row.box) >= 0:
                    form.setRowVisible(row.box, code in visible)
        for code, row in self._rows.items():
            if row.editor.value() != state.value(code) and not row.editor.focus_target().hasFocus():
                row.editor.set_value(state.value(code))
            row.confirm.setVisible(code in state.unconfirmed)
            problem = problems.get(code)
            text = ""
            if problem is not None and (row.touched or self._show_all_problems):
                text = problem_label(problem, state.server_problems.get(code, ""))
            row.message.setText(text)
            row.message.setVisible(bool(text))
            _restyle(row.box, "prefilled", code in state.unconfirmed)
        self.missing.clear()
        for item in state.missing():
            line = QListWidgetItem(f"{field_label(item.field)}：{problem_label(item.problem)}")
            line.setData(Qt.ItemDataRole.UserRole, item.field.code)
            self.missing.addItem(line)
        count = self.missing.count()
        self.missing.setVisible(count > 0)
        self.missing_box.setTitle(self.tr("Still missing: %n", "", count) if count
                                  else self.tr("Nothing missing: ready to submit"))
        self.confirm_all.setEnabled(bool(state.unconfirmed))

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.submit, self.confirm_all, self.missing_box):
            widget.setEnabled(enabled)

    def closeEvent(self, event: QCloseEvent | None) -> None:
        self._unsubscribe()
        super().closeEvent(event)


def _restyle(widget: QWidget, name: str, value: object) -> None:
    """Set a property the style sheet selects on, and re-apply the style if it changed."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    if style is not None:
        for w in (widget, *widget.findChildren(QWidget)):
            style.unpolish(w)
            style.polish(w)
