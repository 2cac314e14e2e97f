"""Bad material uploads against a real hub process: refused on both sides, the call goes on.

One hub (small limits: 0.5 s stall timeout, 2 uploads at once, 3 MB per work
order) serves the module; each test puts a citizen and a fresh agent in a
call, sends something bad, and checks that the citizen and the agent both
get ``upload_failed`` with the reason, that nothing was stored (no row, no
file, no temp file left), and that the call still works (a chat line, and a
good upload after the bad one).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import itertools
import struct
import time
import zlib
from collections.abc import Iterator

import pytest
from hubclient import SI_ITEM, Client, Clients, agent_seat, db_rows
from PIL import Image

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    CHUNK_UPLOAD,
    Accept,
    Ack,
    CallStarted,
    Chat,
    ChatMessage,
    FetchMaterial,
    LeaveQueue,
    MaterialAdded,
    MaterialDownload,
    Offer,
    PreReviewNotice,
    ReviewVerdict,
    UploadFailed,
    UploadStart,
    VerdictEntry,
    chunk_frames,
    pack_chunk,
    unpack_chunk,
)

_AGENTS = [f"x{i}" for i in range(20)]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    args = [
        "--upload-stall-timeout",
        "0.5",
        "--max-concurrent-uploads",
        "2",
        "--max-work-order-bytes",
        "3000000",
    ]
    seats = [agent_seat(a) for a in _AGENTS]
    with HubProcess(
        seats, workdir=tmp_path_factory.mktemp("hub"), ring_timeout=5, extra_args=args
    ) as process:
        yield process


@pytest.fixture(scope="module")
def fresh_agent() -> Iterator[str]:
    return iter(_AGENTS)


class Call:
    def __init__(self, citizen: Client, agent: Client, started: CallStarted) -> None:
        self.citizen = citizen
        self.agent = agent
        self.started = started
        self.ids = itertools.count(1)

    @property
    def work_order_id(self) -> str:
        return self.started.work_order_id

    async def start_upload(
        self,
        data: bytes,
        *,
        declared: int | None = None,
        sha: str | None = None,
        filename: str = "photo.jpg",
    ) -> int:
        upload_id = next(self.ids)
        await self.citizen.send(
            UploadStart(
                upload_id=upload_id,
                work_order_id=self.work_order_id,
                filename=filename,
                mime="image/jpeg",
                byte_size=len(data) if declared is None else declared,
                sha256=sha or hashlib.sha256(data).hexdigest(),
            )
        )
        return upload_id

    async def upload(self, data: bytes, **kwargs: object) -> int:
        upload_id = await self.start_upload(data, **kwargs)  # type: ignore[arg-type]
        for frame in chunk_frames(CHUNK_UPLOAD, upload_id, data):
            await self.citizen.send_raw(frame)
        return upload_id

    async def refused(self, upload_id: int, reason: str) -> UploadFailed:
        mine = await self.citizen.expect(UploadFailed, lambda m: m.upload_id == upload_id)
        theirs = await self.agent.expect(UploadFailed, lambda m: m.upload_id == upload_id)
        assert mine == theirs
        assert (mine.reason, mine.uploader_role) == (reason, "citizen"), mine
        assert mine.message
        return mine

    async def still_works(self, hub: HubProcess) -> None:
        await self.citizen.send(Chat(call_id=self.started.call_id, text="还在吗？"))
        await self.agent.expect(ChatMessage)
        good = await self.upload(jpeg(64, 48))
        added = await self.agent.expect(MaterialAdded, within=5)
        assert added.upload_id == 0
        mine = await self.citizen.expect(MaterialAdded, lambda m: m.upload_id == good, within=5)
        rows = db_rows(
            hub.db_path, "SELECT id FROM materials WHERE work_order_id = ?", (self.work_order_id,)
        )
        assert [r["id"] for r in rows] == [mine.material.material_id]
        assert await no_temp_files(hub)


@pytest.fixture
async def call(hub: HubProcess, clients: Clients, fresh_agent: Iterator[str]) -> Call:
    agent = await clients.agent(hub, next(fresh_agent))
    await agent.ready()
    citizen = await clients.citizen(hub, "市民")
    await citizen.join(SI_ITEM)
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    started = await citizen.expect(CallStarted)
    await agent.expect(CallStarted)
    return Call(citizen, agent, started)


async def no_temp_files(hub: HubProcess, within: float = 3.0) -> bool:
    deadline = time.monotonic() + within
    while any((hub.workdir / "materials" / "tmp").iterdir()):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def jpeg(width: int, height: int, **save: object) -> bytes:
    out = io.BytesIO()
    Image.radial_gradient("L").resize((width, height)).convert("RGB").save(out, "JPEG", **save)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


async def test_a_truncated_jpeg_is_refused(hub, call) -> None:
    data = jpeg(640, 480)
    await call.refused(await call.upload(data[: len(data) // 2]), "truncated")
    await call.still_works(hub)


async def test_a_decompression_bomb_is_refused_before_decoding(hub, call) -> None:
    data = bytearray(jpeg(64, 48))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 9000, 9000)  # 81 MP declared in 2 KB
    failed = await call.refused(await call.upload(bytes(data)), "too_many_pixels")
    assert "9000×9000" in failed.message
    huge = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0))
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + png_chunk(b"IEND", b"")
    )
    await call.refused(await call.upload(huge, filename="bomb.png"), "too_many_pixels")
    await call.still_works(hub)


async def test_a_text_file_named_jpg_and_an_empty_file_are_refused(hub, call) -> None:
    await call.refused(await call.upload(b"not a photo at all\n" * 50), "not_an_image")
    failed = await call.refused(await call.upload(b""), "not_an_image")
    assert "empty" in failed.message
    await call.still_works(hub)


async def test_a_png_with_an_enormous_text_chunk_is_refused(hub, call) -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    small = out.getvalue()
    text = png_chunk(b"tEXt", b"Comment\x00" + b"A" * 2_000_000)
    bloated = small[:33] + text + small[33:]
    await call.refused(await call.upload(bloated, filename="x.png"), "bad_metadata")
    await call.still_works(hub)


async def test_absurd_exif_orientation_is_refused(hub, call) -> None:
    exif = Image.Exif()
    exif[0x0112] = 99
    await call.refused(await call.upload(jpeg(64, 48, exif=exif.tobytes())), "bad_metadata")
    await call.still_works(hub)


async def test_a_stalled_upload_times_out_and_its_partial_file_is_removed(hub, call) -> None:
    data = jpeg(1200, 900, quality=100)
    upload_id = await call.start_upload(data)
    await call.citizen.send_raw(pack_chunk(CHUNK_UPLOAD, upload_id, 0, data[:1000]))
    started = time.monotonic()
    failed = await call.refused(upload_id, "timeout")
    assert time.monotonic() - started < 3
    assert "0.5" in failed.message
    await call.still_works(hub)


async def test_an_upload_cut_off_by_a_dropped_connection_leaves_nothing(hub, call) -> None:
    data = jpeg(1200, 900, quality=100)
    upload_id = await call.start_upload(data)
    await call.citizen.send_raw(pack_chunk(CHUNK_UPLOAD, upload_id, 0, data[:1000]))
    await call.citizen.ws.close()
    failed = await call.agent.expect(UploadFailed)
    assert failed.reason == "disconnected"
    assert await no_temp_files(hub)
    assert (
        db_rows(
            hub.db_path, "SELECT id FROM materials WHERE work_order_id = ?", (call.work_order_id,)
        )
        == []
    )


async def test_a_chunk_with_a_wrong_checksum_or_a_wrong_file_hash_is_refused(hub, call) -> None:
    data = jpeg(64, 48)
    upload_id = await call.start_upload(data)
    frame = bytearray(pack_chunk(CHUNK_UPLOAD, upload_id, 0, data))
    frame[-1] ^= 0xFF
    await call.citizen.send_raw(bytes(frame))
    await call.refused(upload_id, "bad_checksum")
    await call.refused(await call.upload(data, sha="0" * 64), "bad_checksum")
    await call.still_works(hub)


async def test_a_flood_of_uploads_hits_the_per_connection_and_work_order_limits(hub, call) -> None:
    first = await call.start_upload(b"x", declared=1_500_000)
    second = await call.start_upload(b"x", declared=1_400_000)
    third = await call.start_upload(b"x", declared=10)
    failed = await call.refused(third, "quota")
    assert "2 uploads at once" in failed.message
    await call.refused(first, "timeout")
    await call.refused(second, "timeout")
    await call.start_upload(b"x", declared=2_000_000)
    over = await call.start_upload(b"x", declared=1_500_000)
    failed = await call.refused(over, "quota")
    assert "3000000" in failed.message
    too_big = await call.start_upload(b"x", declared=30_000_000)
    await call.refused(too_big, "too_large")


async def test_uploads_outside_your_own_call_are_refused(hub, clients, call) -> None:
    stranger = await clients.citizen(hub, "stranger")
    await stranger.send(
        UploadStart(
            upload_id=1,
            work_order_id=call.work_order_id,
            filename="a.jpg",
            mime="image/jpeg",
            byte_size=10,
            sha256="0" * 64,
        )
    )
    failed = await stranger.expect(UploadFailed)
    assert failed.reason == "no_such_work_order"
    await stranger.send_raw(b"garbage that is not a chunk")
    error = await stranger.expect_error("bad_message")
    assert "binary" in error.message
    heard = await call.agent.sync()
    assert not [m for m in heard if isinstance(m, UploadFailed | MaterialAdded)], heard


async def test_an_upload_while_still_queued_is_told_the_call_is_not_answered(
    hub, clients
) -> None:
    waiting = await clients.citizen(hub, "waiting")
    queued = await waiting.join(item_code="HF-RENT-WITHDRAW")  # an item no agent here has
    start = UploadStart(upload_id=1, work_order_id=queued.work_order_id, filename="a.jpg",
                        mime="image/jpeg", byte_size=10, sha256="0" * 64)
    await waiting.send(start)
    failed = await waiting.expect(UploadFailed)
    assert failed.reason == "not_answered"
    assert "not answered" in failed.message
    # Someone else naming that waiting work order is still told it is not theirs.
    stranger = await clients.citizen(hub, "stranger")
    await stranger.send(start)
    assert (await stranger.expect(UploadFailed)).reason == "no_such_work_order"
    await waiting.send(LeaveQueue())


async def test_verdicts_go_to_this_citizen_only_and_name_only_this_work_orders_materials(
    hub, clients, call
) -> None:
    good = await call.upload(jpeg(64, 48))
    added = await call.citizen.expect(MaterialAdded, lambda m: m.upload_id == good, within=5)
    material_id = added.material.material_id
    bystander = await clients.citizen(hub, "bystander")

    await call.citizen.send(
        ReviewVerdict(work_order_id=call.work_order_id, item_code=SI_ITEM, entries=())
    )
    assert (await call.citizen.expect_error("not_allowed")).of == "review_verdict"
    unknown = VerdictEntry("id_card", "accepted", material_ids=("M-nonexistent",))
    await call.agent.send(
        ReviewVerdict(work_order_id=call.work_order_id, item_code=SI_ITEM, entries=(unknown,))
    )
    error = await call.agent.expect_error("no_such_material")
    assert error.field == "entries[0].material_ids"

    for status in ("to_correct", "accepted"):
        entry = VerdictEntry("id_card", status, material_ids=(material_id,))  # type: ignore[arg-type]
        await call.agent.send(
            ReviewVerdict(work_order_id=call.work_order_id, item_code=SI_ITEM, entries=(entry,))
        )
        await call.agent.expect(Ack, lambda a: a.of == "review_verdict")
    told = [await call.citizen.expect(PreReviewNotice) for _ in range(2)]
    assert [(v.revision, v.entries[0].status) for v in told] == [(1, "to_correct"), (2, "accepted")]
    history = db_rows(
        hub.db_path, "SELECT revision FROM verdicts WHERE work_order_id = ?", (call.work_order_id,)
    )
    assert [r["revision"] for r in history] == [1, 2]

    await bystander.send(FetchMaterial(material_id=material_id, download_id=1))
    await bystander.expect_error("no_such_work_order")
    await bystander.send(FetchMaterial(material_id="M-nope", download_id=2))
    await bystander.expect_error("no_such_material")
    assert not [m for m in await bystander.sync() if isinstance(m, PreReviewNotice)]
    await call.agent.send(FetchMaterial(material_id=material_id, download_id=9))
    download = await call.agent.expect(MaterialDownload)
    assert download.material == added.material
    data = b""
    while len(data) < download.material.byte_size:
        chunk = unpack_chunk(await asyncio.wait_for(call.agent.ws.recv(), 3))  # type: ignore[arg-type]
        assert chunk.crc_ok and chunk.transfer_id == 9
        data += chunk.data
    assert hashlib.sha256(data).hexdigest() == added.material.sha256
    # The agent's read of the citizen's document is in the audit log (written before it
    # was sent); the bystander's refused fetches are not reads.
    reads = db_rows(hub.db_path, "SELECT supervisor_id, detail, result FROM audit_log"
                    " WHERE action = 'fetch_material' AND target = ?", (call.work_order_id,))
    assert len(reads) == 1 and reads[0]["result"] == "read"
    assert reads[0]["supervisor_id"] and material_id in reads[0]["detail"]


def _rss_mib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    raise AssertionError("no VmRSS")


async def test_big_uploads_go_to_disk_not_into_the_hubs_memory(start_hub, clients) -> None:
    hub = start_hub([agent_seat("big")], ring_timeout=5)
    agent = await clients.agent(hub, "big")
    await agent.ready()
    citizen = await clients.citizen(hub, "市民")
    await citizen.join(SI_ITEM)
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    call = Call(citizen, agent, await citizen.expect(CallStarted))
    assert hub.pid is not None
    before = _rss_mib(hub.pid)
    for _ in range(2):
        junk = bytes(range(256)) * 74_000  # 18.9 MB, not an image
        await call.refused(await call.upload(junk), "not_an_image")
    assert _rss_mib(hub.pid) - before < 16
    await call.still_works(hub)
