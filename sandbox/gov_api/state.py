"""What every route of the government-API sandbox finds on the aiohttp application: the
store, the fault board, the form library, the service-item catalog and the client's
credentials (``Config``), under typed application keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from aiohttp import web

from sandbox.gov_api.faults import FaultBoard
from sandbox.gov_api.store import GovStore
from seat_common import catalog as catalog_mod
from seat_common.forms import FormLibrary

#: The largest request body the sandbox reads.
MAX_BODY: Final = 256 * 1024


@dataclass
class Config:
    """The one API client the sandbox knows, and how long its tokens live."""

    client_id: str
    client_secret: str
    token_ttl_s: float = 3600.0


STORE: web.AppKey[GovStore] = web.AppKey("store", GovStore)
FAULTS: web.AppKey[FaultBoard] = web.AppKey("faults", FaultBoard)
FORMS: web.AppKey[FormLibrary] = web.AppKey("forms", FormLibrary)
CONFIG: web.AppKey[Config] = web.AppKey("config", Config)
ITEMS: web.AppKey[catalog_mod.Catalog] = web.AppKey("items", catalog_mod.Catalog)
