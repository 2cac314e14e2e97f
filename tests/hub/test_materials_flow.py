"""Materials end to end through a real hub process: citizen photos to the agent, verdict back.

The simulated citizen sends document photos during a call; the agent side is
the workstation's own ``HubLink`` + ``MaterialTransfer`` (no UI). The agent
receives the files into its local cache, sends an annotated PNG and a
verdict; the citizen's report has the verdict and the downloaded image, and
the hub's SQLite file and store hold what both sides were told.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from hubclient import SI_ITEM, agent_seat, db_rows
from PIL import Image

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.materials.cache import MaterialCache, open_upright
from seat_client.materials.transfer import (
    MaterialTransfer,
    MaterialTransferError,
    TransferFailure,
    TransferProgress,
)
from seat_client.materials.values import MaterialRef, MaterialVerdict, PreReviewVerdict
from seat_common.protocol import (
    Accept,
    CallStarted,
    Hangup,
    Hello,
    MaterialAdded,
    Message,
    Offer,
    SetState,
    UploadFailed,
)


async def until(check: Callable[[], Any], within: float = 10.0) -> Any:
    deadline = time.monotonic() + within
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
    return result


class Agent:
    """A logged-in workstation core: hub link, material transfer, accepts the first offer."""

    def __init__(self, hub: HubProcess, agent_id: str, cache: Path) -> None:
        self.link = HubLink(hub.url, lambda: Hello(role="agent", token=hub.tokens[agent_id]))
        self.transfer = MaterialTransfer(self.link, MaterialCache(cache), reply_timeout_s=10)
        self.transfer.attach()
        self.received: list[MaterialRef] = []
        self.progress: list[TransferProgress] = []
        self.messages: list[Message] = []
        self.transfer.material_received.connect(self.received.append)
        self.transfer.upload_progress.connect(self.progress.append)
        self.link.message.connect(self._on_message)

    def _on_message(self, message: Message) -> None:
        self.messages.append(message)
        if isinstance(message, Offer):
            asyncio.get_running_loop().create_task(self.link.send(Accept(call_id=message.call_id)))

    async def start(self) -> None:
        self.link.start()
        await until(lambda: self.link.state is LinkState.CONNECTED)
        await self.link.send(SetState(state="ready"))

    def call(self) -> CallStarted:
        return next(m for m in self.messages if isinstance(m, CallStarted))

    async def stop(self) -> None:
        await self.transfer.close()
        await self.link.stop()


@pytest.fixture
async def agent_factory(tmp_path: Path):
    agents: list[Agent] = []

    async def make(hub: HubProcess, agent_id: str) -> Agent:
        agent = Agent(hub, agent_id, tmp_path / f"cache-{agent_id}")
        await agent.start()
        agents.append(agent)
        return agent

    yield make
    for agent in agents:
        await agent.stop()


async def test_photos_reach_the_agent_and_the_verdict_and_annotation_reach_the_citizen(
    start_hub, agent_factory, photo_cache: Path
) -> None:
    hub = start_hub([agent_seat("m1")], ring_timeout=5)
    agent = await agent_factory(hub, "m1")
    script = CitizenScript(
        photos=("id_front", "id_back:exif_6"),
        photo_width=800,
        photo_height=600,
        photo_cache_dir=str(photo_cache),
    )
    citizen = SimulatedCitizen(hub.url, SI_ITEM, "web", "陈一", script=script)
    run = asyncio.create_task(citizen.run())

    await until(lambda: len(agent.received) == 2)
    front, back = agent.received
    call = agent.call()
    assert {front.work_order_id, back.work_order_id} == {call.work_order_id}
    assert front.source == back.source == "citizen_upload"
    assert front.material_code == "id_card"
    assert (front.width, front.height, front.orientation) == (800, 600, 1)
    # Stored as sent (sideways pixels + EXIF 6); the reported size is upright.
    assert (back.width, back.height, back.orientation) == (800, 600, 6)
    assert Image.open(back.path).size == (600, 800)
    assert open_upright(back.path).size == (800, 600)
    for ref in (front, back):
        assert hashlib.sha256(ref.path.read_bytes()).hexdigest() == ref.sha256
        assert ref.path.is_relative_to(agent.transfer.cache.root)
    citizen_progress = [p for p in agent.progress if p.uploader_role == "citizen"]
    assert citizen_progress[-1].fraction == 1.0

    png = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(png, "PNG")
    annotated = await agent.transfer.send_annotated(
        call.work_order_id, png.getvalue(), filename="id_back-marked.png", material_code="id_card"
    )
    assert annotated.source == "agent_annotated"
    verdict = PreReviewVerdict(
        work_order_id=call.work_order_id,
        item_code=SI_ITEM,
        verdicts=(
            MaterialVerdict(
                "id_card",
                "to_correct",
                "expired",
                "请上传有效期内的身份证",
                (front.material_id, back.material_id, annotated.material_id),
            ),
            MaterialVerdict("photo_receipt", "missing"),
        ),
        decided_at=time.time(),
        agent_id="m1",
    )
    await agent.transfer.send_verdict(verdict)
    await until(lambda: citizen.materials.annotated and citizen.materials.annotated[0].ok)
    await agent.link.send(Hangup(call_id=call.call_id))
    report = await asyncio.wait_for(run, 15)

    uploads = report.materials["uploads"]
    assert [u["status"] for u in uploads] == ["added", "added"]
    assert all(u["progress_updates"] >= 2 for u in uploads)
    assert [u["material_id"] for u in uploads] == [front.material_id, back.material_id]
    (told,) = report.materials["verdicts"]
    assert told["revision"] == 1
    assert told["entries"][0]["status"] == "to_correct"
    assert told["entries"][0]["reason_code"] == "expired"
    assert told["entries"][1] == {
        "material_code": "photo_receipt",
        "status": "missing",
        "reason_code": "",
        "note": "",
        "material_ids": [],
    }
    (downloaded,) = report.materials["annotated"]
    assert downloaded["ok"] and downloaded["material_id"] == annotated.material_id

    rows = db_rows(hub.db_path, "SELECT * FROM materials ORDER BY added_at")
    assert [r["source"] for r in rows] == ["citizen_upload", "citizen_upload", "agent_annotated"]
    assert {r["work_order_id"] for r in rows} == {call.work_order_id}
    for row in rows:
        stored = hub.workdir / "materials" / row["sha256"][:2] / row["sha256"]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == row["sha256"]
    (history,) = db_rows(hub.db_path, "SELECT * FROM verdicts")
    assert (history["work_order_id"], history["revision"]) == (call.work_order_id, 1)


async def test_a_twelve_megapixel_phone_photo_arrives_whole_with_progress(
    start_hub, agent_factory, photo_cache: Path
) -> None:
    hub = start_hub([agent_seat("m2")], ring_timeout=5)
    agent = await agent_factory(hub, "m2")
    script = CitizenScript(photos=("id_front:exif_8",), photo_cache_dir=str(photo_cache))
    citizen = SimulatedCitizen(hub.url, SI_ITEM, "web", "李二", script=script)
    run = asyncio.create_task(citizen.run())
    (photo,) = await until(lambda: agent.received, within=20)
    assert (photo.width, photo.height, photo.orientation) == (4000, 3000, 8)
    assert photo.byte_size > 1_000_000
    seen = [p.received_bytes for p in agent.progress if p.uploader_role == "citizen"]
    assert seen == sorted(seen) and seen[-1] == photo.byte_size and len(seen) >= 5
    await agent.link.send(Hangup(call_id=agent.call().call_id))
    report = await asyncio.wait_for(run, 15)
    (upload,) = report.materials["uploads"]
    assert upload["status"] == "added" and upload["progress_updates"] == len(seen)


async def test_the_agent_captures_a_video_still_into_the_work_order(
    start_hub, agent_factory, clients
) -> None:

    hub = start_hub([agent_seat("m3")], ring_timeout=5)
    agent = await agent_factory(hub, "m3")
    citizen = await clients.citizen(hub, "王三")
    await citizen.join(SI_ITEM)
    await until(lambda: any(isinstance(m, CallStarted) for m in agent.messages))
    frame = av.VideoFrame.from_ndarray(np.full((480, 640, 3), 200, np.uint8), format="rgb24")
    still = await agent.transfer.capture_still(agent.call().work_order_id, frame)
    assert (still.source, still.mime, still.width, still.height) == (
        "video_still",
        "image/jpeg",
        640,
        480,
    )
    told = await citizen.expect(MaterialAdded)
    assert told.upload_id == 0 and told.material.material_id == still.material_id
    assert agent.received == [still]
    failures: list[TransferFailure] = []
    agent.transfer.transfer_failed.connect(failures.append)
    with pytest.raises(MaterialTransferError) as refused:
        await agent.transfer.upload_bytes(
            agent.call().work_order_id,
            b"not an image",
            filename="x.png",
            mime="image/png",
            source="agent_annotated",
        )
    assert refused.value.reason == "not_an_image"
    assert [(f.direction, f.reason, f.uploader_role) for f in failures] == [
        ("upload", "not_an_image", "agent")
    ]
    told_failed = await citizen.expect(UploadFailed)
    assert (told_failed.reason, told_failed.uploader_role) == ("not_an_image", "agent")
