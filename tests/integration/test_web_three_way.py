"""A three-way call seen from the citizen page in Chromium: agent A (a workstation core)
consults B and brings B in; the page then plays two remote pictures, A's and B's (relayed
by A's workstation on the page's second video section), and A leaving hands the call to
B, whom the page calls afresh. A supervisor joining from the seat wall shows the same way,
with a notice. Screenshots of the page at 1366×768 are saved under ``out/page/``."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.consult_desk import ConsultDesk
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_client.media.local_media import PatternCameraTrack
from seat_client.supervision.watch_relay import WatchRelay
from seat_client.supervision.watch_viewer import WatchViewer
from seat_common import protocol
from tests.integration.conftest import CHROMIUM, until
from tests.integration.test_transfer import core

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup")

OUT = Path(__file__).resolve().parents[2] / "out" / "page"


async def _page_in_a_call_with(browser: Browser, hub: HubProcess, agent: Workstation) -> Page:
    """A laptop-sized page of ``hub`` that calls about SI-UNEMP-QUERY, answered by ``agent``."""
    page = await browser.new_page(viewport={"width": 1366, "height": 768})
    base = hub.url.replace("ws://", "http://").removesuffix("/ws")
    await page.goto(f"{base}/?item=SI-UNEMP-QUERY")
    await page.get_by_role("button", name="开始视频连线").click()
    await until(lambda: agent.offer is not None, "the agent's offer")
    await agent.accept()
    return page


async def _frames_grow(page: Page, name: str, by: int, what: str) -> None:
    """Until the page's ``seatStats[name]`` frame count grows by ``by`` (20 s at most)."""
    async def stat() -> int:
        return int(await page.evaluate(f"window.seatStats.{name} || 0"))

    start = await stat()
    for _ in range(200):
        if await stat() >= start + by:
            return
        await page.wait_for_timeout(100)
    seen = await page.evaluate("JSON.stringify(window.seatStats)")
    raise AssertionError(f"{what}: {seen}")


async def test_the_page_in_a_three_way_call_plays_two_pictures(browser: Browser) -> None:
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",)),
             SeatSpec("b1", "李四", skills=("medical_insurance",))]
    async with HubProcess(seats, ring_timeout=30.0) as hub:
        a, b = core(hub, "a1"), core(hub, "b1")
        host, guest = ConsultDesk(a), ConsultDesk(b)
        try:
            for ws in (a, b):
                ws.link.start()
            await until(lambda: a.link.state is LinkState.CONNECTED
                        and b.link.state is LinkState.CONNECTED, "both agents log in")
            await a.set_ready()
            await b.set_ready()
            page = await _page_in_a_call_with(browser, hub, a)

            await _frames_grow(page, "remoteFrames", 10, "the page plays A")
            assert await page.locator("#colleague").is_hidden()
            await host.consult("agent", "b1", "请帮忙")
            await until(lambda: guest.state is not None, "B's seat rings")
            await guest.answer(True)
            await until(lambda: host.frames is not None and host.frames.received >= 5,
                        "A sees B")
            assert await page.locator("#colleague").is_hidden()  # dark until three-way
            await host.choose("three_way")
            await _frames_grow(page, "colleagueFrames", 15, "the page plays B")
            await _frames_grow(page, "remoteFrames", 15, "and still A")
            assert await page.locator("#colleague").is_visible()
            assert await page.locator("#remote").is_visible()
            assert await page.evaluate("window.seatStats.partyNotices") == [
                "joined: 业务同事李四已加入通话，可以看到和听到您。"]
            assert await page.locator("#colleague").get_attribute("aria-label") == "会商同事的视频"
            OUT.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(OUT / "three-way-laptop.png"))

            await host.choose("hand_over")
            await until(lambda: b.call is not None, "B takes the call")
            await _frames_grow(page, "remoteFrames", 10, "the page plays B as the agent")
            assert await page.evaluate("window.seatStats.transfers") == 1
            assert await page.locator("#colleague").is_hidden()
        finally:
            for desk in (host, guest):
                await desk.close()
            for ws in (a, b):
                await ws.close()


async def test_the_page_shows_a_supervisor_who_joins_from_the_wall(browser: Browser) -> None:
    """A supervisor joins A's call (one click on the wall): the page says so, plays the
    supervisor's picture as its second, and says when they leave."""
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",)),
             SeatSpec("S01", "王督导", role="supervisor")]
    async with HubProcess(seats, ring_timeout=30.0) as hub:
        a = core(hub, "a1")
        relay = WatchRelay(a)
        token = hub.tokens["S01"]
        sup_link = HubLink(hub.url, lambda: protocol.Hello(role="supervisor", token=token))
        viewer = WatchViewer(sup_link.send, camera=lambda: PatternCameraTrack(320, 240))
        sup_link.message.connect(viewer.apply)
        try:
            a.link.start()
            sup_link.start()
            await until(lambda: a.link.state is LinkState.CONNECTED
                        and sup_link.state is LinkState.CONNECTED, "both log in")
            await a.set_ready()
            page = await _page_in_a_call_with(browser, hub, a)

            await _frames_grow(page, "remoteFrames", 10, "the page plays A")
            await viewer.watch("a1", join=True)
            await until(lambda: relay.state is not None and relay.state.phase == "joined",
                        "the supervisor joins")
            await _frames_grow(page, "colleagueFrames", 15, "the page plays the supervisor")
            assert await page.locator("#colleague").is_visible()
            assert await page.locator("#colleague").get_attribute("aria-label") == "值班长的视频"
            assert "值班长已加入通话" in await page.locator("#status").inner_text()
            OUT.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(OUT / "supervisor-joined-laptop.png"))

            await viewer.join(False)
            # Polled at every animation frame: the picture is gone with the notice, not
            # when the browser later marks the relayed track muted.
            left = await page.wait_for_function(
                """() => (window.seatStats.partyNotices || []).length === 2
                         && {notices: window.seatStats.partyNotices,
                             hidden: document.getElementById("colleague").hidden}""",
                polling="raf", timeout=20_000)
            seen = await left.json_value()
            assert seen["notices"] == ["joined: 值班长已加入通话，可以看到和听到您与工作人员。",
                                       "left: 值班长已离开通话。"]
            assert seen["hidden"], "the supervisor's picture stays after they left"
            await _frames_grow(page, "remoteFrames", 10, "the page plays A on")
            assert await page.locator("#colleague").is_hidden()
            assert await page.locator("#colleague").get_attribute("aria-label") == "会商同事的视频"
        finally:
            await relay.close()
            await viewer.close()
            await sup_link.stop()
            await a.close()
