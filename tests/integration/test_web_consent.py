"""Consent to reuse electronic certificates, given on the citizen's own page: a real hub,
the real government-API sandbox, the workstation's core and Chromium on a phone. The agent
asks; the page says 工作人员申请调取您的电子证照（居民身份证、营业执照）用于本次办理 with
同意 / 不同意; the answer is in the hub's audit log before the agent looks anything up, and
不同意 looks nothing up. A request that is not this call's is not shown. Screenshots in
``out/page/``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from sandbox.gov_api.licence_records import DEMO_APPLICANT
from sandbox.gov_api_process import GovApiProcess
from sandbox.hub_process import HubProcess
from seat_client.acceptance.certificate_desk import CertificateDesk, CertificateLookup
from seat_client.acceptance.gov_api_client import GovApiClient, KeyringGovApiCredentials
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_client.materials.cache import MaterialCache
from seat_client.materials.transfer import MaterialTransfer
from seat_client.review import session as review
from seat_client.review.desk import ReviewDesk
from seat_client.review.session import ReviewStore
from seat_common import catalog, protocol
from tests.hub.hubclient import db_rows
from tests.integration.a11y import AXE
from tests.integration.conftest import CHROMIUM, until
from tests.integration.test_web_large_text import check_state

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup")

OUT = Path(__file__).resolve().parents[2] / "out" / "page"
PHONE = {"width": 390, "height": 844}
ITEM = "EM-STARTUP-GRANT"  # 居民身份证 + 营业执照


@pytest.fixture
def gov_api() -> Iterator[GovApiProcess]:
    with GovApiProcess(token_ttl=3600) as process:
        yield process


async def test_the_citizen_answers_on_their_page_and_the_answer_is_audited_first(
    hub: HubProcess, gov_api: GovApiProcess, browser: Browser, tmp_path: Path
) -> None:
    token = hub.tokens["0012"]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    ws = Workstation(link)
    transfer = MaterialTransfer(link, MaterialCache(tmp_path / "materials"))
    desk = ReviewDesk(ws, transfer, ReviewStore(tmp_path), catalog.load(),
                      review.load_reasons())
    credentials = KeyringGovApiCredentials(gov_api.client_id,
                                           service=f"seat-gov-api-test-{tmp_path.name}")
    credentials.set_client_secret(gov_api.client_secret)
    client = GovApiClient(gov_api.url, credentials, timeout_s=5.0)
    certificates = CertificateDesk(link, client, desk, transfer)
    transfer.attach()
    link.start()
    await until(lambda: link.state is LinkState.CONNECTED, "the workstation logs in")
    context = await browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
    page = await context.new_page()
    base = hub.url.replace("ws://", "http://").removesuffix("/ws")
    try:
        await page.goto(f"{base}/?item={ITEM}")
        await page.get_by_role("button", name="开始视频连线").click()
        await page.locator("#queue").wait_for()
        await ws.set_ready()
        await until(lambda: ws.offer is not None, "the offer")
        await ws.accept()
        await until(lambda: desk.session is not None, "the pre-review opens with the call")
        assert desk.session is not None
        work_order_id = desk.session.work_order_id
        await page.locator("#call").wait_for()

        # Asked with 同意: audited as on_device, then looked up under the same reference.
        asking = asyncio.get_running_loop().create_task(
            certificates.ask_on_device(DEMO_APPLICANT, ("居民身份证", "营业执照")))
        dialog = page.get_by_role("alertdialog")
        await dialog.wait_for()
        lines = [line for line in (await dialog.inner_text()).splitlines() if line]
        assert lines == [
            "工作人员申请调取您的电子证照（居民身份证、营业执照）用于本次办理",
            "同意后，工作人员会从广东省电子证照库查询这些证照，您就不用再拍照上传。"
            "您的选择会被记录。", "同意", "不同意"]
        assert await page.evaluate("document.activeElement.id") == "consent-yes"
        assert gov_api.events("e_licence_lookup") == []
        assert await page.locator("#consent-ask").is_visible()
        box = await page.locator("#consent-ask").bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], "on screen"
        OUT.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(OUT / "consent-asked-phone.png"))
        if AXE.exists():  # reachable by keyboard, 48 px targets, nothing serious for axe-core
            await check_state(page, "consent-asked-phone")
        await page.get_by_role("button", name="同意", exact=True).click()
        found = await asyncio.wait_for(asking, 30)
        assert isinstance(found, CertificateLookup) and found.work_order_id == work_order_id
        rows = db_rows(hub.db_path, "SELECT supervisor_id, detail FROM audit_log"
                       " WHERE action = 'certificate_lookup' ORDER BY seq")
        assert [(r["supervisor_id"], r["detail"]) for r in rows] == [
            ("0012", f"consent=on_device ref={found.consent_ref}")]
        assert [e["consent_ref"] for e in gov_api.events("e_licence_lookup")] == [
            found.consent_ref]
        await page.get_by_text("您已同意，工作人员正在查询您的电子证照。").wait_for()

        # Asked again and 不同意: recorded, nothing more looked up.
        asking = asyncio.get_running_loop().create_task(
            certificates.ask_on_device(DEMO_APPLICANT, ("居民身份证",)))
        await page.get_by_role("button", name="不同意").click()
        assert await asyncio.wait_for(asking, 30) is None
        assert len(gov_api.events("e_licence_lookup")) == 1
        last = db_rows(hub.db_path, "SELECT detail FROM audit_log"
                       " WHERE action = 'certificate_lookup' ORDER BY seq")[-1]
        assert str(last["detail"]).startswith("consent=refused_on_device ref=CS-")
        await page.get_by_text("您没有同意，工作人员不会查询您的证照").wait_for()

        # Checked where it enters: another work order's, a bad reference, no names.
        for bad in (
            {"work_order_id": "WO-someone-else", "consent_ref": "CS-0000000001",
             "certificates": ["居民身份证"]},
            {"work_order_id": work_order_id, "consent_ref": "short", "certificates": ["x"]},
            {"work_order_id": work_order_id, "consent_ref": "CS-0000000001",
             "certificates": []},
            {"work_order_id": work_order_id, "consent_ref": "CS-0000000001",
             "certificates": [" "]},
        ):
            await page.evaluate("(m) => window.seatConsent.ask(m, () => {}, "
                                f"{work_order_id!r})", bad)
        assert await page.evaluate("window.seatConsentStats.refused") == [
            "work_order", "consent_ref", "certificates", "certificates"]
        assert await page.locator("#consent-ask").is_hidden()
        await ws.hang_up()
    finally:
        await context.close()
        await client.close()
        credentials.save_token(None)
        await transfer.close()
        await ws.close()
