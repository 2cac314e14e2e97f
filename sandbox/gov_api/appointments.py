"""Counter appointments in the government-API sandbox: the halls, their free slots by day,
booking one (``POST /v1/appointments``, idempotent, with the links of a proxy booking:
materials, scenario answers, a prefilled form) and reading an appointment back, as the
counter's walk-in intake does."""

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
from sandbox.gov_api.state import STORE
from sandbox.gov_api.store import Answer
from seat_common.validators import check_id_number, check_mobile

HALLS = (
    {"code": "DG-CITY", "name": "东莞市民服务中心", "address": "东莞市南城街道鸿福路99号"},
    {"code": "DG-HUMEN", "name": "虎门镇行政服务中心", "address": "东莞市虎门镇连升中路"},
    {"code": "DG-CHANGAN", "name": "长安镇行政服务中心", "address": "东莞市长安镇长青南路"},
)
SLOT_STARTS = ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
               "14:00", "14:30", "15:00", "15:30", "16:00", "16:30")
SLOT_CAPACITY = 3


async def halls(request: web.Request) -> web.Response:
    authorized_client(request)
    return web.json_response(dumps=dumps, data={"halls": list(HALLS)})


async def slots(request: web.Request) -> web.Response:
    authorized_client(request)
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
    return web.json_response(dumps=dumps, data={"slots": out})


async def book(request: web.Request) -> web.Response:
    store = request.app[STORE]
    client = authorized_client(request)

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
            return unprocessable("预约信息有误", field_errors(problems))
        if store.booked(slot_id) >= SLOT_CAPACITY:
            return Answer(409, {"error": "slot_full", "message": "该时段已约满"})
        number = store.add_booking(slot_id, body)
        return Answer(201, {"booking_no": number, "slot_id": slot_id, "hall": parts[0],
                            "date": "-".join(parts[1:4]),
                            "start": f"{parts[4][:2]}:{parts[4][2:]}"})

    return await idempotent_write(request, client, act)


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
    authorized_client(request)
    found = request.app[STORE].booking(request.match_info["booking_no"])
    if found is None:
        return problem(404, "not_found", "没有这个预约编号")
    slot_id, body = found
    parts = slot_id.rsplit("-", 4)
    return web.json_response(dumps=dumps, data={
        "booking_no": request.match_info["booking_no"], "slot_id": slot_id, "hall": parts[0],
        "date": "-".join(parts[1:4]), "start": f"{parts[4][:2]}:{parts[4][2:]}",
        "name": str(body.get("name", "")), "id_number": str(body.get("id_number", "")),
        "mobile": str(body.get("mobile", "")), "item_code": str(body.get("item_code", "")),
        "work_order_id": str(body.get("work_order_id", "")), "links": body.get("links", {}),
    })
