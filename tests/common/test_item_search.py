"""One search rule for every item picker: name, code or pinyin initials ("sy" finds 失业)."""

from __future__ import annotations

import time

from seat_common import catalog
from seat_common.item_search import find, matches, pinyin_initials, search_text


def test_sy_finds_the_unemployment_items_and_only_items_whose_initials_hold_it() -> None:
    items = catalog.load().items.values()
    found = find(items, "sy")
    names = [i.name for i in found]
    assert "失业保险个人明细查询" in names and "失业保险金申领" in names
    assert all("sy" in search_text(i).lower() for i in found)
    assert "个体工商户设立登记" not in names
    assert found[0].frequent, "high-frequency items come first"


def test_initials_read_whole_words_and_name_code_and_case_all_find() -> None:
    assert pinyin_initials("失业保险") == "sybx"
    assert pinyin_initials("银行") == "yh"
    assert pinyin_initials("出具《参保凭证》") == "cjcbpz"
    items = catalog.load().items.values()
    assert [i.code for i in find(items, "ylzgrz")] == ["SI-PENSION-CERT"]
    assert [i.code for i in find(items, "  si-pension-cert ")] == ["SI-PENSION-CERT"]
    assert any(i.code == "HR-ID-RENEW" for i in find(items, "身份证"))
    assert find(items, "没有这个事项zzzz") == []
    assert matches("", "anything") and not matches("x", "")


def test_searching_the_whole_catalog_keeps_up_with_typing() -> None:
    items = list(catalog.load().items.values())
    find(items, "")  # initials are computed once and kept
    started = time.perf_counter()
    for query in ("s", "sy", "syb", "sybx", "养老", "MI-"):
        find(items, query)
    assert time.perf_counter() - started < 0.5  # per keystroke well under 0.1 s
