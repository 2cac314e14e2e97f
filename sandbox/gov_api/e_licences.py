"""The electronic-licence service (电子证照) of the government-API sandbox.

``POST /v1/e-licences/queries`` with ``{"id_number", "consent_ref"}`` lists the
certificates the licence library holds for a person (``licence_records``); ``POST
/v1/e-licences/images`` with ``{"licence_id", "consent_ref"}`` returns one licence
rendered as a PNG (base64 in JSON). Both require a consent reference: the record of the
citizen's consent, which the sandbox logs with each lookup (``event: e_licence_lookup``,
the ID number masked) so tests can see it. The ID number travels only in a body.
The faults on the board apply as to every ``/v1/`` route.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import date
from typing import Any, Final

from aiohttp import web
from PIL import Image, ImageDraw, ImageFont

from sandbox.document_drawings import FONT_PATH
from sandbox.gov_api.answers import dumps, field_errors, json_body
from sandbox.gov_api.auth import authorized_client
from sandbox.gov_api.licence_records import Licence, LicenceLibrary
from sandbox.gov_api.middleware import log_event
from seat_common.personal_data.pii import mask_id_number
from seat_common.validators import check_id_number, normalize_id_number

LICENCES: web.AppKey[LicenceLibrary] = web.AppKey("licences", LicenceLibrary)
_STAMPS: Final = {"expired": "已过期", "revoked": "已撤销"}


def _unprocessable(message: str, problems: dict[str, str]) -> web.HTTPUnprocessableEntity:
    return web.HTTPUnprocessableEntity(
        text=json.dumps({"error": "validation_failed", "message": message,
                         "fields": field_errors(problems)}, ensure_ascii=False),
        content_type="application/json")


async def _checked(request: web.Request, key: str) -> tuple[str, str]:
    """The body's ``key`` and ``consent_ref``, both required, nothing else."""
    _, body = await json_body(request)
    if set(body) != {key, "consent_ref"} or not isinstance(body.get(key), str):
        raise _unprocessable(f"请求体应只含 {key} 与 consent_ref（群众授权记录）",
                             {key: "required"})
    consent = body["consent_ref"]
    if (not isinstance(consent, str) or not 8 <= len(consent) <= 64 or not consent.isascii()
            or not consent.isprintable()):
        raise _unprocessable("查询电子证照需要群众的授权记录（consent_ref，8–64个可打印ASCII字符）",
                             {"consent_ref": "required"})
    return str(body[key]), consent


async def query(request: web.Request) -> web.Response:
    client = authorized_client(request)
    given, consent = await _checked(request, "id_number")
    number = normalize_id_number(given)
    problem = check_id_number(number)
    if problem:
        raise _unprocessable("身份证号码无效", {"id_number": problem})
    found = request.app[LICENCES].of_holder(number)
    today = date.today()
    log_event(event="e_licence_lookup", client=client, consent_ref=consent,
              id_number=mask_id_number(number), found=len(found))
    return web.json_response(dumps=dumps, data={
        "id_number": number, "licences": [lic.to_json(today) for lic in found]})


async def image(request: web.Request) -> web.Response:
    client = authorized_client(request)
    lid, consent = await _checked(request, "licence_id")
    licence = request.app[LICENCES].get(lid)
    if licence is None:
        raise web.HTTPNotFound(text=json.dumps({"error": "not_found", "message": "没有这个证照"},
                                               ensure_ascii=False),
                               content_type="application/json")
    log_event(event="e_licence_image", client=client, consent_ref=consent, licence_id=lid)
    png = render(licence, date.today())
    return web.json_response(dumps=dumps, data={
        "licence_id": lid, "content_type": "image/png",
        "image_base64": base64.b64encode(png).decode("ascii")})


async def admin_revoke(request: web.Request) -> web.Response:
    """``POST /admin/e-licences/{licence_id}/revoked`` with ``{"revoked": bool}`` (loopback)."""
    if request.remote not in ("127.0.0.1", "::1"):
        raise web.HTTPForbidden()
    body: Any = await request.json()
    ok = request.app[LICENCES].set_revoked(request.match_info["licence_id"],
                                           bool(body.get("revoked", True)))
    if not ok:
        raise web.HTTPNotFound()
    return web.json_response({"ok": True})


def render(licence: Licence, today: date) -> bytes:
    """The licence as the library's viewer shows it: a card with its particulars, the
    library's watermark, and a stamp when it is no longer valid."""
    img = Image.new("RGB", (900, 560), "#f4f7fb")
    draw = ImageDraw.Draw(img)

    def font(size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(FONT_PATH), size)

    draw.rectangle((12, 12, 887, 547), outline="#1f5fa8", width=6)
    draw.rectangle((12, 12, 887, 92), fill="#1f5fa8")
    draw.text((40, 28), licence.name, font=font(40), fill="white")
    draw.text((620, 40), "广东省电子证照", font=font(26), fill="#dbe8f7")
    rows = (("持证人", licence.holder_name), ("证照编号", licence.number),
            ("发证机关", licence.issuer), ("发证日期", licence.issued_on),
            ("有效期至", licence.expires_on or "长期"))
    for i, (label, value) in enumerate(rows):
        y = 130 + i * 66
        draw.text((48, y), label, font=font(28), fill="#5a6b7d")
        draw.text((220, y), value, font=font(30), fill="#17202a")
    draw.text((48, 480), "本证照由广东省电子证照系统签发，与纸质证照具有同等效力（沙箱）",
              font=font(20), fill="#7a8a99")
    stamp = _STAMPS.get(licence.status(today))
    if stamp:
        draw.ellipse((640, 300, 860, 520), outline="#c0392b", width=8)
        draw.text((672, 380), stamp, font=font(48), fill="#c0392b")
    out = io.BytesIO()
    img.save(out, "PNG", optimize=False)
    return out.getvalue()
