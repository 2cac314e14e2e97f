"""A three-way call seen from the citizen page in Chromium: agent A (a workstation core)
consults B and brings B in; the page then plays two remote pictures, A's and B's (relayed
by A's workstation on the page's second video section), and A leaving hands the call to
B, whom the page calls afresh. A screenshot of the page at 1366×768 is saved under
``out/page/``."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.consult_desk import ConsultDesk
from seat_client.call.hub_link import LinkState
from tests.integration.conftest import CHROMIUM, until
from tests.integration.test_transfer import core

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup")

OUT = Path(__file__).resolve().parents[2] / "out" / "page"


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
            page = await browser.new_page(viewport={"width": 1366, "height": 768})
            base = hub.url.replace("ws://", "http://").removesuffix("/ws")
            await page.goto(f"{base}/?item=SI-UNEMP-QUERY")
            await page.get_by_role("button", name="开始视频连线").click()
            await until(lambda: a.offer is not None, "A's offer")
            await a.accept()

            async def stat(name: str) -> int:
                return int(await page.evaluate(f"window.seatStats.{name} || 0"))

            async def frames_grow(name: str, by: int, what: str) -> None:
                start = await stat(name)
                for _ in range(200):
                    if await stat(name) >= start + by:
                        return
                    await page.wait_for_timeout(100)
                seen = await page.evaluate("JSON.stringify(window.seatStats)")
                raise AssertionError(f"{what}: {seen}")

            await frames_grow("remoteFrames", 10, "the page plays A")
            assert await page.locator("#colleague").is_hidden()
            await host.consult("agent", "b1", "请帮忙")
            await until(lambda: guest.state is not None, "B's seat rings")
            await guest.answer(True)
            await until(lambda: host.frames is not None and host.frames.received >= 5,
                        "A sees B")
            assert await page.locator("#colleague").is_hidden()  # dark until three-way
            await host.choose("three_way")
            await frames_grow("colleagueFrames", 15, "the page plays B")
            await frames_grow("remoteFrames", 15, "and still A")
            assert await page.locator("#colleague").is_visible()
            assert await page.locator("#remote").is_visible()
            OUT.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(OUT / "three-way-laptop.png"))

            await host.choose("hand_over")
            await until(lambda: b.call is not None, "B takes the call")
            await frames_grow("remoteFrames", 10, "the page plays B as the agent")
            assert await page.evaluate("window.seatStats.transfers") == 1
            assert await page.locator("#colleague").is_hidden()
        finally:
            for desk in (host, guest):
                await desk.close()
            for ws in (a, b):
                await ws.close()
