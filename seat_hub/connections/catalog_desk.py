"""The catalog over the wire: ``fetch_catalog`` from a citizen's or kiosk's client.

At start the desk builds, per channel, the ``catalog`` message: the items offered on
that channel (by theme, then code) with their materials, the themes they belong to,
and the pre-review reason codes with their Chinese names; its ``version`` is the
SHA-256 of that content, so it changes exactly when what a client would show does.
A client that names the current version gets ``unchanged`` and no lists.

Who may ask for what follows ``join_queue``: a citizen any channel but ``kiosk``
(``not_allowed``, field ``channel``), a kiosk only ``kiosk``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import get_args

from seat_common.catalog import Catalog
from seat_common.protocol import (
    CatalogItem,
    CatalogMaterial,
    CatalogTheme,
    Channel,
    FetchCatalog,
    ReasonLabel,
    ServiceCatalog,
    to_wire,
)
from seat_common.review_reasons import ReasonCode
from seat_hub.context import Refusal
from seat_hub.parties.session import Session
from seat_hub.storage.eventlog import EventLog


def channel_catalog(
    catalog: Catalog, reasons: Iterable[ReasonCode], channel: Channel
) -> ServiceCatalog:
    """The ``catalog`` message for ``channel``, its version the hash of its content."""
    items = tuple(
        CatalogItem(
            code=item.code,
            name=item.name,
            short_name=item.short_name,
            theme=item.theme,
            department=item.department,
            completion=item.completion,
            materials=tuple(CatalogMaterial(m.code, m.name, m.required) for m in item.materials),
        )
        for item in sorted(catalog.items.values(), key=lambda i: (i.theme, i.code))
        if channel in item.channels
    )
    used = {item.theme for item in items}
    themes = tuple(
        CatalogTheme(theme.code, theme.name)
        for theme in catalog.themes.values() if theme.code in used
    )
    labels = tuple(ReasonLabel(r.code, r.name, r.name_en) for r in reasons)
    content = json.dumps(
        [channel, to_wire(themes), to_wire(items), to_wire(labels)],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    version = hashlib.sha256(content.encode("utf-8")).hexdigest()
    return ServiceCatalog(channel, version, False, themes, items, labels)


class CatalogDesk:
    """Answers ``fetch_catalog``; holds each channel's catalog, built once."""

    def __init__(self, catalog: Catalog, reasons: Iterable[ReasonCode], log: EventLog) -> None:
        kept = tuple(reasons)
        self._log = log
        self.catalogs: dict[str, ServiceCatalog] = {
            channel: channel_catalog(catalog, kept, channel) for channel in get_args(Channel)
        }

    def on_fetch(self, session: Session, message: FetchCatalog) -> None:
        if session.role == "kiosk" and message.channel != "kiosk":
            raise Refusal("not_allowed", "a kiosk gets the kiosk channel's catalog", "channel")
        if session.role != "kiosk" and message.channel == "kiosk":
            raise Refusal(
                "not_allowed", "only a kiosk gets the kiosk channel's catalog", "channel"
            )
        current = self.catalogs[message.channel]
        unchanged = message.version == current.version
        self._log.event(
            "catalog", session=session.session_id, channel=message.channel, unchanged=unchanged
        )
        if unchanged:
            session.send(ServiceCatalog(current.channel, current.version, unchanged=True))
        else:
            session.send(current)
