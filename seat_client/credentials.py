"""The agent's hub token, kept in the system keyring and never in a file or a log.

``TokenStore`` is the border; ``KeyringTokenStore`` is the real one. With no
keyring service running (a bare machine with no D-Bus session) keyring's
fail backend raises, and we turn that into a ``CredentialsError`` that says
what to do instead of a traceback.
"""

from __future__ import annotations

from typing import Protocol

import keyring
import keyring.errors

SERVICE = "seat-workstation"
MAX_TOKEN_LENGTH = 256


class CredentialsError(RuntimeError):
    """The keyring cannot be used, or a token is not acceptable."""


class TokenStore(Protocol):
    """Where agent tokens live between sessions."""

    def get(self, agent_id: str) -> str | None: ...
    def put(self, agent_id: str, token: str) -> None: ...
    def delete(self, agent_id: str) -> None: ...


def check_token(token: str) -> str:
    """A token as typed or pasted: trimmed, printable ASCII, of sane length."""
    token = token.strip()
    if not token:
        raise CredentialsError("token is empty")
    if len(token) > MAX_TOKEN_LENGTH:
        raise CredentialsError("token is too long")
    if not token.isascii() or not token.isprintable() or " " in token:
        raise CredentialsError("token has characters a token cannot have")
    return token


class KeyringTokenStore:
    """Tokens in the system keyring (SecretService on Linux)."""

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service

    def get(self, agent_id: str) -> str | None:
        try:
            return keyring.get_password(self._service, agent_id)
        except keyring.errors.KeyringError as exc:
            raise CredentialsError(_explain(exc)) from exc

    def put(self, agent_id: str, token: str) -> None:
        try:
            keyring.set_password(self._service, agent_id, check_token(token))
        except keyring.errors.KeyringError as exc:
            raise CredentialsError(_explain(exc)) from exc

    def delete(self, agent_id: str) -> None:
        try:
            keyring.delete_password(self._service, agent_id)
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            raise CredentialsError(_explain(exc)) from exc


def _explain(exc: Exception) -> str:
    if isinstance(exc, keyring.errors.NoKeyringError):
        return "no system keyring is running (start a desktop session or gnome-keyring-daemon)"
    return f"the system keyring refused: {exc}"
