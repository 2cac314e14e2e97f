"""Acceptance through the real window: the call's item opens its application form in the
work tabs, prefilled from the call; the agent submits; the real government-API sandbox
accepts it exactly once; the receipt is shown."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PyQt6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.gov_api_process import GovApiProcess
from sandbox.hub_process import HubProcess
from seat_client.acceptance.desk import ApplicationDesk
from seat_client.acceptance.gov_api_client import KeyringGovApiCredentials
from seat_client.acceptance.outbox_entries import OutboxState
from seat_client.acceptance.services import open_acceptance_services
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_client.settings import WorkstationSettings
from seat_common import catalog, protocol
from tests.integration.conftest import until
from ui.acceptance.form_pane import FormPane
from ui.acceptance.outbox_pane import OutboxBadge, OutboxPane
from ui.acceptance.receipt_view import ReceiptView
from ui.workstation.main_window import MainWindow
from ui.workstation.work_tabs import ApplicationParts


@pytest.fixture
def gov_api() -> Iterator[GovApiProcess]:
    with GovApiProcess(token_ttl=3600) as process:
        yield process


async def test_the_form_goes_to_the_api_and_the_receipt_comes_back(
    hub: HubProcess, gov_api: GovApiProcess, qtbot: QtBot, tmp_path: Path
) -> None:
    client_id = f"{gov_api.client_id}"
    settings = replace(WorkstationSettings(), state_dir=str(tmp_path), gov_api_url=gov_api.url,
                       gov_api_client_id=client_id)
    KeyringGovApiCredentials(client_id).set_client_secret(gov_api.client_secret)
    acceptance = await open_acceptance_services(settings)
    token = hub.tokens["0012"]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    ws = Workstation(link)
    desk = ApplicationDesk(acceptance.outbox, acceptance.forms, catalog.load(), ws)
    parts = ApplicationParts(
        desk=desk, form=FormPane(desk),
        outbox=OutboxPane(acceptance.outbox), badge=OutboxBadge(acceptance.outbox),
        receipt=ReceiptView(acceptance.receipts_dir),
    )
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
    await desk.close()
    await acceptance.close()
    await ws.close()
    KeyringGovApiCredentials(client_id).save_token(None)


SAMPLE = {
    "id_number": "11010519491231002X",
    "mobile": "13800138000",
    "date": "2026-11-28",
    "choice": "",
    "integer": "1",
    "text": "测试",
}
