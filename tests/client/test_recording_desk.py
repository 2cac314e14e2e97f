"""The recording desk follows the workstation's calls: a call the hub marks recorded is taped
from the session's own taps and saved when it ends; an unmarked one is not; a recording that
cannot be made is reported and the call goes on; old recordings go at start."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import av
import pytest

from sandbox.camera import StampedCameraTrack, read_stamp
from seat_client.call.hub_link import HubLink
from seat_client.call.workstation import Workstation
from seat_client.recording.archive import ArchivedRecording, RecordingArchive
from seat_client.recording.desk import RecordingDesk, RecordingFailure
from seat_common import protocol
from tests.client.recording_media import tone


async def until(condition: object, what: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for: {what}")
        await asyncio.sleep(0.02)


def started(work_order_id: str, *, recorded: bool, media: protocol.MediaKind = "video"
            ) -> protocol.CallStarted:
    return protocol.CallStarted(
        call_id=f"call-{work_order_id}", work_order_id=work_order_id, call_role="callee",
        peer_name="吴小梅", item_code="SI-UNEMP-QUERY", item_name="失业保险个人明细查询",
        channel="web", media=media, recorded=recorded,
    )


def ended(work_order_id: str) -> protocol.CallEnded:
    return protocol.CallEnded(f"call-{work_order_id}", work_order_id, "agent")


@pytest.fixture
async def workstation() -> AsyncIterator[Workstation]:
    # Never started: the hub is away, so reports wait for it (as after a dropped link).
    link = HubLink("ws://127.0.0.1:9/ws", lambda: protocol.Hello(role="agent", token="x"))
    ws = Workstation(link)
    yield ws
    await ws.close()


async def talk(ws: Workstation, seconds: float) -> None:
    """The citizen's camera and voice arrive, the agent's voice goes out: through the taps."""
    assert ws.call is not None
    session = ws.call.session
    camera = StampedCameraTrack(640, 480)
    for i in range(round(seconds * 30)):
        session.remote_video.emit(camera.make_frame(i, 0))
        if i % 3 == 0:
            for k in range(5):  # 100 ms of each voice
                session.remote_audio.emit(tone(400, 48_000, 960, (i // 3 * 5 + k) * 960, "stereo"))
                session.microphone.sent.emit(tone(1000, 8_000, 160, (i // 3 * 5 + k) * 160, "mono"))
        await asyncio.sleep(1 / 30)


async def test_a_recorded_call_is_saved_and_waits_to_be_reported(
    workstation: Workstation, tmp_path: Path
) -> None:
    archive = RecordingArchive(tmp_path / "recordings", retention_days=180)
    desk = RecordingDesk(workstation, archive)
    saved: list[ArchivedRecording] = []
    desk.recording_saved.connect(saved.append)
    await desk.start()

    workstation.link.message.emit(started("WO-20250101-000001", recorded=True))
    assert desk.recording == "WO-20250101-000001"
    began = time.monotonic()
    await talk(workstation, 1.5)  # 1.5 s of frames, longer when the machine is busy
    talked_s = time.monotonic() - began
    workstation.link.message.emit(ended("WO-20250101-000001"))
    assert desk.recording == ""
    await until(lambda: bool(saved), "the recording is saved")

    entry = saved[0]
    path = tmp_path / "recordings" / "WO-20250101-000001.mp4"
    assert entry.file_name == path.name and entry.call_id == "call-WO-20250101-000001"
    with av.open(str(path)) as container:
        stamps = [read_stamp(f) for f in container.decode(video=0)]
    assert len(stamps) >= 12 and all(s is not None for s in stamps)
    assert entry.video_frames == len(stamps)
    # The file lasts as long as the talk did (its times are when each frame arrived).
    assert entry.duration_s == pytest.approx(talked_s, abs=0.4)
    # The hub was away: the report waits in the index for the link to come back.
    assert [e.work_order_id for e in archive.unreported()] == ["WO-20250101-000001"]
    await desk.close()


async def test_a_call_the_hub_does_not_mark_is_not_recorded(
    workstation: Workstation, tmp_path: Path
) -> None:
    desk = RecordingDesk(workstation, RecordingArchive(tmp_path, retention_days=180))
    await desk.start()
    workstation.link.message.emit(started("WO-20250101-000002", recorded=False))
    assert desk.recording == ""
    await talk(workstation, 0.3)
    workstation.link.message.emit(ended("WO-20250101-000002"))
    await asyncio.sleep(0.2)
    assert await asyncio.to_thread(lambda: list(tmp_path.glob("*.mp4"))) == []
    await desk.close()


async def test_a_recording_that_cannot_be_made_is_reported_and_the_call_goes_on(
    workstation: Workstation, tmp_path: Path
) -> None:
    archive = RecordingArchive(tmp_path, retention_days=180)
    (tmp_path / "WO-20250101-000003.mp4").mkdir()  # the file cannot be created
    desk = RecordingDesk(workstation, archive)
    failures: list[RecordingFailure] = []
    desk.recording_failed.connect(failures.append)
    await desk.start()
    workstation.link.message.emit(started("WO-20250101-000003", recorded=True))
    await talk(workstation, 0.5)  # the file is created with the first encoded packet
    await until(lambda: bool(failures), "the failure is reported during the call")
    assert failures[0].work_order_id == "WO-20250101-000003"
    assert desk.recording == ""
    assert workstation.call is not None, "the call is untouched"
    await talk(workstation, 0.2)  # the taps are off: nothing raises
    workstation.link.message.emit(ended("WO-20250101-000003"))
    await asyncio.sleep(0.2)
    assert len(failures) == 1, "told once"
    await desk.close()


async def test_old_recordings_are_deleted_when_the_desk_starts(
    workstation: Workstation, tmp_path: Path
) -> None:
    old, new = tmp_path / "WO-20240101-000001.mp4", tmp_path / "WO-20250101-000009.mp4"
    for path, age_days in ((old, 31), (new, 29)):
        path.write_bytes(b"mp4")
        stamp = time.time() - age_days * 86_400
        os.utime(path, (stamp, stamp))
    desk = RecordingDesk(workstation, RecordingArchive(tmp_path, retention_days=30))
    await desk.start()
    assert not old.exists() and new.exists()
    await desk.close()


async def test_quitting_right_after_a_call_still_saves_its_recording(
    workstation: Workstation, tmp_path: Path
) -> None:
    desk = RecordingDesk(workstation, RecordingArchive(tmp_path, retention_days=180))
    await desk.start()
    workstation.link.message.emit(started("WO-20250101-000004", recorded=True))
    await talk(workstation, 0.5)
    workstation.link.message.emit(ended("WO-20250101-000004"))
    await desk.close()  # the agent quits at once
    reopened = RecordingArchive(tmp_path, retention_days=180)
    await asyncio.to_thread(reopened.load)
    entry = reopened.entry("WO-20250101-000004")
    assert entry is not None and entry.byte_size > 0


async def test_quitting_mid_call_saves_what_was_recorded(
    workstation: Workstation, tmp_path: Path
) -> None:
    desk = RecordingDesk(workstation, RecordingArchive(tmp_path, retention_days=180))
    await desk.start()
    workstation.link.message.emit(started("WO-20250101-000005", recorded=True))
    await talk(workstation, 0.5)
    await desk.close()
    assert desk.archive.entry("WO-20250101-000005") is not None
