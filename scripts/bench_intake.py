#!/usr/bin/env python3
"""Counter intake with and without the data a proxy booking linked: clerk actions and time.

A video call booked 个体工商户设立登记 for a citizen with the pre-reviewed materials, the
scenario answers and the prefilled form linked (the real government-API sandbox stores
them). At the counter the clerk then serves the walk-in twice, scripted:

- with the link: type the appointment number, confirm the prefilled form, accept the
  linked materials, register — the same plugin and API as in the call;
- without it: answer the scenario questions, type every form field, capture each required
  material on the document camera, register.

An *action* is one thing the clerk does (a field typed, a question answered, a material
captured, a button pressed); *seconds* is the wall time of the scripted intake on this
machine (API calls included, human typing not). Goal: with the link, at most a third of
the actions. The last line is JSON: {"bench": "intake", "results": {...}}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.gov_api_process import GovApiProcess  # noqa: E402
from seat_client.acceptance.gov_api_client import CachedToken, GovApiClient  # noqa: E402
from seat_client.counter.intake import CounterIntake, Intake  # noqa: E402
from seat_client.plugin_host.host import GovApiLookups, PluginHost  # noqa: E402
from seat_common import catalog  # noqa: E402
from seat_common.forms import FormLibrary  # noqa: E402

ITEM = "BR-INDIVIDUAL-SETUP"
ANSWERS = {"operator_type": "individual", "premises_tenure": "rented", "licensed_trade": "no"}
VALUES = {"operator_type": "individual", "premises_tenure": "rented", "operator_name": "吴小梅",
          "operator_id_number": "11010519491231002X", "operator_mobile": "13800138000",
          "business_scope": "小吃服务", "premises_region": "441900004",
          "premises_address": "东莞市南城街道鸿福路1号", "lease_period": "2026-01-01/2028-12-31",
          "capital_wan_yuan": "5", "employees": "2", "postal_code": "523000"}
MATERIALS = ("id_card", "premises_proof", "lease", "landlord_title")


class MemoryCredentials:
    """The bench's own client secret (the keyring is for the workstation)."""

    def __init__(self, client_id: str, secret: str) -> None:
        self.client_id = client_id
        self._secret = secret
        self._token: CachedToken | None = None

    def client_secret(self) -> str:
        return self._secret

    def load_token(self) -> CachedToken | None:
        return self._token

    def save_token(self, token: CachedToken | None) -> None:
        self._token = token


async def book(gov: GovApiLookups, n: int) -> str:
    day = (await gov.slots("DG-CITY", next_weekday()))
    slot = next(s for s in day if int(s["available"]) > 0)
    links = {"materials": [{"material_code": c, "sha256": f"{i:064x}", "status": "accepted",
                            "note": f"{c}.jpg"} for i, c in enumerate(MATERIALS)],
             "scenario_answers": ANSWERS,
             "form": {"code": "individual_business", "values": VALUES}}
    answer = await gov.book(f"bench-book-{n}", {
        "slot_id": slot["slot_id"], "name": VALUES["operator_name"],
        "id_number": VALUES["operator_id_number"], "mobile": VALUES["operator_mobile"],
        "item_code": ITEM, "work_order_id": f"wo-bench-{n}", "links": links})
    return str(answer["booking_no"])


def next_weekday() -> str:
    import datetime as dt

    day = dt.date.today() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


async def register(gov: GovApiLookups, intake: Intake, key: str) -> str:
    assert intake.form is not None and intake.form.ready(), intake.form and intake.form.missing()
    assert not intake.materials_missing(), intake.materials_missing()
    answer = await gov.register_business(key, intake.form.payload())
    return str(answer["licence_no"])


async def with_link(desk: CounterIntake, gov: GovApiLookups, number: str, n: int) -> int:
    actions = 1  # type the appointment number
    intake = await desk.open(number)
    assert intake.form is not None
    intake.form.confirm_all()
    actions += 1  # confirm the prefilled form
    actions += 1  # accept the linked, pre-reviewed materials
    await register(gov, intake, f"bench-with-{n}")
    actions += 1  # register
    await desk.host.close_contact()
    return actions


async def without_link(desk: CounterIntake, gov: GovApiLookups, n: int) -> int:
    actions = 0
    intake = await desk.blank(ITEM)
    assert intake.form is not None
    for code, value in ANSWERS.items():
        await desk.host.answer("business_registration", code, value)
        actions += 1
    for _ in range(2):  # an answer typed into the form can reveal more fields
        for field in intake.form.visible_fields():
            value = VALUES.get(field.code, "")
            if value and intake.form.value(field.code) != value:
                intake.form.set_value(field.code, value)
                actions += 1
    captured = []
    for m in intake.checklist():
        if m.required:
            captured.append(m.code)  # one document-camera capture each
            actions += 1
    intake.materials = tuple(_accepted(captured))
    await register(gov, intake, f"bench-without-{n}")
    actions += 1
    await desk.host.close_contact()
    return actions


def _accepted(codes: list[str]) -> list:  # type: ignore[type-arg]
    from seat_client.counter.intake import linked_materials

    return list(linked_materials({"materials": [
        {"material_code": c, "sha256": "", "status": "accepted"} for c in codes]}))


async def run(rounds: int) -> dict[str, dict[str, float]]:
    with GovApiProcess(token_ttl=3600) as api:
        client = GovApiClient(api.url, MemoryCredentials(api.client_id, api.client_secret))
        try:
            return await _measure(client, rounds)
        finally:
            await client.close()


async def _measure(client: GovApiClient, rounds: int) -> dict[str, dict[str, float]]:
    gov = GovApiLookups(client)
    work = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    desk = CounterIntake(PluginHost(catalog.load()), gov, FormLibrary(), work)
    numbers = [await book(gov, n) for n in range(rounds)]
    results: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    acts = [await with_link(desk, gov, numbers[n], n) for n in range(rounds)]
    results["with_link"] = {"actions": acts[0],
                            "seconds": round((time.perf_counter() - started) / rounds, 4)}
    started = time.perf_counter()
    acts = [await without_link(desk, gov, n) for n in range(rounds)]
    results["without_link"] = {"actions": acts[0],
                               "seconds": round((time.perf_counter() - started) / rounds, 4)}
    await desk.host.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results = asyncio.run(run(args.rounds))
    ratio = results["with_link"]["actions"] / results["without_link"]["actions"]
    print(f"with the link {results['with_link']['actions']} actions, without "
          f"{results['without_link']['actions']} ({ratio:.0%}; goal ≤ 33%)", file=sys.stderr)
    print(json.dumps({"bench": "intake", "results": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
