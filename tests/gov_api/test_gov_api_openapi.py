"""The sandbox answers as its OpenAPI 3.1 document says (checked with jsonschema)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest
from referencing import Registry, Resource

from sandbox.gov_api.app import make_app
from sandbox.gov_api.store import GovStore
from sandbox.gov_api_process import GovApiProcess
from seat_client.acceptance.gov_api_client import GovApiClient
from seat_client.acceptance.outbox_entries import Submission
from seat_common.resources import resource_path

DOC_PATH = resource_path("openapi", "gov-api.json")
DOC = json.loads(DOC_PATH.read_text(encoding="utf-8"))
URI = "urn:seat:gov-api"


REGISTRY: Registry[Any] = Resource.from_contents(
    DOC | {"$id": URI, "$schema": "https://json-schema.org/draft/2020-12/schema"}
) @ Registry()


def check(path: str, method: str, status: int, body: Any) -> None:
    """Validate ``body`` against the documented answer (a JSON pointer into the document)."""
    assert str(status) in DOC["paths"][path][method]["responses"], (path, method, status)
    pointer = "/".join(["#", "paths", path.replace("/", "~1"), method, "responses",
                        str(status), "content", "application~1json", "schema"])
    schema = {"$ref": URI + pointer}
    registry = REGISTRY
    jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(body)


def test_the_document_is_openapi_3_1_and_its_schemas_are_valid() -> None:
    assert DOC["openapi"].startswith("3.1")
    for schema in DOC["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)  # raises, naming the problem


def test_every_route_of_the_sandbox_is_documented(tmp_path: Path) -> None:
    from sandbox.gov_api.app import Config

    app = make_app(GovStore(tmp_path / "g.sqlite3"), Config("c", "s"))
    routes = {(r.method.lower(), r.resource.canonical) for r in app.router.routes()
              if r.resource is not None and not r.resource.canonical.startswith("/admin")}
    documented = {(m, p) for p, ops in DOC["paths"].items() for m in ops}
    assert routes - {("head", p) for _, p in routes} == documented


async def call(api: GovApiProcess, token: str, method: str, path: str, **kw: Any
               ) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {})}
    async with aiohttp.ClientSession() as s, s.request(method, api.url + path, headers=headers,
                                                       **kw) as r:
        return r.status, await r.json()


async def test_answers_follow_the_document(client: GovApiClient, api: GovApiProcess) -> None:
    token = await client.token()
    form = {"grant_type": "client_credentials", "client_id": api.client_id,
            "client_secret": api.client_secret}
    async with aiohttp.ClientSession() as s, s.post(api.url + "/oauth/token", data=form) as r:
        check("/oauth/token", "post", r.status, await r.json())
    body = {"item_code": "SI-PENSION-CERT", "form": "pension_certification",
            "values": {"residence": "local", "pensioner_name": "吴小梅",
                       "pensioner_id_number": "11010519491231002X", "mobile": "13800138000",
                       "pension_start": "2010-03-01", "certification_way": "video"},
            "materials": ["id_card"]}
    # What our client sends follows the document too.
    sent = Submission("WO-1", "SI-PENSION-CERT", "养老认证", "pension_certification",
                      body["values"], ("id_card",), ("居民身份证",), agent_id="0012").api_body()
    request_schema = {"$ref": URI + "#/components/schemas/ApplicationRequest"}
    jsonschema.Draft202012Validator(request_schema, registry=REGISTRY).validate(sent)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(request_schema, registry=REGISTRY).validate(
            {**sent, "values": {"mobile": 13800138000}})
    key = {"Idempotency-Key": "openapi-check-1"}
    status, answer = await call(api, token, "POST", "/v1/applications", json=body, headers=key)
    check("/v1/applications", "post", status, answer)
    number = answer["application_no"]
    status, answer = await call(api, token, "POST", "/v1/applications",
                                json={**body, "values": {"mobile": "1"}},
                                headers={"Idempotency-Key": "openapi-check-2"})
    assert status == 422
    check("/v1/applications", "post", status, answer)
    status, answer = await call(api, token, "POST", "/v1/applications",
                                json={**body, "materials": []}, headers=key)
    check("/v1/applications", "post", status, answer)
    status, answer = await call(api, token, "GET", f"/v1/applications/{number}")
    check("/v1/applications/{number}", "get", status, answer)
    status, answer = await call(api, token, "GET", "/v1/applications/SL-nope")
    check("/v1/applications/{number}", "get", status, answer)
    for path, body in [
        ("/v1/unemployment-insurance/person-queries", {"id_number": "11010519491231002X"}),
        ("/v1/pension-certification-queries", {"id_number": "11010519491231002X"}),
        ("/v1/pension-certification-queries", {"id_number": "110105194912310021"}),  # 422
        ("/v1/pension-certification-queries", {"id": "11010519491231002X"}),  # 422
        ("/v1/e-licences/queries", {"id_number": "11010519491231002X",
                                    "consent_ref": "CS-openapi-1"}),
        ("/v1/e-licences/queries", {"id_number": "11010519491231002X"}),  # 422: no consent
        ("/v1/e-licences/images", {"licence_id": "EL-nope", "consent_ref": "CS-openapi-1"}),
    ]:
        status, answer = await call(api, token, "POST", path, json=body)
        check(path, "post", status, answer)
    status, answer = await call(api, token, "POST", "/v1/e-licences/queries", json={
        "id_number": "11010519491231002X", "consent_ref": "CS-openapi-1"})
    image = {"licence_id": answer["licences"][0]["licence_id"], "consent_ref": "CS-openapi-1"}
    status, answer = await call(api, token, "POST", "/v1/e-licences/images", json=image)
    check("/v1/e-licences/images", "post", status, answer)
    status, answer = await call(api, token, "GET", "/v1/halls")
    check("/v1/halls", "get", status, answer)
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    status, answer = await call(api, token, "GET", f"/v1/halls/DG-HUMEN/slots?date={monday}")
    check("/v1/halls/{hall}/slots", "get", status, answer)
    booking = {"slot_id": answer["slots"][0]["slot_id"], "name": "吴小梅",
               "id_number": "11010519491231002X", "mobile": "13800138000"}
    status, answer = await call(api, token, "POST", "/v1/appointments", json=booking,
                                headers={"Idempotency-Key": "openapi-book-1"})
    check("/v1/appointments", "post", status, answer)
    linked = {**booking, "slot_id": answer["slot_id"], "item_code": "BR-INDIVIDUAL-SETUP",
              "work_order_id": "wo-1", "links": {
                  "materials": [{"material_code": "id_card", "sha256": "ab" * 32,
                                 "status": "accepted", "note": ""}],
                  "scenario_answers": {"premises_tenure": "rented"},
                  "form": {"code": "individual_business", "values": {"operator_name": "吴小梅"}}}}
    status, answer = await call(api, token, "POST", "/v1/appointments", json=linked,
                                headers={"Idempotency-Key": "openapi-book-2"})
    check("/v1/appointments", "post", status, answer)
    status, answer = await call(api, token, "GET", f"/v1/appointments/{answer['booking_no']}")
    check("/v1/appointments/{booking_no}", "get", status, answer)
    assert answer["links"] == linked["links"]
    status, answer = await call(api, token, "GET", "/v1/appointments/YY-nope")
    check("/v1/appointments/{booking_no}", "get", status, answer)
    status, answer = await call(api, token, "POST", "/v1/individual-businesses",
                                json={"values": {}}, headers={"Idempotency-Key": "openapi-biz-1"})
    check("/v1/individual-businesses", "post", status, answer)
    await api.add_fault(kind="rate_limit", retry_after=1, count=1)
    status, answer = await call(api, token, "GET", "/v1/halls")
    check("/v1/halls", "get", status, answer)
    status, answer = await call(api, "expired", "GET", "/v1/halls")
    check("/v1/halls", "get", status, answer)


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_follow_the_document(client: GovApiClient, api: GovApiProcess,
                                                 status: int) -> None:
    token = await client.token()
    await api.add_fault(kind="error", status=status, count=1)
    got, answer = await call(api, token, "GET", "/v1/halls")
    assert got == status
    check("/v1/halls", "get", got, answer)
