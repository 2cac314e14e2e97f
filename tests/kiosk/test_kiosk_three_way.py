"""A kiosk citizen with a supervisor joined from the seat wall: the kiosk's screen shows the
agent's picture and, inset on it, the supervisor's (relayed by the agent's workstation on
the kiosk's second video section) captioned 值班长; when the supervisor leaves, the inset
goes at once and the agent's picture goes on. Real hub, a workstation core for the agent,
a ``WatchViewer`` for the wall. Screenshots under ``out/kiosk/``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pytestqt.qtbot import QtBot

from sandbox.hub_process import HubProcess, SeatSpec
from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.peer import KioskPeer
from sandbox.kiosk.printer import KioskPrinter
from sandbox.kiosk.screen_track import render_shared_screen
from seat_client.call.consult_desk import ConsultDesk
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.media.local_media import PatternCameraTrack
from seat_client.supervision.watch_relay import WatchRelay
from seat_client.supervision.watch_viewer import WatchViewer
from seat_common import catalog, protocol
from tests.integration.conftest import until
from tests.integration.test_transfer import core

ITEM = "SI-PENSION-CERT"
OUT = Path(__file__).resolve().parents[2] / "out" / "kiosk"


async def test_the_kiosk_shows_a_joined_supervisor_beside_the_agent_until_they_leave(
    qtbot: QtBot, tmp_path: Path
) -> None:
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",)),
             SeatSpec("S01", "王督导", role="supervisor")]
    async with HubProcess(seats, workdir=tmp_path / "hub", ring_timeout=30.0) as hub:
        a = core(hub, "a1")
        relay = WatchRelay(a)
        token = hub.tokens["S01"]
        sup_link = HubLink(hub.url, lambda: protocol.Hello(role="supervisor", token=token))
        viewer = WatchViewer(sup_link.send, camera=lambda: PatternCameraTrack(320, 240))
        sup_link.message.connect(viewer.apply)
        items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
        window = KioskWindow("沙田镇", items)
        qtbot.addWidget(window)
        window.show()
        peer = KioskPeer(hub.url, window, KioskPrinter(tmp_path / "printer"),
                         item_code=ITEM, reply_timeout_s=10, login=hub.kiosk_login())
        report = peer.report
        contact: asyncio.Task[object] | None = None
        try:
            a.link.start()
            sup_link.start()
            await until(lambda: a.link.state is LinkState.CONNECTED
                        and sup_link.state is LinkState.CONNECTED, "both log in")
            await a.set_ready()
            contact = asyncio.create_task(peer.run(give_up_after_s=120))
            await until(lambda: a.offer is not None, "A's offer")
            await a.accept()
            await until(lambda: report.agent_frames >= 10, "the kiosk shows the agent")
            assert window.video.isVisible()
            assert window.video.third.isHidden()  # two parties: one picture
            assert report.third_party_frames == 0

            await viewer.watch("a1", join=True)
            await until(lambda: relay.state is not None and relay.state.phase == "joined",
                        "the supervisor joins")
            await until(lambda: report.third_party_frames >= 15,
                        "the kiosk shows the supervisor")
            assert window.video.third.isVisible()
            assert window.video.third_caption.text() == "值班长"
            assert window.status.text().startswith("值班长已加入通话")
            moving = report.agent_frames
            await until(lambda: report.agent_frames >= moving + 10, "and still the agent")
            OUT.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(OUT / "supervisor-joined.png"))
            window.set_large_text(True)
            await until(lambda: report.third_party_frames >= 25, "still the supervisor")
            window.grab().save(str(OUT / "supervisor-joined-large.png"))
            # The agent sees the kiosk's screen with both pictures on it too.
            assert not render_shared_screen(window, window.personal_widgets).isNull()
            window.set_large_text(False)

            await viewer.join(False)
            await until(lambda: len(report.party_notices) == 2, "the kiosk is told")
            assert report.party_notices[1] == "left: 值班长已离开通话。"
            assert window.video.third.isHidden()  # at once, with the notice
            assert report.third_party_log[:2] == ["shown: 值班长", "hidden: left"]
            after = report.agent_frames
            await until(lambda: report.agent_frames >= after + 10, "the agent goes on")
            assert window.video.third.isHidden()
            assert window.video.third_caption.text() == "会商同事"

            await peer.hang_up()
            await asyncio.wait_for(contact, 30)
            assert not window.video.isVisible()  # the call's pictures end with it
        finally:
            if contact is not None and not contact.done():
                contact.cancel()
            await relay.close()
            await viewer.close()
            await sup_link.stop()
            await a.close()


async def test_the_kiosk_shows_a_consulted_colleague_in_a_three_way_call_until_it_ends(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A consults B and brings B in: the kiosk shows B inset (会商同事) and says who joined;
    A returning to the citizen alone ends the consult, and B's picture goes at once (the
    hub's ``party_update``, not the 1.5 s stall of the relay's frames)."""
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",)),
             SeatSpec("b1", "李四", skills=("medical_insurance",))]
    async with HubProcess(seats, workdir=tmp_path / "hub", ring_timeout=30.0) as hub:
        a, b = core(hub, "a1"), core(hub, "b1")
        host, guest = ConsultDesk(a), ConsultDesk(b)
        items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
        window = KioskWindow("沙田镇", items)
        qtbot.addWidget(window)
        window.show()
        peer = KioskPeer(hub.url, window, KioskPrinter(tmp_path / "printer"),
                         item_code=ITEM, reply_timeout_s=10, login=hub.kiosk_login())
        report = peer.report
        contact: asyncio.Task[object] | None = None
        try:
            for ws in (a, b):
                ws.link.start()
            await until(lambda: a.link.state is LinkState.CONNECTED
                        and b.link.state is LinkState.CONNECTED, "both agents log in")
            await a.set_ready()
            await b.set_ready()
            contact = asyncio.create_task(peer.run(give_up_after_s=120))
            await until(lambda: a.offer is not None, "A's offer")
            await a.accept()
            await until(lambda: report.agent_frames >= 10, "the kiosk shows A")

            await host.consult("agent", "b1", "请帮忙")
            await until(lambda: guest.state is not None, "B's seat rings")
            await guest.answer(True)
            await until(lambda: host.frames is not None and host.frames.received >= 5,
                        "A sees B")
            assert window.video.third.isHidden()  # the citizen is on hold, not yet three-way
            await host.choose("three_way")
            await until(lambda: report.third_party_frames >= 15, "the kiosk shows B")
            assert window.video.third.isVisible()
            assert window.video.third_caption.text() == "会商同事"
            OUT.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(OUT / "three-way-colleague.png"))

            await host.choose("return")
            await until(lambda: window.video.third.isHidden(), "B's picture goes")
            assert report.third_party_log == ["shown: 会商同事", "hidden: left"]
            assert report.party_notices == ["joined: 业务同事李四已加入通话，可以看到和听到您。",
                                            "left: 业务同事李四已离开通话。"]
            after = report.agent_frames
            await until(lambda: report.agent_frames >= after + 10, "A goes on")
            assert window.video.third.isHidden()
            await peer.hang_up()
            await asyncio.wait_for(contact, 30)
        finally:
            if contact is not None and not contact.done():
                contact.cancel()
            for desk in (host, guest):
                await desk.close()
            for ws in (a, b):
                await ws.close()
