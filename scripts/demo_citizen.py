"""The citizen's side of the demo: one call from the web page, watched from both ends.

``scripts/demo.py`` runs this once the autopilot's call is over and the simulated
citizens are gone, against the same hub and government-API sandbox. It assembles agent
0012's whole seat offscreen (``ui.workstation.assembly``, as ``seat-client`` does) and
drives Chromium as the citizens, saving numbered screenshots after the ``07-page-*`` ones:

- ``08`` the queue: a citizen on the official account's page (``?channel=oa``) and one at
  a kiosk, both in large text (大字版); the kiosk's own screen;
- ``09`` the offer ringing with 公众号 and 大字版;
- ``10`` online-application coaching: the citizen shares a browser tab (a stand-in for
  the government portal), the agent points and draws on it, both ends shown;
- ``11`` reused certificates: the consent dialog, the citizen's page asking
  工作人员申请调取您的电子证照（…）用于本次办理 (they press 同意 there), two certificates
  attached as materials (校验来源：电子证照库), the pre-review that cites them;
- ``12`` the citizen's after-call summary (本次办理结果: verdicts, application number,
  receipt, booking) on a laptop and a phone;
- ``13`` the kiosk citizen's call (consent said aloud: a kiosk cannot answer on its
  screen): an expired ID card is refused as a material.

``python scripts/demo_citizen.py HUB_URL OUT_DIR SETTINGS_JSON KIOSK_ID KIOSK_TOKEN_FILE``
(the keyring holds agent 0012's token and the sandbox's secret, as the demo puts them).
Prints one JSON line; exits 1 naming the step that did not happen.
"""

from __future__ import annotations

import asyncio
import faulthandler
import json
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from functools import partial
from operator import contains
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyqt6")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qasync
from demo_citizen_kiosk import KioskCitizen
from playwright.async_api import Page, async_playwright
from PyQt6.QtCore import QEvent, QPointF, Qt
from PyQt6.QtGui import QMouseEvent, QPainter, QPixmap
from PyQt6.QtWidgets import QApplication, QWidget

from sandbox.gov_api.licence_records import DEMO_APPLICANT, made_up_licences
from seat_client import settings as settings_mod
from seat_client.call.hub_link import LinkState
from seat_client.credentials import KeyringTokenStore
from ui import i18n
from ui.call.screen_share_view import SharedScreenCanvas
from ui.review.certificate_box import CertificateBox, ConsentDialog
from ui.review.certificates_dialog import CertificatesDialog
from ui.theme import apply_theme
from ui.workstation.assembly import AssembledSeat, assemble_seat
from ui.workstation.autopilot import fill_form_as_the_citizen_says

log = logging.getLogger("demo_citizen")
CHROMIUM = Path("/usr/bin/chromium")
#: The demo's applicant as the licence library knows them (every certificate valid).
APPLICANT_NAME = made_up_licences(DEMO_APPLICANT)[0].holder_name
ITEM = "SI-RESIDENT-PENSION-CLAIM"  # 城乡居民基本养老保险待遇申领: ID card, 户口簿, bank card
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
#: The tab the citizen shares; Chromium picks it by this (ASCII) title.
PORTAL_TITLE = "gdzwfw-portal-demo"
PORTAL = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{PORTAL_TITLE}</title></head>
<body style="margin:0;font:34px sans-serif;background:#f0f4fa;color:#1f2328">
<header style="background:#c8102e;color:white;padding:18px 32px;font-size:40px">
广东政务服务网 · 东莞</header>
<main style="padding:20px 32px"><h1 style="font-size:44px">城乡居民基本养老保险待遇申领</h1>
<p>第 2 步，共 4 步：填写申请人信息</p>
<label>姓名 <input value="{APPLICANT_NAME}" style="font-size:34px"></label><br><br>
<label>身份证号 <input id="id-number" style="font-size:34px;width:560px"></label><br><br>
<label>社保卡开户银行 <select style="font-size:34px"><option>请选择</option></select></label>
<br><br><button style="font-size:34px;padding:8px 32px;background:#0969da;color:white;
border:0">下一步</button> <span class="busy">正在保存草稿…</span></main>
<style>.busy {{ animation: pulse 1s linear infinite alternate; color: #57606a }}
@keyframes pulse {{ from {{ opacity: 1; }} to {{ opacity: .3; }} }}</style></body></html>"""
CHROMIUM_ARGS = [
    "--use-fake-device-for-media-stream", "--auto-accept-camera-and-microphone-capture",
    f"--auto-select-tab-capture-source-by-title={PORTAL_TITLE}",
    # Without the fake permission UI Chromium hides its addresses behind mDNS names.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--allow-loopback-in-peer-connection", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
]


class SceneError(RuntimeError):
    """A step of the scenes did not happen in time."""


async def until(condition: Callable[[], bool], step: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SceneError(step)
        await asyncio.sleep(0.05)


async def page_until(page: Page, expression: str, step: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await page.evaluate(expression):
        if time.monotonic() > deadline:
            raise SceneError(step)
        await page.wait_for_timeout(50)


def grab_with_dialogs(window: QWidget, path: Path, *dialogs: QWidget) -> Path:
    """The window as the agent sees it, with its open dialogs painted centred over it
    (offscreen, a dialog is a window of its own and the window's grab leaves it out)."""
    picture = window.grab()
    painter = QPainter(picture)
    for dialog in dialogs:
        shot: QPixmap = dialog.grab()
        painter.fillRect((picture.width() - shot.width()) // 2 - 1,
                         (picture.height() - shot.height()) // 2 - 1,
                         shot.width() + 2, shot.height() + 2, Qt.GlobalColor.darkGray)
        painter.drawPixmap((picture.width() - shot.width()) // 2,
                           (picture.height() - shot.height()) // 2, shot)
    painter.end()
    picture.save(str(path))
    return path


def mouse(canvas: SharedScreenCanvas, kind: QEvent.Type, at: tuple[float, float],
          pressed: bool = False) -> None:
    """The agent's mouse on the shared screen, at a fraction of the shared frame."""
    box = canvas.frame_rect()
    point = QPointF(box.x() + at[0] * box.width(), box.y() + at[1] * box.height())
    left = Qt.MouseButton.LeftButton
    button = left if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    buttons = left if pressed else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, point, canvas.mapToGlobal(point), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    {QEvent.Type.MouseMove: canvas.mouseMoveEvent,
     QEvent.Type.MouseButtonPress: canvas.mousePressEvent,
     QEvent.Type.MouseButtonRelease: canvas.mouseReleaseEvent}[kind](event)


class CitizenScenes:
    """The scenes of the module docstring, on one assembled seat and one Chromium."""

    def __init__(self, seat: AssembledSeat, base_url: str, out: Path,
                 kiosk: KioskCitizen) -> None:
        self.seat = seat
        self.window = seat.window
        self.base = base_url
        self.out = out
        self.kiosk = kiosk
        self.screenshots: list[str] = []
        self.summary: dict[str, object] = {"screenshots": self.screenshots}

    def shot(self, name: str, *dialogs: QWidget) -> None:
        path = grab_with_dialogs(self.window, self.out / name, *dialogs)
        self.screenshots.append(path.name)

    async def page_shot(self, page: Page, name: str, full: bool = False) -> None:
        await page.screenshot(path=str(self.out / name), full_page=full)
        self.screenshots.append(name)

    async def run(self) -> None:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            context = await browser.new_context(viewport=LAPTOP)  # type: ignore[arg-type]
            portal = await context.new_page()
            await portal.set_content(PORTAL)
            page = await context.new_page()
            await self.queue(page)
            await self.share(page, portal)
            await self.certificates(page)
            await self.application_and_summary(page)
            await browser.close()
        await self.kiosk_call()

    async def queue(self, page: Page) -> None:
        """A citizen on the official account's page and one at a kiosk, in large text."""
        w, ws = self.window, self.seat.workstation
        await until(lambda: ws.link.state is LinkState.CONNECTED, "the seat logs in")
        await page.goto(f"{self.base}/?channel=oa&item={ITEM}")
        await page.locator("#item-count").wait_for()
        await page.get_by_role("button", name="大字版").click()
        await page.locator("#name").fill(APPLICANT_NAME)
        await page.get_by_role("button", name="开始视频连线").click()
        await page.locator("#queue").wait_for()
        self.kiosk.start()
        await until(lambda: {(e.channel, e.large_text) for e in ws.queue.entries} >= {
            ("official_account", True), ("kiosk", True)}, "both citizens are in the queue")
        await asyncio.sleep(0.3)  # the queue table lays out its rows
        self.shot("08-queue-official-account-and-kiosk-large-text.png")
        self.kiosk.window.grab().save(str(self.out / "08b-kiosk-large-text.png"))
        self.screenshots.append("08b-kiosk-large-text.png")
        w.status_strip.state_chosen.emit("ready", "")
        await until(lambda: w.offer_banner.isVisible(), "the web citizen's offer rings")
        offer = ws.offer
        if offer is None or offer.channel != "official_account" or not offer.large_text:
            raise SceneError("the first offer is the official account's large-text citizen")
        self.shot("09-ringing-official-account-large-text.png")
        w.offer_banner.accept_button.click()
        await until(lambda: ws.call is not None, "the call starts")
        await page.locator("#call").wait_for()
        await until(lambda: w.video_pane.view.painted_count >= 10, "the citizen's camera")

    async def share(self, page: Page, portal: Page) -> None:
        """The citizen shares the portal tab; the agent underlines the ID-number field and
        points at it."""
        w = self.window
        await page.get_by_role("button", name="共享屏幕给工作人员看").click()
        await page.get_by_text("正在共享屏幕：").wait_for()
        view = w.video_pane.screen_view
        call = self.seat.workstation.call
        if view is None or call is None:
            raise SceneError("the seat shows shared screens")
        await until(lambda: view.shared.sharing and view.canvas.painted_count >= 5,
                    "the shared tab is decoded and painted")
        # Where the field is, as fractions of the shared tab (its viewport).
        left, right, top, bottom = await portal.evaluate("""() => {
            const r = document.getElementById("id-number").getBoundingClientRect();
            return [r.left / innerWidth, r.right / innerWidth, r.top / innerHeight,
                    r.bottom / innerHeight]; }""")
        canvas = view.canvas
        under = min(1.0, bottom + 0.015)
        mouse(canvas, QEvent.Type.MouseButtonPress, (left, under), pressed=True)
        for step in range(1, 16):
            mouse(canvas, QEvent.Type.MouseMove, (left + (right - left) * step / 15, under),
                  pressed=True)
        mouse(canvas, QEvent.Type.MouseButtonRelease, (right, under))
        mouse(canvas, QEvent.Type.MouseMove, ((left + right) / 2, (top + bottom) / 2))
        await page_until(page, "window.seatShareStats.strokes >= 1"
                               " && window.seatShareStats.pointer !== null",
                         "the agent's line and pointer reach the page")
        self.shot("10-share-workstation-points-and-draws.png")
        await self.page_shot(page, "10b-share-citizen-page-sees-the-pointer.png")
        await page.get_by_role("button", name="停止共享").click()
        await until(lambda: not view.shared.sharing, "sharing stops on both sides")

    async def certificates(self, page: Page) -> None:
        """The citizen agrees on their own page; the ID card and household register come
        from the library."""
        parts = self.seat.applications
        form = parts.desk.form
        if form is None:
            raise SceneError("the application form opens with the call")
        fill_form_as_the_citizen_says(parts.desk)  # the applicant's ID number among it
        pane = self.seat.pre_review.pane

        async def consent_given(consent: ConsentDialog) -> None:
            if consent.id_number.text() != DEMO_APPLICANT:
                raise SceneError("the consent dialog asks with the applicant's ID number")
            await asyncio.sleep(0.2)
            self.shot("11-certificate-consent.png", consent)
            consent.on_device.click()  # the page asks them; they answer there
            await page.locator("#consent-ask").wait_for()
            await self.page_shot(page, "11a-page-asks-consent-on-the-citizens-device.png")
            await page.get_by_role("button", name="同意", exact=True).click()

        dialog = await self.look_up(consent_given)
        session = self.seat.pre_review.desk.session
        if session is None:
            raise SceneError("the pre-review has a session")
        for row, licence in enumerate(dialog.lookup.licences):
            if licence.kind in ("id_card", "household_register"):
                dialog.table.selectRow(row)
                await until(lambda: dialog.attach.isEnabled(), f"{licence.name} can be attached")
                dialog.attach.click()
                await until(partial(contains, session.certificates, licence.kind),
                            f"{licence.name} is attached")
        dialog.table.selectRow(0)
        await until(lambda: not dialog.image.pixmap().isNull(), "the certificate's image")
        self.shot("11b-certificates-attached.png", dialog)
        dialog.close()
        session.mark("bank_card", "missing")  # the citizen brings it to the counter
        await asyncio.sleep(0.5)
        self.shot("11c-pre-review-verified-at-source.png")
        sent: list[object] = []
        unsubscribe = self.seat.pre_review.desk.verdict_sent.connect(sent.append)
        pane.send.click()
        await until(lambda: bool(sent), "the verdict reaches the citizen")
        unsubscribe()

    async def application_and_summary(self, page: Page) -> None:
        """Submit, send the receipt, book a counter slot; the citizen hangs up and keeps it."""
        parts, ws = self.seat.applications, self.seat.workstation
        self.window.work_tabs.setCurrentWidget(parts.form)
        if parts.form.identity.isVisible():
            parts.form.identity.confirm.setChecked(True)  # the caller applies for a relative
        parts.form.submit.click()
        await until(lambda: parts.receipt.send_button.isEnabled(), "the receipt shows", 60)
        parts.receipt.send_button.click()
        await page_until(page, "window.seatStats.receipts >= 1", "the receipt reaches the page")
        call = ws.call
        assert call is not None
        booked = await self.book(call.work_order_id)
        self.summary["booking"] = booked
        await page.locator("#hangup").click()
        await page.get_by_role("button", name="确定挂断").click()
        await page.locator("#summary").wait_for()
        await page_until(page, "window.seatSummaryStats.summaries >= 1", "the summary arrives")
        await page_until(page, "[...document.querySelectorAll('#summary img')]"
                               ".every((i) => i.complete)", "the receipt image loads")
        await self.page_shot(page, "12-page-summary-laptop.png", full=True)
        await page.set_viewport_size(PHONE)  # type: ignore[arg-type]
        await page.locator("#summary").screenshot(path=str(self.out / "12b-page-summary-phone.png"))
        self.screenshots.append("12b-page-summary-phone.png")
        await until(lambda: ws.wrap_up is not None, "the agent's wrap-up opens")
        text = await page.locator("#summary").inner_text()
        self.summary["summary_has_application"] = str(
            self.seat.applications.desk.outbox.entries()[-1].application_no) in text
        await self.wrap_up()

    async def book(self, work_order_id: str) -> str:
        gov = self.seat.gov
        if gov is None:
            raise SceneError("the seat books through the government API")
        from plugins.proxy_booking import next_working_day

        hall = str((await gov.halls())[0]["code"])
        day = next_working_day()
        slot = next(s for s in await gov.slots(hall, day) if int(s["available"]) > 0)
        booked = await gov.book(f"{work_order_id}:booking:{slot['slot_id']}", {
            "slot_id": slot["slot_id"], "name": APPLICANT_NAME, "id_number": DEMO_APPLICANT,
            "mobile": "13800138000", "item_code": ITEM, "work_order_id": work_order_id,
            "links": {}})
        return str(booked["booking_no"])

    async def wrap_up(self) -> None:
        pane, ws = self.window.work_order_pane, self.seat.workstation
        await until(lambda: pane.wrap_up_box.isVisible(), "wrap-up shows")
        work_order_id = ws.wrap_up.work_order_id if ws.wrap_up else ""
        pane.outcome.setCurrentIndex(pane.outcome.findData("resolved"))
        pane.notes.setPlainText("已核验电子证照，受理城乡居民养老保险待遇申领，预约窗口交银行卡")
        pane.submit.click()
        await until(lambda: any(h.work_order_id == work_order_id for h in ws.history),
                    "the hub closes the work order")

    async def look_up(self, asked: Callable[[ConsentDialog], Awaitable[None]]
                      ) -> CertificatesDialog:
        """The pre-review's 电子证照… button: ``asked`` sees the consent dialog and has the
        citizen answer; the library's certificates are listed."""
        pane = self.seat.pre_review.pane
        self.window.work_tabs.setCurrentWidget(pane)
        box = pane.findChild(CertificateBox)
        if box is None:
            raise SceneError("the pre-review has its certificate box")
        await until(lambda: box.look_up.isEnabled(), "the pre-review opens")
        box.look_up.click()
        if box.consent is None:
            raise SceneError("the agent asks for consent")
        await asked(box.consent)
        await until(lambda: box.dialog is not None and box.dialog.isVisible(),
                    "the citizen's certificates are listed")
        assert box.dialog is not None
        return box.dialog

    async def kiosk_call(self) -> None:
        """The kiosk's citizen: the library's ID card has expired and is refused."""
        w, ws = self.window, self.seat.workstation
        # Closing the work order makes the seat ready again; the kiosk may ring at once.
        await until(lambda: ws.presence.state != "wrap_up", "the seat leaves wrap-up")
        if ws.presence.state not in ("ready", "ringing"):
            w.status_strip.state_chosen.emit("ready", "")
        await until(lambda: w.offer_banner.isVisible(), "the kiosk's offer rings")
        painted = w.video_pane.view.painted_count
        w.offer_banner.accept_button.click()
        await until(lambda: ws.call is not None, "the kiosk call starts")
        await until(lambda: w.video_pane.view.painted_count >= painted + 10, "the kiosk's camera")

        async def read_out(consent: ConsentDialog) -> None:
            consent.id_number.setText(self.kiosk.id_number)  # the citizen reads it out
            consent.agreed.click()  # said aloud: a kiosk cannot answer on its screen

        dialog = await self.look_up(read_out)
        row = next(r for r, lic in enumerate(dialog.lookup.licences) if lic.kind == "id_card")
        dialog.table.selectRow(row)
        await until(lambda: not dialog.image.pixmap().isNull(), "the expired card's image")
        if dialog.attach.isEnabled() or "已过期" not in dialog.problem.text():
            raise SceneError("the expired ID card is refused")
        self.shot("13-certificate-expired-refused.png", dialog)
        dialog.close()
        await ws.hang_up()
        await until(lambda: ws.wrap_up is not None, "the kiosk call ends")
        self.summary["ok"] = True


async def main(args: list[str]) -> int:
    hub_url, out, settings_path, kiosk_id, kiosk_token_file = args
    out_dir = Path(out)
    settings = settings_mod.load_sourced(
        Path(settings_path), state_dir=str(out_dir / "state-citizen"), devices="synthetic",
    ).settings
    token = KeyringTokenStore().get(settings.agent_id)
    if token is None:
        print("demo_citizen: agent 0012's token is not in the keyring", file=sys.stderr)
        return 2
    seat = await assemble_seat(settings, token)
    kiosk = KioskCitizen(hub_url, kiosk_id, Path(kiosk_token_file), out_dir / "kiosk-printer")
    scenes = CitizenScenes(seat, hub_url.replace("ws://", "http://").removesuffix("/ws"),
                           out_dir, kiosk)
    await seat.start()
    code = 0
    try:
        await scenes.run()
    except SceneError as exc:
        scenes.summary["ok"] = False
        scenes.summary["failed_step"] = str(exc)
        grab_with_dialogs(seat.window, out_dir / "citizen-failure.png")
        code = 1
    finally:
        for part, closing in (("kiosk", kiosk.close), ("seat", seat.close)):
            try:
                await asyncio.wait_for(closing(), 20)
            except TimeoutError:
                log.error("demo_citizen: the %s did not close within 20 s", part)
                for task in asyncio.all_tasks():  # where it hangs, for the log
                    task.print_stack(file=sys.stderr)
                code = code or 1
    print(json.dumps(scenes.summary, ensure_ascii=False), flush=True)
    return code


def run(args: list[str]) -> int:
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    faulthandler.dump_traceback_later(240, exit=True)  # a hang leaves its stacks in the log
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    translators = i18n.install(app, "zh_CN")
    apply_theme(app, large_text=False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        code: int = loop.run_until_complete(main(args))
    del translators
    return code


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
