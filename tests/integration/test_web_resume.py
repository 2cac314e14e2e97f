"""The citizen page comes back by itself: a dropped link and a reloaded page both return to
the same call with the resume token, in a real Chromium against the workstation (aiortc,
offscreen) and a real hub; the media come back on new peer connections at both sides. A
page waiting in the queue keeps its place across a hub restart."""

from __future__ import annotations

import asyncio

from playwright.async_api import Browser, Page

from sandbox.hub_process import HubProcess, SeatSpec
from sandbox.turn_process import free_port
from tests.integration.conftest import ALL_SKILLS, Seat, until
from tests.integration.test_resume import workstation
from tests.integration.test_web_channel import stat

LONG = 60.0


async def wait_stat(page: Page, expression: str, what: str) -> None:
    for _ in range(int(LONG / 0.05)):
        if await page.evaluate(f"Boolean({expression})"):
            return
        await page.wait_for_timeout(50)
    raise AssertionError(f"timed out waiting for: {what}")


async def test_the_page_comes_back_to_its_call_after_a_drop_and_a_reload(
    seat: Seat, browser: Browser
) -> None:
    window, ws = seat.window, seat.workstation
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    base = seat.hub.url.replace("ws://", "http://").removesuffix("/ws")
    await page.goto(f"{base}/?item=SI-UNEMP-QUERY")
    await page.get_by_role("button", name="开始视频连线").click()
    await page.get_by_text("正在为您接通").wait_for()
    window.status_strip.state_chosen.emit("ready", "")
    await until(lambda: window.offer_banner.isVisible(), "the offer rings", LONG)
    window.offer_banner.accept_button.click()
    await until(lambda: ws.call is not None and ws.call.session.frames.received > 5,
                "the page's video reaches the agent", LONG)
    await wait_stat(page, "window.seatStats.remoteFrames > 5", "the agent's video plays")
    assert ws.call is not None
    call_id = ws.call.started.call_id

    # The network fails under the page: it reconnects by itself and offers afresh.
    first = ws.call.session
    await page.evaluate("window.seatDropLink()")
    await seat.hub.wait_for_event("link_lost", lambda e: e.get("role") == "citizen", LONG)
    await wait_stat(page, "window.seatStats.resumes === 1", "the page resumes")
    await wait_stat(page, "window.seatStats.mediaRenewals === 1", "the page offers afresh")
    frames = int(await stat(page, "remoteFrames"))  # type: ignore[call-overload]
    await until(lambda: ws.call is not None and ws.call.session is not first
                and ws.call.session.frames.received > 5, "video on the agent's new peer", LONG)
    await wait_stat(page, f"window.seatStats.remoteFrames > {frames + 5}",
                    "the agent's video plays again")
    said = await stat(page, "said")
    assert "网络中断，正在重新连接…" in said  # type: ignore[operator]

    # The page is reloaded mid-call: the new page takes the same call back.
    second = ws.call.session
    await page.reload()
    await seat.hub.wait_for_event(
        "resumed", lambda e: e.get("role") == "citizen" and e.get("old_session") !=
        seat.hub.events("resumed")[0].get("old_session"), LONG)
    await wait_stat(page, "window.seatStats.state === 'call'", "the reloaded page is in the call")
    await until(lambda: ws.call is not None and ws.call.session is not second
                and ws.call.session.frames.received > 5, "video from the reloaded page", LONG)
    await wait_stat(page, "window.seatStats.remoteFrames > 5", "the reloaded page plays video")
    assert ws.call is not None and ws.call.started.call_id == call_id
    assert not seat.hub.events("call_ended")

    window.video_pane.hang_up_button.click()
    await page.get_by_text("请为本次服务评分").wait_for()
    assert await page.evaluate("sessionStorage.getItem('seat.resume')") is None
    await page.close()


async def test_the_page_keeps_its_queue_place_across_a_hub_restart(
    browser: Browser,
) -> None:
    hub = HubProcess([SeatSpec("0012", "张三", skills=ALL_SKILLS)], ring_timeout=30.0,
                     port=free_port())
    await asyncio.to_thread(hub.start)
    try:
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        base = hub.url.replace("ws://", "http://").removesuffix("/ws")
        await page.goto(f"{base}/?item=SI-UNEMP-QUERY")
        await page.get_by_role("button", name="开始视频连线").click()
        await page.get_by_text("目前没有工作人员在线").wait_for()  # no workstation yet
        work_order_id = str(await stat(page, "workOrderId"))

        await asyncio.to_thread(hub.stop)
        await wait_stat(page, "window.seatStats.linkDrops >= 1", "the page sees the link drop")
        await asyncio.to_thread(hub.start)
        await wait_stat(page, "window.seatStats.resumes === 1", "the page comes back by itself")
        assert await stat(page, "state") == "queue"
        assert await stat(page, "workOrderId") == work_order_id
        async with workstation(hub) as seat:
            await until(lambda: seat.offer is not None, "the kept place is offered", LONG)
            assert seat.offer is not None and seat.offer.work_order_id == work_order_id
            await seat.accept()
            await until(lambda: seat.call is not None and seat.call.session.frames.received > 5,
                        "the page's video reaches the agent", LONG)
            await wait_stat(page, "window.seatStats.remoteFrames > 5", "the agent's video plays")
            await seat.hang_up()
            await page.get_by_text("请为本次服务评分").wait_for()
        await page.close()
    finally:
        await asyncio.to_thread(hub.stop)
        hub.cleanup()
