"""The official account's (公众号) entry is a real channel: the hub serves the citizen page
as ``/?channel=oa`` with the official account's items, the citizen queues on
``official_account``, the agent's queue and offer carry it, and the figures count it apart
from the web page's; an unknown ``channel`` in the address is a clear Chinese error page,
never the web page in its place. In Chromium, against a real hub; screenshots in out/page/.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.async_api import Browser, Page
from websockets.asyncio.client import ClientConnection, connect

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common import catalog, protocol
from seat_hub.reports import cli as report_cli
from seat_hub.reports.contact_figures import summarise
from tests.integration.conftest import CHROMIUM

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup")

OUT = Path(__file__).resolve().parents[2] / "out" / "page"
PHONE = {"width": 390, "height": 844}
T = TypeVar("T")


def base_of(hub: HubProcess) -> str:
    return hub.url.replace("ws://", "http://").removesuffix("/ws")


async def next_of(agent: ClientConnection, kind: type[T], timeout_s: float = 30.0) -> T:
    """The agent's next message of ``kind`` (others skipped)."""
    async def read() -> T:
        while True:
            message = protocol.decode(await agent.recv())
            if isinstance(message, kind):
                return message
    return await asyncio.wait_for(read(), timeout_s)


async def join(page: Page, url: str) -> None:
    await page.goto(url)
    await page.locator("#item-count", has_text="共").wait_for()
    await page.get_by_role("button", name="开始视频连线").click()
    await page.locator("#queue").wait_for()


async def test_an_unknown_channel_in_the_address_is_a_clear_error_not_the_web_page(
    browser: Browser,
) -> None:
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))]) as hub:
        base = base_of(hub)
        page = await browser.new_page(viewport=PHONE)  # type: ignore[arg-type]
        response = await page.goto(f"{base}/?channel=wechat&item=SI-UNEMP-QUERY")
        assert response is not None and response.status == 400
        await page.get_by_text("入口地址有误").first.wait_for()
        assert await page.get_by_text("“wechat”无法识别").is_visible()
        assert await page.get_by_role("link", name="公众号入口").is_visible()
        assert await page.locator("#join").count() == 0, "no page to queue from"
        OUT.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(OUT / "channel-unknown-phone.png"))
        for bad in ("/?channel=", "/?channel=oa&channel=web", "/index.html?channel=OA",
                    "/items.json?channel=wx", "/?channel=%3Cb%3Ex%3C/b%3E"):
            answer = await page.request.get(f"{base}{bad}")
            assert answer.status == 400, bad
            assert "<b>" not in await answer.text(), "what the address said is shown as text"
        for good in ("/", "/?channel=web", "/?channel=oa", "/items.json?channel=oa"):
            assert (await page.request.get(f"{base}{good}")).status == 200, good
        await page.close()


async def test_the_official_account_entry_queues_as_oa_and_the_report_counts_it_apart(
    browser: Browser, tmp_path: Path
) -> None:
    shipped = catalog.load()
    started = time.time()
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))]) as hub:
        base = base_of(hub)
        oa = await browser.new_page(viewport=PHONE)  # type: ignore[arg-type]
        await oa.goto(f"{base}/?channel=oa")
        await oa.locator("#item-count", has_text="共").wait_for()
        listed = await oa.evaluate("fetch('items.json?channel=oa').then((r) => r.json())")
        assert {i["code"] for i in listed} == {
            i.code for i in shipped.items.values() if "official_account" in i.channels}
        assert await oa.evaluate("window.seatStats.itemsShown") == len(listed)
        everything = await oa.evaluate("fetch('items.json').then((r) => r.json())")
        assert len(everything) > len(listed), "the web page offers more items"

        async with connect(hub.url) as agent:
            await agent.send(protocol.encode(protocol.Hello(role="agent",
                                                            token=hub.tokens["0012"])))
            await next_of(agent, protocol.Welcome)
            await join(oa, f"{base}/?channel=oa&item=SI-UNEMP-QUERY")
            await oa.screenshot(path=str(OUT / "channel-oa-queued-phone.png"))
            web = await browser.new_page(viewport=PHONE)  # type: ignore[arg-type]
            await join(web, f"{base}/?item=SI-UNEMP-QUERY")
            while True:
                snapshot = await next_of(agent, protocol.QueueSnapshot)
                if len(snapshot.entries) == 2:
                    break
            assert [e.channel for e in snapshot.entries] == ["official_account", "web"]
            await agent.send(protocol.encode(protocol.SetState("ready")))
            offer = await next_of(agent, protocol.Offer)
            assert offer.channel == "official_account"  # the first in the queue
            await oa.close()
            await web.close()

        # The figures count each entry apart: by channel, and the report names it 公众号.
        orders = await report_cli.read_work_orders(hub.db_path, started - 1, time.time() + 1)
        figures = summarise(orders, shipped, by=("channel",))
        by_channel = {code: g.work_orders for code, g in figures.breakdowns["channel"].items()}
        assert by_channel == {"official_account": 1, "web": 1}
        pdf = tmp_path / "report.pdf"
        assert await asyncio.to_thread(report_cli.main, [
            "--db", str(hub.db_path), "--day", date.today().isoformat(),
            "--by", "channel", "--out", str(pdf)]) == 0
        done = await asyncio.to_thread(subprocess.run, ["pdftotext", "-layout", str(pdf), "-"],
                                       capture_output=True, text=True, check=True)
        text = done.stdout
        assert "公众号" in text and "网页" in text
