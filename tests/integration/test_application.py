"""Acceptance through the real window: the call's item opens its application form in the
work tabs, prefilled from the call; the agent submits; the real government-API sandbox
accepts it exactly once; the receipt is shown."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PyQt6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.gov_api_process import GovApiProcess
from sandbox.hub_process import HubProcess
from seat_client.acceptance.outbox_entries import OutboxState
from seat_client.acceptance.services import AcceptanceServices
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_common import protocol
from tests.integration.acceptance_rig import application_parts
from tests.integration.conftest import until
from ui.workstation.main_window import MainWindow


async def test_the_form_goes_to_the_api_and_the_receipt_comes_back(
    hub: HubProcess, gov_api: GovApiProcess, acceptance: AcceptanceServices, qtbot: QtBot,
    tmp_path: Path,
) -> None:
    token = hub.tokens["0012"]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    ws = Workstation(link)
    parts = application_parts(acceptance, ws)
    window = MainWindow(ws, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
                        tmp_path, applications=parts)
    qtbot.addWidget(window)
    window.show()
    link.start()
    await until(lambda: link.state is LinkState.CONNECTED, "login")

    citizen = SimulatedCitizen(hub.url, "SI-PENSION-CERT", "kiosk", "梁建国",
                               script=CitizenScript(await_outcome_s=3), kiosk=hub.kiosk_login())
    run = asyncio.get_running_loop().create_task(citizen.run())
    await ws.set_ready()
    await until(lambda: ws.offer is not None, "offer")
    await ws.accept()
    await until(lambda: parts.desk.form is not None, "the item's form opens with the call")
    state = parts.desk.form
    assert state is not None
    names = [f.code for f in state.schema.fields]
    prefilled = [c for c in names if state.value(c) == "梁建国"]
    assert prefilled, "the citizen's name is prefilled from the call"

    for _ in range(3):  # a scenario answer can reveal more fields
        for item in state.missing():
            field = item.field
            if field.options:
                value = field.options[0].value
            elif field.kind == "region":
                value = "441900004"
            else:
                value = SAMPLE.get(field.kind, "测试")
            state.set_value(field.code, value)
    state.confirm_all()
    assert state.missing() == []
    parts.form.submit.click()
    await until(lambda: any(e.state is OutboxState.ACCEPTED
                            for e in acceptance.outbox.entries()), "the API accepts", 20)
    await until(lambda: window.work_tabs.currentWidget() is parts.receipt, "the receipt shows")
    assert len(gov_api.applications()) == 1
    await ws.hang_up()
    await asyncio.wait_for(run, 20)
    window.close()
    await parts.desk.close()
    await ws.close()


SAMPLE = {
    "id_number": "11010519491231002X",
    "mobile": "13800138000",
    "date": "2026-11-28",
    "choice": "",
    "integer": "1",
    "text": "测试",
}
