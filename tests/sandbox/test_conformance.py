"""The conformance kit against real clients on a real hub process: the project's own
simulated citizen (trickling its candidates early) and kiosk pass it, and a client
that breaks the protocol fails it with the step and the document's section named.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from websockets.asyncio.client import ClientConnection, connect

from sandbox.camera import StampedCameraTrack, ToneAudioTrack
from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.conformance import AgentScript, ConformanceAgent, Outcome, Step
from sandbox.hub_process import HubProcess, SeatSpec
from seat_common import catalog
from seat_common.media import ice_policy
from seat_common.media.trickle import split_candidates
from seat_common.protocol import (
    CHUNK_UPLOAD,
    CallEnded,
    CallStarted,
    Hello,
    Ice,
    JoinQueue,
    Sdp,
    UploadStart,
    chunk_frames,
    decode,
    encode,
)

ALL_SKILLS = tuple(catalog.load().skills)
EVERY_FEATURE = frozenset({Step.CHAT, Step.UPLOAD, Step.RATING})


async def kit_for(hub: HubProcess, role: str, script: AgentScript) -> ConformanceAgent:
    agent = ConformanceAgent(hub.url, hub.tokens["C01"], role, script)
    await agent.log_in()
    return agent


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    async with HubProcess([SeatSpec("C01", "一致性测试坐席", skills=ALL_SKILLS)]) as process:
        yield process


async def test_the_simulated_citizen_passes_every_step(hub: HubProcess) -> None:
    agent = await kit_for(hub, "citizen", AgentScript(require=EVERY_FEATURE))
    citizen = SimulatedCitizen(
        hub.url, "SI-UNEMP-QUERY", "miniprogram", "吴小梅",
        script=CitizenScript(chat_lines=("你好，我想查询失业保险。",), photos=("id_front",),
                             photo_width=1600, photo_height=1200, rating_score=9,
                             trickle="early"))
    run = asyncio.get_running_loop().create_task(citizen.run())
    try:
        report = await agent.serve_one()
        citizen_report = await asyncio.wait_for(run, 60)
    finally:
        await agent.close()
    assert report.passed, report.text()
    expected = {Step.HELLO, Step.QUEUE, Step.OFFER_ANSWER, Step.TRICKLE, Step.MEDIA, Step.CHAT,
                Step.UPLOAD, Step.VERDICT, Step.HANG_UP, Step.RATING}
    assert {r.step for r in report.ordered() if r.outcome is Outcome.PASS} == expected
    assert "rated the call 9/10" in report.text()
    # What the citizen saw agrees: the agent's chat, the verdict, the recording notice.
    assert citizen_report.errors == [], citizen_report.errors
    assert any("一致性测试" in line for line in citizen_report.chats_received)
    assert citizen_report.recording_notice


async def test_a_citizen_that_drops_its_link_and_comes_back_passes_resume(
    hub: HubProcess,
) -> None:
    agent = await kit_for(hub, "citizen", AgentScript(
        require=frozenset({Step.RESUME}), resume_wait_s=60.0, feature_wait_s=5.0,
        rating_wait_s=1.0))
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                               script=CitizenScript(reconnect=True, trickle="early"))

    async def drop_when_asked() -> None:
        deadline = time.monotonic() + 60
        while not any("恢复测试" in line for line in citizen.report.chats_received):
            if time.monotonic() > deadline:
                pytest.fail("the agent never asked for the resume test")
            await asyncio.sleep(0.05)
        citizen.drop_link()
        await hub.wait_for_event("link_lost", lambda e: e.get("role") == "citizen", 30)
        citizen.restore_link()

    loop = asyncio.get_running_loop()
    run = loop.create_task(citizen.run())
    dropper = loop.create_task(drop_when_asked())
    try:
        report = await agent.serve_one()
        await asyncio.wait_for(dropper, 5)
        await asyncio.wait_for(run, 30)
    finally:
        dropper.cancel()
        await agent.close()
    assert report.outcome(Step.RESUME) is Outcome.PASS, report.text()
    assert report.passed, report.text()
    assert citizen.report.resumes == 1


class BrokenCitizen:
    """A citizen client that gets three things wrong: its offer has no audio, it trickles
    a candidate that is not one, and its upload's SHA-256 does not match the file. With
    ``misplace`` it gets only one thing wrong instead: its offer is fine, but its
    candidates are trickled naming a section the offer does not have."""

    def __init__(self, url: str, *, misplace: bool = False) -> None:
        self.url = url
        self.misplace = misplace
        self.pc: RTCPeerConnection | None = None

    async def run(self) -> None:
        async with connect(self.url, compression=None) as ws:
            await ws.send(encode(Hello(role="citizen", name="坏客户端")))
            await ws.send(encode(JoinQueue("SI-UNEMP-QUERY", "web")))
            async for frame in ws:
                if isinstance(frame, bytes):
                    continue
                message = decode(frame)
                if isinstance(message, CallStarted):
                    await self._offer(ws, message)
                elif isinstance(message, Sdp) and self.pc is not None:
                    await self.pc.setRemoteDescription(RTCSessionDescription(message.sdp, "answer"))
                elif isinstance(message, CallEnded):
                    break
        if self.pc is not None:
            await self.pc.close()

    async def _offer(self, ws: ClientConnection, started: CallStarted) -> None:
        ice_policy.apply_from_environment()
        self.pc = RTCPeerConnection()
        if self.misplace:
            self.pc.addTrack(ToneAudioTrack())
            self.pc.addTrack(StampedCameraTrack(320, 240, 15))
            await self.pc.setLocalDescription(await self.pc.createOffer())
            offer, trickled = split_candidates(self.pc.localDescription.sdp, started.call_id)
            await ws.send(encode(Sdp(started.call_id, "offer", offer)))
            for ice in trickled:
                await ws.send(encode(replace(ice, sdp_mid="video-9", sdp_mline_index=9)))
            return
        self.pc.addTrack(StampedCameraTrack(320, 240, 15))  # video only: no audio section
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await ws.send(encode(Ice(started.call_id, "candidate:this is not a candidate", "0", 0)))
        await ws.send(encode(Sdp(started.call_id, "offer", self.pc.localDescription.sdp)))
        data = b"\xff\xd8 not really a photo"
        await ws.send(encode(UploadStart(1, started.work_order_id, "id.jpg", "image/jpeg",
                                         len(data), hashlib.sha256(b"other").hexdigest())))
        for chunk in chunk_frames(CHUNK_UPLOAD, 1, data):
            await ws.send(chunk)


async def test_a_broken_client_fails_naming_each_step_and_section(hub: HubProcess) -> None:
    agent = await kit_for(hub, "citizen", AgentScript(feature_wait_s=20.0, rating_wait_s=2.0,
                                                      media_wait_s=10.0))
    broken = asyncio.get_running_loop().create_task(BrokenCitizen(hub.url).run())
    try:
        report = await agent.serve_one()
        await asyncio.wait_for(broken, 30)
    finally:
        await agent.close()
    assert not report.passed
    failed = {r.step: r.detail for r in report.failures()}
    assert set(failed) >= {Step.OFFER_ANSWER, Step.TRICKLE, Step.MEDIA, Step.UPLOAD}, report.text()
    assert "no audio section" in failed[Step.OFFER_ANSWER]
    assert "this is not a candidate" in failed[Step.TRICKLE]
    assert "bad_checksum" in failed[Step.UPLOAD]
    text = report.text()
    assert 'section "Media (WebRTC): Candidates (ice)' in text
    assert 'section "Materials (document photos)' in text
    assert report.outcome(Step.HELLO) is Outcome.PASS  # what it did right is said too
    assert text.endswith("Result: FAILED (4 step(s))"), text


async def test_candidates_naming_no_section_of_the_offer_fail_the_trickle_step(
    hub: HubProcess,
) -> None:
    agent = await kit_for(hub, "citizen", AgentScript(feature_wait_s=2.0, rating_wait_s=1.0,
                                                      connect_wait_s=10.0, media_wait_s=5.0))
    broken = asyncio.get_running_loop().create_task(BrokenCitizen(hub.url, misplace=True).run())
    try:
        report = await agent.serve_one()
        await asyncio.wait_for(broken, 30)
    finally:
        await agent.close()
    failed = {r.step: r.detail for r in report.failures()}
    assert Step.TRICKLE in failed, report.text()
    assert "name no section of the offer (sdp_mid 'video-9', sdp_mline_index 9)" in (
        failed[Step.TRICKLE])
    assert report.outcome(Step.OFFER_ANSWER) is Outcome.PASS


async def test_a_client_that_never_offers_fails_at_offer_answer(hub: HubProcess) -> None:
    agent = await kit_for(hub, "citizen", AgentScript(offer_wait_s=3.0, rating_wait_s=1.0))

    async def mute_citizen() -> None:
        async with connect(hub.url, compression=None) as ws:
            await ws.send(encode(Hello(role="citizen", name="不说话")))
            await ws.send(encode(JoinQueue("SI-UNEMP-QUERY", "web")))
            async for frame in ws:
                if isinstance(frame, str) and isinstance(decode(frame), CallEnded):
                    break

    silent = asyncio.get_running_loop().create_task(mute_citizen())
    try:
        report = await agent.serve_one()
        await asyncio.wait_for(silent, 30)
    finally:
        await agent.close()
    failed = {r.step: r.detail for r in report.failures()}
    assert list(failed) == [Step.OFFER_ANSWER]
    assert "no SDP offer" in failed[Step.OFFER_ANSWER]
    assert report.outcome(Step.HANG_UP) is Outcome.PASS
