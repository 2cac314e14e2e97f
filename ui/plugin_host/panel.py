"""The plugin tab: one page per task plugin serving the current call or counter intake.

Each page shows the plugin's scenario questions (情形问答) as choices, the materials
checklist the answers select, the plugin's action buttons (with their shortcuts), the
plugin's own side panel, and — if the plugin failed — why it was switched off. Notices
from all plugins collect at the bottom. The widget shows state and emits intent; the
``PluginHost`` (core) does the work.

Signals: ``notice_shown(plugin, level, text)`` for a status bar or toast;
``busy_changed(bool)`` while an action runs.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from seat_client.plugin_api import PluginNotice
from seat_client.plugin_host.host import PluginHost, PluginSession
from seat_common.tasks import TaskOwner
from ui.labels import PlainLabel

log = logging.getLogger(__name__)

LEVEL_COLOURS = {"info": "#1f6feb", "warning": "#9a6700", "error": "#cf222e"}
MAX_NOTICES = 50


class SessionPage(QWidget):
    """One plugin's page for the current contact."""

    def __init__(self, panel: PluginPanel, session: PluginSession) -> None:
        super().__init__()
        self._panel = panel
        self.session = session
        self.banner = PlainLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(f"color: white; background: {LEVEL_COLOURS['error']};"
                                  "padding: 4px;")
        self.questions: dict[str, QComboBox] = {}
        form = QFormLayout()
        for q in session.questions:
            box = QComboBox()
            box.addItem("—", "")
            for option in q.options:
                box.addItem(option.label_en if panel.english and option.label_en
                            else option.label, option.value)
            current = session.context.answers.get(q.code, "")
            box.setCurrentIndex(max(0, box.findData(current)))
            box.currentIndexChanged.connect(
                lambda _i, code=q.code, b=box: self._on_answer_changed(code, b))
            self.questions[q.code] = box
            form.addRow(q.text_en if panel.english and q.text_en else q.text, box)
        self.checklist = QListWidget()
        self.checklist.setMaximumHeight(110)
        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for action in session.actions:
            button = QPushButton(action.label_en if panel.english else action.label)
            if action.shortcut:
                button.setToolTip(action.shortcut)
                shortcut = QShortcut(QKeySequence(action.shortcut), self)
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
                shortcut.activated.connect(button.click)
            button.clicked.connect(lambda _c=False, code=action.code: self._on_action(code))
            self.buttons[action.code] = button
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.checklist)
        layout.addLayout(actions)
        self.custom: QWidget | None = None
        if session.panel is not None:
            try:
                made = session.panel(session.context, self)
                if not isinstance(made, QWidget):
                    raise TypeError(f"panel factory returned {type(made).__name__}, "
                                    "not a QWidget")
                self.custom = made
                layout.addWidget(made, 1)
            except Exception as exc:
                log.exception("plugin %s panel failed", session.name)
                panel.host.fail(session.name, f"panel failed: {type(exc).__name__}: {exc}")
        if self.custom is None:
            layout.addStretch(1)
        self.refresh()

    def _on_answer_changed(self, code: str, box: QComboBox) -> None:
        value = str(box.currentData() or "")
        if value:
            self._panel.run(self._panel.host.answer(self.session.name, code, value))

    def _on_action(self, code: str) -> None:
        for button in self.buttons.values():  # one action at a time, until the host answers
            button.setEnabled(False)
        self._panel.run(self._panel.host.run_action(self.session.name, code))

    def refresh(self) -> None:
        s = self.session
        self.banner.setVisible(bool(s.disabled))
        self.banner.setText(self.tr("This plugin was switched off: {0}").format(s.disabled))
        self.checklist.clear()
        if s.checklist is not None:
            for m in s.checklist.materials:
                mark = "●" if m.required else "○"
                self.checklist.addItem(f"{mark} {m.name}")
        self.checklist.setVisible(s.checklist is not None)
        for code, button in self.buttons.items():
            button.setEnabled(not s.disabled and not s.busy)
            button.setText(button.text().rstrip(" …") + (" …" if s.busy == code else ""))
        for box in self.questions.values():
            box.setEnabled(not s.disabled)
        if s.disabled and self.custom is not None:
            self.custom.setEnabled(False)


class PluginPanel(QWidget):
    """Hosts the plugin sessions of the current contact (see the module docstring)."""

    notice_shown = pyqtSignal(str, str, str)
    busy_changed = pyqtSignal(bool)

    def __init__(
        self, host: PluginHost, parent: QWidget | None = None, *, english: bool = False,
        tasks: TaskOwner | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        #: show plugins' English labels (the UI runs with --lang en)
        self.english = english
        self.tabs = QTabWidget()
        self.tabs.setTabBarAutoHide(True)  # one plugin: no tab bar of one tab
        self.tabs.setDocumentMode(True)
        self.empty = PlainLabel(self.tr("No task plugin for this item."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notices = QListWidget()
        self.notices.setMaximumHeight(140)  # the plugin pages get the room at 1366x768
        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.empty)
        top_layout.addWidget(self.tabs, 1)
        split.addWidget(top)
        split.addWidget(self.notices)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.pages: dict[str, SessionPage] = {}
        # The host's failures are its own notices; a failed click is only logged here.
        self._tasks = tasks or TaskOwner("plugin panel")
        self._tasks.busy_changed.connect(self.busy_changed.emit)
        self._unsubscribe = [
            host.sessions_changed.connect(self._on_host_sessions_changed),
            host.session_updated.connect(self._on_host_session_updated),
            host.notice.connect(self._on_host_notice),
        ]
        self._on_host_sessions_changed(host.sessions)

    def detach(self) -> None:
        """Stop following the host and cancel running actions (call before closing)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for task in self._tasks.running():
            task.cancel()

    def idle(self) -> bool:
        """No click of this panel is still being handled."""
        return not self._tasks.busy

    def run(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a host coroutine for a click; the panel's owner keeps the task until it ends."""
        self._tasks.spawn(coro, "plugin host call", report=False)

    def title_of(self, plugin: str) -> str:
        """What the agent calls a plugin (its title), never its entry-point name."""
        session = next((s for s in self.host.sessions if s.name == plugin), None)
        if session is None:
            return plugin
        return (session.plugin.title_en if self.english else session.plugin.title) or plugin

    def _on_host_sessions_changed(self, sessions: tuple[PluginSession, ...]) -> None:
        self.tabs.clear()
        for page in self.pages.values():
            page.deleteLater()
        self.pages = {}
        for s in sessions:
            page = SessionPage(self, s)
            self.pages[s.name] = page
            title = (s.plugin.title_en if self.english else s.plugin.title) or s.name
            self.tabs.addTab(page, title)
        self.empty.setVisible(not sessions)
        self.tabs.setVisible(bool(sessions))

    def _on_host_session_updated(self, session: PluginSession) -> None:
        page = self.pages.get(session.name)
        if page is not None:
            page.refresh()

    def _on_host_notice(self, notice: PluginNotice) -> None:
        item = QListWidgetItem(f"[{self.title_of(notice.plugin)}] {notice.text}")
        item.setForeground(QBrush(QColor(LEVEL_COLOURS.get(notice.level, "#000"))))
        self.notices.insertItem(0, item)
        while self.notices.count() > MAX_NOTICES:
            self.notices.takeItem(self.notices.count() - 1)
        self.notice_shown.emit(notice.plugin, notice.level, notice.text)
