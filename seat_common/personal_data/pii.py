"""Masking of personal data (ID numbers, phone numbers, names) for lists, logs and walls.

Pure stdlib, so the hub masks what it sends to queues and seat walls with
the same rules the workstation uses in its lists.
"""

from __future__ import annotations

import re


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
