"""Relay-only calls through a real coturn: the hub hands out TURN credentials at login, the
workstation core (aiortc), the simulated citizen and Chromium's citizen page connect only
through the relay, and the SDP each side sends offers nothing but ``typ relay``.

coturn accepting the hub's credentials is the proof that they follow its TURN REST scheme
(``use-auth-secret``); a hub with the wrong secret gets every allocation refused, and the
call fails where a person sees it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, WebSocketRoute

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess
from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.peer import KioskPeer
from sandbox.kiosk.printer import KioskPrinter
from sandbox.turn_process import TurnProcess
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.session import CallPhase
from seat_client.call.workstation import Notice, Workstation
from seat_client.supervision.watch_relay import WatchRelay
from seat_client.supervision.watch_viewer import WatchViewer
from seat_common import catalog, protocol
from seat_common.media.ice_policy import candidate_types
from tests.integration.conftest import CHROMIUM, until
from tests.integration.parties import agent_and_supervisor, agent_core


@pytest.fixture
def turn() -> Iterator[TurnProcess]:
    with TurnProcess() as process:
        yield process


def relay_hub(turn: TurnProcess, secret_file: Path | None = None) -> HubProcess:
    """A hub whose parties may send media only through ``turn``."""
    return HubProcess(
        agent_and_supervisor(), ring_timeout=10.0,
        extra_args=[
            "--turn", turn.url,
            "--turn-secret-file", str(secret_file or turn.secret_path),
            "--ice-policy", "relay",
        ],
    )




async def accept_next(workstation: Workstation) -> None:
    await until(lambda: workstation.offer is not None, "the offer rings")
    await workstation.accept()
    # A call that fails at once may be over by the time we look.
    await until(lambda: workstation.call is not None or workstation.wrap_up is not None,
                "the call starts")


async def test_a_relay_only_call_with_a_simulated_citizen_goes_through_coturn(
    turn: TurnProcess,
) -> None:
    async with relay_hub(turn) as hub, agent_core(hub, ready=True) as ws:
        assert ws.ice.relay_only and ws.ice.servers[0].url == turn.url
        citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
                                   script=CitizenScript())
        run = asyncio.get_running_loop().create_task(citizen.run())
        await accept_next(ws)
        assert ws.call is not None
        session = ws.call.session
        await until(lambda: session.phase is CallPhase.CONNECTED, "the media connects")
        await until(lambda: session.frames.received >= 10, "the citizen's video arrives")
        await until(lambda: citizen.report.frames_received >= 10, "the agent's video arrives")

        assert candidate_types(session.remote_sdp) == {"relay"}, session.remote_sdp
        assert candidate_types(session.local_sdp) == {"relay"}, session.local_sdp
        assert citizen.report.offer_sdp == session.remote_sdp
        assert citizen.report.ice_policy == "relay"
        # Both ends hold a relay on coturn, each under its own party id.
        assert turn.allocations("0012") >= 1
        assert turn.allocations(citizen.report.session_id) >= 1

        await ws.hang_up()
        report = await asyncio.wait_for(run, 20)
    assert report.errors == [], report.errors
    assert report.ended_by == "agent"


async def test_a_hub_with_the_wrong_turn_secret_gets_its_calls_refused_visibly(
    turn: TurnProcess, tmp_path: Path,
) -> None:
    wrong = tmp_path / "wrong-secret"
    wrong.write_text("not-the-relays-secret\n", encoding="utf-8")
    async with relay_hub(turn, wrong) as hub, agent_core(hub, ready=True) as ws:
        citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
                                   script=CitizenScript())
        run = asyncio.get_running_loop().create_task(citizen.run())
        await accept_next(ws)
        report = await asyncio.wait_for(run, 30)
        await until(lambda: ws.call is None and ws.wrap_up is not None, "the call ends")
    # The citizen could not get a relay and said so; no address of theirs went out instead.
    assert any("no TURN relay" in error for error in report.errors), report.errors
    assert report.offer_sdp == ""
    assert report.ended_by == "citizen"
    # coturn writes its log line a moment after it answered: read until it is there.
    await until(lambda: turn.refusals(report.session_id) >= 1, "coturn logs the refusal")
    assert turn.allocations(report.session_id) == 0


async def test_a_supervisor_watches_a_relay_only_call_through_the_relay(
    turn: TurnProcess,
) -> None:
    async with relay_hub(turn) as hub, agent_core(hub, ready=True) as ws:
        relay = WatchRelay(ws)
        sup_link = HubLink(
            hub.url, lambda: protocol.Hello(role="supervisor", token=hub.tokens["S01"]))
        viewer = WatchViewer(sup_link.send)
        sup_link.welcome.connect(viewer.take_welcome)
        sup_link.message.connect(viewer.apply)
        sup_link.start()
        citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
                                   script=CitizenScript())
        run = asyncio.get_running_loop().create_task(citizen.run())
        try:
            await until(lambda: sup_link.state is LinkState.CONNECTED, "the supervisor logs in")
            assert viewer.ice.relay_only
            await accept_next(ws)
            await viewer.watch("0012")
            await until(lambda: viewer.frames.received > 10,
                        "the citizen's video reaches the supervisor")
            assert turn.allocations("S01") >= 1, "the supervisor's peer relays on coturn"
            await viewer.stop()
            await until(lambda: viewer.state is None, "the watch ends")
            await ws.hang_up()
            await asyncio.wait_for(run, 20)
        finally:
            await relay.close()
            await viewer.close()
            await sup_link.stop()


async def test_a_kiosk_calls_relay_only_through_coturn(turn: TurnProcess, tmp_path: Path) -> None:
    items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
    kiosk = KioskWindow("沙田镇", items)
    kiosk.show()
    try:
        async with relay_hub(turn) as hub, agent_core(hub, ready=True) as ws:
            peer = KioskPeer(hub.url, kiosk, KioskPrinter(tmp_path / "printer"),
                             item_code="SI-PENSION-CERT", login=hub.kiosk_login())
            run = asyncio.get_running_loop().create_task(peer.run(give_up_after_s=60))
            await accept_next(ws)
            assert ws.call is not None
            session = ws.call.session
            await until(lambda: session.screen_frames.received >= 2, "the kiosk screen arrives")
            assert peer.report.connected
            assert candidate_types(session.remote_sdp) == {"relay"}, session.remote_sdp
            assert candidate_types(session.local_sdp) == {"relay"}, session.local_sdp
            await ws.hang_up()
            report = await asyncio.wait_for(run, 20)
            assert report.errors == [], report.errors
            await until(lambda: session.phase is CallPhase.CLOSED, "the agent's peer closes")
            # aiortc closes its transports in tasks of its own: let them end on this loop.
            await asyncio.sleep(0.5)
    finally:
        kiosk.close()
        kiosk.deleteLater()


# --- the browser ---------------------------------------------------------------------

pytest_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup")



async def queue_on_the_page(page: Page, hub: HubProcess, *, queued: bool = True) -> None:
    base = hub.url.replace("ws://", "http://").removesuffix("/ws")
    await page.goto(f"{base}/?item=SI-UNEMP-QUERY")
    await page.get_by_label("您的称呼（选填）").fill("吴女士")
    await page.get_by_role("button", name="开始视频连线").click()
    if queued:
        await page.get_by_text("正在为您接通").wait_for()


@pytest_chromium
async def test_the_chromium_citizen_page_calls_relay_only_through_coturn(
    turn: TurnProcess, browser: Browser,
) -> None:
    async with relay_hub(turn) as hub, agent_core(hub, ready=True) as ws:
        page = await browser.new_page()
        await queue_on_the_page(page, hub)
        assert await page.evaluate("window.seatStats.icePolicy") == "relay"
        await accept_next(ws)
        assert ws.call is not None
        session = ws.call.session
        await until(lambda: session.phase is CallPhase.CONNECTED, "the media connects", 40)
        await until(lambda: session.frames.received >= 10, "the browser's video arrives", 40)
        for _ in range(400):
            if int(await page.evaluate("window.seatStats.remoteFrames")) >= 10:
                break
            await page.wait_for_timeout(50)
        assert int(await page.evaluate("window.seatStats.remoteFrames")) >= 10

        # What the page sent: the offer and every trickled candidate, relays only.
        offer = str(await page.evaluate("window.seatStats.offerSdp"))
        assert offer == session.remote_sdp
        assert candidate_types(offer) == {"relay"}, offer
        trickled = "\n".join(f"a={c}" for c in session.remote_candidates if c)
        assert candidate_types(trickled) <= {"relay"}, trickled
        assert candidate_types(session.local_sdp) == {"relay"}, session.local_sdp
        assert turn.allocations("0012") >= 1
        await ws.hang_up()
        await page.get_by_text("请为本次服务评分").wait_for()
        assert await page.evaluate("window.seatStats.errors") == []
        await page.close()


@pytest_chromium
async def test_the_page_refuses_a_bad_ice_configuration_from_the_hub(
    turn: TurnProcess, browser: Browser,
) -> None:
    """The page checks the welcome's ICE servers itself: a broken one (here rewritten on
    its way by Playwright's websocket route) is a clear message, and nobody queues."""
    async with relay_hub(turn) as hub:
        page = await browser.new_page()

        def break_the_welcome(route: WebSocketRoute) -> None:
            server = route.connect_to_server()

            def to_page(message: str | bytes) -> None:
                if isinstance(message, str) and '"type":"welcome"' in message:
                    raw = json.loads(message)
                    raw["ice_servers"][0]["url"] = "http://relay.example"
                    message = json.dumps(raw)
                route.send(message)

            server.on_message(to_page)

        await page.route_web_socket("**/ws", break_the_welcome)
        await queue_on_the_page(page, hub, queued=False)
        await page.get_by_text("通话服务配置有误").wait_for()
        # A fault keeps the red of an error (calm news does not: test_web_transfer).
        assert await page.evaluate(
            "getComputedStyle(document.getElementById('status')).color") == "rgb(207, 34, 46)"
        assert "bad_ice_config" in await page.evaluate("window.seatStats.errors")
        assert await page.evaluate("window.seatStats.state") == "choose"
        await page.close()
        assert hub.events("queued") == []


@pytest_chromium
async def test_the_page_says_so_when_the_relay_refuses_it(
    turn: TurnProcess, browser: Browser, tmp_path: Path,
) -> None:
    wrong = tmp_path / "wrong-secret"
    wrong.write_text("not-the-relays-secret\n", encoding="utf-8")
    notices: list[Notice] = []
    async with relay_hub(turn, wrong) as hub, agent_core(hub, ready=True) as ws:
        ws.notice.connect(notices.append)
        page = await browser.new_page()
        await queue_on_the_page(page, hub)
        await accept_next(ws)
        await page.get_by_text("无法连接视频中继服务").wait_for(timeout=30_000)
        assert "no_relay" in await page.evaluate("window.seatStats.errors")
        await until(lambda: ws.call is None, "the agent's call ends too")
        assert ws.wrap_up is not None and ws.wrap_up.ended_by == "citizen"
        await page.close()
