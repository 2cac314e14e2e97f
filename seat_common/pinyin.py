"""The first letters of a Chinese name's pinyin, for finding items as you type ("sy" finds
失业…): the citizen page's item list (the hub's ``items.json``) and the workstation's
transfer dialog use the same rule."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def pinyin_initials(name: str) -> str:
    """The first letter of each Chinese word's pinyin in ``name`` ("失业保险" → "sybx");
    letters and digits in the name are kept in lower case, punctuation dropped."""
    return "".join(
        ch for part in lazy_pinyin(name, style=Style.FIRST_LETTER) for ch in part.lower()
        if ch.isascii() and ch.isalnum()
    )
