"""The state of one application form being filled for one work order.

``FormState`` holds the values of one form: which were prefilled and not yet
confirmed by the agent, which fields are visible, what is wrong with each, and
what is still missing. It emits ``changed`` (the field code, or ``""`` for many
at once). The rules for each value are the schema's (``seat_common.forms``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from seat_common import validators as v
from seat_common.events import Event
from seat_common.forms import (
    FormField,
    FormSchema,
    PrefillSource,
    Regions,
    is_visible,
    validate_values,
)
from seat_common.validators import ProblemCode


@dataclass(frozen=True, slots=True)
class MissingItem:
    """A line of the "still missing" list: the field and why it is listed."""

    field: FormField
    problem: ProblemCode


@dataclass
class FormState:
    """The values of one form for one work order. Emits ``changed(field_code)``."""

    schema: FormSchema
    regions: Regions | None = None
    values: dict[str, str] = field(default_factory=dict)
    #: fields filled from what the call knows and not yet confirmed by the agent
    unconfirmed: set[str] = field(default_factory=set)
    #: problems the government API reported for the last submission, by field
    server_problems: dict[str, str] = field(default_factory=dict)
    changed: Event[str] = field(default_factory=Event)

    def __post_init__(self) -> None:
        for f in self.schema.fields:
            if f.default and f.code not in self.values:
                self.values[f.code] = f.default

    def set_value(self, code: str, value: str, source: PrefillSource = "agent") -> None:
        self.schema.field(code)  # KeyError for unknown fields
        if source == "prefill":
            self.unconfirmed.add(code)
        else:
            self.unconfirmed.discard(code)
        if self.values.get(code, "") == value and source == "agent":
            return
        self.values[code] = value
        self.server_problems.pop(code, None)
        self.changed.emit(code)

    def prefill(self, known: Mapping[str, str]) -> list[str]:
        """Fill fields from facts the call knows (``id_card.name``, ``citizen.phone``, or a
        field code); returns the codes filled. Each stays marked until confirmed."""
        filled = []
        for f in self.schema.fields:
            value = known.get(f.prefill, "") if f.prefill else ""
            value = value or known.get(f.code, "")
            if value.strip():
                self.values[f.code] = value.strip()
                self.unconfirmed.add(f.code)
                filled.append(f.code)
        if filled:
            self.changed.emit("")
        return filled

    def confirm(self, code: str) -> None:
        if code in self.unconfirmed:
            self.unconfirmed.discard(code)
            self.changed.emit(code)

    def confirm_all(self) -> None:
        if self.unconfirmed:
            self.unconfirmed.clear()
            self.changed.emit("")

    def value(self, code: str) -> str:
        return self.values.get(code, "")

    def visible_fields(self) -> list[FormField]:
        return [f for f in self.schema.fields if is_visible(f, self.values)]

    def problems(self, *, today: date | None = None) -> dict[str, ProblemCode]:
        found = validate_values(self.schema, self.values, self.regions, today=today)
        for code in self.server_problems:
            if code not in found and is_visible(self.schema.field(code), self.values):
                found[code] = "server"
        return found

    def missing(self, *, today: date | None = None) -> list[MissingItem]:
        """What stops submission, in form order: problems first, then unconfirmed prefills."""
        problems = self.problems(today=today)
        out: list[MissingItem] = []
        for f in self.visible_fields():
            if f.code in problems:
                out.append(MissingItem(f, problems[f.code]))
            elif f.code in self.unconfirmed:
                out.append(MissingItem(f, "unconfirmed_prefill"))
        return out

    def ready(self) -> bool:
        return not self.missing()

    def payload(self) -> dict[str, str]:
        """The values to submit: visible, non-empty fields only, ID numbers normalized."""
        out = {}
        for f in self.visible_fields():
            value = self.values.get(f.code, "").strip()
            if value:
                out[f.code] = v.normalize_id_number(value) if f.kind == "id_number" else value
        return out

    def apply_server_problems(self, problems: Mapping[str, str]) -> None:
        """Show the API's field errors (code → message) on the form until the field changes."""
        self.server_problems = {k: m for k, m in problems.items() if _known(self.schema, k)}
        self.changed.emit("")


def _known(schema: FormSchema, code: str) -> bool:
    return any(f.code == code for f in schema.fields)
