"""Who a citizen is, for counting people: a stable pseudonymous key per citizen.

Users served (服务用户数) is the number of *different citizens* served. Masked
values cannot tell citizens apart (two "吴**" with "4419**********1234" may be
two people) and raw ID numbers must not be copied into figures, so the hub keeps
with each work order a key made when the work order is opened:

    HMAC-SHA256(hub secret, "id:" + normalised ID number)   when the ID number is known,
    HMAC-SHA256(hub secret, "phone:" + normalised phone)    else when the phone is,
    ""                                                       else (counted as one user per
                                                             work order: nobody can tell).

The same citizen gives the same key in every work order, whatever spacing or
case the ID number came with; without the secret the key cannot be turned back
into an ID number by trying the (few) possible numbers. The secret is a file of
the hub's (``seat-hub --citizen-key-file``, by default ``citizen-key.secret``
beside the ledger), made on first start with mode 0600; losing it only means
that citizens served before and after are no longer recognised as the same.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Final

from seat_common.protocol import CitizenInfo

#: Bytes of a new secret (256 bits, the HMAC-SHA256 block's worth of key).
SECRET_BYTES: Final = 32
_MIN_SECRET_CHARS: Final = 32


class CitizenKeyError(RuntimeError):
    """The secret file cannot be read, made or is not a usable secret."""


def normalise_id_number(value: str) -> str:
    """An ID number as one citizen's number is written every time: no spaces or dashes,
    an upper-case check character ``X``."""
    return re.sub(r"[\s\-]", "", value).upper()


def normalise_phone(value: str) -> str:
    """A phone number's digits, without China's country code (+86, 0086)."""
    digits = re.sub(r"\D", "", value)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


class CitizenKeys:
    """Makes citizens' keys with the hub's secret (see the module's docstring)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < _MIN_SECRET_CHARS:
            raise CitizenKeyError("the citizen-key secret is too short (32 bytes at least)")
        self._secret = secret

    def key_of(self, citizen: CitizenInfo) -> str:
        """The citizen's key, or "" when neither ID number nor phone is known."""
        id_number = normalise_id_number(citizen.id_number)
        if id_number:
            return self._digest("id:" + id_number)
        phone = normalise_phone(citizen.phone)
        if phone:
            return self._digest("phone:" + phone)
        return ""

    def _digest(self, text: str) -> str:
        return hmac.new(self._secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    @classmethod
    def from_file(cls, path: Path) -> CitizenKeys:
        """The keys of the secret in ``path``, making the file (mode 0600) if it is missing."""
        try:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="ascii") as out:
                    out.write(secrets.token_hex(SECRET_BYTES) + "\n")
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeError) as exc:
            raise CitizenKeyError(f"citizen-key secret {path}: {exc}") from exc
        if len(text) < _MIN_SECRET_CHARS or any(c.isspace() for c in text):
            raise CitizenKeyError(
                f"citizen-key secret {path}: want one line of at least {_MIN_SECRET_CHARS}"
                " characters without spaces"
            )
        return cls(text.encode("ascii"))
