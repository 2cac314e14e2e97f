"""Finding a service item by what a person types: part of its name, its code, or the
first letters of its name's pinyin ("sy" finds 失业保险个人明细查询, "ylzg" 养老资格认证).

One rule for every picker — the citizen page (its ``items.json`` carries each item's
``initials``), the clerk's walk-in item box, the supervisor's "move citizen" dialog — so
"sy" finds the same items everywhere. pypinyin reads whole words (银行 is "yh", not "yx"),
which a per-character table cannot; it is imported here once (about 0.2 s).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from seat_common.catalog import ServiceItem


@lru_cache(maxsize=4096)
def pinyin_initials(name: str) -> str:
    """The first letter of each Chinese word's pinyin in ``name`` ("失业保险" → "sybx");
    letters and digits in the name are kept in lower case, punctuation dropped."""
    return "".join(
        ch for part in lazy_pinyin(name, style=Style.FIRST_LETTER) for ch in part.lower()
        if ch.isascii() and ch.isalnum()
    )


def search_text(item: ServiceItem) -> str:
    """What a query is matched against: names, code and the names' pinyin initials."""
    return " ".join((item.name, item.short_name, item.code.lower(),
                     pinyin_initials(item.name), pinyin_initials(item.short_name)))


def matches(query: str, text: str) -> bool:
    """Whether ``query`` (any case, surrounding spaces ignored) is part of ``text`` (a
    ``search_text``); an empty query matches everything."""
    q = query.strip().lower()
    return not q or q in text.lower()


def find(items: Iterable[ServiceItem], query: str) -> list[ServiceItem]:
    """The items ``query`` matches: high-frequency items first, then by theme and code."""
    found = [i for i in items if matches(query, search_text(i))]
    return sorted(found, key=lambda i: (not i.frequent, i.theme, i.code))
