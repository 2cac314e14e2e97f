"""A supervisor joins a live call from the seat wall as its third party: real hub process,
real aiortc peers, no windows.

The citizen (simulated, web channel, stamped camera, 400 Hz voice) calls agent 0012,
whose workstation speaks at 700 Hz and keeps what it hears. The agent raises a hand;
supervisor S01 answers it with one click (``watch_call`` with ``join``): the citizen is
told, receives a second moving picture (the supervisor's stamped camera, relayed by the
agent's workstation) and hears the supervisor (1000 Hz); the agent hears them too; the
supervisor sees both the citizen and the agent. Leaving goes back to watching (the citizen
is told, hears them no more); the audit log has the join and the leave. The bad cases:
joining without a watch, an agent trying to join, joining while a consult is on, and a
consult refused while a supervisor is in the call.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import av
import pytest

from sandbox.camera import HeardAudio, Stamp, StampedCameraTrack, ToneAudioTrack, read_stamp
from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.consult_desk import ConsultDesk
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.session import FrameSlot
from seat_client.call.transfer_desk import TransferDesk
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


class AgentEar(SyntheticMedia):
    """The agent speaks a tone of its own and keeps what its speaker would play."""

    def __init__(self) -> None:
        super().__init__()
        self.heard = HeardAudio()

    def call_media(self) -> tuple[CameraTrack, GatedAudioTrack]:
        return PatternCameraTrack(), GatedAudioTrack(ToneAudioTrack(AGENT_HZ, 0.05))

    def hear(self, frame: av.AudioFrame) -> None:
        self.heard.add(frame)


class StampedCamera(CameraTrack):
    """The supervisor's camera: the sandbox's moving, stamped picture."""

    def __init__(self) -> None:
        super().__init__()
        self._inner = StampedCameraTrack(320, 240, fps=15, first_counter=500_000)

    async def recv(self) -> av.VideoFrame:
        frame = await self._inner.recv()
        assert isinstance(frame, av.VideoFrame)
        return frame

    def stop(self) -> None:
        self._inner.stop()
        super().stop()


class Supervisor:
    """S01's seat wall core: a link, the watch viewer, and every other answer kept."""

    def __init__(self, hub: HubProcess, seat: str = "S01") -> None:
        token = hub.tokens[seat]
        self.link = HubLink(hub.url, lambda: protocol.Hello(role="supervisor", token=token))
        self.viewer = WatchViewer(
            self.link.send, lambda: GatedAudioTrack(ToneAudioTrack(SUPERVISOR_HZ, 0.1)),
            camera=StampedCamera)
        self.answers: list[protocol.Message] = []
        self.heard = HeardAudio()
        self.link.message.connect(self._on_message)
        self.viewer.audio_arrived.connect(self.heard.add)

    def _on_message(self, message: protocol.Message) -> None:
        if not self.viewer.apply(message):
            self.answers.append(message)

    def errors(self) -> list[protocol.Error]:
        return [m for m in self.answers if isinstance(m, protocol.Error)]

    async def audit(self) -> list[protocol.AuditRecord]:
        count = len(self.answers)
        await self.link.send(protocol.FetchAudit(limit=200))
        await until(lambda: any(isinstance(m, protocol.AuditLog)
                                for m in self.answers[count:]), "the audit log arrives")
        log = next(m for m in self.answers[count:] if isinstance(m, protocol.AuditLog))
        return list(log.entries)

    async def close(self) -> None:
        await self.viewer.close()
        await self.link.stop()


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    seats = [SeatSpec("0012", "张三", skills=ALL_SKILLS),
             SeatSpec("0013", "李四", skills=ALL_SKILLS),
             SeatSpec("S01", "王督导", role="supervisor")]
    async with HubProcess(seats, ring_timeout=20.0) as process:
        yield process


def _agent(hub: HubProcess, agent_id: str, media: SyntheticMedia | None = None) -> Workstation:
    token = hub.tokens[agent_id]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    return Workstation(link, media=media or SyntheticMedia())



def _stamp_of(frames: FrameSlot) -> Stamp | None:
    """The stamp of the newest picture in ``frames``, if there is one and it can be read."""
    newest = frames.newest()
    return None if newest is None else read_stamp(newest.frame)


async def test_a_supervisor_joins_from_a_raised_hand_and_leaves(hub: HubProcess) -> None:
    ear = AgentEar()
    workstation = _agent(hub, "0012", ear)
    relay = WatchRelay(workstation)
    desk = TransferDesk(workstation)
    sup = Supervisor(hub)
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                               script=CitizenScript(give_up_after_s=90))
    workstation.link.start()
    sup.link.start()
    run = asyncio.get_running_loop().create_task(citizen.run())
    try:
        await until(lambda: workstation.link.state is LinkState.CONNECTED
                    and sup.link.state is LinkState.CONNECTED, "both log in")
        await workstation.set_ready()
        await until(lambda: workstation.offer is not None, "the offer rings")
        await workstation.accept()
        await until(lambda: citizen.report.frames_received >= 10, "the citizen sees the agent")

        await desk.raise_hand("市民问跨市转移，请值班长帮忙")
        # One click on the wall's 加入通话 beside the raised hand.
        await sup.viewer.watch("0012", join=True)
        await until(lambda: relay.state is not None and relay.state.phase == "joined",
                    "the agent's workstation learns the supervisor joined")
        await until(lambda: bool(citizen.report.party_notices), "the citizen is told")
        assert citizen.report.party_notices[0].startswith("joined: 值班长已加入通话")

        await until(lambda: citizen.report.second_frames_received >= 20,
                    "the citizen receives a second picture", timeout_s=30)
        picture = relay.supervisor_picture
        assert picture is not None
        # The first pictures of a new stream may be too soft to read while the encoder's
        # rate climbs (more so on a busy machine): wait for a readable one.
        await until(lambda: _stamp_of(picture) is not None,
                    "the second picture is the supervisor's own (stamped) camera", timeout_s=30)
        first = _stamp_of(picture)
        assert first is not None
        await until(lambda: (s := _stamp_of(picture)) is not None and s.counter > first.counter,
                    "and it moves", timeout_s=30)
        await until(lambda: sup.viewer.agent_frames.received >= 10
                    and sup.viewer.frames.received >= 10,
                    "the supervisor sees both the agent and the citizen", timeout_s=30)
        await until(lambda: _stamp_of(sup.viewer.frames) is not None,
                    "the supervisor's citizen picture is the citizen's stamped camera",
                    timeout_s=30)
        agents = sup.viewer.agent_frames.newest()
        assert agents is not None and read_stamp(agents.frame) is None, "the agent's pattern"

        await until(lambda: citizen.heard.tone(SUPERVISOR_HZ) > HEARD,
                    "the citizen hears the supervisor", timeout_s=15)
        await until(lambda: ear.heard.tone(SUPERVISOR_HZ) > HEARD,
                    "the agent hears the supervisor", timeout_s=15)
        assert citizen.heard.tone(AGENT_HZ) > HEARD, "and the citizen still hears the agent"
        assert ear.heard.tone(CITIZEN_HZ) > HEARD, "and the agent still hears the citizen"
        assert sup.heard.tone(CITIZEN_HZ) > HEARD and sup.heard.tone(AGENT_HZ) > HEARD

        await sup.viewer.join(False)
        await until(lambda: relay.state is not None and relay.state.phase == "watching",
                    "leaving goes back to watching")
        await until(lambda: len(citizen.report.party_notices) == 2, "the citizen is told")
        assert citizen.report.party_notices[1] == "left: 值班长已离开通话。"
        assert not sup.viewer.camera_on, "the supervisor's camera is off"
        await asyncio.sleep(0.3)  # what was in flight when leaving
        citizen.heard.clear()
        await until(lambda: citizen.heard.frames_kept >= 40, "most of a second of the call heard")
        assert citizen.heard.tone(SUPERVISOR_HZ) < SILENT, "the supervisor is heard no more"

        await sup.viewer.stop()
        await until(lambda: relay.state is None and sup.viewer.state is None, "the watch ends")
        call = workstation.call
        assert call is not None and not call.session.microphone.mixing
        rows = [(r.action, r.result) for r in await sup.audit()]
        assert ("join_call", "ok") in rows and ("leave_call", "ok") in rows, rows
        assert ("hand_answered", "ok") in rows, rows
        hand = [r for r in await sup.audit() if r.action == "hand_answered"]
        assert hand[0].detail.startswith("join:"), hand
        await workstation.hang_up()
        await asyncio.wait_for(run, 30)
        assert not citizen.report.errors, citizen.report.errors
    finally:
        await relay.close()
        await sup.close()
        await workstation.close()
        if not run.done():
            run.cancel()


async def test_joining_is_refused_without_a_watch_to_agents_and_during_a_consult(
        hub: HubProcess) -> None:
    a, b = _agent(hub, "0012"), _agent(hub, "0013")
    relay = WatchRelay(a)
    host, guest = ConsultDesk(a), ConsultDesk(b)
    sup = Supervisor(hub)
    agent_errors: list[protocol.Error] = []
    a.link.message.connect(
        lambda m: agent_errors.append(m) if isinstance(m, protocol.Error) else None)
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                               script=CitizenScript(give_up_after_s=90))
    for link in (a.link, b.link, sup.link):
        link.start()
    run = asyncio.get_running_loop().create_task(citizen.run())
    try:
        await until(lambda: all(link.state is LinkState.CONNECTED
                                for link in (a.link, b.link, sup.link)), "all log in")
        await a.set_ready()
        await until(lambda: a.offer is not None, "the offer rings")
        await a.accept()
        await b.set_ready()
        await until(lambda: a.call is not None, "the call starts")

        # Joining without a watch: no such watch of yours.
        await sup.link.send(protocol.JoinCall("w-000000000000"))
        await until(lambda: bool(sup.errors()), "refused")
        assert sup.errors()[-1].code == "no_such_call"
        # An agent may not join (nor watch) a call.
        await a.link.send(protocol.JoinCall("w-000000000000"))
        await until(lambda: bool(agent_errors), "refused")
        assert agent_errors[-1].code == "not_allowed"

        # A consult on: the supervisor may watch, not join.
        await host.consult("agent", "0013", "请教")
        await until(lambda: guest.state is not None, "B's seat rings")
        await guest.answer(True)
        await host.choose("three_way")
        await until(lambda: host.state is not None and host.state.phase == "three_way",
                    "three-way")
        count = len(sup.errors())
        await sup.viewer.watch("0012", join=True)
        await until(lambda: len(sup.errors()) > count, "a one-click join is refused")
        assert sup.errors()[-1].code == "bad_state"
        assert "会商或三方通话" in sup.errors()[-1].message
        assert sup.viewer.state is None, "no watch was started"
        await sup.viewer.watch("0012")
        await until(lambda: sup.viewer.state is not None, "watching is allowed")
        count = len(sup.errors())
        await sup.viewer.join(True)
        await until(lambda: len(sup.errors()) > count, "joining the watch is refused")
        assert "会商或三方通话" in sup.errors()[-1].message
        assert relay.state is not None and relay.state.phase == "watching"
        # The citizen heard of the colleague only, never of the refused supervisor.
        await until(lambda: bool(citizen.report.party_notices), "the citizen is told")
        assert citizen.report.party_notices == [
            "joined: 业务同事李四已加入通话，可以看到和听到您。"]

        # Back to two: the supervisor joins; now a consult is refused.
        await host.choose("return")
        await until(lambda: host.state is None and b.presence.state == "ready",
                    "the consult is over")
        await sup.viewer.join(True)
        await until(lambda: relay.state is not None and relay.state.phase == "joined",
                    "joined")
        count = len(agent_errors)
        await host.consult("agent", "0013", "再请教")
        await until(lambda: len(agent_errors) > count, "the consult is refused")
        assert agent_errors[-1].message == "值班长已加入通话，请等值班长退出后再会商"
        rows = [(r.action, r.result) for r in await sup.audit()]
        assert ("join_call", "refused:bad_state") in rows, rows
        assert ("join_call", "refused:no_such_call") in rows, rows

        await a.hang_up()
        await until(lambda: sup.viewer.state is None, "the call's end ends the watch")
        assert sup.viewer.last_end is not None and sup.viewer.last_end.reason == "call_ended"
        await asyncio.wait_for(run, 30)
        assert citizen.report.party_notices == [
            "joined: 业务同事李四已加入通话，可以看到和听到您。",
            "left: 业务同事李四已离开通话。",
            "joined: 值班长已加入通话，可以看到和听到您与工作人员。"], "no leave: the call ended"
    finally:
        await relay.close()
        await sup.close()
        for desk in (host, guest):
            await desk.close()
        for ws in (a, b):
            await ws.close()
        if not run.done():
            run.cancel()
