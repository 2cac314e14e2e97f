"""The hub's own citizen page, in a real Chromium, passes the conformance kit: a citizen
using it logs in, queues, offers, sends media both ways, chats, uploads a photo, gets
the verdict, is hung up on and rates, and the kit finds every step right. And the page
trickles as browsers do (its offer first, every candidate after as it is found) to the
agent's real workstation core, which applies every one.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser

from sandbox.conformance import AgentScript, ConformanceAgent, Outcome, Step
from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.session import CallPhase
from seat_common import catalog
from seat_common.media.ice_policy import candidate_types
from tests.integration.conftest import ALL_SKILLS, CHROMIUM, until
from tests.integration.parties import agent_core, answer_next

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup")



async def test_the_citizen_page_passes_the_conformance_kit(
    browser: Browser, tmp_path: Path
) -> None:
    skills = tuple(catalog.load().skills)
    async with HubProcess([SeatSpec("C01", "一致性测试坐席", skills=skills)]) as hub:
        agent = ConformanceAgent(hub.url, hub.tokens["C01"], "citizen", AgentScript(
            require=frozenset({Step.CHAT, Step.UPLOAD, Step.RATING}), rating_wait_s=60.0))
        await agent.log_in()
        serving = asyncio.get_running_loop().create_task(agent.serve_one())
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await page.goto(f"{hub.page_url}?item=SI-UNEMP-QUERY")
            await page.get_by_role("button", name="开始视频连线").click()
            await page.get_by_text("本次通话将录音录像").wait_for(timeout=30_000)
            await page.get_by_text("一致性测试坐席").first.wait_for(timeout=30_000)
            await page.get_by_text("请回复一句话").wait_for(timeout=60_000)
            await page.get_by_placeholder("输入消息，按回车发送").fill("好的，这就上传")
            await page.keyboard.press("Enter")
            photo = tmp_path / "身份证正面.jpg"
            Image.new("RGB", (1600, 1200), (200, 190, 170)).save(photo, "JPEG", quality=90)
            await page.set_input_files("#photo", [str(photo)])
            await page.get_by_text("需要补正：模糊不清").wait_for(timeout=60_000)
            await page.get_by_text("请为本次服务评分").wait_for(timeout=60_000)
            await page.get_by_label("10 分", exact=True).check(force=True)
            await page.get_by_role("button", name="提交评价").click()
            await page.get_by_text("感谢您的评价").wait_for()
            report = await asyncio.wait_for(serving, 120)
            await page.screenshot(path=str(tmp_path / "web-conformance.png"), full_page=True)
            await page.close()
        finally:
            serving.cancel()
            await agent.close()
    assert report.passed, report.text()
    passed = {r.step for r in report.ordered() if r.outcome is Outcome.PASS}
    assert passed == {Step.HELLO, Step.QUEUE, Step.OFFER_ANSWER, Step.TRICKLE, Step.MEDIA,
                      Step.CHAT, Step.UPLOAD, Step.VERDICT, Step.HANG_UP, Step.RATING}
    assert "rated the call 10/10" in report.text()


async def test_the_page_trickles_its_candidates_and_the_workstation_keeps_every_one(
    browser: Browser,
) -> None:
    async with (HubProcess([SeatSpec("0012", "张三", skills=ALL_SKILLS)]) as hub,
                agent_core(hub, ready=True) as workstation):
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        await page.goto(f"{hub.page_url}?item=SI-UNEMP-QUERY")
        await page.get_by_role("button", name="开始视频连线").click()
        session = (await answer_next(workstation)).session
        await until(lambda: session.phase is CallPhase.CONNECTED, "the media connect", 40)
        await until(lambda: session.frames.received >= 10, "the browser's video arrives", 40)
        # The page sent its offer at once, before gathering: the candidates came as ice.
        sent = [c for c in await page.evaluate("window.seatStats.candidatesSent") if c]
        assert sent and candidate_types(session.remote_sdp) == set(), session.remote_sdp
        await until(lambda: len(session.remote_candidates) >= len(sent),
                    "every candidate reaches the agent")
        assert sorted(session.remote_candidates) == sorted(sent)
        assert session.candidates.refused == [] and session.candidates.dropped == 0
        assert session.candidates.applied == len(sent)
        assert session.remote_candidates_known() >= 1
        await workstation.hang_up()
        await page.get_by_text("请为本次服务评分").wait_for()
        assert await page.evaluate("window.seatStats.errors") == []
        await page.close()
