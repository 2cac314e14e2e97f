"""A real call is recorded: hub process, simulated citizen (real aiortc peer), the agent's
workstation core with its recording desk. After the hang-up the MP4 is on disk and plays back
with the citizen's stamped frames and voice, the hub's work-order list knows its length, and the
citizen was told before the media started. With ``--no-record-calls`` nothing is recorded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from sandbox.camera import read_stamp
from sandbox.citizen import RECORDING_NOTICE, CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.call.workstation import Workstation
from seat_client.recording.archive import ArchivedRecording, RecordingArchive
from seat_client.recording.desk import RecordingDesk
from seat_common import protocol
from seat_common.media.audio_levels import mono_samples, tone_amplitude
from tests.integration.conftest import ALL_SKILLS, until


@dataclass
class RecordingSeat:
    """Agent 0012's workstation core with its recording desk, logged in to ``hub``."""

    workstation: Workstation
    desk: RecordingDesk
    orders: WorkOrderListModel
    saved: list[ArchivedRecording]
    started: list[str]


@pytest.fixture
async def recording_seat_factory(tmp_path: Path) -> AsyncIterator[Any]:
    opened: list[RecordingSeat] = []

    async def open_seat(hub: HubProcess) -> RecordingSeat:
        token = hub.tokens["0012"]
        link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
        workstation = Workstation(link)
        # Not uploaded: these tests read the file the workstation wrote (uploads are
        # test_recordings_at_hub's).
        desk = RecordingDesk(workstation, RecordingArchive(tmp_path / "recordings", 180),
                             upload=False)
        orders = WorkOrderListModel(link.send)
        link.message.connect(orders.apply)
        seat = RecordingSeat(workstation, desk, orders, [], [])
        desk.recording_saved.connect(seat.saved.append)
        desk.recording_started.connect(seat.started.append)
        await desk.start()
        link.start()
        await until(lambda: link.state is LinkState.CONNECTED, "the workstation logs in")
        opened.append(seat)
        return seat

    yield open_seat
    for seat in opened:
        await seat.desk.close()
        await seat.workstation.close()


async def serve(seat: RecordingSeat, citizen: SimulatedCitizen) -> None:
    """Take the citizen's call; the citizen hangs up by script; wrap up."""
    ws = seat.workstation
    run = asyncio.get_running_loop().create_task(citizen.run())
    await ws.set_ready()
    await until(lambda: ws.offer is not None, "the offer rings")
    await ws.accept()
    await until(lambda: ws.call is not None, "the call starts")
    report = await asyncio.wait_for(run, 30)
    assert report.errors == [], report.errors
    await until(lambda: ws.wrap_up is not None, "wrap-up")
    await ws.submit_wrap_up("resolved", "")
    await until(lambda: bool(ws.history), "the work order closes")


async def test_a_recorded_call_plays_back_and_the_hub_knows_it(
    hub: HubProcess, recording_seat_factory: Any, tmp_path: Path
) -> None:
    seat: RecordingSeat = await recording_seat_factory(hub)
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                               script=CitizenScript(hangup_after_s=4.0))
    await serve(seat, citizen)
    report = citizen.report
    assert report.recording_notice == RECORDING_NOTICE == "本次通话将录音录像"
    assert report.timestamps["recording_notice"] <= report.timestamps["offer_sent"], \
        "the citizen is told before any media"

    await until(lambda: bool(seat.saved), "the recording is saved", timeout_s=15)
    entry = seat.saved[0]
    assert entry.work_order_id == report.work_order_id and entry.call_id == report.call_id
    path = tmp_path / "recordings" / f"{report.work_order_id}.mp4"
    counters: list[int] = []
    unreadable = 0
    sound: list[np.ndarray[Any, Any]] = []
    with av.open(str(path)) as container:
        assert sorted(s.type for s in container.streams) == ["audio", "video"]
        for frame in container.decode(*container.streams):
            if isinstance(frame, av.VideoFrame):
                stamp = read_stamp(frame)
                if stamp is None:
                    unreadable += 1
                else:
                    counters.append(stamp.counter)
            else:
                sound.append(mono_samples(frame))
    # About 4 s of the citizen's 30 fps camera, kept at up to 15 fps, through VP8 then H.264.
    assert len(counters) >= 30, f"{len(counters)} stamped frames"
    assert unreadable <= len(counters) // 10
    assert counters == sorted(counters) and len(set(counters)) == len(counters)
    assert entry.video_frames == len(counters) + unreadable
    voice = np.concatenate(sound)
    assert voice.size / 48_000 == pytest.approx(entry.duration_s, abs=0.5)
    # On a loaded machine the citizen's sound may come late for a moment (the recording keeps
    # time with silence there), so the voice is looked for in the loudest of its seconds.
    seconds = [voice[i : i + 48_000] for i in range(0, voice.size - 48_000 + 1, 48_000)]
    assert max(tone_amplitude(s, 48_000, 400) for s in seconds) > 0.01, \
        "the citizen's 400 Hz voice is in it"

    # The hub acknowledged it, and the work-order list carries its length.
    await until(lambda: seat.desk.archive.unreported() == [], "the hub acknowledges")
    await seat.orders.search()
    await until(lambda: bool(seat.orders.rows), "the search answers")
    row = seat.orders.rows[0]
    assert row.work_order_id == report.work_order_id
    assert row.recording_s == pytest.approx(entry.duration_s, abs=0.01) and row.recording_s > 3


async def test_with_recording_off_nothing_is_recorded_and_nobody_is_told(
    recording_seat_factory: Any, tmp_path: Path
) -> None:
    async with HubProcess(
        [SeatSpec("0012", "张三", skills=ALL_SKILLS)], ring_timeout=10.0,
        extra_args=["--no-record-calls"],
    ) as hub:
        seat: RecordingSeat = await recording_seat_factory(hub)
        citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                                   script=CitizenScript(hangup_after_s=1.5))
        await serve(seat, citizen)
        assert citizen.report.recording_notice == ""
        assert "recording_notice" not in citizen.report.timestamps
        assert seat.started == [] and seat.saved == []
        assert not (tmp_path / "recordings" / f"{citizen.report.work_order_id}.mp4").exists()
        await seat.orders.search()
        await until(lambda: bool(seat.orders.rows), "the search answers")
        assert seat.orders.rows[0].recording_s == 0.0
        await seat.desk.close()
        await seat.workstation.close()
