"""Messages of the service catalog over the wire: a citizen's or kiosk's client asks for
the items of its channel, their materials and the pre-review reason codes with their
Chinese names, and caches them under the catalog's ``version`` (a content hash).

``fetch_catalog`` names the version the client holds (``""`` for none); the hub answers
``catalog``: ``unchanged`` with empty lists when that is still the current version,
otherwise the whole catalog of the channel and its new version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Final, Literal, TypeAlias

from seat_common.protocol.codec import TextPattern
from seat_common.protocol.terms import ID_TEXT, SHORT_TEXT, Channel

#: A catalog version: the SHA-256 of its content, 64 lower-case hex digits.
CATALOG_VERSION: Final = TextPattern(r"[0-9a-f]{64}", "64 lower-case hex digits (a SHA-256)")
#: The version a client holds: a catalog version, or "" for none.
HELD_VERSION: Final = TextPattern(
    r"(?:[0-9a-f]{64})?", "64 lower-case hex digits (a SHA-256), or empty"
)
#: Where an item is finished: in the call, or at a counter after a booking.
ItemCompletion: TypeAlias = Literal["in_call", "counter"]


@dataclass(frozen=True, slots=True)
class CatalogMaterial:
    """One document an item needs (申请材料): the code an upload's ``material_code`` and a
    verdict's entries use, its Chinese name, and whether it is required."""

    code: str = field(metadata=ID_TEXT)
    name: str = field(metadata={"max_len": 200, "min_len": 1})
    required: bool = True


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """A service item (事项) offered on the channel: ``code`` is what ``join_queue`` takes;
    ``completion`` says where it is finished (``in_call``, or at a ``counter`` after a
    booking)."""

    code: str = field(metadata=ID_TEXT)
    name: str = field(metadata={"max_len": 200, "min_len": 1})
    short_name: str = field(metadata=SHORT_TEXT)
    theme: str = field(metadata=ID_TEXT)
    department: str = field(metadata=SHORT_TEXT)
    completion: ItemCompletion
    materials: tuple[CatalogMaterial, ...] = field(default=(), metadata={"max_items": 50})


@dataclass(frozen=True, slots=True)
class CatalogTheme:
    """A group of items shown together (主题), e.g. 社会保障."""

    code: str = field(metadata=ID_TEXT)
    name: str = field(metadata={"max_len": 200, "min_len": 1})


@dataclass(frozen=True, slots=True)
class ReasonLabel:
    """A pre-review reason code (why a material is ``to_correct``) and its names: ``name``
    is the Chinese to show the citizen, ``name_en`` the English."""

    code: str = field(metadata=ID_TEXT)
    name: str = field(metadata={"max_len": 200, "min_len": 1})
    name_en: str = field(metadata=SHORT_TEXT)


@dataclass(frozen=True, slots=True)
class FetchCatalog:
    """Citizen or kiosk → hub: the catalog of ``channel``, unless ``version`` is current."""

    TYPE: ClassVar[str] = "fetch_catalog"
    channel: Channel
    version: str = field(default="", metadata={"max_len": 64, "pattern": HELD_VERSION})


@dataclass(frozen=True, slots=True)
class ServiceCatalog:
    """Hub → the asker: the channel's items, themes and reason codes under ``version``;
    with ``unchanged`` the lists are empty and the asker's copy is current."""

    TYPE: ClassVar[str] = "catalog"
    channel: Channel
    version: str = field(metadata={"max_len": 64, "pattern": CATALOG_VERSION})
    unchanged: bool = False
    themes: tuple[CatalogTheme, ...] = field(default=(), metadata={"max_items": 100})
    items: tuple[CatalogItem, ...] = field(default=(), metadata={"max_items": 500})
    reasons: tuple[ReasonLabel, ...] = field(default=(), metadata={"max_items": 100})
