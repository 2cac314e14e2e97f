"""What happens around every request to the government-API sandbox: one JSON log line per
request on stderr (``event: request``, so tests can assert on what it saw), and the faults
on the board (latency, errors, rate limits, dropped connections, slow bodies, expired
tokens; see ``faults``)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from sandbox.gov_api.answers import problem
from sandbox.gov_api.auth import bearer
from sandbox.gov_api.state import FAULTS, STORE

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def log_event(**fields: Any) -> None:
    sys.stderr.write(json.dumps(fields, ensure_ascii=False) + "\n")
    sys.stderr.flush()


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
            case "reject":
                return problem(fault.status, "rejected", "请求被网关拒绝（演练）")
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
                token = bearer(request)
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
