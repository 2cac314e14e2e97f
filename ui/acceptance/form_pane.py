"""The form pane (表单): the form of the application in hand, generated from its schema.

The pane shows an ``ApplicationDesk``: when the desk opens an application it builds one
editor per field (``ui.acceptance.form_editors``), scenario questions first; fields
appear and disappear with the scenario answers. Values the contact already knew are
prefilled and marked "to confirm" until the agent confirms each (or all). Problems show
under a field once it was touched or a submit was tried; the "still missing" list always
shows what stops submission, and a click (or Enter) on a line jumps to the field.
When the applicant's ID number differs from the caller's as the channel knows it, a
warning above the missing list asks the agent to confirm an application on someone
else's behalf (``IdentityWarning``); the desk takes no submit until it is ticked.
Submit (Ctrl+Enter) asks the desk, which answers with what is missing (or the unconfirmed
identity) or saves the application in the outbox; the pane then shows where the outbox
has it, and the field errors the API returns show on the form.

What the agent does goes to the desk as intents (edit, confirm, confirm all, submit);
the pane holds no rule of its own beyond when to show a problem. It emits no signals:
whoever follows an application (the receipt, the plugins) follows the desk.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QCoreApplication, Qt
from PyQt6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from seat_client.acceptance.desk import ApplicationDesk, ApplicationInHand
from seat_client.acceptance.form_state import FormState
from seat_client.acceptance.outbox_entries import OutboxEntry, OutboxState
from seat_common.forms import FormField, FormSchema
from ui.acceptance.form_editors import FieldEditor, make_editor
from ui.acceptance.form_labels import field_label, form_title, problem_label
from ui.acceptance.identity_warning import IdentityWarning
from ui.labels import PlainLabel

translate = QCoreApplication.translate


class _FieldRow:
    """The widgets of one field: label, editor, confirm button, message."""

    def __init__(self, field: FormField, editor: FieldEditor, parent: QWidget) -> None:
        self.field = field
        self.editor = editor
        self.label = PlainLabel(field_label(field) + (" *" if field.required else ""), parent)
        self.label.setBuddy(editor.focus_target())
        self.confirm = QPushButton(translate("FormPane", "Prefilled — confirm"), parent)
        self.confirm.setObjectName("confirmPrefill")
        self.confirm.setToolTip(translate("FormPane", "Confirmed with the citizen"))
        self.message = PlainLabel(parent)
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
    """The form of the desk's application in hand, what is still missing and where the
    outbox has it. Emits no signals of its own."""

    def __init__(self, desk: ApplicationDesk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self._form: FormState | None = None  # the form on show, the desk's application's
        self._rows: dict[str, _FieldRow] = {}
        self._show_all_problems = False
        self._forms: list[QFormLayout] = []
        self._unsubscribe_form: Callable[[], None] = lambda: None

        self.title = PlainLabel(self.tr("No application form for this work order"), self)
        self.title.setObjectName("formTitle")
        self.subtitle = PlainLabel(self)
        self.subtitle.setObjectName("formSubtitle")
        self.fields_area = QScrollArea(self)
        self.fields_area.setWidgetResizable(True)
        # Fields wrap to the pane's width; a sideways scroll bar only hides the labels.
        self.fields_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.missing_box = QGroupBox(self.tr("Still missing"), self)
        # Never taller than its list: with nothing missing it is one line, not an empty box.
        self.missing_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.missing = QListWidget(self.missing_box)
        self.missing.setMaximumHeight(110)
        QVBoxLayout(self.missing_box).addWidget(self.missing)
        self.identity = IdentityWarning(self)
        self.confirm_all = QPushButton(self.tr("Confirm all prefilled"), self)
        self.submit = QPushButton(self.tr("Submit application (Ctrl+Enter)"), self)
        self.submit.setObjectName("submitApplication")
        self.status = PlainLabel(self)
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
        layout.addWidget(self.identity)
        layout.addWidget(self.missing_box)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        self._shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._set_enabled(False)
        self._connect_signals()
        if (application := desk.application) is not None:
            self._on_desk_opened(application)
            if application.entry is not None:
                self._on_desk_progress(application.entry)

    def _connect_signals(self) -> None:
        self.submit.clicked.connect(self._on_submit_clicked)
        self._shortcut.activated.connect(self._on_submit_clicked)
        self.confirm_all.clicked.connect(self._on_confirm_all_clicked)
        self.missing.itemActivated.connect(self._on_missing_item_activated)
        self.missing.itemClicked.connect(self._on_missing_item_activated)
        self.identity.confirmation_toggled.connect(self._on_identity_confirmation_toggled)
        desk = self.desk
        self._unsubscribe = [
            desk.opened.connect(self._on_desk_opened),
            desk.progress.connect(self._on_desk_progress),
            desk.save_failed.connect(self._on_desk_save_failed),
            desk.identity_changed.connect(self._on_desk_identity_changed),
        ]

    # --- the application in hand -----------------------------------------------------

    def _on_desk_opened(self, application: ApplicationInHand | None) -> None:
        """Show the desk's new application (or none): its editors, empty of problems."""
        self._clear()
        _restyle(self.status, "state", "")
        if application is None:
            self.identity.show_mismatch(None, False)
            self.title.setText(self.tr("No application form for this work order"))
            self.subtitle.setText("")
            self._set_enabled(False)
            return
        context, form = application.context, application.form
        self._form = form
        self.title.setText(form_title(form.schema))
        self.subtitle.setText(self.tr("Work order %1 · %2").replace("%1", context.work_order_id)
                              .replace("%2", context.item_name or context.item_code))
        self._build(form.schema, form)
        self._unsubscribe_form = form.changed.connect(self._on_form_changed)
        self._set_enabled(True)
        self.submit.setEnabled(application.submittable)
        self._refresh()

    def _build(self, schema: FormSchema, state: FormState) -> None:
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
                editor = make_editor(f, self.desk.forms.regions, box)
                row = _FieldRow(f, editor, box)
                row.confirm.clicked.connect(lambda _=False, code=f.code: self._on_confirm(code))
                editor.edited.connect(lambda value, code=f.code: self._on_edited(code, value))
                form.addRow(row.label, row.box)
                self._rows[f.code] = row
            self._forms.append(form)
            column.addWidget(box)
        column.addStretch(1)
        self.fields_area.setWidget(body)
        for code, row in self._rows.items():
            row.editor.set_value(state.value(code))

    def _clear(self) -> None:
        self._unsubscribe_form()
        self._unsubscribe_form = lambda: None
        self._form = None
        self._rows.clear()
        self._show_all_problems = False
        self.status.setText("")
        self.missing.clear()
        old = self.fields_area.takeWidget()
        if old is not None:
            old.deleteLater()

    # --- slots -------------------------------------------------------------------------

    def _on_edited(self, code: str, value: str) -> None:
        if self._form is not None:
            self._rows[code].touched = True
            self.desk.edit(code, value)

    def _on_confirm(self, code: str) -> None:
        self.desk.confirm(code)

    def _on_confirm_all_clicked(self) -> None:
        self.desk.confirm_all()

    def _on_form_changed(self, _code: str) -> None:
        self._refresh()

    def _on_missing_item_activated(self, item: QListWidgetItem | None) -> None:
        code = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        row = self._rows.get(code) if isinstance(code, str) else None
        if row is not None:
            self.fields_area.ensureWidgetVisible(row.box)
            row.editor.focus_target().setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_identity_confirmation_toggled(self, checked: bool) -> None:
        if checked:
            self.desk.confirm_identity()
        else:
            self.desk.withdraw_identity_confirmation()

    def _on_desk_identity_changed(self, _mismatch: object) -> None:
        self._refresh()

    def _on_submit_clicked(self) -> None:
        if self._form is None or not self.submit.isEnabled():
            return
        self._show_all_problems = True
        self._refresh()
        answer = self.desk.submit()
        if answer.missing:
            self._on_missing_item_activated(self.missing.item(0))
            self.status.setText(self.tr("Not submitted: %n item(s) still missing", "",
                                        len(answer.missing)))
        elif answer.mismatch is not None:
            self.identity.confirm.setFocus(Qt.FocusReason.OtherFocusReason)
            self.status.setText(self.tr("Not submitted: confirm the applicant's identity first"))
        elif answer.saving:
            self.submit.setEnabled(False)
            self.status.setText(self.tr("Saving…"))

    def _on_desk_save_failed(self, message: str) -> None:
        self.status.setText(self.tr("Not saved: %1").replace("%1", message))
        self._show_submittable()

    def _on_desk_progress(self, entry: OutboxEntry) -> None:
        """Where the outbox has the application in hand (the desk already put the API's
        field errors of a returned one on the form)."""
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
        if entry.state is OutboxState.RETURNED:
            self._show_all_problems = True
        self._show_submittable()

    # --- helpers ------------------------------------------------------------------------

    def _show_submittable(self) -> None:
        application = self.desk.application
        self.submit.setEnabled(application is not None and application.submittable)

    def _refresh(self) -> None:
        state = self._form
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
        mismatch, confirmed = self.desk.mismatch(), self.desk.identity_confirmed()
        self.missing_box.setTitle(
            self.tr("Still missing: %n", "", count) if count
            else self.tr("Nothing missing: confirm the applicant's identity above")
            if mismatch is not None and not confirmed
            else self.tr("Nothing missing: ready to submit"))
        self.confirm_all.setEnabled(bool(state.unconfirmed))
        self.identity.show_mismatch(mismatch, confirmed)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.submit, self.confirm_all, self.missing_box):
            widget.setEnabled(enabled)

    def closeEvent(self, event: QCloseEvent | None) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self._unsubscribe_form()
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
