"""The recording uploader closes even when it is woken in the same moment it is stopped.

Python 3.11's ``asyncio.wait_for`` swallows a cancel that arrives together with the
result it waits for (CPython gh-86296, fixed in 3.12): the uploader's idle loop, waiting
for work with ``wait_for``, took the wake-up, looped, and waited again, so the cancel from
``close`` was lost and the workstation's shutdown waited for it forever (seen in the
demo: the recording's ``recording_saved`` acknowledgement woke the uploader just as the
seat closed)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from seat_client.call.hub_link import HubLink
from seat_client.recording.archive import RecordingArchive
from seat_client.recording.upload import RecordingUploader
from seat_common import protocol
from seat_common.tasks import TaskOwner


async def test_a_wake_up_in_the_moment_of_closing_does_not_keep_the_uploader_running(
    tmp_path: Path,
) -> None:
    link = HubLink("ws://127.0.0.1:9/ws", lambda: protocol.Hello(role="agent", token="t"))
    archive = RecordingArchive(tmp_path / "recordings", 30)
    archive.load()
    tasks = TaskOwner("recording upload")
    uploader = RecordingUploader(link, archive, tasks=tasks)
    uploader.start()
    assert tasks.running("recording-upload")
    for _ in range(5):  # a few turns of the loop: its idle loop now waits for work
        await asyncio.sleep(0)
    # The hub's acknowledgement of a saved recording wakes it ...
    link.message.emit(protocol.Ack(of=protocol.RecordingSaved.TYPE, work_order_id="WO-1"))
    # ... and in the same moment the seat closes.
    async with asyncio.timeout(30):
        await uploader.close()
    assert not tasks.running()
