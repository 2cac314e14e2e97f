"""The service-item catalog: themes, items, the skills they need, their materials.

The catalog is data (``seat_common/resources/catalog.json``), parsed here into frozen
values and checked as it enters: a broken catalog file stops start-up with
a message naming the entry, instead of surfacing later as a mis-routed
call. Every item and theme says where it comes from (``source``), starting with one
of ``CONFIDENCE_LABELS`` (``OFF`` an official page ... ``UNVERIFIED`` reasoned, not
sourced; see ``/work/shared/data/items-reference.md``); ``frequent`` marks the
high-frequency items, each with its own form and scenario questions. The hub routes by
``ServiceItem.skill``; the workstation and the citizen page show ``ServiceItem.name``.
Pure stdlib: the hub imports it too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, cast, get_args

from seat_common.resources import resource_path

Completion = Literal["in_call", "counter"]
CatalogChannel = Literal["web", "miniprogram", "official_account", "kiosk", "hotline"]

#: The catalog shipped with Seat.
DEFAULT_PATH: Final = resource_path("catalog.json")


#: How far an item's or theme's ``source`` can be trusted, its first word(s): an official
#: page, a third party restating a Dongguan guide, the provincial portal's homepage, a
#: standard name from another locality, the source article itself, or reasoned (not found).
CONFIDENCE_LABELS: Final = ("OFF", "3P-DG", "GD-PORTAL", "STD", "seed article", "article",
                            "UNVERIFIED")


class CatalogError(ValueError):
    """The catalog file is unreadable or an entry in it is wrong."""


@dataclass(frozen=True, slots=True)
class Theme:
    """A group of items shown together (主题), e.g. 社会保障."""

    code: str
    name: str
    name_en: str
    #: where the theme's name comes from, starting with a confidence label
    source: str = ""


@dataclass(frozen=True, slots=True)
class Skill:
    """What an agent must be trained in to take an item's calls."""

    code: str
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Material:
    """One document an item needs (申请材料)."""

    code: str
    name: str
    required: bool


@dataclass(frozen=True, slots=True)
class ServiceItem:
    """A government errand (事项) a citizen can get help with by video."""

    code: str
    name: str
    name_en: str
    theme: str
    department: str
    skill: str
    channels: tuple[CatalogChannel, ...]
    completion: Completion
    materials: tuple[Material, ...]
    form: str
    source: str
    #: a few characters for narrow places (the queue); the name if the catalog gives none
    short_name: str = ""
    #: a high-frequency item: its own form schema with scenario questions, listed first
    frequent: bool = False

    @property
    def confidence(self) -> str:
        """The confidence label ``source`` starts with (one of ``CONFIDENCE_LABELS``)."""
        return confidence_of(self.source)


@dataclass(frozen=True, slots=True)
class Catalog:
    """All themes, skills and items, looked up by code."""

    themes: dict[str, Theme]
    skills: dict[str, Skill]
    items: dict[str, ServiceItem]

    def item(self, code: str) -> ServiceItem | None:
        return self.items.get(code)

    def items_in_theme(self, theme: str) -> list[ServiceItem]:
        return [i for i in self.items.values() if i.theme == theme]


def load(path: Path = DEFAULT_PATH) -> Catalog:
    """Read and check the catalog file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogError(f"cannot read catalog {path}: {exc}") from exc
    return parse(raw)


def parse(raw: Any) -> Catalog:
    """Check already-parsed catalog data; raise ``CatalogError`` naming the entry."""
    root = _obj(raw, "catalog")
    if root.get("version") != 1:
        raise CatalogError("catalog.version must be 1")
    themes: dict[str, Theme] = {}
    for i, t in enumerate(_list(root.get("themes"), "themes")):
        where = f"themes[{i}]"
        o = _obj(t, where)
        theme = Theme(_str(o, "code", where), _str(o, "name", where), _str(o, "name_en", where),
                      _source(o, where))
        _unique(themes, theme.code, where)
        themes[theme.code] = theme
    skills: dict[str, Skill] = {}
    for i, s in enumerate(_list(root.get("skills"), "skills")):
        where = f"skills[{i}]"
        o = _obj(s, where)
        skill = Skill(_str(o, "code", where), _str(o, "name", where), _str(o, "name_en", where))
        _unique(skills, skill.code, where)
        skills[skill.code] = skill
    items: dict[str, ServiceItem] = {}
    for i, it in enumerate(_list(root.get("items"), "items")):
        item = _item(it, f"items[{i}]", themes, skills)
        _unique(items, item.code, f"items[{i}]")
        items[item.code] = item
    if not items:
        raise CatalogError("catalog has no items")
    return Catalog(themes=themes, skills=skills, items=items)


def _item(raw: Any, where: str, themes: dict[str, Theme], skills: dict[str, Skill]) -> ServiceItem:
    o = _obj(raw, where)
    code = _str(o, "code", where)
    where = f"{where} ({code})"
    theme = _str(o, "theme", where)
    if theme not in themes:
        raise CatalogError(f"{where}.theme: unknown theme {theme!r}")
    skill = _str(o, "skill", where)
    if skill not in skills:
        raise CatalogError(f"{where}.skill: unknown skill {skill!r}")
    channels = tuple(_list(o.get("channels"), f"{where}.channels"))
    for c in channels:
        if c not in get_args(CatalogChannel):
            raise CatalogError(f"{where}.channels: unknown channel {c!r}")
    if not channels:
        raise CatalogError(f"{where}.channels: at least one channel")
    completion = o.get("completion")
    if completion not in get_args(Completion):
        raise CatalogError(f"{where}.completion must be one of {get_args(Completion)}")
    frequent = o.get("frequent", False)
    if not isinstance(frequent, bool):
        raise CatalogError(f"{where}.frequent must be true or false")
    materials: list[Material] = []
    for j, m in enumerate(_list(o.get("materials", []), f"{where}.materials")):
        mw = f"{where}.materials[{j}]"
        mo = _obj(m, mw)
        required = mo.get("required", True)
        if not isinstance(required, bool):
            raise CatalogError(f"{mw}.required must be true or false")
        materials.append(Material(_str(mo, "code", mw), _str(mo, "name", mw), required))
    if len({m.code for m in materials}) != len(materials):
        raise CatalogError(f"{where}.materials: material codes must be unique")
    return ServiceItem(
        code=code,
        name=_str(o, "name", where),
        name_en=_str(o, "name_en", where),
        theme=theme,
        department=_str(o, "department", where),
        skill=skill,
        channels=cast(tuple[CatalogChannel, ...], channels),
        completion=cast(Completion, completion),
        materials=tuple(materials),
        form=_str(o, "form", where, required=False),
        source=_source(o, where),
        short_name=_short_name(o, where),
        frequent=frequent,
    )


def confidence_of(source: str) -> str:
    """The confidence label ``source`` starts with, or "" if it starts with none."""
    return next((label for label in CONFIDENCE_LABELS if source.startswith(label)), "")


def _source(o: dict[str, Any], where: str) -> str:
    source = _str(o, "source", where, required=False)
    if source and not confidence_of(source):
        raise CatalogError(
            f"{where}.source must start with a confidence label {CONFIDENCE_LABELS}")
    return source


#: Longest short name: it must read whole in the queue at its narrowest.
MAX_SHORT_NAME = 8


def _short_name(o: dict[str, Any], where: str) -> str:
    name = _str(o, "name", where)
    short = _str(o, "short_name", where, required=False) or name
    if len(short) > MAX_SHORT_NAME and short != name:
        raise CatalogError(f"{where}.short_name: at most {MAX_SHORT_NAME} characters")
    return short


def _obj(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where} must be an object")
    return raw


def _list(raw: Any, where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise CatalogError(f"{where} must be a list")
    return raw


def _str(o: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = o.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise CatalogError(f"{where}.{key} must be a non-empty string")
    return value


def _unique(seen: dict[str, Any], code: str, where: str) -> None:
    if code in seen:
        raise CatalogError(f"{where}: duplicate code {code!r}")
