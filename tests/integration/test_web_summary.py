"""After the call the citizen keeps a summary (本次办理结果), end to end: a real hub, the
real workstation core (review desk, application desk and outbox, the government-API
sandbox, the receipt, the summary desk) and Chromium at a phone's 390×844 in large text.

The agent pre-reviews (the ID card must be retaken: glare), the application is accepted,
the receipt goes to the page, a counter slot is booked; the citizen hangs up and the page
shows what was decided and why, the application number, the receipt with a way to save
it, the booking, and next steps in plain Chinese, printable (a PDF is saved) and savable
as text, and it stays after the rating. The in-call and after-call states pass the
keyboard walk and axe-core. Screenshots are saved under ``out/page/`` to be looked at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page
from PyQt6.QtCore import QCoreApplication, QSettings
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from plugins.proxy_booking import next_working_day
from sandbox.gov_api_process import GovApiProcess
from sandbox.hub_process import HubProcess
from seat_client.acceptance.desk import ApplicationDesk
from seat_client.acceptance.gov_api_client import KeyringGovApiCredentials
from seat_client.acceptance.outbox_entries import OutboxState
from seat_client.acceptance.services import open_acceptance_services
from seat_client.acceptance.summary import ContactSummaryDesk
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_client.materials.cache import MaterialCache
from seat_client.materials.transfer import MaterialTransfer
from seat_client.materials.values import MaterialVerdict, PreReviewVerdict
from seat_client.plugin_host.host import GovApiLookups
from seat_client.review import session as review
from seat_client.review.desk import ReviewDesk
from seat_client.review.session import ReviewStore
from seat_client.settings import WorkstationSettings
from seat_common import catalog, protocol
from seat_common.tasks import TaskOwner
from tests.integration.a11y import AXE
from tests.integration.conftest import CHROMIUM, until
from tests.integration.test_web_large_text import check_state
from ui import i18n
from ui.acceptance.form_pane import FormPane
from ui.acceptance.outbox_pane import OutboxBadge, OutboxPane
from ui.acceptance.receipt_view import ReceiptView
from ui.review.images import MaterialImages
from ui.review.pane import ReviewPane
from ui.workstation.main_window import MainWindow
from ui.workstation.work_tabs import ApplicationParts, PreReviewParts

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup"),
              pytest.mark.skipif(not AXE.exists(), reason="axe-core: run scripts/setup")]

OUT = Path(__file__).resolve().parents[2] / "out" / "page"
PHONE = {"width": 390, "height": 844}
ITEM = "SI-PENSION-CERT"
SAMPLE = {"id_number": "11010519491231002X", "mobile": "13800138000", "date": "2026-11-28",
          "choice": "", "integer": "1", "text": "测试"}


@pytest.fixture
def gov_api() -> Iterator[GovApiProcess]:
    with GovApiProcess(token_ttl=3600) as process:
        yield process


async def stat(page: Page, name: str) -> object:
    return await page.evaluate(f"window.seatStats.{name}")


async def test_after_the_call_the_citizen_keeps_what_was_decided_and_what_comes_next(
    hub: HubProcess, gov_api: GovApiProcess, browser: Browser, qtbot: QtBot, tmp_path: Path
) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")  # the workstation's default language
    client_id = gov_api.client_id
    settings = replace(WorkstationSettings(), state_dir=str(tmp_path), gov_api_url=gov_api.url,
                       gov_api_client_id=client_id)
    KeyringGovApiCredentials(client_id).set_client_secret(gov_api.client_secret)
    acceptance = await open_acceptance_services(settings)
    token = hub.tokens["0012"]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    ws = Workstation(link)
    items = catalog.load()
    transfer = MaterialTransfer(link, MaterialCache(tmp_path / "materials"))
    store = ReviewStore(tmp_path)
    pre_review = PreReviewParts(
        desk=ReviewDesk(ws, transfer, store, items, review.load_reasons()),
        pane=ReviewPane(MaterialImages(), store, agent_id="0012"), transfer=transfer)
    desk = ApplicationDesk(acceptance.outbox, acceptance.forms, items, ws)
    parts = ApplicationParts(
        desk=desk, form=FormPane(desk), outbox=OutboxPane(acceptance.outbox),
        badge=OutboxBadge(acceptance.outbox), receipt=ReceiptView(acceptance.receipts_dir))
    window = MainWindow(ws, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
                        tmp_path, pre_review=pre_review, applications=parts)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    gov = GovApiLookups(acceptance.client)
    summary_tasks = TaskOwner("citizen summary")
    summaries = ContactSummaryDesk(link.send, summary_tasks)
    summaries.follow(ws, pre_review.desk, desk, gov.booked)
    transfer.attach()
    link.start()
    await until(lambda: link.state is LinkState.CONNECTED, "the workstation logs in")

    # The citizen, on a phone in large text, queues; the agent's offer says so.
    context = await browser.new_context(viewport=PHONE,  # type: ignore[arg-type]
                                        accept_downloads=True)
    page = await context.new_page()
    base = hub.url.replace("ws://", "http://").removesuffix("/ws")
    await page.goto(f"{base}/?item={ITEM}")
    await page.get_by_role("button", name="大字版").click()
    await page.get_by_role("button", name="开始视频连线").click()
    await page.locator("#queue").wait_for()
    await ws.set_ready()
    await until(lambda: ws.offer is not None, "the offer rings")
    assert ws.offer is not None and ws.offer.large_text
    assert "大字版" in window.offer_banner.title.text()
    await ws.accept()
    await until(lambda: ws.call is not None and desk.form is not None, "the call and its form")
    await page.locator("#call").wait_for()
    call = ws.call
    assert call is not None
    work_order_id = call.work_order_id
    await page.screenshot(path=str(OUT / "large-call-phone.png"))
    await check_state(page, "large-call-phone")
    # The switch works mid-call too, both ways; the standard call screen passes as well.
    await page.get_by_role("button", name="大字版：开").click()
    await check_state(page, "call-phone")
    await page.get_by_role("button", name="大字版").click()

    # The pre-review: the ID card must be retaken.
    await pre_review.desk.send_verdict(PreReviewVerdict(
        work_order_id=work_order_id, item_code=ITEM,
        verdicts=(MaterialVerdict("id_card", "to_correct", "glare", "请避开灯光重拍"),),
        decided_at=1.0, agent_id="0012"), {})
    await page.locator("#latest-verdict").wait_for()

    # The application: filled, submitted, accepted by the API; the receipt goes to the page.
    form = desk.form
    assert form is not None
    for _ in range(3):  # a scenario answer can reveal more fields
        for missing in form.missing():
            field = missing.field
            value = (field.options[0].value if field.options else
                     "441900004" if field.kind == "region" else SAMPLE.get(field.kind, "测试"))
            form.set_value(field.code, value)
    form.confirm_all()
    parts.form.submit.click()
    await until(lambda: any(e.state is OutboxState.ACCEPTED
                            for e in acceptance.outbox.entries()), "the API accepts", 30)
    [accepted] = [e for e in acceptance.outbox.entries() if e.state is OutboxState.ACCEPTED]
    number = accepted.application_no
    await until(lambda: parts.receipt.send_button.isEnabled(), "the receipt shows")
    parts.receipt.send_button.click()
    for _ in range(600):
        if int(await stat(page, "receipts")) >= 1:  # type: ignore[call-overload]
            break
        await page.wait_for_timeout(50)
    assert int(await stat(page, "receipts")) >= 1  # type: ignore[call-overload]
    await page.wait_for_function("window.seatSummaryStats.pdfs >= 1")  # and its PDF

    # A counter slot for the originals.
    halls = await gov.halls()
    hall = str(halls[0]["code"])
    day = next_working_day()
    slots = [s for s in await gov.slots(hall, day) if int(s["available"]) > 0]
    booked = await gov.book(f"{work_order_id}:booking:{slots[0]['slot_id']}", {
        "slot_id": slots[0]["slot_id"], "name": "梁建国", "id_number": SAMPLE["id_number"],
        "mobile": SAMPLE["mobile"], "item_code": ITEM, "work_order_id": work_order_id,
        "links": {}})

    # The citizen hangs up: the summary replaces the bare "thank you".
    await page.locator("#hangup").click()
    await page.get_by_role("button", name="确定挂断").click()
    summary = page.locator("#summary")
    await summary.wait_for()
    await until(lambda: ws.call is None, "the agent's call ends too")
    await page.wait_for_function("window.seatSummaryStats.summaries >= 1")
    text = await summary.inner_text()
    assert f"申请编号 {number}" in text and "已受理" in text
    assert "居民身份证：需要补正，原因：反光遮挡（请避开灯光重拍）" in text
    assert f"预约号 {booked['booking_no']}" in text and day in text
    assert "还要重新准备：居民身份证" in text, "next steps in plain words (large text)"
    assert await page.get_by_role("img", name="本次办理的回执").is_visible()
    save_receipt = page.get_by_role("link", name="保存回执图片")
    assert await save_receipt.get_attribute("download") == f"受理回执-{number}.png"
    assert await page.evaluate("document.activeElement.id") == "summary-title"
    async with page.expect_download() as pdf_info:
        await page.get_by_role("link", name="下载回执 PDF").click()
    pdf_download = await pdf_info.value
    assert pdf_download.suggested_filename == f"受理回执-{number}.pdf"
    await pdf_download.save_as(tmp_path / "receipt.pdf")
    sent_pdf = (tmp_path / "receipt.pdf").read_bytes()
    assert sent_pdf.startswith(b"%PDF-") and sent_pdf == (
        acceptance.receipts_dir / f"{number}.pdf").read_bytes(), "the printed receipt itself"
    # A PDF that is not this contact's, not base64 or not a PDF is refused where it enters.
    for bad in ({"work_order_id": "WO-other", "application_no": "X", "pdf": "JVBERi0x"},
                {"work_order_id": work_order_id, "application_no": "X", "pdf": "%%%"},
                {"work_order_id": work_order_id, "application_no": "X",
                 "pdf": "PGh0bWw+PC9odG1sPg=="}):
        await page.evaluate("(m) => window.seatSummary.receiptPdf(m)", bad)
    assert await page.evaluate("window.seatSummaryStats.pdfRefused") == [
        "work_order", "base64", "type"]
    await page.screenshot(path=str(OUT / "large-summary-phone.png"), full_page=True)
    await check_state(page, "large-summary-phone")

    # Kept: printed (a PDF from the print layout: the summary alone) and saved as text.
    await page.emulate_media(media="print")
    assert not await page.locator("header").is_visible()
    assert not await page.locator("#rate").is_visible() and await summary.is_visible()
    await page.pdf(path=str(OUT / "summary-print.pdf"))
    await page.emulate_media(media="screen")
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="保存为文字").click()
    download = await download_info.value
    assert download.suggested_filename == "办理结果.txt"
    saved_path = tmp_path / "summary.txt"
    await download.save_as(saved_path)
    saved = saved_path.read_text("utf-8")
    (OUT / "summary.txt").write_text(saved, "utf-8")
    assert number in saved and booked["booking_no"] in saved and "反光遮挡" in saved

    # It stays after the rating; a new consultation starts clean.
    await page.locator("#scores label").nth(9).click()
    await page.get_by_role("button", name="提交评价").click()
    await page.locator("#done").wait_for()
    assert await summary.is_visible()
    await page.set_viewport_size({"width": 1366, "height": 768})
    await page.screenshot(path=str(OUT / "large-summary-done-laptop.png"), full_page=True)
    await page.get_by_role("button", name="再次咨询").click()
    assert not await summary.is_visible()

    await context.close()
    await summary_tasks.close()
    pre_review.pane.close_pane()
    await transfer.close()
    window.close()
    await desk.close()
    await acceptance.close()
    await ws.close()
    KeyringGovApiCredentials(client_id).save_token(None)
    for translator in translators:
        QCoreApplication.removeTranslator(translator)
