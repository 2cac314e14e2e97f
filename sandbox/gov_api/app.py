"""The government-API sandbox's HTTP routes (aiohttp), following resources/openapi/gov-api.json.

Client-credentials tokens (``POST /oauth/token``), idempotent submissions of
applications validated strictly against each item's form schema, status by
application number, and the lookups items need (unemployment-insurance
details, pension-certification status, counter slots and bookings, instant
individual-business registration). ``/admin/*`` (loopback only) sets faults,
expires tokens and decides applications. Every request is logged to stderr
as one JSON line (``event: request``) so tests can assert on what it saw.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from sandbox.gov_api.faults import FaultBoard, FaultSpecError, parse_fault
from sandbox.gov_api.store import Answer, GovStore, IdempotencyConflictError, request_digest
from seat_common import catalog as catalog_mod
from seat_common.forms import FormLibrary, validate_values
from seat_common.validators import MESSAGES_ZH, check_id_number, check_mobile, normalize_id_number

log = logging.getLogger("seat-gov-api")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BODY = 256 * 1024


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


@dataclass
class Config:
    client_id: str
    client_secret: str
    token_ttl_s: float = 3600.0


HALLS = (
    {"code": "DG-CITY", "name": "东莞市民服务中心", "address": "东莞市南城街道鸿福路99号"},
    {"code": "DG-HUMEN", "name": "虎门镇行政服务中心", "address": "东莞市虎门镇连升中路"},
    {"code": "DG-CHANGAN", "name": "长安镇行政服务中心", "address": "东莞市长安镇长青南路"},
)
SLOT_STARTS = ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
               "14:00", "14:30", "15:00", "15:30", "16:00", "16:30")
SLOT_CAPACITY = 3

STORE: web.AppKey[GovStore] = web.AppKey("store", GovStore)
FAULTS: web.AppKey[FaultBoard] = web.AppKey("faults", FaultBoard)
FORMS: web.AppKey[FormLibrary] = web.AppKey("forms", FormLibrary)
CONFIG: web.AppKey[Config] = web.AppKey("config", Config)
ITEMS: web.AppKey[catalog_mod.Catalog] = web.AppKey("items", catalog_mod.Catalog)


def problem(status: int, error: str, message: str, **extra: Any) -> web.Response:
    headers = {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra.pop("retry_after"))
    body = {"error": error, "message": message, **extra}
    return web.json_response(dumps=_dumps, data=body, status=status, headers=headers)


def log_event(**fields: Any) -> None:
    sys.stderr.write(json.dumps(fields, ensure_ascii=False) + "\n")
    sys.stderr.flush()


# --- middlewares ------------------------------------------------------------------------


@web.middleware
async def request_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 0
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        log_event(event="request", method=request.method, path=request.path, status=status,
                  idempotency_key=request.headers.get("Idempotency-Key", ""),
                  ms=round((time.perf_counter() - started) * 1000, 1))


@web.middleware
async def inject_faults(request: web.Request, handler: Handler) -> web.StreamResponse:
    hits = request.app[FAULTS].take(request.path)
    slow_ms = 0
    drop_after = False
    for fault in hits:
        match fault.kind:
            case "latency":
                await asyncio.sleep(fault.ms / 1000)
            case "error":
                extra = {} if fault.retry_after is None else {"retry_after": fault.retry_after}
                return problem(fault.status, "unavailable", "服务暂不可用（演练）", **extra)
            case "rate_limit":
                return problem(429, "rate_limited", "请求过于频繁", retry_after=fault.retry_after)
            case "drop" if fault.phase == "before":
                _drop(request)
                return web.Response(status=499)
            case "drop":
                drop_after = True
            case "slow_body":
                slow_ms = fault.ms
            case "expire_token":
                token = _bearer(request)
                if token:
                    request.app[STORE].expire_tokens(token)
    response = await handler(request)
    if drop_after:
        _drop(request)
        return response
    if slow_ms and isinstance(response, web.Response) and response.body is not None:
        return await _slowly(request, response, slow_ms)
    return response


def _drop(request: web.Request) -> None:
    if request.transport is not None:
        request.transport.abort()


async def _slowly(request: web.Request, response: web.Response, ms: int) -> web.StreamResponse:
    body = response.body
    assert isinstance(body, bytes)
    stream = web.StreamResponse(status=response.status, headers=response.headers)
    stream.content_length = len(body)
    await stream.prepare(request)
    pieces = 5
    step = max(1, len(body) // pieces + 1)
    for i in range(0, len(body), step):
        await asyncio.sleep(ms / 1000 / pieces)
        await stream.write(body[i:i + step])
    await stream.write_eof()
    return stream


# --- helpers ------------------------------------------------------------------------------


def _bearer(request: web.Request) -> str:
    auth = request.headers.get("Authorization", "")
    return auth[7:].strip() if auth.startswith("Bearer ") else ""


def _client(request: web.Request) -> str:
    token = _bearer(request)
    client = request.app[STORE].token_client(token) if token else None
    if client is None:
        raise web.HTTPUnauthorized(
            text=json.dumps({"error": "invalid_token", "message": "令牌无效或已过期"}),
            content_type="application/json",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return client


async def _json_body(request: web.Request) -> tuple[bytes, dict[str, Any]]:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    raw = await request.read()
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text=json.dumps({"error": "bad_request",
                                                  "message": "请求体应为 JSON 对象"}),
                                 content_type="application/json")
    return raw, body


def _idempotency_key(request: web.Request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not 8 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise web.HTTPBadRequest(text=json.dumps({
            "error": "idempotency_key_required",
            "message": "写操作需要 Idempotency-Key 请求头（8–255个可打印ASCII字符）"}),
            content_type="application/json")
    return key


def _field_errors(problems: dict[str, str]) -> list[dict[str, str]]:
    return [{"field": f, "code": c, "message": MESSAGES_ZH.get(c, c)} for f, c in problems.items()]


async def _idempotent_write(
    request: web.Request, act: Callable[[dict[str, Any]], Answer]
) -> web.Response:
    client = _client(request)
    key = _idempotency_key(request)
    raw, body = await _json_body(request)
    digest = request_digest(request.method, request.path, raw)
    try:
        answer = request.app[STORE].idempotent(client, key, digest, lambda: act(body))
    except IdempotencyConflictError:
        return problem(409, "idempotency_key_reused",
                       "同一 Idempotency-Key 已用于不同的请求内容")
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return web.json_response(dumps=_dumps, data=answer.body, status=answer.status, headers=headers)


def _unprocessable(message: str, fields: list[dict[str, str]]) -> Answer:
    return Answer(422, {"error": "validation_failed", "message": message, "fields": fields})


# --- routes ---------------------------------------------------------------------------


async def token(request: web.Request) -> web.Response:
    form = await request.post()
    config = request.app[CONFIG]
    if form.get("grant_type") != "client_credentials":
        return problem(400, "unsupported_grant_type", "仅支持 client_credentials")
    cid, secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
    good = hashlib.sha256(secret.encode()).digest() == hashlib.sha256(
        config.client_secret.encode()).digest()
    if cid != config.client_id or not good:
        return problem(401, "invalid_client", "客户端凭据无效")
    value, _ = request.app[STORE].issue_token(cid, config.token_ttl_s)
    return web.json_response(dumps=_dumps, data={"access_token": value, "token_type": "Bearer",
                              "expires_in": int(config.token_ttl_s)})


async def submit_application(request: web.Request) -> web.Response:
    client = _client(request)
    key = request.headers.get("Idempotency-Key", "")

    def act(body: dict[str, Any]) -> Answer:
        item = request.app[ITEMS].item(str(body.get("item_code", "")))
        values = body.get("values")
        if item is None or not item.form:
            return _unprocessable("事项不存在或不受理网上申请",
                                  [{"field": "item_code", "code": "not_an_option",
                                    "message": "事项编码无效"}])
        schema = request.app[FORMS].get(item.form)
        if schema is None or body.get("form") != item.form:
            return _unprocessable("表单与事项不符", [{"field": "form", "code": "not_an_option",
                                                      "message": "表单编码与事项不符"}])
        if not isinstance(values, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in values.items()):
            return _unprocessable("表单值应为字符串", [])
        unknown = sorted(set(values) - {f.code for f in schema.fields})
        problems: dict[str, str] = dict(validate_values(schema, values, request.app[FORMS].regions))
        problems.update({u: "not_an_option" for u in unknown})
        materials = body.get("materials", [])
        if not isinstance(materials, list) or not all(isinstance(m, str) for m in materials):
            problems["materials"] = "not_an_option"
        if problems:
            return _unprocessable("申请表有误，请按字段提示修改", _field_errors(problems))
        row = request.app[STORE].add_application(client, key, item.code, item.form, body)
        return Answer(201, _public(row))

    return await _idempotent_write(request, act)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "idempotency_key"}


async def get_application(request: web.Request) -> web.Response:
    _client(request)
    row = request.app[STORE].application(request.match_info["number"])
    if row is None:
        return problem(404, "not_found", "没有这个申请编号")
    return web.json_response(dumps=_dumps, data=_public(row))


def _person_id(request: web.Request) -> str:
    number = normalize_id_number(request.match_info["id_number"])
    if check_id_number(number):
        raise web.HTTPUnprocessableEntity(
            text=json.dumps({"error": "validation_failed", "message": "身份证号码无效",
                             "fields": _field_errors({"id_number": check_id_number(number) or ""})},
                            ensure_ascii=False), content_type="application/json")
    return number


def _seed(number: str) -> int:
    return int(hashlib.sha256(number.encode()).hexdigest()[:8], 16)


async def unemployment_details(request: web.Request) -> web.Response:
    _client(request)
    number = _person_id(request)
    s = _seed(number)
    status = ("paying", "receiving_benefit", "not_insured")[s % 3]
    months = 0 if status == "not_insured" else 12 + s % 120
    return web.json_response(dumps=_dumps, data={
        "id_number": number, "status": status, "months_paid": months,
        "insured_since": None if not months else f"{2026 - months // 12}-{1 + s % 12:02d}-01",
        "benefit_months_left": (s % 24) + 1 if status == "receiving_benefit" else 0,
        "employer": "" if status == "not_insured" else "东莞市某某电子有限公司",
    })


async def pension_status(request: web.Request) -> web.Response:
    _client(request)
    number = _person_id(request)
    s = _seed(number)
    status = ("certified", "due", "overdue", "not_a_pensioner")[s % 4]
    today = date.today()
    last = None if status == "not_a_pensioner" else today - timedelta(days=30 + s % 400)
    return web.json_response(dumps=_dumps, data={
        "id_number": number, "status": status,
        "last_certified_on": last.isoformat() if last else None,
        "next_due_on": (last + timedelta(days=365)).isoformat() if last else None,
    })


async def halls(request: web.Request) -> web.Response:
    _client(request)
    return web.json_response(dumps=_dumps, data={"halls": list(HALLS)})


async def slots(request: web.Request) -> web.Response:
    _client(request)
    hall = request.match_info["hall"]
    if hall not in {h["code"] for h in HALLS}:
        return problem(404, "not_found", "没有这个办事大厅")
    try:
        day = date.fromisoformat(request.query.get("date", ""))
    except ValueError:
        return problem(400, "bad_request", "date 应为 YYYY-MM-DD")
    store = request.app[STORE]
    out = []
    if day.weekday() < 5:
        for start in SLOT_STARTS:
            slot_id = f"{hall}-{day.isoformat()}-{start.replace(':', '')}"
            out.append({"slot_id": slot_id, "hall": hall, "date": day.isoformat(),
                        "start": start, "capacity": SLOT_CAPACITY,
                        "available": SLOT_CAPACITY - store.booked(slot_id)})
    return web.json_response(dumps=_dumps, data={"slots": out})


async def book(request: web.Request) -> web.Response:
    store = request.app[STORE]

    def act(body: dict[str, Any]) -> Answer:
        slot_id = str(body.get("slot_id", ""))
        parts = slot_id.rsplit("-", 4)
        problems: dict[str, str] = {}
        if len(parts) != 5 or parts[0] not in {h["code"] for h in HALLS}:
            problems["slot_id"] = "not_an_option"
        for f, check in (("id_number", check_id_number), ("mobile", check_mobile)):
            found = check(str(body.get(f, "")))
            if found:
                problems[f] = found
        if not str(body.get("name", "")).strip():
            problems["name"] = "required"
        if not _links_ok(body.get("links", {})):
            problems["links"] = "not_an_option"
        if problems:
            return _unprocessable("预约信息有误", _field_errors(problems))
        if store.booked(slot_id) >= SLOT_CAPACITY:
            return Answer(409, {"error": "slot_full", "message": "该时段已约满"})
        number = store.add_booking(slot_id, body)
        return Answer(201, {"booking_no": number, "slot_id": slot_id, "hall": parts[0],
                            "date": "-".join(parts[1:4]),
                            "start": f"{parts[4][:2]}:{parts[4][2:]}"})

    return await _idempotent_write(request, act)


def _links_ok(links: Any) -> bool:
    """The booking's links follow BookingLinks: material references, answers, a form's values."""
    if not isinstance(links, dict) or set(links) - {"materials", "scenario_answers", "form"}:
        return False
    materials = links.get("materials", [])
    answers = links.get("scenario_answers", {})
    form = links.get("form", {"code": "", "values": {}})
    return (isinstance(materials, list)
            and all(isinstance(m, dict) and all(isinstance(m.get(k), str)
                                                for k in ("material_code", "sha256", "status"))
                    and m["status"] in ("accepted", "to_correct", "missing") for m in materials)
            and isinstance(answers, dict) and all(isinstance(v, str) for v in answers.values())
            and isinstance(form, dict) and isinstance(form.get("code"), str)
            and isinstance(form.get("values"), dict)
            and all(isinstance(v, str) for v in form["values"].values()))


async def appointment(request: web.Request) -> web.Response:
    """One appointment with what the booking linked to it: the counter's walk-in intake."""
    _client(request)
    found = request.app[STORE].booking(request.match_info["booking_no"])
    if found is None:
        return problem(404, "not_found", "没有这个预约编号")
    slot_id, body = found
    parts = slot_id.rsplit("-", 4)
    return web.json_response(dumps=_dumps, data={
        "booking_no": request.match_info["booking_no"], "slot_id": slot_id, "hall": parts[0],
        "date": "-".join(parts[1:4]), "start": f"{parts[4][:2]}:{parts[4][2:]}",
        "name": str(body.get("name", "")), "id_number": str(body.get("id_number", "")),
        "mobile": str(body.get("mobile", "")), "item_code": str(body.get("item_code", "")),
        "work_order_id": str(body.get("work_order_id", "")), "links": body.get("links", {}),
    })


async def register_business(request: web.Request) -> web.Response:
    forms = request.app[FORMS]

    def act(body: dict[str, Any]) -> Answer:
        schema = forms.get("individual_business")
        values = body.get("values")
        assert schema is not None
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            return _unprocessable("表单值应为字符串", [])
        problems = validate_values(schema, values, forms.regions)
        if problems:
            return _unprocessable("登记信息有误", _field_errors(dict(problems)))
        licence = request.app[STORE].add_business(body, values.get("premises_region", "441900"))
        return Answer(201, {"licence_no": licence, "registered_on": date.today().isoformat(),
                            "business_name": values.get("business_name", "")})

    return await _idempotent_write(request, act)


# --- admin (loopback only) -------------------------------------------------------------


def _admin(request: web.Request) -> None:
    if request.remote not in ("127.0.0.1", "::1"):
        raise web.HTTPForbidden()


async def admin_faults(request: web.Request) -> web.Response:
    _admin(request)
    board = request.app[FAULTS]
    if request.method == "POST":
        try:
            board.add(parse_fault(await request.json()))
        except (FaultSpecError, ValueError) as exc:
            return problem(400, "bad_fault", str(exc))
    elif request.method == "DELETE":
        board.clear()
    return web.json_response(dumps=_dumps, data={"faults": [f.describe() for f in board.faults]})


async def admin_expire_tokens(request: web.Request) -> web.Response:
    _admin(request)
    return web.json_response(dumps=_dumps, data={"expired": request.app[STORE].expire_tokens()})


async def admin_applications(request: web.Request) -> web.Response:
    _admin(request)
    return web.json_response(dumps=_dumps, data={"applications": request.app[STORE].applications()})


async def admin_decide(request: web.Request) -> web.Response:
    _admin(request)
    body = await request.json()
    status = body.get("status")
    if status not in ("accepted", "returned"):
        return problem(400, "bad_request", "status is accepted or returned")
    if not request.app[STORE].set_status(request.match_info["number"], status,
                                         str(body.get("reason", ""))):
        return problem(404, "not_found", "没有这个申请编号")
    return web.json_response(dumps=_dumps, data={"ok": True})


def make_app(store: GovStore, config: Config, faults: FaultBoard | None = None,
             forms: FormLibrary | None = None) -> web.Application:
    app = web.Application(middlewares=[request_log, inject_faults], client_max_size=MAX_BODY)
    app[STORE] = store
    app[FAULTS] = faults or FaultBoard()
    app[FORMS] = forms or FormLibrary()
    app[CONFIG] = config
    app[ITEMS] = catalog_mod.load()
    r = app.router
    r.add_post("/oauth/token", token)
    r.add_post("/v1/applications", submit_application)
    r.add_get("/v1/applications/{number}", get_application)
    r.add_get("/v1/unemployment-insurance/persons/{id_number}", unemployment_details)
    r.add_get("/v1/pension-certifications/{id_number}", pension_status)
    r.add_get("/v1/halls", halls)
    r.add_get("/v1/halls/{hall}/slots", slots)
    r.add_post("/v1/appointments", book)
    r.add_get("/v1/appointments/{booking_no}", appointment)
    r.add_post("/v1/individual-businesses", register_business)
    r.add_route("*", "/admin/faults", admin_faults)
    r.add_post("/admin/tokens/expire", admin_expire_tokens)
    r.add_get("/admin/applications", admin_applications)
    r.add_post("/admin/applications/{number}/status", admin_decide)
    return app
