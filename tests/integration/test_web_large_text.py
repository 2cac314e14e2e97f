"""The citizen page's large-text and plain mode (大字版) in Chromium, as an older citizen
on a phone (390×844) and on a laptop at 200 % zoom (1366×768 at zoom 2 is a 683×384 CSS
viewport at device scale 2): the switch is remembered, the text grows and says less, every
control is at least 48 px tall, nothing runs off the side, every control is reached by Tab
and on screen when focused, motion follows ``prefers-reduced-motion``, and the agent's
queue shows the citizen chose large text. axe-core finds nothing serious or critical.

Screenshots are saved under ``out/page/`` to be looked at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page
from websockets.asyncio.client import connect

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common import protocol
from tests.integration.a11y import AXE, blocking_violations, keyboard_walk, overflow
from tests.integration.conftest import CHROMIUM

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup")

OUT = Path(__file__).resolve().parents[2] / "out" / "page"
PHONE = {"width": 390, "height": 844}
LAPTOP_200 = {"width": 683, "height": 384}  # 1366×768 at 200 % zoom
VIEWS = {"phone": (PHONE, 1), "laptop-200": (LAPTOP_200, 2)}


def base_of(hub: HubProcess) -> str:
    return hub.url.replace("ws://", "http://").removesuffix("/ws")


async def shot(page: Page, name: str, full: bool = False) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)


async def check_state(page: Page, name: str) -> None:
    """No sideways scrolling, every control reached by Tab and on screen when focused, no
    small touch target, nothing serious for axe."""
    assert (await overflow(page))["extra"] <= 0.5, f"{name}: the page scrolls sideways"
    walk = await keyboard_walk(page)
    assert walk["missed"] == [], f"{name}: Tab never reaches {walk['missed']}"
    assert walk["off_screen"] == [], f"{name}: focused but off screen: {walk['off_screen']}"
    small = await page.evaluate(
        """() => [...document.querySelectorAll("button, select, label.choice, label.upload, "
                  + "a.button-link, input:not([type=radio]):not([type=checkbox]):not([type=file])")]
            .filter((e) => e.getClientRects().length && !e.closest("[hidden]"))
            .filter((e) => e.getBoundingClientRect().height < 47.5)
            .map((e) => e.id || e.textContent.trim().slice(0, 10))""")
    assert small == [], f"{name}: touch targets under 48 px: {small}"
    serious = await blocking_violations(page)
    assert serious == [], f"{name}: axe-core: {serious}"


@pytest.mark.skipif(not AXE.exists(), reason="axe-core: run scripts/setup")
@pytest.mark.parametrize("view", list(VIEWS))
async def test_large_text_is_remembered_plain_reachable_and_told_to_the_agent(
    browser: Browser, view: str
) -> None:
    viewport, scale = VIEWS[view]
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))]) as hub:
        context = await browser.new_context(viewport=viewport,  # type: ignore[arg-type]
                                            device_scale_factor=scale)
        page = await context.new_page()
        await page.goto(f"{base_of(hub)}/")
        await page.locator("#item-count").wait_for()
        switch = page.get_by_role("button", name="大字版")
        assert await switch.get_attribute("aria-pressed") == "false"
        assert await page.evaluate("getComputedStyle(document.body).fontSize") == "18px"
        await check_state(page, f"choose-{view}")

        await switch.click()
        assert await switch.get_attribute("aria-pressed") == "true"
        assert await page.evaluate("getComputedStyle(document.body).fontSize") == "24px"
        assert await page.get_by_text("有工作人员通过视频帮您办事。").is_visible()
        assert not await page.get_by_text("拼音首字母").is_visible(), "plainer words"
        # Remembered on this device: a new visit opens in large text.
        await page.reload()
        await page.locator("#item-count").wait_for()
        assert await page.get_by_role("button", name="大字版：开").get_attribute(
            "aria-pressed") == "true"
        assert await page.evaluate("getComputedStyle(document.body).fontSize") == "24px"
        await shot(page, f"large-choose-{view}", full=True)
        await check_state(page, f"large-choose-{view}")
        # The browser's own letter size carries through (20 px instead of 16 px: ×1.25).
        await page.evaluate("document.documentElement.style.fontSize = '20px'")
        assert await page.evaluate("getComputedStyle(document.body).fontSize") == "30px"
        await page.evaluate("document.documentElement.style.fontSize = ''")

        # Tab and the keyboard alone choose the item and queue.
        await page.get_by_label("查找事项").fill("sy")
        await page.get_by_label("要办的事").select_option("SI-UNEMP-QUERY")
        await page.get_by_role("button", name="开始视频连线").focus()
        await page.keyboard.press("Enter")
        await page.get_by_text("目前没有工作人员在线").wait_for()
        await shot(page, f"large-queue-{view}", full=True)
        await check_state(page, f"large-queue-{view}")

        # The agent's queue says this citizen chose large text.
        async with connect(hub.url) as agent:
            await agent.send(protocol.encode(
                protocol.Hello(role="agent", token=hub.tokens["0012"])))
            for _ in range(10):
                message = protocol.decode(await agent.recv())
                if isinstance(message, protocol.QueueSnapshot) and message.entries:
                    assert [e.large_text for e in message.entries] == [True]
                    break
            else:
                pytest.fail("no queue snapshot with the citizen")
        await page.get_by_role("button", name="取消排队").click()
        await page.locator("#choose").wait_for()

        # Back to the standard size, remembered too.
        await page.get_by_role("button", name="大字版：开").click()
        await page.reload()
        await page.locator("#item-count").wait_for()
        assert await page.evaluate("getComputedStyle(document.body).fontSize") == "18px"
        assert await page.get_by_text("拼音首字母").is_visible()
        await context.close()


async def test_motion_follows_the_browsers_reduced_motion_setting(browser: Browser) -> None:
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))]) as hub:
        for motion, duration in (("reduce", "0s"), ("no-preference", "0.2s, 0.2s")):
            context = await browser.new_context(viewport=PHONE,  # type: ignore[arg-type]
                                                reduced_motion=motion)  # type: ignore[arg-type]
            page = await context.new_page()
            await page.goto(f"{base_of(hub)}/")
            assert await page.evaluate(
                "getComputedStyle(document.getElementById('large-text')).transitionDuration"
            ) == duration
            await context.close()
