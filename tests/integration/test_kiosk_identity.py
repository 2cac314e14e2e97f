"""The applicant checked against the kiosk's ID-card read, end to end: real hub process, real
government-API sandbox, a kiosk simulator (real aiortc peer) and the workstation window.

A kiosk calls for a pension certification; its card reader reads the caller's card; the
agent fills the form for someone else (a son applying for his father). The form pane
warns, the submit is refused until the agent confirms, the API gets the application once
after the confirmation, and the receipt names the item as the catalog does and carries
the confirmation, both ID numbers masked.

The kiosk, the hub and the government API are the real stand-ins (``sandbox``), the
workstation is its real core and window; nothing is mocked.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from PyQt6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from sandbox.gov_api_process import GovApiProcess
from sandbox.hub_process import HubProcess
from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.id_card import make_id_card
from sandbox.kiosk.peer import KioskPeer
from sandbox.kiosk.printer import KioskPrinter
from seat_client.acceptance.outbox_entries import OutboxState
from seat_client.acceptance.services import AcceptanceServices
from seat_client.assist.audit import AssistAudit
from seat_client.assist.remote_assist import AssistState, RemoteAssist
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.session import CallPhase
from seat_client.call.workstation import Workstation
from seat_common import catalog, protocol
from tests.integration.acceptance_rig import application_parts
from tests.integration.conftest import until
from ui.assist.view import AssistView
from ui.theme import STYLE_PATH
from ui.workstation.main_window import MainWindow
from ui.workstation.work_tabs import AssistParts

SON = "110105196001010025"  # the applicant on the form: not the card holder


async def test_an_application_whose_id_differs_from_the_kiosks_card_read_warns(
    hub: HubProcess, gov_api: GovApiProcess, acceptance: AcceptanceServices, qtbot: QtBot,
    tmp_path: Path, chinese_ui: None,
) -> None:
    token = hub.tokens["0012"]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    ws = Workstation(link)
    parts = application_parts(acceptance, ws)
    desk = parts.desk
    assist = RemoteAssist(AssistAudit(tmp_path / "audit"), agent_id="0012")
    unfollow = ws.call_changed.connect(assist.on_call_changed)
    window = MainWindow(ws, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
                        tmp_path, applications=parts,
                        assist=AssistParts(assist, AssistView(assist)))
    qtbot.addWidget(window)
    window.setStyleSheet(STYLE_PATH.read_text(encoding="utf-8"))
    window.resize(1366, 768)
    window.show()
    link.start()
    await until(lambda: link.state is LinkState.CONNECTED, "login")

    items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
    kiosk = KioskWindow("沙田镇", items)
    kiosk.show()
    peer = KioskPeer(hub.url, kiosk, KioskPrinter(tmp_path / "printer"),
                     item_code="SI-PENSION-CERT", login=hub.kiosk_login())
    run = asyncio.get_running_loop().create_task(peer.run(give_up_after_s=60))
    try:
        await ws.set_ready()
        await until(lambda: ws.offer is not None, "the kiosk's call rings")
        await ws.accept()
        await until(lambda: desk.form is not None, "the item's form opens with the call")
        await until(lambda: assist.state is AssistState.IDLE, "the assist channel opens")
        card = make_id_card(11, birth_year=1958)
        assert card.id_number != SON
        peer.read_id_card(card)
        await until(lambda: desk.application is not None and desk.application.caller
                    is not None, "the card read reaches the application desk")

        form = desk.form
        assert form is not None
        for code, value in [("residence", "local"), ("pension_start", "2010-03-01"),
                            ("pensioner_name", "梁建国"), ("pensioner_id_number", SON),
                            ("mobile", "13800138000"), ("certification_way", "video")]:
            desk.edit(code, value)
        desk.confirm_all()
        assert form.missing() == []
        window.work_tabs.setCurrentWidget(parts.form)
        warning = parts.form.identity
        await until(warning.isVisible, "the form pane warns")
        masked_card = card.id_number[:4] + "*" * 10 + card.id_number[-4:]
        assert warning.text.text() == (f"申请人身份证号 1101**********0025 与来电人（自助终端读卡）"
                                       f"{masked_card} 不一致，确认代他人申请？")
        assert card.id_number not in warning.text.text()
        assert window.grab().save(str(tmp_path / "identity_warning_1366x768.png"))

        # Refused on the spot (the click is handled synchronously): nothing is queued.
        parts.form.submit.click()
        assert parts.form.status.text() == "未提交：请先确认申请人身份"
        assert acceptance.outbox.entries() == [] and gov_api.applications() == []

        warning.confirm.click()
        parts.form.submit.click()
        await until(lambda: any(e.state is OutboxState.ACCEPTED
                                for e in acceptance.outbox.entries()), "the API accepts", 20)
        await until(lambda: parts.receipt.path is not None, "the receipt is made")
        assert len(gov_api.applications()) == 1
        entry = acceptance.outbox.entries()[0]
        note = entry.submission.identity_note
        assert "1101**********0025" in note and masked_card in note and "0012" in note
        assert parts.receipt.path is not None
        pdf = await asyncio.to_thread(
            subprocess.run, ["pdftotext", "-layout", str(parts.receipt.path), "-"], check=True,
            capture_output=True, text=True)
        text = " ".join(pdf.stdout.split())
        assert "企业职工领取养老保险待遇资格认证" in text and "SI-PENSION-CERT" in text
        assert "身份核对" in text and masked_card in text and "确认代他人申请" in text
        assert card.id_number not in text and SON not in text
    finally:
        session = ws.call.session if ws.call is not None else None
        if not run.done():
            await ws.hang_up()
            await asyncio.wait_for(asyncio.shield(run), 10)
        if session is not None:
            await until(lambda: session.phase is CallPhase.CLOSED, "the agent's peer closes", 5)
        await asyncio.sleep(0.5)  # aiortc closes its transports in tasks of its own
        unfollow()
        kiosk.close()
        window.close()
        await desk.close()
        await ws.close()
