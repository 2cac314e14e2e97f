"""The shipped service-item catalog is whole: the 196 items in 21 themes the source article
counts (at least), every item with a form that exists and the materials its form names,
every form schema valid, every high-frequency item with its own form and scenario
questions (情形问答), and every item and theme saying how far its source can be trusted."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from seat_common import catalog
from seat_common import validators as v
from seat_common.catalog import CatalogError
from seat_common.forms import FormField, FormLibrary, FormSchema, is_visible, validate_values

#: The counts the closing note of issue 20 gives; the catalog may grow past them.
MIN_ITEMS, THEMES, MIN_FORMS, MIN_WITH_SCENARIOS = 196, 21, 12, 18

KEPT_CODES = ("SI-UNEMP-QUERY", "SI-PENSION-CERT", "SI-CARD-APPLY", "MI-REMOTE-FILING",
              "HF-RENT-WITHDRAW", "BR-INDIVIDUAL-SETUP", "EC-AGED-ALLOWANCE", "HR-ID-RENEW")


def test_the_catalog_has_196_items_in_21_themes_with_their_forms_and_scenarios() -> None:
    c, library = catalog.load(), FormLibrary()
    assert len(c.items) >= MIN_ITEMS
    used = {i.theme for i in c.items.values()}
    assert len(c.themes) == THEMES and used == set(c.themes), sorted(set(c.themes) - used)
    names = {t.name for t in c.themes.values()}
    assert {"营商环境", "证件办理", "住房保障", "土地房产", "养老服务", "社会保障"} <= names
    assert len(library.codes()) >= MIN_FORMS
    with_scenarios = [i for i in c.items.values()
                      if (s := library.get(i.form)) is not None and s.scenario_fields()]
    assert len(with_scenarios) >= MIN_WITH_SCENARIOS
    assert set(KEPT_CODES) <= set(c.items), "codes the demo and the tests use stay"


def test_the_three_high_frequency_items_are_there_by_their_real_names() -> None:
    names = {i.name for i in catalog.load().items.values()}
    assert {"失业保险个人明细查询", "企业职工领取养老保险待遇资格认证",
            "个体工商户设立登记"} <= names


def test_every_item_has_a_form_that_exists_and_the_materials_its_form_needs() -> None:
    library = FormLibrary()
    for item in catalog.load().items.values():
        assert item.materials, f"{item.code} lists no materials"
        assert item.confidence, f"{item.code} says where it comes from and how sure that is"
        assert item.form, f"{item.code} has no form"
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


def test_every_high_frequency_item_has_its_own_form_with_scenario_questions() -> None:
    c, library = catalog.load(), FormLibrary()
    frequent = {i.code for i in c.items.values() if i.frequent}
    # the source article's three, and the social and medical insurance items on i莞家
    assert {"SI-UNEMP-QUERY", "SI-PENSION-CERT", "BR-INDIVIDUAL-SETUP"} <= frequent
    on_igj = {i.code for i in c.items.values() if "miniprogram" in i.channels
              and i.theme in ("social_security", "medical_security")
              and i.skill in ("social_insurance", "medical_insurance")}
    assert on_igj and on_igj <= frequent
    forms = [c.items[code].form for code in frequent]
    assert len(set(forms)) == len(forms), "no two high-frequency items share a form"
    for code in frequent:
        schema = library.get(c.items[code].form)
        assert schema is not None and schema.code != "generic_application", code
        assert schema.scenario_fields(), f"{code}: no scenario questions"
        assert not any(i.form == schema.code for i in c.items.values() if i.code != code), code


def _valid_value(f: FormField, today: date) -> str:
    """A value ``f`` takes: the shape its kind asks for, inside its bounds."""
    uscc = "91441900M000100Y4"
    return {
        "id_number": "11010519491231002X", "uscc": uscc + v.uscc_check_character(uscc),
        "mobile": "13800138000", "landline": "0769-22221234", "postal_code": "523000",
        "date": today.isoformat(), "date_range": f"{today.isoformat()}/{today.isoformat()}",
        "region": "441900004", "integer": str(f.minimum if f.minimum is not None else 1),
        "choice": f.options[0].value if f.options else "",
    }.get(f.kind, "测试")


def _every_answer(schema: FormSchema) -> list[dict[str, str]]:
    """One set of scenario answers per option of each scenario question (the others at
    their first option), so every field a scenario reveals is filled once."""
    scenario = schema.scenario_fields()
    first = {f.code: f.options[0].value for f in scenario}
    return [first] + [{**first, f.code: o.value} for f in scenario for o in f.options[1:]]


@pytest.mark.parametrize("code", FormLibrary().codes())
def test_every_form_schema_validates_and_refuses_what_is_missing(code: str) -> None:
    library, today = FormLibrary(), date.today()
    schema = library.get(code)
    assert schema is not None and schema.title and schema.source
    assert catalog.confidence_of(schema.source), f"{code}: source starts with no label"
    for answers in _every_answer(schema):
        values = dict(answers)
        for f in schema.fields:
            if f.code not in values and is_visible(f, values):
                values[f.code] = _valid_value(f, today)
        assert validate_values(schema, values, library.regions, today=today) == {}, answers
        required = next(f for f in schema.fields if f.required and is_visible(f, values))
        gone = {k: val for k, val in values.items() if k != required.code}
        assert validate_values(schema, gone, library.regions, today=today) == {
            required.code: "required"}


def test_a_source_without_a_confidence_label_and_a_wrong_frequent_flag_are_refused() -> None:
    raw = json.loads(catalog.DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["items"][3]["source"] = "某网站"
    with pytest.raises(CatalogError, match="confidence label"):
        catalog.parse(raw)
    raw = json.loads(catalog.DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["items"][3]["frequent"] = "yes"
    with pytest.raises(CatalogError, match="frequent must be true or false"):
        catalog.parse(raw)
    raw = json.loads(catalog.DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["themes"][0]["source"] = "guess"
    with pytest.raises(CatalogError, match=r"themes\[0\]\.source"):
        catalog.parse(raw)
    assert all(t.source for t in catalog.load().themes.values())
