"""Application forms as data: schemas from ``seat_common/resources/forms/`` and the rules
for their values.

A ``FormSchema`` is an item's application form as data: fields with a kind
(text, ID number, date, choice, province/city/district region, ...), whether
they are required, their options, the material each relates to, and
``visible_when`` rules that show a field only for certain scenario answers
(情形问答). Schemas are checked as they load; a broken one is a
``FormSchemaError`` naming the field.

The workstation fills a form with ``seat_client.acceptance.form_state.FormState``;
the government-API sandbox validates submissions with ``validate_values``, so
client and server follow the same rules.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal, cast, get_args

from seat_common import validators as v
from seat_common.resources import RESOURCES_DIR
from seat_common.validators import ProblemCode

RESOURCES: Final = RESOURCES_DIR
FORMS_DIR: Final = RESOURCES / "forms"
REGIONS_PATH: Final = RESOURCES / "regions.json"

FieldKind = Literal[
    "text", "textarea", "id_number", "uscc", "mobile", "landline", "postal_code",
    "date", "date_range", "choice", "region", "integer",
]
PrefillSource = Literal["agent", "prefill"]


class FormSchemaError(ValueError):
    """A form schema file is unreadable or a field in it is wrong."""


@dataclass(frozen=True, slots=True)
class FieldOption:
    value: str
    label: str
    label_en: str


@dataclass(frozen=True, slots=True)
class VisibleWhen:
    """Show the field only while ``field`` holds one of ``values``."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of a form, and how to check its value."""

    code: str
    label: str
    label_en: str
    kind: FieldKind
    required: bool = False
    options: tuple[FieldOption, ...] = ()
    material: str = ""
    prefill: str = ""
    visible_when: VisibleWhen | None = None
    scenario: bool = False
    max_length: int = 0
    minimum: int | None = None
    maximum: int | None = None
    date_rule: v.DateRule = "any"
    max_days: int | None = None
    default: str = ""
    help: str = ""

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)


@dataclass(frozen=True, slots=True)
class FormSchema:
    """An item's application form: its fields in display order."""

    code: str
    title: str
    title_en: str
    fields: tuple[FormField, ...]
    #: where the fields come from, starting with a confidence label ("UNVERIFIED (reasoned)…")
    source: str = ""

    def scenario_fields(self) -> tuple[FormField, ...]:
        """The scenario questions (情形问答): the choices asked first."""
        return tuple(f for f in self.fields if f.scenario)

    def field(self, code: str) -> FormField:
        for f in self.fields:
            if f.code == code:
                return f
        raise KeyError(code)


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    children: tuple[Region, ...] = ()


@dataclass(frozen=True, slots=True)
class Regions:
    """Province → city → district/town, GB/T 2260 codes; a region value is the leaf code."""

    provinces: tuple[Region, ...]

    def path(self, code: str) -> tuple[Region, Region, Region] | None:
        for p in self.provinces:
            for c in p.children:
                for d in c.children:
                    if d.code == code:
                        return p, c, d
        return None

    def display(self, code: str) -> str:
        found = self.path(code)
        return "".join(r.name for r in found) if found else code


def load_regions(path: Path = REGIONS_PATH) -> Regions:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FormSchemaError(f"cannot read regions {path}: {exc}") from exc

    def region(o: Any, depth: int) -> Region:
        kids = o.get("cities") if depth == 0 else o.get("districts") if depth == 1 else None
        return Region(str(o["code"]), str(o["name"]),
                      tuple(region(k, depth + 1) for k in kids or ()))

    try:
        return Regions(tuple(region(p, 0) for p in raw["provinces"]))
    except (KeyError, TypeError, AttributeError) as exc:
        raise FormSchemaError(f"regions {path}: {exc}") from exc


# --- parsing ------------------------------------------------------------------------------


def load_schema(path: Path) -> FormSchema:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FormSchemaError(f"cannot read form {path}: {exc}") from exc
    return parse_schema(raw)


def parse_schema(raw: Any) -> FormSchema:
    if not isinstance(raw, dict) or raw.get("version") != 1:
        raise FormSchemaError("a form schema is an object with version 1")
    code = _s(raw, "code", "form")
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, list) or not fields_raw:
        raise FormSchemaError(f"form {code}: fields must be a non-empty list")
    fields = tuple(_field(f, f"form {code}.fields[{i}]") for i, f in enumerate(fields_raw))
    codes = [f.code for f in fields]
    if len(set(codes)) != len(codes):
        raise FormSchemaError(f"form {code}: field codes must be unique")
    for f in fields:
        vw = f.visible_when
        if vw is not None and (vw.field not in codes or vw.field == f.code):
            raise FormSchemaError(f"form {code}.{f.code}: visible_when names no other field")
    source = raw.get("source", "")
    if not isinstance(source, str):
        raise FormSchemaError(f"form {code}.source must be a string")
    return FormSchema(code, _s(raw, "title", code), _s(raw, "title_en", code), fields, source)


def _field(raw: Any, where: str) -> FormField:
    if not isinstance(raw, dict):
        raise FormSchemaError(f"{where} must be an object")
    code = _s(raw, "code", where)
    where = f"{where} ({code})"
    kind = raw.get("kind")
    if kind not in get_args(FieldKind):
        raise FormSchemaError(f"{where}.kind must be one of {get_args(FieldKind)}")
    options = tuple(
        FieldOption(_s(o, "value", where), _s(o, "label", where), _s(o, "label_en", where))
        for o in raw.get("options", [])
    )
    if (kind == "choice") != bool(options):
        raise FormSchemaError(f"{where}: choices need options, and only choices have them")
    if raw.get("scenario") is True and kind != "choice":
        raise FormSchemaError(f"{where}: a scenario question is a choice")
    vw = raw.get("visible_when")
    visible = None
    if vw is not None:
        if not isinstance(vw, dict) or not isinstance(vw.get("in"), list):
            raise FormSchemaError(f"{where}.visible_when needs field and in")
        visible = VisibleWhen(_s(vw, "field", where), tuple(str(x) for x in vw["in"]))
    rule = raw.get("date_rule", "any")
    if rule not in get_args(v.DateRule):
        raise FormSchemaError(f"{where}.date_rule must be one of {get_args(v.DateRule)}")
    for key in ("required", "scenario"):
        if not isinstance(raw.get(key, False), bool):
            raise FormSchemaError(f"{where}.{key} must be true or false")
    ints = {k: raw.get(k) for k in ("max_length", "min", "max", "max_days")}
    for k, val in ints.items():
        if val is not None and (not isinstance(val, int) or isinstance(val, bool)):
            raise FormSchemaError(f"{where}.{k} must be an integer")
    return FormField(
        code=code,
        label=_s(raw, "label", where),
        label_en=_s(raw, "label_en", where),
        kind=cast(FieldKind, kind),
        required=bool(raw.get("required", False)),
        options=options,
        material=str(raw.get("material", "")),
        prefill=str(raw.get("prefill", "")),
        visible_when=visible,
        scenario=bool(raw.get("scenario", False)),
        max_length=int(ints["max_length"] or 0),
        minimum=ints["min"],
        maximum=ints["max"],
        date_rule=cast(v.DateRule, rule),
        max_days=ints["max_days"],
        default=str(raw.get("default", "")),
        help=str(raw.get("help", "")),
    )


def _s(o: Any, key: str, where: str) -> str:
    value = o.get(key) if isinstance(o, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise FormSchemaError(f"{where}.{key} must be a non-empty string")
    return value


class FormLibrary:
    """The form schemas in a folder, loaded and checked once, looked up by code."""

    def __init__(self, folder: Path = FORMS_DIR, regions: Regions | None = None) -> None:
        self.regions = regions or load_regions()
        self._schemas = {s.code: s for s in map(load_schema, sorted(folder.glob("*.json")))}

    def get(self, code: str) -> FormSchema | None:
        return self._schemas.get(code)

    def codes(self) -> list[str]:
        return sorted(self._schemas)


# --- checking values ----------------------------------------------------------------------


def is_visible(f: FormField, values: Mapping[str, str]) -> bool:
    return f.visible_when is None or values.get(f.visible_when.field, "") in f.visible_when.values


def check_value(
    f: FormField, value: str, regions: Regions | None = None, *, today: date | None = None
) -> ProblemCode | None:
    """What is wrong with ``value`` for ``f`` (emptiness is the caller's business)."""
    if f.max_length and len(value) > f.max_length:
        return "too_long"
    match f.kind:
        case "text" | "textarea":
            return None
        case "id_number":
            return v.check_id_number(value, today=today)
        case "uscc":
            return v.check_uscc(value)
        case "mobile":
            return v.check_mobile(value)
        case "landline":
            return v.check_landline(value)
        case "postal_code":
            return v.check_postal_code(value)
        case "date":
            return v.check_date(value, f.date_rule, today=today)
        case "date_range":
            return v.check_date_range(value, f.date_rule, max_days=f.max_days, today=today)
        case "choice":
            return None if any(o.value == value for o in f.options) else "not_an_option"
        case "region":
            return None if regions is None or regions.path(value) else "region"
        case "integer":
            try:
                number = int(value.strip())
            except ValueError:
                return "integer"
            low = f.minimum if f.minimum is not None else number
            high = f.maximum if f.maximum is not None else number
            return None if low <= number <= high else "out_of_range"


def validate_values(
    schema: FormSchema, values: Mapping[str, str], regions: Regions | None = None,
    *, today: date | None = None,
) -> dict[str, ProblemCode]:
    """Problems of every visible field; values of hidden or unknown fields are problems too."""
    problems: dict[str, ProblemCode] = {}
    for f in schema.fields:
        if not is_visible(f, values):
            continue
        value = values.get(f.code, "").strip()
        if not value:
            if f.required:
                problems[f.code] = "required"
            continue
        problem = check_value(f, value, regions, today=today)
        if problem:
            problems[f.code] = problem
    return problems
