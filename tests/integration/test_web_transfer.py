"""A cold transfer seen from the citizen page in Chromium: the page says "正在为您转接…",
drops the first agent's media, and offers its media afresh to the next agent, who got the
first agent's note with the offer. The agents are plain protocol clients. A screenshot of
the waiting page at 1366×768 is saved under ``out/page/``."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pytest
from playwright.async_api import Browser
from websockets.asyncio.client import ClientConnection, connect

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common import protocol
from tests.integration.conftest import CHROMIUM

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup")

OUT = Path(__file__).resolve().parents[2] / "out" / "page"
#: the status line's text (its start), whether it is in the calm style, and its colour
STATUS_TONE = ("(() => { const s = document.getElementById('status');"
               " return [s.textContent.slice(0, 7), s.classList.contains('info'),"
               " getComputedStyle(s).color]; })()")
M = TypeVar("M")


async def next_of(ws: ClientConnection, kind: type[M], timeout_s: float = 20.0) -> M:
    while True:
        message = protocol.decode(await ws.recv(timeout_s))  # type: ignore[call-arg]
        if isinstance(message, kind):
            return message


async def agent(hub: HubProcess, agent_id: str, ready: bool) -> ClientConnection:
    ws = await connect(hub.url)
    await ws.send(protocol.encode(protocol.Hello(role="agent", token=hub.tokens[agent_id])))
    await next_of(ws, protocol.Welcome)
    if ready:
        await ws.send(protocol.encode(protocol.SetState(state="ready")))
    return ws


async def test_the_page_says_it_is_transferring_and_calls_the_next_agent(
    browser: Browser
) -> None:
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",)),
             SeatSpec("b1", "李四", skills=("medical_insurance",))]
    async with HubProcess(seats, ring_timeout=30.0) as hub:
        a = await agent(hub, "a1", ready=True)
        b = await agent(hub, "b1", ready=False)
        page = await browser.new_page(viewport={"width": 1366, "height": 768})
        base = hub.url.replace("ws://", "http://").removesuffix("/ws")
        await page.goto(f"{base}/?item=SI-UNEMP-QUERY")
        await page.get_by_role("button", name="开始视频连线").click()
        offer = await next_of(a, protocol.Offer)
        await a.send(protocol.encode(protocol.Accept(call_id=offer.call_id)))
        await page.locator("#call").wait_for()
        await next_of(a, protocol.Sdp)  # the page's offer to A

        await a.send(protocol.encode(protocol.Transfer(
            call_id=offer.call_id, to_kind="item", to="MI-REMOTE-FILING", note="转医保备案")))
        try:
            await page.get_by_text("正在为您转接…").first.wait_for(timeout=8000)
        except Exception:
            raise AssertionError(await page.evaluate("JSON.stringify(window.seatStats)")) from None
        notices = await page.evaluate("window.seatStats.transferNotices")
        assert notices and notices[0].startswith("waiting: 正在为您转接…")
        # News, not a fault: the status line is calm, not the red of an error.
        assert await page.evaluate(STATUS_TONE) == ["正在为您转接…", True, "rgb(31, 35, 40)"]
        OUT.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(OUT / "transfer-waiting-laptop.png"))

        await b.send(protocol.encode(protocol.SetState(state="ready")))
        second = await next_of(b, protocol.Offer)
        assert second.transfer and second.transfer[0].note == "转医保备案"
        await b.send(protocol.encode(protocol.Accept(call_id=second.call_id)))
        sdp = await next_of(b, protocol.Sdp)  # the page offers its media to B
        assert sdp.call_id == second.call_id and sdp.sdp_type == "offer"
        assert await page.evaluate("window.seatStats.transfers") == 1
        for ws in (a, b):
            await ws.close()


async def test_hanging_up_while_waiting_in_a_transfer_ends_the_call_on_the_page(
    browser: Browser
) -> None:
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",)),
             SeatSpec("b1", "李四", skills=("medical_insurance",))]
    async with HubProcess(seats, ring_timeout=30.0) as hub:
        a = await agent(hub, "a1", ready=True)
        page = await browser.new_page(viewport={"width": 1366, "height": 768})
        base = hub.url.replace("ws://", "http://").removesuffix("/ws")
        await page.goto(f"{base}/?item=SI-UNEMP-QUERY")
        await page.get_by_role("button", name="开始视频连线").click()
        offer = await next_of(a, protocol.Offer)
        await a.send(protocol.encode(protocol.Accept(call_id=offer.call_id)))
        await page.locator("#call").wait_for()
        await a.send(protocol.encode(protocol.Transfer(
            call_id=offer.call_id, to_kind="item", to="MI-REMOTE-FILING")))
        await page.get_by_text("正在为您转接…").first.wait_for(timeout=8000)
        await page.locator("#hangup").click()
        await page.locator("#hangup-yes").click()  # nobody serves that queue: leave it
        await page.wait_for_function("window.seatStats.transferLeft === true", timeout=8000)
        # The page said so (a late message of the old call may replace the line after).
        await page.wait_for_function(
            "window.seatStats.said.includes('您已结束通话。')", timeout=8000)
        await a.close()
