"""The citizen is told what the agent's camera and microphone do, through a real hub.

The workstation's core (no window) on a real hub process, a simulated citizen (real
aiortc peer) in the call: the state goes out when the call starts and again on every
change the agent makes, and the citizen's report shows the last one it got.
"""

from __future__ import annotations

import asyncio

from sandbox.citizen import CitizenReport, CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_common import protocol
from tests.integration.conftest import until
from tests.integration.parties import answer_next


def agent_told(report: CitizenReport) -> tuple[str, str] | None:
    media = report.agent_media
    return None if media is None else (media.camera, media.microphone)


async def test_the_citizen_is_told_when_the_agent_turns_the_camera_off_or_mutes(
    hub: HubProcess,
) -> None:
    token = hub.tokens["0012"]
    workstation = Workstation(HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token)))
    workstation.link.start()
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                               script=CitizenScript(give_up_after_s=120))
    run = asyncio.get_running_loop().create_task(citizen.run())
    try:
        await until(lambda: workstation.link.state is LinkState.CONNECTED, "login")
        await workstation.set_ready()
        await answer_next(workstation)
        report = citizen.report
        await until(lambda: agent_told(report) == ("on", "on"), "told at the start of the call")
        assert report.agent_media is not None
        assert report.agent_media.call_id == report.call_id

        workstation.set_camera_enabled(False)
        await until(lambda: agent_told(report) == ("off", "on"), "told the camera is off")
        workstation.set_microphone_muted(True)
        await until(lambda: agent_told(report) == ("off", "muted"), "told the agent muted")
        workstation.set_camera_available(False)
        await until(lambda: agent_told(report) == ("unavailable", "muted"),
                    "told the camera is gone")
        workstation.set_camera_available(True)
        workstation.set_camera_enabled(True)
        workstation.set_microphone_muted(False)
        await until(lambda: agent_told(report) == ("on", "on"), "told all is back on")
        # Setting what already holds tells nobody anything: the next real change is the
        # only message after it (sends go out in the order they were asked for).
        workstation.set_camera_enabled(True)
        workstation.set_microphone_muted(False)
        workstation.set_camera_available(True)
        workstation.set_camera_enabled(False)
        await until(lambda: agent_told(report) == ("off", "on"), "told the camera is off again")
        # One message for each state the citizen could see: the start, camera off, muted,
        # camera gone, all back on (three changes made at once are told once), camera off.
        assert report.agent_media_updates == 6
        await workstation.hang_up()
        final = await asyncio.wait_for(run, 30)
        assert final.ended_by == "agent"
        assert final.errors == [], final.errors
    finally:
        run.cancel()
        await workstation.close()


async def test_an_agent_without_a_camera_says_so_when_the_call_starts(hub: HubProcess) -> None:
    token = hub.tokens["0012"]
    workstation = Workstation(HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token)))
    workstation.set_camera_available(False)  # no call yet: nothing to tell
    workstation.set_microphone_muted(True)
    workstation.link.start()
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                               script=CitizenScript(give_up_after_s=120))
    run = asyncio.get_running_loop().create_task(citizen.run())
    try:
        await until(lambda: workstation.link.state is LinkState.CONNECTED, "login")
        await workstation.set_ready()
        await until(lambda: workstation.offer is not None, "the offer rings")
        await workstation.accept()
        report = citizen.report
        await until(lambda: agent_told(report) == ("unavailable", "muted"),
                    "told at the start of the call")
        # The call itself goes on: the agent's (dark) picture and voice still reach the citizen.
        await until(lambda: report.frames_received > 0 and report.audio_frames_received > 0,
                    "media flows")
        await workstation.hang_up()
        final = await asyncio.wait_for(run, 30)
        assert final.ended_by == "agent"
        assert final.agent_media_updates == 1
        assert final.errors == [], final.errors
    finally:
        run.cancel()
        await workstation.close()
