"""The electronic-licence service of the government-API sandbox, through the workstation's
client: a citizen's certificates with a consent reference, their images, the faults, and
answers that do not follow the document (a real aiohttp server answering nonsense)."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from PIL import Image

from sandbox.gov_api.licence_records import DEMO_APPLICANT, EXPIRED_HOLDER
from sandbox.gov_api_process import GovApiProcess
from seat_client.acceptance.e_licences import (
    LicenceLookupError,
    licence_image,
    look_up,
    parse_image,
    parse_licences,
)
from seat_client.acceptance.gov_api_client import GovApiClient, KeyringGovApiCredentials
from seat_client.review.certificates import ElectronicLicence

CONSENT = "CS-test-consent-0001"


async def test_a_citizens_certificates_with_their_status(api: GovApiProcess,
                                                         client: GovApiClient) -> None:
    found = await look_up(client, EXPIRED_HOLDER, CONSENT)
    by_kind = {lic.kind: lic for lic in found}
    assert {"id_card", "household_register", "social_security_card", "business_licence",
            "marriage_certificate"} <= set(by_kind)
    assert by_kind["id_card"].number == EXPIRED_HOLDER
    assert by_kind["id_card"].status == "expired" and by_kind["id_card"].expires_on == "2024-05-20"
    assert by_kind["business_licence"].status == "revoked"
    assert by_kind["household_register"].status == "valid"
    assert by_kind["household_register"].expires_on == ""  # 长期有效
    # Stable: the same citizen, the same certificates.
    assert await look_up(client, EXPIRED_HOLDER, CONSENT) == found
    demo = await look_up(client, DEMO_APPLICANT, CONSENT)
    assert all(lic.status_on(date.today()) == "valid" for lic in demo)
    # The lookup is logged with its consent, the ID number masked; never in a URL.
    logged = [e for e in api.events("e_licence_lookup") if e["consent_ref"] == CONSENT]
    assert logged and all(EXPIRED_HOLDER not in str(e) for e in logged)
    assert all(EXPIRED_HOLDER not in r["path"] for r in api.requests())


async def test_the_image_of_a_licence_is_a_png_stamped_when_not_valid(
        api: GovApiProcess, client: GovApiClient) -> None:
    found = await look_up(client, EXPIRED_HOLDER, CONSENT)
    id_card = next(lic for lic in found if lic.kind == "id_card")
    png = await licence_image(client, id_card.licence_id, CONSENT)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (900, 560)
    # The red 已过期 stamp: a ring of strong red in the lower right quarter.
    reds = sum(1 for x in range(640, 860, 4) for y in range(300, 520, 4)
               if (p := image.getpixel((x, y))) and isinstance(p, tuple)
               and p[0] > 150 and p[1] < 90 and p[2] < 90)
    assert reds > 40
    with pytest.raises(LicenceLookupError, match="没有这个证照"):
        await licence_image(client, "EL-nothing-like-this", CONSENT)


async def test_no_lookup_without_a_consent_reference(api: GovApiProcess,
                                                     client: GovApiClient) -> None:
    token = await client.token()
    for body in ({"id_number": DEMO_APPLICANT},
                 {"id_number": DEMO_APPLICANT, "consent_ref": "short"},
                 {"id_number": DEMO_APPLICANT, "consent_ref": CONSENT, "extra": 1}):
        async with aiohttp.ClientSession() as s, s.post(
                api.url + "/v1/e-licences/queries", json=body,
                headers={"Authorization": f"Bearer {token}"}) as r:
            answer = await r.json()
        assert r.status == 422, body
        assert "consent_ref" in answer["message"]
    with pytest.raises(LicenceLookupError, match="身份证号码无效"):
        await look_up(client, "441900198805200010", CONSENT)  # a wrong check digit


@pytest.mark.parametrize(("fault", "message"), [
    ({"kind": "error", "status": 503}, "暂时无法使用（HTTP 503）"),
    ({"kind": "rate_limit", "retry_after": 1}, "过于频繁"),
    ({"kind": "drop", "phase": "before"}, "网络中断或超时"),
    ({"kind": "reject", "status": 403}, "电子证照库查询失败"),
])
async def test_a_fault_is_a_clear_message(api: GovApiProcess, client: GovApiClient,
                                          fault: dict[str, Any], message: str) -> None:
    await api.add_fault(**fault, path_prefix="/v1/e-licences/", count=1)
    with pytest.raises(LicenceLookupError, match=message):
        await look_up(client, DEMO_APPLICANT, CONSENT)
    assert await look_up(client, DEMO_APPLICANT, CONSENT)  # the next one goes through


async def test_latency_is_waited_out(api: GovApiProcess, client: GovApiClient) -> None:
    await api.add_fault(kind="latency", ms=300, path_prefix="/v1/e-licences/", count=1)
    assert await look_up(client, DEMO_APPLICANT, CONSENT)


# --- answers that do not follow the document ------------------------------------------


GOOD = {"licence_id": "EL-1", "kind": "id_card", "name": "居民身份证",
        "number": DEMO_APPLICANT, "holder_name": "陈小梅", "issuer": "东莞市公安局",
        "issued_on": "2020-01-02", "expires_on": "2040-01-02", "status": "valid"}


@pytest.mark.parametrize(("answer", "message"), [
    ({}, "缺少证照列表"),
    ({"licences": "none"}, "缺少证照列表"),
    ({"licences": [1]}, "第 1 个证照不是对象"),
    ({"licences": [GOOD, {k: v for k, v in GOOD.items() if k != "issuer"}]},
     "第 2 个证照缺少发证机关"),
    ({"licences": [{**GOOD, "number": 441900}]}, "格式不对：证照编号"),
    ({"licences": [{**GOOD, "issued_on": "2020/01/02"}]}, "发证日期（issued_on）应为日期"),
    ({"licences": [{**GOOD, "expires_on": 20400102}]}, "有效期（expires_on）"),
    ({"licences": [{**GOOD, "status": "maybe"}]}, "状态（status）不明"),
])
def test_bad_licence_answers_are_named_in_chinese(answer: dict[str, Any], message: str) -> None:
    with pytest.raises(LicenceLookupError, match=message):
        parse_licences(answer)


def test_a_good_answer_parses() -> None:
    (lic,) = parse_licences({"licences": [{**GOOD, "expires_on": None}]})
    assert lic == ElectronicLicence(**{**GOOD, "expires_on": ""})  # type: ignore[arg-type]


@pytest.mark.parametrize(("answer", "message"), [
    ({"licence_id": "EL-2", "content_type": "image/png", "image_base64": ""}, "不是所查证照"),
    ({"licence_id": "EL-1", "content_type": "image/jpeg", "image_base64": ""}, "不是 PNG"),
    ({"licence_id": "EL-1", "content_type": "image/png"}, "缺少证照图像"),
    ({"licence_id": "EL-1", "content_type": "image/png", "image_base64": "@@@"}, "编码无效"),
    ({"licence_id": "EL-1", "content_type": "image/png",
      "image_base64": base64.b64encode(b"GIF89a....").decode()}, "不是 PNG"),
])
def test_bad_image_answers_are_named_in_chinese(answer: dict[str, Any], message: str) -> None:
    with pytest.raises(LicenceLookupError, match=message):
        parse_image(answer, "EL-1")


@pytest.fixture
async def nonsense_api(credentials: KeyringGovApiCredentials, gov_api: GovApiProcess
                       ) -> AsyncIterator[Callable[[str, int], Any]]:
    """A real HTTP server that issues tokens and answers the query with a set body."""
    reply = {"text": "", "status": 200}

    async def token(_: web.Request) -> web.Response:
        return web.json_response({"access_token": "t", "token_type": "Bearer",
                                  "expires_in": 3600})

    async def query(_: web.Request) -> web.Response:
        return web.Response(text=reply["text"], status=int(reply["status"]),
                            content_type="application/json")

    app = web.Application()
    app.router.add_post("/oauth/token", token)
    app.router.add_post("/v1/e-licences/queries", query)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    client = GovApiClient(str(server.make_url("")), credentials, timeout_s=5.0)

    async def ask(text: str, status: int = 200) -> Any:
        reply.update(text=text, status=status)
        return await look_up(client, DEMO_APPLICANT, CONSENT)

    yield ask
    await client.close()
    await server.close()


@pytest.mark.parametrize(("text", "status", "message"), [
    ("{not json", 200, "不是有效的 JSON 对象"),
    ("[1, 2]", 200, "不是有效的 JSON 对象"),
    ('{"licences": [{"kind": "id_card"}]}', 200, "第 1 个证照缺少证照标识"),
    ("<html>502 Bad Gateway</html>", 502, "暂时无法使用（HTTP 502）"),
])
async def test_nonsense_from_the_server_is_a_clear_message(
        nonsense_api: Callable[[str, int], Any], text: str, status: int, message: str) -> None:
    with pytest.raises(LicenceLookupError, match=message):
        await nonsense_api(text, status)
