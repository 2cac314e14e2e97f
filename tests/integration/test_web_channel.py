"""The web channel in a real browser: Debian's Chromium, driven by Playwright, calls the
workstation (aiortc, offscreen) through the page the hub serves.

The browser's own WebRTC against ours is the strongest proof that our WebRTC
is real. Chromium gets a fake camera and microphone; the same call runs once
with the browser preferring H.264 and once preferring VP8.
"""

from __future__ import annotations

import io
import sqlite3
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser, Page
from websockets.asyncio.client import connect

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.materials.values import MaterialRef, MaterialVerdict, PreReviewVerdict
from seat_common import protocol
from tests.integration.conftest import CHROMIUM, Seat, until

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup")



async def stat(page: Page, name: str) -> object:
    return await page.evaluate(f"window.seatStats.{name}")


@pytest.mark.parametrize("codec", ["H264", "VP8"])
async def test_a_browser_citizen_calls_the_workstation(
    seat: Seat, browser: Browser, codec: str, tmp_path: Path
) -> None:
    window, ws = seat.window, seat.workstation
    page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    base = seat.hub.url.replace("ws://", "http://").removesuffix("/ws")
    await page.goto(f"{base}/?item=SI-UNEMP-QUERY&codec={codec}")
    await page.get_by_label("您的称呼（选填）").fill("吴女士")
    await page.get_by_label("老年人").check()
    await page.get_by_role("button", name="开始视频连线").click()
    await page.get_by_text("正在为您接通").wait_for()

    window.status_strip.state_chosen.emit("ready", "")
    await until(lambda: window.offer_banner.isVisible(), "the web citizen's offer rings")
    assert "老年人" in window.offer_banner.title.text()
    window.offer_banner.accept_button.click()
    # The hub records calls by default: the page says so before the camera opens.
    await page.get_by_text("本次通话将录音录像").wait_for()
    assert await stat(page, "noticeBeforeMedia") is True

    await until(lambda: window.video_pane.view.painted_count >= 15, "browser video painted")
    for _ in range(200):
        if int(await stat(page, "remoteFrames")) >= 15:  # type: ignore[call-overload]
            break
        await page.wait_for_timeout(50)
    assert int(await stat(page, "remoteFrames")) >= 15, "the agent's video plays in the page"  # type: ignore[call-overload]
    assert await stat(page, "codec") == f"video/{codec}"
    await page.screenshot(path=str(tmp_path / f"web-call-{codec}.png"))

    await page.get_by_placeholder("输入消息，按回车发送").fill("你好，我想查询失业保险")
    await page.keyboard.press("Enter")
    await until(lambda: window.chat_pane.received_count >= 1, "the page's chat reaches the agent")
    assert "你好，我想查询失业保险" in window.chat_pane.transcript.toPlainText()
    window.chat_pane.input.setText("您好，请稍等")
    window.chat_pane.send_button.click()
    await page.get_by_text("您好，请稍等").wait_for()

    window.video_pane.hang_up_button.click()
    await page.get_by_text("请为本次服务评分").wait_for()
    await until(lambda: window.work_order_pane.wrap_up_box.isVisible(), "wrap-up")
    window.work_order_pane.submit.click()
    await until(lambda: len(ws.history) == 1, "work order closed")

    await page.get_by_label("9 分", exact=True).check(force=True)
    await page.get_by_label("意见或建议（选填）").fill("很耐心")
    await page.get_by_role("button", name="提交评价").click()
    await page.get_by_text("感谢您的评价").wait_for()
    with sqlite3.connect(seat.hub.db_path) as db:
        row = db.execute("SELECT channel, priority, rating, rating_comment, state FROM work_orders"
                         " WHERE id = ?", (ws.history[0].work_order_id,)).fetchone()
    assert row == ("web", "elderly", 9, "很耐心", "closed")
    await page.close()


async def test_photos_from_the_page_reach_the_agent_and_the_verdict_comes_back(
    seat: Seat, browser: Browser, tmp_path: Path
) -> None:
    window, ws = seat.window, seat.workstation
    transfer, pane = seat.pre_review.transfer, seat.pre_review.pane
    received: list[MaterialRef] = []
    transfer.material_received.connect(received.append)

    page = await browser.new_page(viewport={"width": 390, "height": 844})
    base = seat.hub.url.replace("ws://", "http://").removesuffix("/ws")
    await page.goto(f"{base}/?item=BR-INDIVIDUAL-SETUP")
    await page.get_by_role("button", name="开始视频连线").click()
    await page.get_by_text("正在为您接通").wait_for()
    window.status_strip.state_chosen.emit("ready", "")
    await until(lambda: window.offer_banner.isVisible(), "offer")
    window.offer_banner.accept_button.click()
    await until(lambda: ws.call is not None, "call")
    await page.get_by_text("经营场所证明").wait_for()  # the item's checklist is shown

    photo = tmp_path / "身份证正面.jpg"
    Image.new("RGB", (1600, 1200), (200, 190, 170)).save(photo, "JPEG", quality=90)
    not_a_photo = tmp_path / "scan.jpg"
    not_a_photo.write_text("this is not a photo")
    await page.set_input_files("#photo", [str(photo), str(not_a_photo)])
    await until(lambda: len(received) == 1, "the photo reaches the workstation")
    material = received[0]
    assert material.source == "citizen_upload" and (material.width, material.height) == (1600, 1200)
    assert material.path.read_bytes() == photo.read_bytes()
    await until(lambda: pane.strip.count() == 1, "the photo is in the review pane's strip")
    await page.get_by_text("✓ 已上传").wait_for()
    await page.get_by_text("未上传：不是 JPG 或 PNG 图片").wait_for()

    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (255, 0, 0)).save(buffer, "PNG")
    await seat.pre_review.desk.send_verdict(PreReviewVerdict(
        work_order_id=material.work_order_id, item_code="BR-INDIVIDUAL-SETUP",
        verdicts=(MaterialVerdict("id_card", "to_correct", "glare", "请避开灯光重拍",
                                  (material.material_id,)),
                  MaterialVerdict("premises_proof", "missing")),
        decided_at=time.time(), agent_id="0012"), {material.material_id: buffer.getvalue()})
    await page.get_by_text("经营者身份证 — 需要补正：反光遮挡（请避开灯光重拍）").wait_for()
    await page.get_by_text("经营场所证明 — 尚未提供").wait_for()
    await page.get_by_alt_text("工作人员标注的材料图片").wait_for()
    assert await stat(page, "annotatedImages") == 1
    # The receipt goes back the way the receipt view's "send to citizen" sends it.
    await transfer.upload_bytes(material.work_order_id, buffer.getvalue(), filename="受理回执.png",
                                mime="image/png", source="agent_annotated",
                                material_code="receipt")
    await page.get_by_alt_text("受理回执").wait_for()
    assert await stat(page, "receipts") == 1
    await page.screenshot(path=str(tmp_path / "web-verdict.png"), full_page=True)
    await page.close()


async def test_the_page_and_the_agent_each_see_when_the_others_camera_is_off(
    seat: Seat, browser: Browser, tmp_path: Path
) -> None:
    window, ws = seat.window, seat.workstation
    view = window.video_pane.view
    page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    base = seat.hub.url.replace("ws://", "http://").removesuffix("/ws")
    await page.goto(f"{base}/?item=SI-UNEMP-QUERY")
    await page.get_by_role("button", name="开始视频连线").click()
    await page.get_by_text("正在为您接通").wait_for()
    window.status_strip.state_chosen.emit("ready", "")
    await until(lambda: window.offer_banner.isVisible(), "offer")
    window.offer_banner.accept_button.click()
    await until(lambda: ws.call is not None, "call")
    await until(lambda: view.painted_count >= 1, "the citizen's picture is painted")
    assert view.peer_notice == "", "the page says its camera is on"
    for _ in range(200):
        if await stat(page, "agentCamera") == "on":
            break
        await page.wait_for_timeout(50)
    assert await stat(page, "agentCamera") == "on", "the agent told the page at the start"
    notice, muted = page.locator("#agent-camera-off"), page.locator("#agent-muted")
    assert not await notice.is_visible() and not await muted.is_visible()

    # The agent turns the camera off and mutes: the page says so over the agent's video.
    window.video_pane.camera_button.click()
    await page.get_by_text("坐席摄像头已关闭，您仍可与坐席语音通话").wait_for()
    window.video_pane.mute_button.click()
    await page.get_by_text("坐席已静音").wait_for()
    video = await page.locator("#remote").bounding_box()
    box = await notice.bounding_box()
    assert video is not None and box is not None
    assert box["x"] <= video["x"] + 1 and box["y"] <= video["y"] + 1, "it covers the video"
    assert box["x"] + box["width"] >= video["x"] + video["width"] - 1
    assert box["y"] + box["height"] >= video["y"] + video["height"] - 1
    font_px = await notice.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert font_px >= 22, "large enough for older citizens"
    ws.set_camera_available(False)
    await page.get_by_text("坐席摄像头暂不可用，您仍可与坐席语音通话").wait_for()
    await page.screenshot(path=str(tmp_path / "web-agent-camera-unavailable.png"))
    ws.set_camera_available(True)
    window.video_pane.camera_button.click()
    window.video_pane.mute_button.click()
    await notice.wait_for(state="hidden")
    await muted.wait_for(state="hidden")

    # The citizen turns theirs off and mutes: the agent's video says so.
    await page.get_by_role("button", name="关闭摄像头", exact=True).click()
    await until(lambda: view.peer_notice == "市民已关闭摄像头", "the agent sees the camera is off")
    await page.get_by_role("button", name="静音", exact=True).click()
    await until(lambda: view.peer_microphone_tag == "市民已静音", "the agent sees the mute")
    window.grab().save(str(tmp_path / "agent-citizen-camera-off.png"))
    await page.get_by_role("button", name="摄像头已关 打开摄像头", exact=True).click()
    await page.get_by_role("button", name="已静音 取消静音", exact=True).click()
    await until(lambda: view.peer_notice == "" and view.peer_microphone_tag == "",
                "the agent sees both back on")
    await until(lambda: ws.call is not None and ws.call.peer_media is not None
                and (ws.call.peer_media.camera, ws.call.peer_media.microphone) == ("on", "on"),
                "the call keeps what the citizen said last")

    window.video_pane.hang_up_button.click()
    await page.get_by_text("请为本次服务评分").wait_for()
    await page.close()


async def test_a_full_queue_tells_the_browser_citizen_to_try_later(browser: Browser) -> None:
    seats = [SeatSpec("0012", "张三", skills=("social_insurance",))]
    async with (
        HubProcess(seats, extra_args=["--max-queue", "1"]) as hub,
        connect(hub.url) as waiting,  # one citizen fills the queue
    ):
        await waiting.send(protocol.encode(protocol.Hello(role="citizen")))
        await waiting.send(protocol.encode(protocol.JoinQueue("SI-UNEMP-QUERY", "web")))
        while not isinstance(protocol.decode(await waiting.recv()), protocol.Queued):
            pass
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        base = hub.url.replace("ws://", "http://").removesuffix("/ws")
        await page.goto(f"{base}/?item=SI-UNEMP-QUERY")
        await page.get_by_role("button", name="开始视频连线").click()
        await page.get_by_text("当前排队人数较多，请稍后再试。").wait_for()
        assert await stat(page, "errors") == ["busy"]
        assert await stat(page, "state") == "choose"  # still on the form, to try later
