"""The government-API sandbox's ``/admin/*`` routes, for tests and drills on loopback only:
set and clear faults, expire tokens, list applications and decide them."""

from __future__ import annotations

from aiohttp import web

from sandbox.gov_api.answers import dumps, problem
from sandbox.gov_api.faults import FaultSpecError, parse_fault
from sandbox.gov_api.state import FAULTS, STORE


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
    return web.json_response(dumps=dumps, data={"faults": [f.describe() for f in board.faults]})


async def admin_expire_tokens(request: web.Request) -> web.Response:
    _admin(request)
    return web.json_response(dumps=dumps, data={"expired": request.app[STORE].expire_tokens()})


async def admin_applications(request: web.Request) -> web.Response:
    _admin(request)
    return web.json_response(dumps=dumps, data={"applications": request.app[STORE].applications()})


async def admin_decide(request: web.Request) -> web.Response:
    _admin(request)
    body = await request.json()
    status = body.get("status")
    if status not in ("accepted", "returned"):
        return problem(400, "bad_request", "status is accepted or returned")
    if not request.app[STORE].set_status(request.match_info["number"], status,
                                         str(body.get("reason", ""))):
        return problem(404, "not_found", "没有这个申请编号")
    return web.json_response(dumps=dumps, data={"ok": True})
