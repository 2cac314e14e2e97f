"""The government-API sandbox: tokens, strict validation, idempotency, status, lookups, faults."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import aiohttp
import pytest

from sandbox.gov_api.faults import FaultSpecError, parse_fault_arg
from sandbox.gov_api_process import GovApiProcess
from seat_client.acceptance.gov_api_client import (
    FieldErrors,
    GovApiClient,
    IdempotencyConflict,
    KeyringGovApiCredentials,
    Unauthorized,
)
from seat_common.validators import check_uscc

PENSION_VALUES = {"residence": "local", "pensioner_name": "吴小梅",
                  "pensioner_id_number": "11010519491231002X", "mobile": "13800138000",
                  "pension_start": "2010-03-01", "certification_way": "video"}


def application(**values: str) -> dict[str, Any]:
    return {"item_code": "SI-PENSION-CERT", "form": "pension_certification",
            "values": {**PENSION_VALUES, **values}, "materials": ["id_card"],
            "work_order_id": "WO-1", "agent_id": "0012"}


async def raw(api: GovApiProcess, method: str, path: str, token: str = "", **kw: Any
              ) -> tuple[int, dict[str, Any], Any]:
    headers = kw.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with aiohttp.ClientSession() as s, s.request(method, api.url + path, headers=headers,
                                                       **kw) as r:
        return r.status, await r.json(), r.headers


async def test_tokens_for_the_right_credentials_only(api: GovApiProcess) -> None:
    form = {"grant_type": "client_credentials", "client_id": api.client_id,
            "client_secret": "wrong"}
    status, body, _ = await raw(api, "POST", "/oauth/token", data=form)
    assert (status, body["error"]) == (401, "invalid_client")
    status, body, _ = await raw(api, "POST", "/oauth/token",
                                data={**form, "client_secret": api.client_secret})
    assert status == 200 and body["token_type"] == "Bearer" and body["expires_in"] == 3600
    status, _, headers = await raw(api, "GET", "/v1/halls", token="not-a-token")
    assert status == 401 and "invalid_token" in headers["WWW-Authenticate"]
    status, _, _ = await raw(api, "GET", "/v1/halls", token=body["access_token"])
    assert status == 200
    await api.expire_tokens()
    status, _, _ = await raw(api, "GET", "/v1/halls", token=body["access_token"])
    assert status == 401


async def test_a_wrong_secret_in_the_keyring_is_unauthorized(api: GovApiProcess) -> None:
    creds = KeyringGovApiCredentials(api.client_id, service="seat-gov-api-test-wrong")
    creds.set_client_secret("not the secret")
    client = GovApiClient(api.url, creds)
    try:
        with pytest.raises(Unauthorized):
            await client.halls()
    finally:
        await client.close()


async def test_the_token_lives_in_the_keyring_not_in_files(
    client: GovApiClient, credentials: KeyringGovApiCredentials, api: GovApiProcess
) -> None:
    await client.halls()
    saved = credentials.load_token()
    assert saved is not None and saved.value
    assert saved.value not in api.log_path.read_text()
    assert api.client_secret not in api.log_path.read_text()


async def test_same_key_same_body_gives_the_first_answer(client: GovApiClient,
                                                         api: GovApiProcess) -> None:
    first = await client.submit_application("drill-same-body-1", application())
    again = await client.submit_application("drill-same-body-1", application())
    assert again == first
    rows = [a for a in api.applications() if a["idempotency_key"] == "drill-same-body-1"]
    assert len(rows) == 1


async def test_same_key_other_body_is_409(client: GovApiClient, api: GovApiProcess) -> None:
    await client.submit_application("drill-conflict-1", application())
    with pytest.raises(IdempotencyConflict):
        await client.submit_application("drill-conflict-1", application(mobile="13900139000"))
    token = await client.token()
    status, body, _ = await raw(api, "POST", "/v1/applications", token=token,
                                headers={"Idempotency-Key": "drill-conflict-1"},
                                json=application(mobile="13900139000"))
    assert (status, body["error"]) == (409, "idempotency_key_reused")


async def test_submissions_need_an_idempotency_key(client: GovApiClient,
                                                   api: GovApiProcess) -> None:
    token = await client.token()
    status, body, _ = await raw(api, "POST", "/v1/applications", token=token, json=application())
    assert (status, body["error"]) == (400, "idempotency_key_required")


async def test_field_errors_come_back_per_field(client: GovApiClient) -> None:
    bad = application(pensioner_id_number="110105194912310021", mobile="1380013800",
                      residence="elsewhere", unknown_field="x")
    with pytest.raises(FieldErrors) as caught:
        await client.submit_application("drill-fields-1", bad)
    by_field = {p.field: p for p in caught.value.fields}
    assert by_field["pensioner_id_number"].code == "id_check_digit"
    assert "校验位" in by_field["pensioner_id_number"].message
    assert by_field["mobile"].code == "mobile"
    assert by_field["residence_region"].code == "required"  # shown for 异地居住
    assert by_field["unknown_field"].code == "not_an_option"
    # The corrected application may use the same key: refusals are not remembered.
    accepted = await client.submit_application("drill-fields-1", application())
    assert accepted.status == "received"


async def test_status_moves_on_and_is_readable_by_number(client: GovApiClient,
                                                         api: GovApiProcess) -> None:
    first = await client.submit_application("drill-status-1", application())
    assert first.status == "received" and first.application_no.startswith("SL-")
    second = await client.submit_application("drill-status-2", application(mobile="13700137000"))
    await api.decide(second.application_no, "returned", "身份证照片不清晰")
    import asyncio

    await asyncio.sleep(0.35)
    assert (await client.application(first.application_no)).status == "accepted"
    returned = await client.application(second.application_no)
    assert (returned.status, returned.status_reason) == ("returned", "身份证照片不清晰")


async def test_lookups(client: GovApiClient) -> None:
    details = await client.unemployment_details("11010519491231002X")
    assert details["status"] in ("paying", "receiving_benefit", "not_insured")
    pension = await client.pension_status("11010519491231002X")
    assert pension["status"] in ("certified", "due", "overdue", "not_a_pensioner")
    halls = await client.halls()
    assert {h["code"] for h in halls} >= {"DG-CITY"}
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    slots = await client.slots("DG-CITY", monday.isoformat())
    assert slots and all(s["available"] == 3 for s in slots)
    booking = {"slot_id": slots[0]["slot_id"], "name": "吴小梅",
               "id_number": "11010519491231002X", "mobile": "13800138000"}
    first = await client.book("drill-book-1", booking)
    assert first["booking_no"].startswith("YY-")
    assert await client.book("drill-book-1", booking) == first
    left = await client.slots("DG-CITY", monday.isoformat())
    assert left[0]["available"] == 2
    saturday = monday + timedelta(days=5)
    assert await client.slots("DG-CITY", saturday.isoformat()) == []


async def test_instant_business_registration_returns_a_valid_licence(
    client: GovApiClient,
) -> None:
    values = {"operator_type": "individual", "premises_tenure": "owned",
              "operator_name": "吴小梅", "operator_id_number": "11010519491231002X",
              "operator_mobile": "13800138000", "business_scope": "日用百货零售",
              "premises_region": "441900004", "premises_address": "鸿福路1号",
              "capital_wan_yuan": "5", "employees": "2"}
    answer = await client.register_business("drill-biz-1", values)
    assert answer["licence_no"].startswith("92441900")
    assert check_uscc(answer["licence_no"]) is None
    with pytest.raises(FieldErrors):
        await client.register_business("drill-biz-2", {**values, "employees": "0"})


async def test_faults_are_set_and_cleared_over_http(api: GovApiProcess) -> None:
    await api.add_fault(kind="error", status=503, retry_after=2, count=1)
    listed = await api.admin("GET", "/admin/faults")
    assert listed["faults"][0]["kind"] == "error"
    status, _, headers = await raw(api, "GET", "/v1/halls")
    assert status == 503 and headers["Retry-After"] == "2"
    assert (await api.admin("GET", "/admin/faults"))["faults"] == []  # count used up
    with pytest.raises(RuntimeError, match="400"):
        await api.add_fault(kind="meteor")


def test_fault_command_line_syntax() -> None:
    fault = parse_fault_arg("rate_limit:retry_after=3,count=2")
    assert (fault.kind, fault.retry_after, fault.count) == ("rate_limit", 3, 2)
    assert parse_fault_arg("drop:phase=before").phase == "before"
    assert parse_fault_arg("reject").status == 400
    assert parse_fault_arg("reject:status=404").status == 404
    for bad in ("latency:ms", "error:status=404", "reject:status=500", "drop:phase=sometimes",
                "latency:rate=2"):
        with pytest.raises(FaultSpecError):
            parse_fault_arg(bad)


def test_the_request_log_is_json_per_request(api: GovApiProcess) -> None:
    lines = api.requests()
    assert lines and all({"method", "path", "status", "ms"} <= set(e) for e in lines)
    json.dumps(lines)
