"""Applications to the government-API sandbox: submitting one (``POST /v1/applications``,
idempotent, validated strictly against the item's form schema), reading its status by
number, and the instant registration of an individual business
(``POST /v1/individual-businesses``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from sandbox.gov_api.answers import (
    dumps,
    field_errors,
    idempotent_write,
    problem,
    unprocessable,
)
from sandbox.gov_api.auth import authorized_client
from sandbox.gov_api.state import FORMS, ITEMS, STORE
from sandbox.gov_api.store import Answer
from seat_common.forms import validate_values


async def submit_application(request: web.Request) -> web.Response:
    client = authorized_client(request)
    key = request.headers.get("Idempotency-Key", "")

    def act(body: dict[str, Any]) -> Answer:
        item = request.app[ITEMS].item(str(body.get("item_code", "")))
        values = body.get("values")
        if item is None or not item.form:
            return unprocessable("事项不存在或不受理网上申请",
                                 [{"field": "item_code", "code": "not_an_option",
                                   "message": "事项编码无效"}])
        schema = request.app[FORMS].get(item.form)
        if schema is None or body.get("form") != item.form:
            return unprocessable("表单与事项不符", [{"field": "form", "code": "not_an_option",
                                                     "message": "表单编码与事项不符"}])
        if not isinstance(values, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in values.items()):
            return unprocessable("表单值应为字符串", [])
        unknown = sorted(set(values) - {f.code for f in schema.fields})
        problems: dict[str, str] = dict(validate_values(schema, values, request.app[FORMS].regions))
        problems.update({u: "not_an_option" for u in unknown})
        materials = body.get("materials", [])
        if not isinstance(materials, list) or not all(isinstance(m, str) for m in materials):
            problems["materials"] = "not_an_option"
        if problems:
            return unprocessable("申请表有误，请按字段提示修改", field_errors(problems))
        row = request.app[STORE].add_application(client, key, item.code, item.form, body)
        return Answer(201, _public(row))

    return await idempotent_write(request, client, act)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "idempotency_key"}


async def get_application(request: web.Request) -> web.Response:
    authorized_client(request)
    row = request.app[STORE].application(request.match_info["number"])
    if row is None:
        return problem(404, "not_found", "没有这个申请编号")
    return web.json_response(dumps=dumps, data=_public(row))


async def register_business(request: web.Request) -> web.Response:
    forms = request.app[FORMS]
    client = authorized_client(request)

    def act(body: dict[str, Any]) -> Answer:
        schema = forms.get("individual_business")
        values = body.get("values")
        assert schema is not None
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            return unprocessable("表单值应为字符串", [])
        problems = validate_values(schema, values, forms.regions)
        if problems:
            return unprocessable("登记信息有误", field_errors(dict(problems)))
        licence = request.app[STORE].add_business(body, values.get("premises_region", "441900"))
        return Answer(201, {"licence_no": licence, "registered_on": date.today().isoformat(),
                            "business_name": values.get("business_name", "")})

    return await idempotent_write(request, client, act)
