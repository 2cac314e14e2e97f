"""Form schemas load and check; a form shows fields by scenario, prefills, lists what is missing."""

from __future__ import annotations

from datetime import date

import pytest

from seat_client.acceptance.form_state import FormState
from seat_common import catalog
from seat_common.forms import (
    FormLibrary,
    FormSchemaError,
    load_regions,
    parse_schema,
    validate_values,
)

TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def library() -> FormLibrary:
    return FormLibrary()


def test_every_catalog_form_exists(library: FormLibrary) -> None:
    for item in catalog.load().items.values():
        if item.form:
            assert library.get(item.form) is not None, item.code


def test_every_material_a_field_names_is_in_its_items_checklist(library: FormLibrary) -> None:
    for item in catalog.load().items.values():
        schema = library.get(item.form) if item.form else None
        if schema is None:
            continue
        codes = {m.code for m in item.materials}
        for f in schema.fields:
            assert not f.material or f.material in codes, (item.code, f.code, f.material)


def test_a_broken_schema_names_the_field() -> None:
    raw = {"version": 1, "code": "x", "title": "X", "title_en": "X",
           "fields": [{"code": "a", "label": "A", "label_en": "A", "kind": "dropdown"}]}
    with pytest.raises(FormSchemaError, match=r"fields\[0\] \(a\)\.kind"):
        parse_schema(raw)
    raw["fields"] = [{"code": "a", "label": "A", "label_en": "A", "kind": "text",
                      "visible_when": {"field": "nope", "in": ["1"]}}]
    with pytest.raises(FormSchemaError, match="visible_when"):
        parse_schema(raw)


def test_family_fields_show_only_for_family_operation(library: FormLibrary) -> None:
    schema = library.get("individual_business")
    assert schema is not None
    state = FormState(schema, library.regions)
    visible = {f.code for f in state.visible_fields()}
    assert "family_member_name" not in visible and "lease_period" not in visible
    state.set_value("operator_type", "family")
    state.set_value("premises_tenure", "rented")
    visible = {f.code for f in state.visible_fields()}
    assert {"family_member_name", "family_member_id_number", "lease_period"} <= visible
    state.set_value("family_member_name", "吴大明")
    state.set_value("operator_type", "individual")
    assert "family_member_name" not in state.payload()  # hidden answers are not sent


def test_prefill_marks_until_confirmed_and_blocks_submission(library: FormLibrary) -> None:
    schema = library.get("pension_certification")
    assert schema is not None
    state = FormState(schema, library.regions)
    seen: list[str] = []
    state.changed.connect(seen.append)
    filled = state.prefill({"id_card.name": "吴小梅", "id_card.id_number": "11010519491231002x",
                            "citizen.phone": "13800138000"})
    assert set(filled) == {"pensioner_name", "pensioner_id_number", "mobile"}
    assert seen
    for code, value in [("residence", "local"), ("pension_start", "2010-03-01")]:
        state.set_value(code, value)
    missing = {(m.field.code, m.problem) for m in state.missing(today=TODAY)}
    assert missing == {("pensioner_name", "unconfirmed_prefill"),
                       ("pensioner_id_number", "unconfirmed_prefill"),
                       ("mobile", "unconfirmed_prefill")}
    state.confirm("mobile")
    state.set_value("pensioner_name", "吴小梅")  # typing over it confirms it too
    assert [m.field.code for m in state.missing(today=TODAY)] == ["pensioner_id_number"]
    state.confirm_all()
    assert state.ready()
    assert state.payload()["pensioner_id_number"] == "11010519491231002X"
    assert state.payload()["certification_way"] == "video"  # the schema's default


def test_problems_are_listed_in_form_order(library: FormLibrary) -> None:
    schema = library.get("generic_application")
    assert schema is not None
    state = FormState(schema, library.regions)
    state.set_value("applicant_id_number", "110105194912310021")
    state.set_value("mobile", "1380013800")
    state.set_value("postal_code", "52300")
    missing = [(m.field.code, m.problem) for m in state.missing(today=TODAY)]
    assert missing == [("applicant_name", "required"),
                       ("applicant_id_number", "id_check_digit"),
                       ("mobile", "mobile"), ("address", "required"),
                       ("postal_code", "postal_code"), ("request", "required")]


def test_server_problems_show_until_the_field_changes(library: FormLibrary) -> None:
    schema = library.get("generic_application")
    assert schema is not None
    state = FormState(schema, library.regions)
    state.apply_server_problems({"address": "地址与户籍不符", "bogus": "x"})
    assert state.problems()["address"] == "required"  # our own check wins while it fails
    state.set_value("address", "南城街道鸿福路1号")
    assert "address" not in state.problems()
    state.apply_server_problems({"address": "地址与户籍不符"})
    assert state.problems()["address"] == "server"
    state.set_value("address", "南城街道鸿福路2号")
    assert "address" not in state.problems()


def test_regions_cascade_and_values(library: FormLibrary) -> None:
    regions = load_regions()
    path = regions.path("441900004")
    assert path is not None and [r.name for r in path] == ["广东省", "东莞市", "南城街道"]
    assert regions.display("441900004") == "广东省东莞市南城街道"
    schema = library.get("generic_application")
    assert schema is not None
    good = validate_values(schema, {"address_region": "441900004"}, regions)
    bad = validate_values(schema, {"address_region": "441900"}, regions)
    assert "address_region" not in good and bad["address_region"] == "region"


def test_integer_and_range_limits(library: FormLibrary) -> None:
    schema = library.get("individual_business")
    assert schema is not None
    problems = validate_values(schema, {"employees": "0", "capital_wan_yuan": "ten",
                                        "premises_tenure": "rented",
                                        "lease_period": "2026-01-01/2025-01-01"}, today=TODAY)
    assert problems["employees"] == "out_of_range"
    assert problems["capital_wan_yuan"] == "integer"
    assert problems["lease_period"] == "range_order"
