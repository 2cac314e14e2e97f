"""The simulated citizen shares a screen (``seat-sim --share``) as the hub's page does: a
real hub, the workstation's core, a real aiortc citizen. The drawn portal form arrives on
the offer's second video section with no new offer, the workstation decodes it (1280×720,
the portal's red header, not the 640×480 camera) and hears the citizen shares a browser
tab; the agent's pointer reaches the citizen. Bad marks are refused where they enter."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
from aiortc import RTCPeerConnection

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.citizen.screen_share import SCREEN_SIZE, ScreenSharing
from sandbox.hub_process import HubProcess
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.shared_screen import SharedScreen
from seat_client.call.workstation import Workstation
from seat_common import protocol
from seat_common.tasks import TaskOwner
from tests.integration.conftest import until


async def test_a_simulated_citizen_shares_a_form_page_the_workstation_decodes(
    hub: HubProcess,
) -> None:
    token = hub.tokens["0012"]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    ws = Workstation(link)
    shared = SharedScreen(ws, TaskOwner("shared screen"))
    link.start()
    await until(lambda: link.state is LinkState.CONNECTED, "the workstation logs in")
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-BENEFIT", "web", "陈小梅",
                               script=CitizenScript(share=True))
    run = asyncio.get_running_loop().create_task(citizen.run())
    try:
        await ws.set_ready()
        await until(lambda: ws.offer is not None, "the offer")
        await ws.accept()
        await until(lambda: shared.sharing, "the agent hears the citizen shares", 30)
        assert shared.surface == "browser"
        call = ws.call
        assert call is not None
        await until(lambda: call.session.screen_frames.received >= 3,
                    "the shared page is decoded", 30)
        newest = call.session.screen_frames.newest()
        assert newest is not None
        assert (newest.frame.width, newest.frame.height) == SCREEN_SIZE
        rgb = newest.frame.to_ndarray(format="rgb24")
        header = rgb[10:70, 200:1200].reshape(-1, 3).mean(axis=0)
        assert header[0] > 150 and header[1] < 80 and header[2] < 90, header  # #c8102e
        assert call.session.frames.received >= 1  # the camera still comes on the first
        assert int(np.mean(rgb[300:700, 1000:1200])) > 200  # the page's light background

        shared.point(0.5, 0.4)
        await until(lambda: citizen.report.sharing.get("marks_shown", 0) >= 1,
                    "the agent's pointer reaches the citizen")
        assert citizen.report.sharing["last_mark"] == "pointer"
        assert citizen.report.sharing["marks_refused"] == []
        await ws.hang_up()
        report = await asyncio.wait_for(run, 30)
        assert report.sharing["starts"] == 1 and report.sharing["frames_sent"] >= 3
        assert report.offer_sdp.count("m=video") == 2, "one offer, two video sections"
    finally:
        shared.close()
        if not run.done():
            run.cancel()
        await ws.close()


async def test_marks_are_refused_unless_sharing_in_this_call_with_good_points() -> None:
    sent: list[protocol.Message] = []

    async def send(message: protocol.Message) -> None:
        sent.append(message)

    facts: dict[str, Any] = {}
    sharing = ScreenSharing(send, facts)
    pointer = protocol.ShareMark("C-1", "pointer", 1, (protocol.SharePoint(0.5, 0.5),))
    sharing.on_mark(pointer)  # nothing shared yet
    assert facts["marks_refused"] == ["not_sharing"] and facts["marks_shown"] == 0
    pc = RTCPeerConnection()
    try:
        sharing.attach(pc.addTransceiver("video", direction="sendonly").sender)
        await sharing.start("C-1")
        assert sent == [protocol.ScreenShare("C-1", sharing=True, surface="browser")]
        for bad in (
            protocol.ShareMark("C-2", "pointer", 2, (protocol.SharePoint(0.5, 0.5),)),
            protocol.ShareMark("C-1", "pointer", 3, (protocol.SharePoint(1.5, 0.5),)),
            protocol.ShareMark("C-1", "pointer", 4, ()),
            protocol.ShareMark("C-1", "stroke", 5, (protocol.SharePoint(0.1, 0.1),)),
            protocol.ShareMark("C-1", "clear", 6, (protocol.SharePoint(0.1, 0.1),)),
        ):
            sharing.on_mark(bad)
        assert facts["marks_refused"] == ["not_sharing", "not_sharing", "outside", "points",
                                          "points", "points"]
        sharing.on_mark(pointer)
        assert facts["marks_shown"] == 1
        await sharing.stop()
        assert sent[-1] == protocol.ScreenShare("C-1", sharing=False, surface="browser")
        assert not sharing.sharing and facts["stops"] == 1
    finally:
        sharing.detach()
        await pc.close()
