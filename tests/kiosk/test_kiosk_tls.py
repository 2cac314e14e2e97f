"""The kiosk stand-in reaches a TLS hub as a kiosk in a town hall would: it verifies the
hub's certificate against the city's CA file, queues when it holds up, and ends its
contact with the reason when it does not (the hub never sees it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sandbox.hub_process import HubProcess, SeatSpec
from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.peer import KioskPeer
from sandbox.kiosk.printer import KioskPrinter
from seat_common import catalog
from tests.tls_certs import TestPki


@pytest.fixture
def pki(tmp_path: Path) -> TestPki:
    return TestPki.make(tmp_path / "pki")


@pytest.fixture
async def tls_hub(pki: TestPki) -> AsyncIterator[HubProcess]:
    async with HubProcess([SeatSpec("0012", "张三", skills=tuple(catalog.load().skills))],
                          tls=(pki.cert_file, pki.key_file)) as hub:
        yield hub


def kiosk(qtbot: QtBot, tmp_path: Path, hub: HubProcess, ca_file: Path | None) -> KioskPeer:
    items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
    window = KioskWindow("沙田镇", items)
    qtbot.addWidget(window)
    return KioskPeer(hub.url, window, KioskPrinter(tmp_path / "printer"),
                     item_code="SI-PENSION-CERT", reply_timeout_s=10,
                     ca_file="" if ca_file is None else str(ca_file))


async def test_the_kiosk_queues_on_a_tls_hub_its_ca_file_vouches_for(
    qtbot: QtBot, tmp_path: Path, tls_hub: HubProcess, pki: TestPki
) -> None:
    peer = kiosk(qtbot, tmp_path, tls_hub, pki.ca_file)
    contact = asyncio.create_task(peer.run(give_up_after_s=60))
    try:
        queued = await tls_hub.wait_for_event("queued", within=30)
        assert queued["work_order_id"]
        assert not contact.done(), peer.report.errors
    finally:
        await asyncio.to_thread(tls_hub.stop)  # the hub goes away: the contact ends
        report = await asyncio.wait_for(contact, 30)
    assert not any("certificate" in e for e in report.errors), report.errors


async def test_without_the_ca_file_the_kiosk_refuses_the_hub_and_says_why(
    qtbot: QtBot, tmp_path: Path, tls_hub: HubProcess
) -> None:
    peer = kiosk(qtbot, tmp_path, tls_hub, None)
    report = await peer.run(give_up_after_s=30)
    assert any("kiosk contact ended: the server's certificate is not signed by a trusted CA"
               in e for e in report.errors), report.errors
    assert not tls_hub.events("connected")
