"""A citizen client written from docs/protocol.md alone (``doc_client``: no Seat code)
gets through a whole call on a real hub, and the conformance kit finds every step
right: the document is all a client team needs.
"""

from __future__ import annotations

import asyncio

from doc_client import DocCitizen

from sandbox.conformance import AgentScript, ConformanceAgent, Outcome, Step
from sandbox.hub_process import HubProcess, SeatSpec
from seat_common import catalog
from seat_common.media import ice_policy


async def test_a_client_written_from_the_document_alone_passes_every_step() -> None:
    ice_policy.apply_from_environment()  # the test's own rule: media stay on loopback
    skills = tuple(catalog.load().skills)
    async with HubProcess([SeatSpec("C01", "一致性测试坐席", skills=skills)]) as hub:
        agent = ConformanceAgent(hub.url, hub.tokens["C01"], "citizen", AgentScript(
            require=frozenset({Step.CHAT, Step.UPLOAD, Step.RATING})))
        await agent.log_in()
        client = DocCitizen(hub.url, "SI-UNEMP-QUERY", "文档读者")
        run = asyncio.get_running_loop().create_task(client.run())
        try:
            report = await agent.serve_one()
            result = await asyncio.wait_for(run, 60)
        finally:
            run.cancel()
            await agent.close()
    assert report.passed, report.text()
    assert {r.step for r in report.ordered() if r.outcome is Outcome.PASS} == {
        Step.HELLO, Step.QUEUE, Step.OFFER_ANSWER, Step.TRICKLE, Step.MEDIA, Step.CHAT,
        Step.UPLOAD, Step.VERDICT, Step.HANG_UP, Step.RATING}
    assert "0 in the offer" in report.text()  # every candidate was trickled after the offer
    assert result.errors == []
    assert result.item_name == "失业保险个人明细查询"
    assert result.verdict_texts == ["id_card：模糊不清"]  # the reason in Chinese, from the catalog
    assert result.frames_received > 0 and result.rated and result.recorded_notice_shown
