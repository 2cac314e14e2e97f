"""What the government-API sandbox tells about a person by ID number: unemployment-insurance
details and pension-certification status, made up but stable (seeded from the number).

Both are ``POST`` with ``{"id_number": …}`` in the body: an ID number never goes in a URL,
where gateways and proxies log it."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

from aiohttp import web

from sandbox.gov_api.answers import dumps, field_errors, json_body
from sandbox.gov_api.auth import authorized_client
from seat_common.validators import check_id_number, normalize_id_number


async def _person_id(request: web.Request) -> str:
    _, body = await json_body(request)
    given = body.get("id_number")
    if not isinstance(given, str) or set(body) != {"id_number"}:
        raise web.HTTPUnprocessableEntity(
            text=json.dumps({"error": "validation_failed",
                             "message": "请求体应只含 id_number（身份证号码）",
                             "fields": field_errors({"id_number": "required"})},
                            ensure_ascii=False), content_type="application/json")
    number = normalize_id_number(given)
    if check_id_number(number):
        raise web.HTTPUnprocessableEntity(
            text=json.dumps({"error": "validation_failed", "message": "身份证号码无效",
                             "fields": field_errors({"id_number": check_id_number(number) or ""})},
                            ensure_ascii=False), content_type="application/json")
    return number


def _seed(number: str) -> int:
    return int(hashlib.sha256(number.encode()).hexdigest()[:8], 16)


async def unemployment_details(request: web.Request) -> web.Response:
    authorized_client(request)
    number = await _person_id(request)
    s = _seed(number)
    status = ("paying", "receiving_benefit", "not_insured")[s % 3]
    months = 0 if status == "not_insured" else 12 + s % 120
    return web.json_response(dumps=dumps, data={
        "id_number": number, "status": status, "months_paid": months,
        "insured_since": None if not months else f"{2026 - months // 12}-{1 + s % 12:02d}-01",
        "benefit_months_left": (s % 24) + 1 if status == "receiving_benefit" else 0,
        "employer": "" if status == "not_insured" else "东莞市某某电子有限公司",
    })


async def pension_status(request: web.Request) -> web.Response:
    authorized_client(request)
    number = await _person_id(request)
    s = _seed(number)
    status = ("certified", "due", "overdue", "not_a_pensioner")[s % 4]
    today = date.today()
    last = None if status == "not_a_pensioner" else today - timedelta(days=30 + s % 400)
    return web.json_response(dumps=dumps, data={
        "id_number": number, "status": status,
        "last_certified_on": last.isoformat() if last else None,
        "next_due_on": (last + timedelta(days=365)).isoformat() if last else None,
    })
