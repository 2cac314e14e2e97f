"""The simulated citizen against a real hub process and a minimal scripted agent.

The agent here is written with plain websockets and aiortc (no workstation
code), so these tests prove the citizen itself: it queues, offers its
stamped camera as the caller, receives the agent's video and audio, chats,
hangs up or is hung up on, rates, leaves the queue, and reports all of it
truthfully; and ``seat-sim`` prints masked reports with the right exit code.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from websockets.asyncio.client import ClientConnection, connect

from sandbox.camera import StampedCameraTrack, ToneAudioTrack, read_stamp
from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from seat_common import protocol

ITEM = "SI-UNEMP-QUERY"  # needs the social_insurance skill
ID_NUMBER = "441900195501011234"
PHONE = "13800138000"
M = TypeVar("M")


@dataclass
class AgentSide:
    """What the minimal agent saw of the citizen."""

    offer: protocol.Offer | None = None
    started: protocol.CallStarted | None = None
    ended: protocol.CallEnded | None = None
    closed: protocol.WorkOrderClosed | None = None
    video_frames: int = 0
    audio_frames: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    counters: list[int] = field(default_factory=list)
    chats: list[protocol.ChatMessage] = field(default_factory=list)


class MinimalAgent:
    """An agent seat in ~100 lines: ready, accept, answer the SDP, chat, hang up, wrap up."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.seen = AgentSide()
        self._ws: ClientConnection | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> MinimalAgent:
        self._ws = await connect(self.url, compression=None)
        await self.send(protocol.Hello(role="agent", token=self.token))
        await self.expect(protocol.Welcome)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._ws is not None:
            await self._ws.close()

    async def send(self, message: protocol.Message) -> None:
        assert self._ws is not None
        await self._ws.send(protocol.encode(message))

    async def next(self, timeout_s: float = 10.0) -> protocol.Message:
        assert self._ws is not None
        message = protocol.decode(await asyncio.wait_for(self._ws.recv(), timeout_s))
        if isinstance(message, protocol.ChatMessage):
            self.seen.chats.append(message)
        return message

    async def expect(self, kind: type[M], timeout_s: float = 10.0) -> M:
        deadline = time.monotonic() + timeout_s
        while True:
            message = await self.next(max(0.01, deadline - time.monotonic()))
            if isinstance(message, kind):
                return message
            assert not isinstance(message, protocol.Error), message

    async def listen_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        with contextlib.suppress(TimeoutError):
            while time.monotonic() < deadline:
                await self.next(deadline - time.monotonic())

    async def ready(self) -> None:
        await self.send(protocol.SetState(state="ready"))

    async def take_call(
        self, *, chat: str, hangup_after_s: float | None, outcome: protocol.Outcome = "resolved"
    ) -> AgentSide:
        """Serve one call to the end and wrap it up."""
        seen = self.seen
        seen.offer = await self.expect(protocol.Offer)
        await self.send(protocol.Accept(call_id=seen.offer.call_id))
        seen.started = await self.expect(protocol.CallStarted)
        call_id = seen.started.call_id
        sdp = await self.expect(protocol.Sdp)
        assert sdp.sdp_type == "offer"
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.on("track", lambda track: self._tasks.append(asyncio.create_task(self._consume(track))))
        camera, tone = StampedCameraTrack(640, 480), ToneAudioTrack()
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp.sdp, type="offer"))
            pc.addTrack(camera)
            pc.addTrack(tone)
            await pc.setLocalDescription(await pc.createAnswer())
            await self.send(
                protocol.Sdp(call_id=call_id, sdp_type="answer", sdp=pc.localDescription.sdp)
            )
            await self.send(protocol.Chat(call_id=call_id, text=chat))
            if hangup_after_s is not None:
                await self.listen_for(hangup_after_s)
                await self.send(protocol.Hangup(call_id=call_id))
            seen.ended = await self.expect(protocol.CallEnded, 30)
        finally:
            camera.stop()
            tone.stop()
            await pc.close()
        await self.send(protocol.WrapUp(work_order_id=seen.started.work_order_id, outcome=outcome))
        seen.closed = await self.expect(protocol.WorkOrderClosed)
        return seen

    async def _consume(self, track: Any) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if track.kind == "audio":
                    self.seen.audio_frames += 1
                    continue
                self.seen.video_frames += 1
                stamp = read_stamp(frame)
                if stamp is not None:
                    self.seen.counters.append(stamp.counter)
                    self.seen.latencies_ms.append(stamp.latency_ms())


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubProcess]:
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",))]
    async with HubProcess(seats, workdir=tmp_path / "hub", ring_timeout=5.0) as process:
        yield process


def _ledger_row(hub: HubProcess, work_order_id: str) -> sqlite3.Row:
    with contextlib.closing(sqlite3.connect(hub.db_path)) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM work_orders WHERE id = ?", (work_order_id,)).fetchone()
    assert row is not None
    return row  # type: ignore[no-any-return]


async def test_a_call_the_agent_ends_is_reported_truthfully(hub: HubProcess) -> None:
    async with MinimalAgent(hub.url, hub.tokens["a1"]) as agent:
        await agent.ready()
        citizen = SimulatedCitizen(
            hub.url, ITEM, "miniprogram", "吴小梅", ID_NUMBER, PHONE, priority="elderly",
            script=CitizenScript(
                chat_lines=("您好，我想查失业保险明细",), chat_interval_s=0.3,
                reply_to_chat=True, reply_text="好的", rating_score=9, rating_comment="很方便",
                await_outcome_s=10,
            ),
        )  # fmt: skip
        running = asyncio.create_task(citizen.run())
        seen = await agent.take_call(chat="您好，请出示身份证", hangup_after_s=2.5)
        report = await asyncio.wait_for(running, 20)

    assert report.errors == [], report.errors
    assert seen.offer is not None and seen.started is not None
    # The queue and the call, as the hub told it.
    assert report.work_order_id == seen.started.work_order_id
    assert report.queued_position == 1 and report.session_id
    assert report.call_id == seen.started.call_id
    assert report.peer_name == "张三"  # the seat's name in the seats file
    assert seen.offer.priority == "elderly"
    assert seen.offer.citizen.id_number == "4419**********1234"  # the hub masked it
    # Media both ways: the agent's 640×480 stamped video reached the citizen...
    assert report.frames_received > 30
    assert report.video_sizes.keys() == {"640x480"}
    assert report.stamped_frames >= 0.9 * report.frames_received
    assert report.video_latency_ms_p50 is not None and 0 < report.video_latency_ms_p50 < 300
    assert report.audio_frames_received > 50  # 50 a second
    # ...and the citizen's stamped camera reached the agent, in order.
    assert seen.video_frames > 30 and seen.audio_frames > 50
    assert len(seen.counters) >= 0.9 * seen.video_frames
    assert seen.counters == sorted(set(seen.counters))
    assert 0 < statistics.median(seen.latencies_ms) < 300
    # Chat both ways: the scripted line, the auto-reply to the agent's line.
    assert report.chats_received == ["您好，请出示身份证"]
    assert sorted(report.chats_sent) == sorted(["您好，我想查失业保险明细", "好的"])
    assert report.chats_delivered == 2
    citizen_lines = [c.text for c in seen.chats if c.sender_role == "citizen"]
    assert sorted(citizen_lines) == sorted(report.chats_sent)
    # The agent ended it; the citizen rated; the work order closed with the outcome.
    assert (report.ended_by, report.end_reason) == ("agent", "hangup")
    assert report.call_started_at is not None and report.call_ended_at is not None
    assert 2.0 < report.call_ended_at - report.call_started_at < 10
    assert report.rated and report.rating_score == 9
    assert report.outcome == "resolved"
    assert report.media_state in ("connected", "closed")
    stamps = report.timestamps
    assert stamps["queued"] <= stamps["call_started"] <= stamps["offer_sent"]
    assert stamps["offer_sent"] <= stamps["answer_received"] <= stamps["first_video_frame"]
    row = _ledger_row(hub, report.work_order_id)
    assert (row["rating"], row["rating_comment"], row["ended_by"]) == (9, "很方便", "agent")


async def test_a_citizen_hangs_up_after_the_scripted_time(hub: HubProcess) -> None:
    async with MinimalAgent(hub.url, hub.tokens["a1"]) as agent:
        await agent.ready()
        citizen = SimulatedCitizen(
            hub.url, ITEM, "web", "陈伟强", "441900199001011234", PHONE,
            script=CitizenScript(hangup_after_s=1.5, width=320, height=240),
        )  # fmt: skip
        running = asyncio.create_task(citizen.run())
        seen = await agent.take_call(chat="请讲", hangup_after_s=None)
        report = await asyncio.wait_for(running, 20)

    assert report.errors == [], report.errors
    assert seen.ended is not None and seen.ended.ended_by == "citizen"
    assert (report.ended_by, report.end_reason) == ("citizen", "hangup")
    assert report.call_started_at is not None and report.call_ended_at is not None
    assert 1.4 < report.call_ended_at - report.call_started_at < 5
    assert "hangup_sent" in report.timestamps
    assert report.frames_received > 10
    assert not report.rated and report.outcome == ""  # not scripted to rate or wait
    assert seen.video_frames > 10


async def test_a_citizen_leaves_the_queue_after_the_scripted_wait(hub: HubProcess) -> None:
    # Nobody is ready: the citizen waits, then leaves. (A kiosk reads a real ID number.)
    citizen = SimulatedCitizen(
        hub.url, ITEM, "kiosk", "黄丽华", "441900198203154324", "13912345678",
        hall="虎门镇行政服务中心", script=CitizenScript(leave_queue_after_s=0.5),
        kiosk=hub.kiosk_login(),
    )  # fmt: skip
    report = await asyncio.wait_for(citizen.run(), 20)

    assert report.errors == [], report.errors
    assert report.left_queue and report.ended_by == "left_queue"
    assert not report.got_call and report.frames_received == 0
    assert report.queued_position == 1
    assert report.timestamps["left_queue"] - report.timestamps["queued"] >= 0.5
    row = _ledger_row(hub, report.work_order_id)
    assert row["outcome"] == "abandoned"


async def until(condition: Callable[[], bool], what: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for: {what}"
        await asyncio.sleep(0.05)


async def test_a_citizen_told_to_leave_leaves_the_queue_at_once_not_after_the_grace(
    hub: HubProcess,
) -> None:
    # Nobody is ready: the citizen waits until told to go (seat-sim's SIGTERM).
    citizen = SimulatedCitizen(hub.url, ITEM, "web", "黄丽华")
    running = asyncio.create_task(citizen.run())
    await until(lambda: "queued" in citizen.report.timestamps, "the citizen is queued")
    citizen.leave()
    report = await asyncio.wait_for(running, 20)

    assert report.errors == [], report.errors
    assert report.left_queue and report.ended_by == "left_queue"
    # The hub reads the goodbye after the close handshake that ends ``run``: soon, not 60 s.
    await until(lambda: [e["work_order_id"] for e in hub.events("abandoned")]
                == [report.work_order_id], "the hub takes the citizen out of the queue", 10)
    await until(lambda: _ledger_row(hub, report.work_order_id)["outcome"] == "abandoned",
                "the ledger says so", 10)
    assert hub.events("link_lost") == [], "a goodbye, not a dropped link kept for 60 s"


async def test_a_citizen_told_to_leave_in_a_call_hangs_up(hub: HubProcess) -> None:
    async with MinimalAgent(hub.url, hub.tokens["a1"]) as agent:
        await agent.ready()
        citizen = SimulatedCitizen(hub.url, ITEM, "web", "陈伟强",
                                   script=CitizenScript(width=320, height=240))
        running = asyncio.create_task(citizen.run())
        taking = asyncio.create_task(agent.take_call(chat="请讲", hangup_after_s=None))
        await until(lambda: citizen.report.frames_received > 5, "the call is on")
        citizen.leave()
        report = await asyncio.wait_for(running, 20)
        seen = await asyncio.wait_for(taking, 30)

    assert report.errors == [], report.errors
    assert seen.ended is not None and seen.ended.ended_by == "citizen"
    assert report.ended_by == "citizen" and "hangup_sent" in report.timestamps
    assert hub.events("link_lost") == [], "a hang-up, not a dropped link kept for 60 s"


async def test_a_refusal_from_the_hub_is_recorded_not_raised(hub: HubProcess) -> None:
    citizen = SimulatedCitizen(hub.url, "NO-SUCH-ITEM", "web", "林芳")
    report = await asyncio.wait_for(citizen.run(), 20)

    assert report.hub_errors == 1 and report.ended_by == "error"
    assert any("no_such_item" in e for e in report.errors), report.errors
    assert report.work_order_id == "" and not report.got_call


async def test_an_unreachable_hub_is_recorded_not_raised(hub: HubProcess) -> None:
    url = hub.url
    await asyncio.to_thread(hub.stop)
    report = await SimulatedCitizen(url, ITEM, "web", "林芳").run()
    assert report.ended_by == "disconnected" and report.session_id == ""
    assert any("cannot reach the hub" in e for e in report.errors), report.errors


async def _seat_sim(*args: str) -> tuple[int, list[dict[str, Any]], str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox.sim_cli", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    lines = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    assert process.returncode is not None
    return process.returncode, lines, err.decode("utf-8")


async def test_seat_sim_prints_one_masked_report_per_citizen(hub: HubProcess) -> None:
    code, reports, err = await _seat_sim(
        "--hub", hub.url, "--citizens", "3", "--leave-after", "0.3", "--stagger", "0.1",
        "--channels", "kiosk,web", "--seed", "7",
        "--kiosk-device-id", "K-SHATIAN-01", "--kiosk-token-file", str(hub.kiosk_token_file()),
    )  # fmt: skip
    assert code == 0, err
    assert len(reports) == 3
    assert "3 citizens, 0 got a call, 0 failed" in err
    for report in reports:
        assert report["left_queue"] and report["work_order_id"]
        assert report["errors"] == []
        assert "*" in report["id_number"] and "*" in report["phone"] and "*" in report["name"]
        assert report["id_number"].startswith("4419")
    assert {r["channel"] for r in reports} == {"kiosk", "web"}
    assert all(r["hall"] for r in reports if r["channel"] == "kiosk")
    # Full ID and phone numbers never reach the output.
    with contextlib.closing(sqlite3.connect(hub.db_path)) as db:
        stored = db.execute("SELECT citizen_id_number, citizen_phone FROM work_orders").fetchall()
    for id_number, phone in stored:
        assert id_number not in json.dumps(reports) and phone not in json.dumps(reports)


async def test_seat_sim_stopped_takes_its_waiting_citizens_out_of_the_queue(
    hub: HubProcess,
) -> None:
    # As the demo stops it: SIGTERM while its citizens wait (nobody is ready).
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox.sim_cli", "--hub", hub.url, "--citizens", "2",
        "--stagger", "0.1", "--items", ITEM, "--channels", "web", "--seed", "7",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await until(lambda: len(hub.events("queued")) == 2, "both citizens are queued")
        process.terminate()
        out, err = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    reports = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    assert process.returncode == 0, err.decode("utf-8")
    assert len(reports) == 2 and all(r["left_queue"] and not r["errors"] for r in reports)
    # Out of the queue as the process ends (the hub's grace for a dropped link is 60 s).
    await until(lambda: len(hub.events("abandoned")) == 2, "both are out of the queue", 10)
    assert hub.events("link_lost") == []


async def test_seat_sim_fails_when_a_call_was_expected_but_never_came(hub: HubProcess) -> None:
    code, reports, err = await _seat_sim(
        "--hub", hub.url, "--citizens", "1", "--leave-after", "0.3", "--expect-call",
    )  # fmt: skip
    assert code == 1, err
    assert len(reports) == 1 and not reports[0]["call_id"]


def test_seat_sim_queues_at_a_kiosk_only_with_its_device_id_and_token_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sandbox import sim_cli

    with pytest.raises(SystemExit) as exited:
        sim_cli.main(["--hub", "ws://127.0.0.1:1/ws", "--channels", "kiosk,web"])
    assert exited.value.code == 2
    assert "--kiosk-device-id and --kiosk-token-file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        sim_cli.main(["--hub", "ws://127.0.0.1:1/ws", "--kiosk-device-id", "K-1",
                      "--kiosk-token-file", str(tmp_path / "missing")])
    assert "cannot read the kiosk token file" in capsys.readouterr().err
