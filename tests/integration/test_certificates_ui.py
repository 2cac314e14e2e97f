"""Reused certificates through the real window at 1366×768: the agent asks the citizen
(the consent dialog), the certificates listed with their status and image, an expired or
revoked one refused with its reason; a refusal in the dialog looks nothing up. (Attaching
a valid one is proven on the core in test_certificates.py.) Real hub, real sandbox, a
simulated citizen. Screenshots are kept in the test's folder (``--basetemp`` to look at them)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.gov_api.licence_records import EXPIRED_HOLDER
from sandbox.gov_api_process import GovApiProcess
from seat_client.acceptance.certificate_desk import CertificateDesk
from seat_client.acceptance.gov_api_client import GovApiClient, KeyringGovApiCredentials
from seat_common.resources import resource_path
from seat_common.tasks import TaskOwner
from tests.hub.hubclient import db_rows
from tests.integration.conftest import Seat, until
from ui.review.certificate_box import CertificateBox

ITEM = "EM-STARTUP-GRANT"  # 居民身份证 + 营业执照


@pytest.fixture
def gov_api() -> Iterator[GovApiProcess]:
    with GovApiProcess(token_ttl=3600) as process:
        yield process


async def _box_in_call(seat: Seat, gov_api: GovApiProcess, tmp_path: Path, number: str
                       ) -> tuple[CertificateBox, GovApiClient, asyncio.Task[object]]:
    credentials = KeyringGovApiCredentials(gov_api.client_id,
                                           service=f"seat-gov-api-test-{tmp_path.name}")
    credentials.set_client_secret(gov_api.client_secret)
    client = GovApiClient(gov_api.url, credentials, timeout_s=5.0)
    parts = seat.pre_review
    desk = CertificateDesk(seat.workstation.link, client, parts.desk, parts.transfer)
    box = CertificateBox(desk, lambda: number, TaskOwner("certificates"))
    parts.desk.session_changed.connect(box.set_session)
    parts.pane.add_side_widget(box)
    seat.window.setStyleSheet(resource_path("style.qss").read_text(encoding="utf-8"))
    citizen = SimulatedCitizen(seat.hub.url, ITEM, "web", "陈小梅", script=CitizenScript())
    run = asyncio.get_running_loop().create_task(citizen.run())
    await seat.workstation.set_ready()
    await until(lambda: seat.workstation.offer is not None, "the offer")
    await seat.workstation.accept()
    await until(lambda: box.look_up.isEnabled(), "the pre-review opens with the call")
    return box, client, run


async def _end(seat: Seat, client: GovApiClient, run: asyncio.Task[object]) -> None:
    await seat.workstation.hang_up()
    await asyncio.wait_for(run, 30)
    await client.close()


async def test_the_agent_asks_looks_up_and_attaches_at_1366x768(
        seat: Seat, gov_api: GovApiProcess, qtbot: QtBot, tmp_path: Path) -> None:
    box, client, run = await _box_in_call(seat, gov_api, tmp_path, EXPIRED_HOLDER)
    try:
        pane = seat.pre_review.pane
        assert box.look_up.text() == "电子证照…"
        qtbot.mouseClick(box.look_up, Qt.MouseButton.LeftButton)
        consent = box.consent
        assert consent is not None and consent.isVisible()
        assert "电子证照库" in consent.findChild(type(box.status), "consentScript").text()
        assert consent.id_number.text() == EXPIRED_HOLDER
        consent.id_number.setText(EXPIRED_HOLDER[:-1] + "0")  # a wrong check digit
        assert not consent.agreed.isEnabled() and consent.problem.text()
        consent.id_number.setText(EXPIRED_HOLDER)
        assert consent.grab().save(str(tmp_path / "consent_dialog.png"))
        qtbot.mouseClick(consent.agreed, Qt.MouseButton.LeftButton)
        await until(lambda: box.dialog is not None and box.dialog.isVisible(),
                    "the certificates are listed")
        dialog = box.dialog
        assert dialog is not None
        statuses = {dialog.table.item(r, 0).text(): dialog.table.item(r, 4).text()  # type: ignore[union-attr]
                    for r in range(dialog.table.rowCount())}
        assert statuses["居民身份证"] == "已过期" and statuses["营业执照"] == "已撤销"
        # The expired ID card is shown as such and cannot be attached.
        dialog.table.selectRow(0)
        assert not dialog.attach.isEnabled()
        assert "居民身份证已过期，不能作为材料" in dialog.problem.text()
        await until(lambda: not dialog.image.pixmap().isNull(), "the certificate's image")
        dialog.resize(900, 520)
        assert dialog.grab().save(str(tmp_path / "certificates_dialog.png"))
        # Nothing valid stands for this item's materials; the audit has the consent.
        rows = db_rows(seat.hub.db_path, "SELECT detail FROM audit_log"
                       " WHERE action = 'certificate_lookup'")
        assert len(rows) == 1 and str(rows[0]["detail"]).startswith("consent=spoken")
        dialog.close()
        assert seat.window.grab().save(str(tmp_path / "review_with_certificates.png"))
        assert pane.checklist.rows["id_card"].images.text() == "尚无图片"
    finally:
        await _end(seat, client, run)


async def test_a_refusal_in_the_dialog_looks_nothing_up(
        seat: Seat, gov_api: GovApiProcess, qtbot: QtBot, tmp_path: Path) -> None:
    box, client, run = await _box_in_call(seat, gov_api, tmp_path, EXPIRED_HOLDER)
    try:
        qtbot.mouseClick(box.look_up, Qt.MouseButton.LeftButton)
        assert box.consent is not None
        qtbot.mouseClick(box.consent.refused, Qt.MouseButton.LeftButton)
        await until(lambda: "群众不同意" in box.status.text(), "the refusal is said")
        assert box.dialog is None
        assert gov_api.events("e_licence_lookup") == []
        rows = db_rows(seat.hub.db_path, "SELECT detail FROM audit_log"
                       " WHERE action = 'certificate_lookup'")
        assert [str(r["detail"])[:15] for r in rows] == ["consent=refused"]
    finally:
        await _end(seat, client, run)
