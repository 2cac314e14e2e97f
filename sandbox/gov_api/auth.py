"""Who is calling the government-API sandbox: client-credentials tokens
(``POST /oauth/token``) and the bearer token every other ``/v1/`` route requires."""

from __future__ import annotations

import hashlib
import json

from aiohttp import web

from sandbox.gov_api.answers import dumps, problem
from sandbox.gov_api.state import CONFIG, STORE


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
    return web.json_response(dumps=dumps, data={"access_token": value, "token_type": "Bearer",
                              "expires_in": int(config.token_ttl_s)})


def bearer(request: web.Request) -> str:
    """The request's bearer token, "" without one."""
    auth = request.headers.get("Authorization", "")
    return auth[7:].strip() if auth.startswith("Bearer ") else ""


def authorized_client(request: web.Request) -> str:
    """The client id the request's token was issued to; 401 for a missing or dead token."""
    token = bearer(request)
    client = request.app[STORE].token_client(token) if token else None
    if client is None:
        raise web.HTTPUnauthorized(
            text=json.dumps({"error": "invalid_token", "message": "令牌无效或已过期"}),
            content_type="application/json",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return client
