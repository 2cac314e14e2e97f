"""The simulated kiosk passes the conformance kit on a real hub: it logs in with its
device token, queues on the kiosk channel, offers its camera, its shared screen and the
assist channel, and its media flow both ways. (It has no chat, upload or rating: the
kit says so as NOT TRIED, which a kiosk client may be.)
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from pytestqt.qtbot import QtBot

from sandbox.conformance import AgentScript, ConformanceAgent, Outcome, Step
from sandbox.hub_process import HubProcess, SeatSpec
from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.peer import KioskPeer
from sandbox.kiosk.printer import KioskPrinter
from seat_common import catalog


async def test_the_simulated_kiosk_passes_the_conformance_kit(
    qtbot: QtBot, tmp_path: Path
) -> None:
    shipped = catalog.load()
    items = [i for i in shipped.items.values() if "kiosk" in i.channels]
    window = KioskWindow("沙田镇", items)
    qtbot.addWidget(window)
    window.show()
    async with HubProcess([SeatSpec("C01", "一致性测试坐席", skills=tuple(shipped.skills))]) as hub:
        agent = ConformanceAgent(hub.url, hub.tokens["C01"], "kiosk",
                                 AgentScript(feature_wait_s=5.0, rating_wait_s=2.0))
        await agent.log_in()
        peer = KioskPeer(hub.url, window, KioskPrinter(tmp_path / "printer"),
                         item_code="SI-PENSION-CERT", login=hub.kiosk_login())
        run = asyncio.get_running_loop().create_task(peer.run(give_up_after_s=120))
        try:
            report = await agent.serve_one()
            await asyncio.wait_for(run, 30)
        finally:
            await agent.close()
    assert report.passed, report.text()
    passed = {r.step for r in report.ordered() if r.outcome is Outcome.PASS}
    assert passed >= {Step.HELLO, Step.QUEUE, Step.OFFER_ANSWER, Step.TRICKLE, Step.MEDIA,
                      Step.ASSIST, Step.HANG_UP}
    assert report.outcome(Step.UPLOAD) is Outcome.NOT_TRIED
    assert "channel kiosk" in report.text()
