"""The government-API sandbox as an aiohttp application, following
seat_common/resources/openapi/gov-api.json: ``make_app`` puts the parts together.

Client-credentials tokens (``auth``), idempotent submissions of applications
validated strictly against each item's form schema and their status
(``applications``), the lookups items need (``lookups``: unemployment-insurance
details, pension-certification status), counter slots and bookings
(``appointments``), instant individual-business registration
(``applications``), and the electronic-licence library (``e_licences``: a citizen's
certificates with their consent reference, and each licence's image). ``/admin/*``
(loopback only, ``admin``) sets faults, expires tokens and decides applications.
Around every request (``middleware``): one JSON line on stderr (``event: request``) so
tests can assert on what it saw, and the faults on the board. Answers and the checks
every write makes are in ``answers``; what the routes find on the application in ``state``.
"""

from __future__ import annotations

from aiohttp import web

from sandbox.gov_api import admin, applications, appointments, auth, e_licences, lookups
from sandbox.gov_api.faults import FaultBoard
from sandbox.gov_api.licence_records import LicenceLibrary
from sandbox.gov_api.middleware import inject_faults, request_log
from sandbox.gov_api.state import CONFIG, FAULTS, FORMS, ITEMS, MAX_BODY, STORE, Config
from sandbox.gov_api.store import GovStore
from seat_common import catalog as catalog_mod
from seat_common.forms import FormLibrary

__all__ = ["Config", "make_app"]


def make_app(store: GovStore, config: Config, faults: FaultBoard | None = None,
             forms: FormLibrary | None = None) -> web.Application:
    app = web.Application(middlewares=[request_log, inject_faults], client_max_size=MAX_BODY)
    app[STORE] = store
    app[FAULTS] = faults or FaultBoard()
    app[FORMS] = forms or FormLibrary()
    app[CONFIG] = config
    app[ITEMS] = catalog_mod.load()
    app[e_licences.LICENCES] = LicenceLibrary(store.db)
    r = app.router
    r.add_post("/oauth/token", auth.token)
    r.add_post("/v1/applications", applications.submit_application)
    r.add_get("/v1/applications/{number}", applications.get_application)
    r.add_post("/v1/unemployment-insurance/person-queries", lookups.unemployment_details)
    r.add_post("/v1/pension-certification-queries", lookups.pension_status)
    r.add_get("/v1/halls", appointments.halls)
    r.add_get("/v1/halls/{hall}/slots", appointments.slots)
    r.add_post("/v1/appointments", appointments.book)
    r.add_get("/v1/appointments/{booking_no}", appointments.appointment)
    r.add_post("/v1/individual-businesses", applications.register_business)
    r.add_post("/v1/e-licences/queries", e_licences.query)
    r.add_post("/v1/e-licences/images", e_licences.image)
    r.add_route("*", "/admin/faults", admin.admin_faults)
    r.add_post("/admin/e-licences/{licence_id}/revoked", e_licences.admin_revoke)
    r.add_post("/admin/tokens/expire", admin.admin_expire_tokens)
    r.add_get("/admin/applications", admin.admin_applications)
    r.add_post("/admin/applications/{number}/status", admin.admin_decide)
    return app
