"""A supervisor watches a live call and barges in: real hub, real aiortc peers, no windows.

The citizen (simulated, stamped camera, 400 Hz voice) calls agent 0012,
whose workstation speaks at 700 Hz. Supervisor S01 watches: the citizen's
stamped frames and both voices reach the supervisor through the agent's
workstation. When the supervisor (1000 Hz) barges in, the citizen hears
them; before and after, the citizen does not.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from sandbox.camera import HeardAudio, ToneAudioTrack, read_stamp
from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_client.media.devices import SyntheticMedia
from seat_client.media.local_media import CameraTrack, GatedAudioTrack, PatternCameraTrack
from seat_client.supervision.watch_relay import WatchRelay
from seat_client.supervision.watch_viewer import WatchViewer
from seat_common import protocol
from tests.integration.conftest import ALL_SKILLS, until

CITIZEN_HZ, AGENT_HZ, SUPERVISOR_HZ = 400.0, 700.0, 1000.0
#: A tone counts as heard above this amplitude (the tones are sent at 0.03–0.1).
HEARD, SILENT = 0.01, 0.003


class AgentTone(SyntheticMedia):
    """The agent speaks a tone of its own."""

    def call_media(self) -> tuple[CameraTrack, GatedAudioTrack]:
        return PatternCameraTrack(), GatedAudioTrack(ToneAudioTrack(AGENT_HZ, 0.05))


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    seats = [SeatSpec("0012", "张三", skills=ALL_SKILLS),
             SeatSpec("S01", "王督导", role="supervisor")]
    async with HubProcess(seats, ring_timeout=10.0) as process:
        yield process


async def test_the_supervisor_sees_and_hears_the_call_and_barges_in(hub: HubProcess) -> None:
    agent_link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=hub.tokens["0012"]))
    workstation = Workstation(agent_link, media=AgentTone())
    relay = WatchRelay(workstation)
    sup_link = HubLink(hub.url, lambda: protocol.Hello(role="supervisor", token=hub.tokens["S01"]))
    viewer = WatchViewer(sup_link.send, lambda: GatedAudioTrack(ToneAudioTrack(SUPERVISOR_HZ, 0.1)))
    sup_link.message.connect(viewer.apply)
    heard_by_supervisor = HeardAudio()
    viewer.audio_arrived.connect(heard_by_supervisor.add)
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
                               script=CitizenScript(give_up_after_s=60))
    agent_link.start()
    sup_link.start()
    run = asyncio.get_running_loop().create_task(citizen.run())
    try:
        await until(lambda: agent_link.state is LinkState.CONNECTED
                    and sup_link.state is LinkState.CONNECTED, "both log in")
        await workstation.set_ready()
        await until(lambda: workstation.offer is not None, "the offer rings")
        await workstation.accept()
        await until(lambda: workstation.call is not None
                    and workstation.call.session.frames.received > 5, "the call's video flows")

        await viewer.watch("0012")
        await until(lambda: relay.state is not None, "the agent learns it is watched")
        assert relay.state is not None and relay.state.supervisor_name == "王督导"
        await until(lambda: viewer.frames.received > 20,
                    "the citizen's video reaches the supervisor")
        newest = viewer.frames.newest()
        assert newest is not None and read_stamp(newest.frame) is not None, (
            "the supervisor sees the citizen's own (stamped) camera")
        await asyncio.sleep(1.0)
        assert heard_by_supervisor.tone(CITIZEN_HZ) > HEARD, "the citizen's voice"
        assert heard_by_supervisor.tone(AGENT_HZ) > HEARD, "the agent's voice"
        assert citizen.heard.tone(SUPERVISOR_HZ) < SILENT, "a watch alone is silent"

        await viewer.barge_in(True)
        await until(lambda: relay.state is not None and relay.state.phase == "barging",
                    "the agent learns the supervisor barges in")
        await until(lambda: citizen.heard.tone(SUPERVISOR_HZ) > HEARD,
                    "the citizen hears the supervisor", timeout_s=10)
        assert citizen.heard.tone(AGENT_HZ) > HEARD, "and still hears the agent"
        assert heard_by_supervisor.tone(SUPERVISOR_HZ) < HEARD, "no echo of their own voice"

        await viewer.barge_in(False)
        await until(lambda: relay.state is not None and relay.state.phase == "watching",
                    "barge-in ends")
        await asyncio.sleep(0.3)
        citizen.heard.clear()
        await asyncio.sleep(1.2)
        assert citizen.heard.tone(SUPERVISOR_HZ) < SILENT, "the supervisor is no longer heard"

        await viewer.stop()
        await until(lambda: relay.state is None and viewer.state is None, "the watch ends")
        assert viewer.last_end is not None and viewer.last_end.reason == "stopped"
        call = workstation.call
        assert call is not None and not call.session.microphone.mixing
        frames = call.session.frames.received
        await asyncio.sleep(0.5)
        assert call.session.frames.received > frames, "the call goes on after the watch"
        await workstation.hang_up()
        await asyncio.wait_for(run, 20)
    finally:
        await relay.close()
        await viewer.close()
        await workstation.close()
        await sup_link.stop()
        if not run.done():
            run.cancel()
