"""The citizen page's rating in a real browser (Chromium, Playwright): the scale starts with
no score chosen, submitting without a choice asks for one and sends nothing, and only the
citizen's own choice reaches the ledger. The agent here is a protocol client: the rating
needs a call that ended, not its media."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.async_api import Browser
from websockets.asyncio.client import ClientConnection, connect

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common import protocol
from tests.integration.conftest import CHROMIUM
from tests.integration.test_web_channel import stat

M = TypeVar("M")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup")



async def _next(ws: ClientConnection, cls: type[M]) -> M:
    async with asyncio.timeout(30):
        while True:
            message = protocol.decode(await ws.recv())
            if isinstance(message, cls):
                return message


async def test_the_rating_starts_unchosen_and_asks_for_a_choice(
    browser: Browser, tmp_path: Path
) -> None:
    seats = [SeatSpec("0012", "张三", skills=("social_insurance",))]
    async with HubProcess(seats) as hub, connect(hub.url) as agent:
        await agent.send(protocol.encode(protocol.Hello(role="agent", token=hub.tokens["0012"])))
        await agent.send(protocol.encode(protocol.SetState(state="ready")))
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        base = hub.url.replace("ws://", "http://").removesuffix("/ws")
        await page.goto(f"{base}/?item=SI-UNEMP-QUERY")
        await page.get_by_role("button", name="开始视频连线").click()
        offer = await _next(agent, protocol.Offer)
        await agent.send(protocol.encode(protocol.Accept(call_id=offer.call_id)))
        await agent.send(protocol.encode(protocol.Hangup(call_id=offer.call_id)))
        await page.get_by_text("请为本次服务评分").wait_for()

        assert await page.locator("input[name=score]").count() == 10
        assert await page.locator("input[name=score]:checked").count() == 0
        hint = page.get_by_text("请先选择 1–10 分中的一个分数，再提交评价。")
        assert not await hint.is_visible()
        await page.get_by_role("button", name="提交评价").click()
        await hint.wait_for()
        assert await stat(page, "unchosenRatings") == 1
        assert await stat(page, "state") == "rate"  # still asking, nothing sent
        await page.screenshot(path=str(tmp_path / "rating-unchosen.png"))

        await page.get_by_label("7 分", exact=True).check(force=True)
        assert not await hint.is_visible()
        await page.get_by_role("button", name="提交评价").click()
        await page.get_by_text("感谢您的评价").wait_for()
        # Had the first click sent a score, the hub would hold it and refuse this one.
        rows = await asyncio.to_thread(
            hub_rows, hub, "SELECT rating FROM work_orders WHERE id = ?", offer.work_order_id
        )
        assert rows == [(7,)]
        await page.close()


def hub_rows(hub: HubProcess, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(hub.db_path) as db:
        return list(db.execute(sql, params))
