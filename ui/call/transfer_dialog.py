"""The transfer dialog (转接, F5), the hold key (保持/恢复, F11) and the raised hand (举手,
F12): hand the current call on to an item's or a theme's queue, or to a colleague by seat
id, with a note for them; hold the citizen; ask a supervisor for help with a reason.

The list holds the catalog's themes and items; typing filters it as you type, by
name, code or the first letters of the name's pinyin ("ydaz" finds 异地安置…, as on the
citizen page). A seat id typed in full (digits or letters, as on the seat wall) is
offered as "转给坐席 <id>". Above them, the colleagues logged in (the hub's
``agent_list``, asked for when the dialog opens), with their state: those ready can be
chosen, the rest are greyed; typing filters them too (name, pinyin initials, seat id).
``TransferParts`` wires the dialog, the F5 key and the
``TransferDesk`` to a main window; what the hub says of the transfer shows in the
status strip's message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PyQt6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from seat_client.call.transfer_desk import TransferDesk, TransferError
from seat_common import catalog as catalog_module
from seat_common import protocol
from seat_common.item_search import pinyin_initials
from seat_common.tasks import TaskOwner
from ui.labels import PlainLabel

#: What a typed seat id looks like (the seats file's agent ids).
_SEAT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TARGET = Qt.ItemDataRole.UserRole
#: What typing matches besides the text: the name's pinyin initials.
_INITIALS = Qt.ItemDataRole.UserRole + 1
#: A colleague's state as the dialog says it (translated in the TransferDialog context).
_STATES: dict[str, str] = {
    "ready": QT_TRANSLATE_NOOP("TransferDialog", "ready"),
    "ringing": QT_TRANSLATE_NOOP("TransferDialog", "ringing"),
    "on_call": QT_TRANSLATE_NOOP("TransferDialog", "in a call"),
    "wrap_up": QT_TRANSLATE_NOOP("TransferDialog", "wrapping up"),
    "away": QT_TRANSLATE_NOOP("TransferDialog", "away"),
    "counter": QT_TRANSLATE_NOOP("TransferDialog", "at the counter"),
    "offline": QT_TRANSLATE_NOOP("TransferDialog", "offline"),
}


class TransferDialog(QDialog):
    """Choose where the call goes and write a note; ``target()`` is (kind, code)."""

    def __init__(self, catalog: catalog_module.Catalog, parent: QWidget | None = None, *,
                 consult: bool = False) -> None:
        super().__init__(parent)
        self.consult = consult
        self.setWindowTitle(self.tr("Consult a colleague (Shift+F5)") if consult
                            else self.tr("Transfer the call (F5)"))
        self.setMinimumWidth(460)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(self.tr("Type an item, a theme or a seat id to filter"))
        self.targets = QListWidget(self)
        self.note = QPlainTextEdit(self)
        self.note.setPlaceholderText(self.tr("Note for the colleague (what the citizen needs, "
                                             "what was checked)"))
        self.note.setMaximumHeight(90)
        self.hint = PlainLabel(
            self.tr("The citizen is put on hold while you talk to the colleague; then "
                    "return, go three-way or hand the call over.") if consult else
            self.tr("The citizen waits at the head of that queue and sees “正在为您转接…”."),
            self)
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button = ok
        ok.setText(self.tr("Call") if consult else self.tr("Transfer"))
        column = QVBoxLayout(self)
        for widget in (self.filter, self.targets, self.note, self.hint, self.buttons):
            column.addWidget(widget)
        self._seat_row: QListWidgetItem | None = None
        self._agent_rows: list[QListWidgetItem] = []
        for theme in catalog.themes.values():
            self._add(self.tr("Theme") + f" · {theme.name}", ("theme", theme.code), theme.name)
            for item in catalog.items_in_theme(theme.code):
                self._add(f"    {item.name}  ({item.code})", ("item", item.code), item.name)
        self.filter.textChanged.connect(self._on_filter)
        self.targets.itemDoubleClicked.connect(lambda _item: self.accept())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.targets.currentItemChanged.connect(lambda *_: self._update_ok())
        self._update_ok()

    def _add(self, text: str, target: tuple[str, str], name: str) -> QListWidgetItem:
        row = QListWidgetItem(text, self.targets)
        row.setData(_TARGET, target)
        row.setData(_INITIALS, pinyin_initials(name))
        return row

    def set_agents(self, agents: tuple[protocol.AgentEntry, ...]) -> None:
        """The colleagues logged in, at the top: those who take calls now can be chosen."""
        for row in self._agent_rows:
            self.targets.takeItem(self.targets.row(row))
        self._agent_rows = []
        for at, agent in enumerate(agents):
            state = _STATES.get(agent.state, agent.state)
            row = QListWidgetItem(
                f"{self.tr('Colleague')} · {agent.name} ({agent.agent_id}) · "
                f"{QCoreApplication.translate('TransferDialog', state)}")
            row.setData(_TARGET, ("agent", agent.agent_id))
            row.setData(_INITIALS, f"{pinyin_initials(agent.name)} {agent.agent_id.lower()}")
            if not agent.takes_calls:
                row.setFlags(row.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.targets.insertItem(at, row)
            self._agent_rows.append(row)
        self._on_filter(self.filter.text())

    def _on_filter(self, text: str) -> None:
        wanted = text.strip().lower()
        first: QListWidgetItem | None = None
        for i in range(self.targets.count()):
            row = self.targets.item(i)
            assert row is not None
            if row is self._seat_row:
                continue
            shown = (not wanted or wanted in row.text().lower()
                     or wanted in str(row.data(_INITIALS)))
            row.setHidden(not shown)
            if shown and first is None and row.flags() & Qt.ItemFlag.ItemIsEnabled:
                first = row
        if self._seat_row is not None:
            self.targets.takeItem(self.targets.row(self._seat_row))
            self._seat_row = None
        if wanted and _SEAT_ID.fullmatch(text.strip()):
            words = self.tr("Call seat %1") if self.consult else self.tr("Transfer to seat %1")
            self._seat_row = QListWidgetItem(words.replace("%1", text.strip()))
            self._seat_row.setData(_TARGET, ("agent", text.strip()))
            self.targets.insertItem(0, self._seat_row)
            first = first or self._seat_row
        self.targets.setCurrentItem(first)
        self._update_ok()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.target() is not None)

    def target(self) -> tuple[protocol.TransferTo, str] | None:
        row = self.targets.currentItem()
        if row is None or row.isHidden() or not row.flags() & Qt.ItemFlag.ItemIsEnabled:
            return None
        kind, code = row.data(_TARGET)
        return kind, code


class TransferParts:
    """The transfer dialog, its F5 key and the desk, for one main window."""

    def __init__(self, window: QWidget, desk: TransferDesk, tasks: TaskOwner, *,
                 say: Callable[[str], None], form: Callable[[], dict[str, str]]) -> None:
        self.window = window
        self.desk = desk
        self.tasks = tasks
        self.say = say
        self.form = form
        desk.changed.connect(self._on_changed)
        self.catalog = catalog_module.load()
        self.dialog: TransferDialog | None = None
        self.shortcut = QShortcut(QKeySequence("F5"), window)
        self.shortcut.activated.connect(self.open)
        #: F11 holds the citizen, or resumes the call
        self.hold_shortcut = QShortcut(QKeySequence("F11"), window)
        self.hold_shortcut.activated.connect(self.toggle_hold)
        desk.hold_changed.connect(self._on_hold_changed)
        #: F12 raises a hand for help (举手) with a short reason, or lowers it
        self.hand_shortcut = QShortcut(QKeySequence("F12"), window)
        self.hand_shortcut.activated.connect(self.toggle_hand)
        #: asks the reason for a raised hand (a dialog; tests put their own answer here)
        self.ask_reason: Callable[[], str | None] = self._ask_reason

    def open(self) -> TransferDialog | None:
        """Open the dialog for the current call (none: nothing happens)."""
        if self.desk.workstation.call is None or self.dialog is not None:
            return None
        dialog = TransferDialog(self.catalog, self.window)
        self.dialog = dialog
        self.list_agents_into(dialog)
        dialog.finished.connect(lambda result: self._finished(dialog, result))
        dialog.open()
        return dialog

    def list_agents_into(self, dialog: TransferDialog) -> None:
        """Show who is ready now, and again when the hub answers."""
        dialog.set_agents(self.desk.agents)
        unhook = self.desk.agents_listed.connect(dialog.set_agents)
        dialog.finished.connect(lambda _result: unhook())
        self.tasks.spawn(self.desk.list_agents(), "list agents")

    def _finished(self, dialog: TransferDialog, result: int) -> None:
        self.dialog = None
        target = dialog.target()
        if result != QDialog.DialogCode.Accepted or target is None:
            return
        kind, code = target
        note = dialog.note.toPlainText().strip()
        self.tasks.spawn(self._send(kind, code, note), "transfer")

    async def _send(self, kind: protocol.TransferTo, code: str, note: str) -> None:
        try:
            await self.desk.transfer(kind, code, note, form=self.form().items())
        except TransferError as exc:
            self.say(str(exc))  # the call ended meanwhile: nothing to hand on

    def toggle_hand(self) -> None:
        """Raise a hand (asking the reason first), or lower it."""
        if self.desk.hand_raised:
            self.tasks.spawn(self.desk.lower_hand(), "lower hand")
            self.say(QCoreApplication.translate("TransferParts", "Hand lowered"))
            return
        reason = self.ask_reason()
        if reason and reason.strip():
            self.tasks.spawn(self.desk.raise_hand(reason.strip()), "raise hand")
            self.say(QCoreApplication.translate(
                "TransferParts", "Hand raised: shown on the seat wall (F12 lowers it)"))

    def _ask_reason(self) -> str | None:
        text, ok = QInputDialog.getText(
            self.window, QCoreApplication.translate("TransferParts", "Ask for help (F12)"),
            QCoreApplication.translate("TransferParts", "What do you need help with?"))
        return text[:100] if ok else None

    def toggle_hold(self) -> None:
        """Hold the citizen of the current call, or resume (nothing without a call)."""
        if self.desk.workstation.call is not None:
            self.tasks.spawn(self.desk.hold(not self.desk.on_hold), "hold")

    def _on_hold_changed(self, on: bool) -> None:
        self.say(QCoreApplication.translate(
            "TransferParts", "On hold: the citizen neither hears nor sees you (F11 resumes)")
                 if on else QCoreApplication.translate("TransferParts", "Call resumed"))

    def _on_changed(self, update: protocol.TransferUpdate | None) -> None:
        self.say(update.message if update is not None else
                 QCoreApplication.translate("TransferParts", "The call was handed on"))
