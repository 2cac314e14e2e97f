"""Recordings at the hub, end to end: a real hub process, a simulated citizen (real aiortc
peer), the agent's workstation core with its recording desk, and the seat wall's window.

After the call the workstation uploads the MP4 to the hub's store and deletes its copy
once the hub confirms every byte (SHA-256); a supervisor plays it from the wall's
work-order list, fetched from the hub, with an audit row written first; an agent may not
fetch it. An upload cut off half way continues where the hub stopped, even across a killed
workstation and a killed hub, after a file whose SHA-256 is wrong and a chunk damaged on
the way were both refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.call.workstation import Workstation
from seat_client.recording.archive import ArchivedRecording, RecordingArchive, RecordingStatus
from seat_client.recording.desk import RecordingDesk
from seat_client.recording.hub_fetch import HubRecordings
from seat_client.recording.upload import RecordingUploader
from seat_common import protocol
from tests.integration.conftest import until
from tests.integration.parties import agent_and_supervisor, seat_wall
from tests.integration.test_call_recording import RecordingSeat, serve
from ui.supervision.wall_recordings import WallRecordings

OUT = Path(__file__).resolve().parents[2] / "out" / "wall"
#: Small chunks, so that even a short call's recording is many of them.
CHUNK = 8 * 1024


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    async with HubProcess(agent_and_supervisor(), ring_timeout=10.0) as process:
        yield process


def agent_link(hub: HubProcess) -> HubLink:
    token = hub.tokens["0012"]
    return HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))


async def recorded_call(hub: HubProcess, directory: Path, *, upload: bool
                        ) -> tuple[RecordingSeat, ArchivedRecording]:
    """Agent 0012 takes a short call from a web citizen; its recording is saved."""
    link = agent_link(hub)
    workstation = Workstation(link)
    desk = RecordingDesk(workstation, RecordingArchive(directory, 180), upload=upload,
                         upload_chunk_bytes=CHUNK)
    seat = RecordingSeat(workstation, desk, WorkOrderListModel(link.send), [], [])
    desk.recording_saved.connect(seat.saved.append)
    await desk.start()
    link.start()
    await until(lambda: link.state is LinkState.CONNECTED, "the workstation logs in")
    citizen = SimulatedCitizen(hub.url, "SI-UNEMP-QUERY", "web", "吴小梅",
                               script=CitizenScript(hangup_after_s=3.0))
    await serve(seat, citizen)
    await until(lambda: bool(seat.saved), "the recording is saved", timeout_s=20)
    return seat, seat.saved[0]


def stored_at_hub(hub: HubProcess, sha256: str) -> Path:
    return hub.workdir / "materials" / "recordings" / sha256[:2] / f"{sha256}.mp4"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_a_recording_is_played_from_the_wall_after_the_agents_copy_is_gone(
    hub: HubProcess, qtbot: QtBot, tmp_path: Path
) -> None:
    seat, entry = await recorded_call(hub, tmp_path / "recordings", upload=True)
    archive = seat.desk.archive
    work_order_id = entry.work_order_id
    try:
        await until(lambda: bool((e := archive.entry(work_order_id)) and e.uploaded_at),
                    "the hub confirms the upload", timeout_s=60)
        assert not archive.path_for(work_order_id).exists(), "the agent's copy is deleted"
        assert archive.status(work_order_id) is RecordingStatus.AT_HUB
        stored = stored_at_hub(hub, entry.sha256)
        assert sha256_of(stored) == entry.sha256 and stored.stat().st_size == entry.byte_size
        assert stored.stat().st_mode & 0o777 == 0o600

        # The supervisor finds the work order on the wall and plays its recording.
        async with seat_wall(hub, qtbot, work_orders=True, from_hub=True) as wall:
            window, orders, pane = wall.window, wall.orders, wall.orders_pane
            assert orders is not None and pane is not None
            playing = WallRecordings(pane, HubRecordings(wall.link, tmp_path / "wall"),
                                     wall.session.tasks.child("recordings"), window)
            window.tabs.setCurrentWidget(pane)
            pane.search_button.click()
            await until(lambda: bool(orders.rows), "the work-order list answers")
            assert orders.rows[0].work_order_id == work_order_id
            pane.table.selectRow(0)
            assert pane.play_button.isEnabled()
            pane.play_button.click()
            await until(lambda: playing.player is not None and playing.player.info is not None,
                        "the player opens the recording fetched from the hub", timeout_s=60)
            fetched = tmp_path / "wall" / f"{work_order_id}.mp4"
            assert sha256_of(fetched) == entry.sha256
            player = playing.player
            assert player is not None and player.info is not None
            assert player.info.duration_s == pytest.approx(entry.duration_s, abs=0.5)
            OUT.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(OUT / "wall-recording-1366x768.png"))
            assert pane.recording_note.text() == ""  # no error under the list
            player.grab().save(str(OUT / "wall-recording-player.png"))

            # The hub wrote who played what before a byte left it.
            with sqlite3.connect(hub.db_path) as db:
                rows = db.execute("SELECT supervisor_id, action, target, result FROM audit_log"
                                  " WHERE action = 'play_recording'").fetchall()
            assert rows == [("S01", "play_recording", work_order_id, "read")]

            # The wall keeps no copy once the player closes.
            player.close()
            await until(lambda: not fetched.exists(), "the fetched copy is deleted")

        # An agent may not fetch recordings, even their own.
        refusals: list[protocol.Error] = []
        seat.workstation.link.message.connect(
            lambda m: refusals.append(m) if isinstance(m, protocol.Error)
            and m.of == "fetch_recording" else None)
        await seat.workstation.link.send(protocol.FetchRecording(work_order_id=work_order_id,
                                                                 download_id=1))
        await until(lambda: bool(refusals), "the hub answers the agent")
        assert refusals[0].code == "not_allowed"
    finally:
        await seat.desk.close()
        await seat.workstation.close()


async def test_an_interrupted_upload_resumes_and_damaged_data_is_refused(
    hub: HubProcess, tmp_path: Path
) -> None:
    directory = tmp_path / "recordings"
    seat, entry = await recorded_call(hub, directory, upload=False)
    archive = seat.desk.archive
    work_order_id = entry.work_order_id
    link = seat.workstation.link
    closed = False
    try:
        await until(lambda: archive.unreported() == [], "the hub acknowledges the report")
        data = archive.path_for(work_order_id).read_bytes()
        assert len(data) == entry.byte_size > 5 * CHUNK
        answers: list[protocol.Message] = []
        link.message.connect(lambda m: answers.append(m) if isinstance(
            m, protocol.RecordingUploadOffset | protocol.RecordingUploadFailed
            | protocol.RecordingStored) else None)
        pieces = [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)]

        async def start(upload_id: int) -> protocol.Message:
            answers.clear()
            await link.send(protocol.RecordingUploadStart(
                upload_id=upload_id, work_order_id=work_order_id, byte_size=entry.byte_size,
                sha256=entry.sha256))
            await until(lambda: bool(answers), "the hub says where to start")
            return answers.pop()

        async def failure() -> protocol.RecordingUploadFailed:
            await until(lambda: bool(answers), "the hub stops the upload")
            answer = answers.pop()
            assert isinstance(answer, protocol.RecordingUploadFailed), answer
            return answer

        # A file whose every chunk is intact but one byte differs: the SHA-256 refuses it,
        # and the hub keeps nothing of it.
        assert await start(1) == protocol.RecordingUploadOffset(1, work_order_id, 0)
        changed = bytearray(data)
        changed[len(changed) // 2] ^= 0xFF
        for seq, i in enumerate(range(0, len(changed), CHUNK)):
            await link.send_binary(protocol.pack_chunk(
                protocol.CHUNK_RECORDING, 1, seq, bytes(changed[i:i + CHUNK])))
        refused = await failure()
        assert (refused.reason, refused.offset) == ("bad_checksum", 0)

        # Three good chunks, then one damaged on the way (its CRC-32 no longer matches):
        # refused, and the hub keeps the three.
        assert await start(2) == protocol.RecordingUploadOffset(2, work_order_id, 0)
        for seq in range(3):
            await link.send_binary(protocol.pack_chunk(
                protocol.CHUNK_RECORDING, 2, seq, pieces[seq]))
        frame = protocol.pack_chunk(protocol.CHUNK_RECORDING, 2, 3, pieces[3])
        await link.send_binary(frame[:-1] + bytes([frame[-1] ^ 0x01]))
        refused = await failure()
        assert (refused.reason, refused.offset) == ("bad_checksum", 3 * CHUNK)
        assert not stored_at_hub(hub, entry.sha256).exists()

        # The workstation goes away and the hub is killed (SIGKILL, as a power cut); both
        # started again, the workstation continues from the offset the hub kept on disk.
        await seat.desk.close()
        await seat.workstation.close()
        closed = True
        hub.crash()
        await asyncio.to_thread(hub.start)
        link2 = agent_link(hub)
        archive2 = RecordingArchive(directory, 180)
        await asyncio.to_thread(archive2.load)
        uploader = RecordingUploader(link2, archive2, chunk_bytes=CHUNK)
        offsets: list[tuple[str, int]] = []
        uploader.offset_given.connect(offsets.append)
        uploader.start()
        link2.start()
        try:
            await until(lambda: bool((e := archive2.entry(work_order_id)) and e.uploaded_at),
                        "the resumed upload is confirmed", timeout_s=60)
        finally:
            await uploader.close()
            await link2.stop()
        assert offsets == [(work_order_id, 3 * CHUNK)], "resumed, not started again"
        assert sha256_of(stored_at_hub(hub, entry.sha256)) == entry.sha256
        assert not archive2.path_for(work_order_id).exists()
    finally:
        if not closed:
            await seat.desk.close()
            await seat.workstation.close()
