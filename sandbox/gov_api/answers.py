"""How the government-API sandbox answers: JSON bodies, problem answers
(``{"error", "message", ...}``), field errors in the validators' words, and the
checks every write makes first (a JSON object body, an ``Idempotency-Key``), ending in
the idempotent write itself: the same key with the same body replays the first answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from sandbox.gov_api.state import MAX_BODY, STORE
from sandbox.gov_api.store import Answer, IdempotencyConflictError, request_digest
from seat_common.validators import MESSAGES_ZH


def dumps(obj: Any) -> str:
    """JSON as the sandbox writes it (Chinese text as is, not escaped)."""
    return json.dumps(obj, ensure_ascii=False)


def problem(status: int, error: str, message: str, **extra: Any) -> web.Response:
    headers = {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra.pop("retry_after"))
    body = {"error": error, "message": message, **extra}
    return web.json_response(dumps=dumps, data=body, status=status, headers=headers)


def field_errors(problems: dict[str, str]) -> list[dict[str, str]]:
    return [{"field": f, "code": c, "message": MESSAGES_ZH.get(c, c)} for f, c in problems.items()]


def unprocessable(message: str, fields: list[dict[str, str]]) -> Answer:
    return Answer(422, {"error": "validation_failed", "message": message, "fields": fields})


async def json_body(request: web.Request) -> tuple[bytes, dict[str, Any]]:
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


def idempotency_key(request: web.Request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not 8 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise web.HTTPBadRequest(text=json.dumps({
            "error": "idempotency_key_required",
            "message": "写操作需要 Idempotency-Key 请求头（8–255个可打印ASCII字符）"}),
            content_type="application/json")
    return key


async def idempotent_write(
    request: web.Request, client: str, act: Callable[[dict[str, Any]], Answer]
) -> web.Response:
    """Do ``act`` once per ``client`` and idempotency key (``client`` is already
    authorized: see ``auth.authorized_client``)."""
    key = idempotency_key(request)
    raw, body = await json_body(request)
    digest = request_digest(request.method, request.path, raw)
    try:
        answer = request.app[STORE].idempotent(client, key, digest, lambda: act(body))
    except IdempotencyConflictError:
        return problem(409, "idempotency_key_reused",
                       "同一 Idempotency-Key 已用于不同的请求内容")
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return web.json_response(dumps=dumps, data=answer.body, status=answer.status, headers=headers)
