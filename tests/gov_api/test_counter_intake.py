"""Counter mode: a clerk opens an appointment by its number and finds the call's work ready
(the form prefilled, the pre-reviewed materials linked, the scenario answers applied) —
against the real sandbox; and the scripted intake needs at most a third of the actions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from seat_client.acceptance.gov_api_client import GovApiClient
from seat_client.counter.intake import CounterIntake
from seat_client.plugin_api import LookupFailed
from seat_client.plugin_host.host import GovApiLookups, PluginHost
from seat_common import catalog
from seat_common.forms import FormLibrary

ROOT = Path(__file__).resolve().parents[2]


async def test_an_appointment_opens_with_its_linked_work(client: GovApiClient,
                                                         tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_intake as bench
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    gov = GovApiLookups(client)
    number = await bench.book(gov, 0)
    desk = CounterIntake(PluginHost(catalog.load()), gov, FormLibrary(), tmp_path)
    intake = await desk.open(number)
    assert intake.item_code == "BR-INDIVIDUAL-SETUP" and intake.answers == bench.ANSWERS
    assert intake.form is not None
    assert intake.form.values["business_scope"] == "小吃服务"
    assert intake.form.unconfirmed, "linked values wait for the clerk's confirmation"
    intake.form.confirm_all()
    assert intake.form.ready()
    assert [m.code for m in intake.checklist()] == list(bench.MATERIALS)
    assert intake.materials_missing() == []
    blank = await desk.blank("BR-INDIVIDUAL-SETUP")
    assert blank.form is not None and not blank.form.ready()
    with pytest.raises(LookupFailed):
        await desk.open("YY-99999999")
    await desk.host.close()


def test_the_bench_reports_a_third_of_the_actions_with_the_link() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_intake.py"),
                           "--rounds", "2"], capture_output=True, text=True, timeout=120,
                          check=True)
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["bench"] == "intake"
    results = last["results"]
    assert results["with_link"]["actions"] * 3 <= results["without_link"]["actions"]
