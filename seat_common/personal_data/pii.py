"""Masking of personal data (ID numbers, phone numbers, names) for lists, logs and walls.

Pure stdlib, so the hub masks what it sends to queues and seat walls with
the same rules the workstation uses in its lists. The other side of the mask:
``opaque_reference`` makes the random references (sessions, calls, consents…) that logs
and audit rows quote, in a form the mask never touches.
"""

from __future__ import annotations

import re
import secrets


def mask_id_number(value: str) -> str:
    """``441900199001011234`` → ``4419**********1234``: region prefix and last four kept."""
    v = value.strip()
    if len(v) <= 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def mask_phone(value: str) -> str:
    """``13800138000`` → ``138****8000``; short numbers keep only their last two digits."""
    v = value.strip()
    if len(v) >= 11:
        return v[:3] + "*" * (len(v) - 7) + v[-4:]
    if len(v) <= 2:
        return "*" * len(v)
    return "*" * (len(v) - 2) + v[-2:]


def mask_name(value: str) -> str:
    """``吴小梅`` → ``吴**``, ``Wu Xiaomei`` → ``W*********``: the surname initial only."""
    v = value.strip()
    if len(v) <= 1:
        return v
    return v[0] + "*" * (len(v) - 1)


def mask_text(value: str) -> str:
    """Mask every run of 11+ digits (ID and phone numbers) inside free text, for logs."""
    return re.sub(
        r"\d{17}[\dXx]|\d{15}|1\d{10}",
        lambda m: mask_id_number(m.group()) if len(m.group()) > 11 else mask_phone(m.group()),
        value,
    )


def opaque_reference(prefix: str, nbytes: int = 8) -> str:
    """A fresh random reference, e.g. ``C-4e0f-9a61-b2c7-03d8``, that ``mask_text`` leaves
    whole: hex in groups of four never holds five digits in a row. Ungrouped, 16 hex
    characters hold a phone-like run (``1`` and ten digits) about once in 300, and the log
    or audit row quoting it would show it masked, matching nothing."""
    digits = secrets.token_hex(nbytes)
    return prefix + "-".join(digits[i:i + 4] for i in range(0, len(digits), 4))
