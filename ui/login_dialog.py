"""Logging in: the seat's ID and token, asked once and then kept in the system keyring.

``obtain_credentials`` finds the token in the keyring or asks with ``LoginDialog`` (then
saves it); both programs use it, the agent's workstation and the supervisor's seat wall.
"""

from __future__ import annotations

import logging
import sys

from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from seat_client.credentials import CredentialsError, TokenStore, check_token
from ui.labels import PlainLabel

log = logging.getLogger(__name__)


class LoginDialog(QDialog):
    """Asks for the agent ID and token; ``token()`` is checked before the dialog accepts."""

    def __init__(self, agent_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Log in to the video service"))
        self.agent_id = QLineEdit(agent_id, self)
        self.agent_id.setMaxLength(64)
        self.token_edit = QLineEdit(self)
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setMaxLength(256)
        self.error = PlainLabel(self)
        self.error.setStyleSheet("color:#b3261e")
        self.error.setWordWrap(True)
        hint = PlainLabel(
            self.tr("The token is kept in the system keyring, never in a file."), self
        )
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Agent ID"), self.agent_id)
        form.addRow(self.tr("Token"), self.token_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        (self.token_edit if agent_id else self.agent_id).setFocus()

    def token(self) -> str:
        return check_token(self.token_edit.text())

    def _on_buttons_accepted(self) -> None:
        if not self.agent_id.text().strip():
            self.error.setText(self.tr("Enter your agent ID."))
            return
        try:
            self.token()
        except CredentialsError:
            self.error.setText(self.tr("The token is empty or has characters a token cannot have."))
            return
        self.accept()


def obtain_credentials(
    agent_id: str, store: TokenStore, *, interactive: bool
) -> tuple[str, str] | None:
    """The agent ID and token: from the keyring, else from the login dialog (then saved)."""
    token: str | None = None
    if agent_id:
        try:
            token = store.get(agent_id)
        except CredentialsError as exc:
            log.warning("keyring: %s", exc)
    if token:
        return agent_id, token
    if not interactive:
        print(f"没有找到坐席 {agent_id or '?'} 的令牌 / no token in the keyring", file=sys.stderr)
        return None
    dialog = LoginDialog(agent_id)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    agent_id, token = dialog.agent_id.text().strip(), dialog.token()
    try:
        store.put(agent_id, token)
    except CredentialsError as exc:
        QMessageBox.warning(
            None, dialog.windowTitle(),
            QCoreApplication.translate(
                "LoginDialog", "The token could not be saved and is used for this session only: %1"
            )
            .replace("%1", str(exc)),
        )
    return agent_id, token
