"""The shipped service-item catalog is whole: enough real items across enough themes, every
form an item names exists and every material a form field names is on the item's list."""

from __future__ import annotations

import json
from typing import Any

import pytest

from seat_common import catalog
from seat_common.catalog import CatalogError
from seat_common.forms import FormLibrary

KEPT_CODES = ("SI-UNEMP-QUERY", "SI-PENSION-CERT", "SI-CARD-APPLY", "MI-REMOTE-FILING",
              "HF-RENT-WITHDRAW", "BR-INDIVIDUAL-SETUP", "EC-AGED-ALLOWANCE", "HR-ID-RENEW")


def test_the_catalog_has_forty_items_in_twelve_themes() -> None:
    c = catalog.load()
    assert len(c.items) >= 40
    used = {i.theme for i in c.items.values()}
    assert len(used) >= 12, sorted(used)
    assert set(KEPT_CODES) <= set(c.items), "codes the demo and the tests use stay"


def test_the_three_high_frequency_items_are_there_by_their_real_names() -> None:
    names = {i.name for i in catalog.load().items.values()}
    assert {"失业保险个人明细查询", "企业职工领取养老保险待遇资格认证",
            "个体工商户设立登记"} <= names


def test_every_item_names_a_form_that_exists_and_materials_its_form_needs() -> None:
    library = FormLibrary()
    for item in catalog.load().items.values():
        assert item.materials, f"{item.code} lists no materials"
        assert item.source, f"{item.code} says where it comes from"
        if not item.form:
            continue
        schema = library.get(item.form)
        assert schema is not None, f"{item.code}: form {item.form} missing"
        codes = {m.code for m in item.materials}
        for f in schema.fields:
            assert not f.material or f.material in codes, (item.code, f.code, f.material)


def test_every_theme_and_skill_is_used_or_reserved_and_every_code_unique() -> None:
    c = catalog.load()
    assert {i.skill for i in c.items.values()} == set(c.skills), "no skill without items"
    raw = json.loads(catalog.DEFAULT_PATH.read_text(encoding="utf-8"))
    codes = [i["code"] for i in raw["items"]]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(("change", "message"), [
    (lambda i: i.update(theme="nope"), "unknown theme"),
    (lambda i: i.update(channels=["fax"]), "unknown channel"),
    (lambda i: i.update(completion="later"), "completion"),
    (lambda i: i.update(materials=[{"code": "a", "name": "A"}, {"code": "a", "name": "B"}]),
     "unique"),
    (lambda i: i.update(short_name="基本医疗保险门诊慢特病认定"), "short_name: at most 8"),
])
def test_a_broken_entry_is_refused_naming_it(change: Any, message: str) -> None:
    raw = json.loads(catalog.DEFAULT_PATH.read_text(encoding="utf-8"))
    change(raw["items"][5])
    with pytest.raises(CatalogError, match=message):
        catalog.parse(raw)


def test_every_item_has_a_short_name_that_reads_whole_in_the_queue() -> None:
    items = catalog.load().items.values()
    assert all(1 <= len(i.short_name) <= catalog.MAX_SHORT_NAME for i in items)
    assert catalog.load().items["MI-CHRONIC"].short_name == "门诊慢特病认定"
    raw = json.loads(catalog.DEFAULT_PATH.read_text(encoding="utf-8"))
    del raw["items"][0]["short_name"]  # none given: the item's name stands in
    assert catalog.parse(raw).items[raw["items"][0]["code"]].short_name == raw["items"][0]["name"]
