"""The workstation's material files: the image check, EXIF orientation, stills, the document camera.

(The transfers through a real hub are in tests/hub/test_materials_flow.py.)
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from seat_client.call.hub_link import HubLink
from seat_client.call.session import FrameSlot
from seat_client.materials.cache import MaterialCache, open_upright
from seat_client.materials.document_camera import DocumentCameraFolder, ImportFailure
from seat_client.materials.transfer import (
    MaterialTransfer,
    MaterialTransferError,
    TransferFailure,
    encode_still,
)
from seat_client.materials.values import MaterialRef
from seat_common.documents.imagecheck import ImageLimits, ImageRefused, check_image
from seat_common.protocol import (
    CHUNK_DOWNLOAD,
    FetchMaterial,
    Hello,
    MaterialAdded,
    MaterialDownload,
    MaterialInfo,
    Message,
    chunk_frames,
)


def sideways_jpeg(orientation: int) -> bytes:
    """A 60×40 picture, left half red, stored turned so that ``orientation`` puts it upright."""
    upright = Image.new("RGB", (60, 40), "blue")
    upright.paste(Image.new("RGB", (30, 40), "red"), (0, 0))
    turn = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
    stored = upright.transpose(turn[orientation]) if orientation in turn else upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize("orientation", [1, 6, 8])
def test_exif_orientation_is_applied_when_reading(tmp_path: Path, orientation: int) -> None:
    path = tmp_path / "p.jpg"
    path.write_bytes(sideways_jpeg(orientation))
    facts = check_image(path, ImageLimits(max_bytes=10**6, max_pixels=10**6))
    assert (facts.width, facts.height, facts.orientation) == (60, 40, orientation)
    upright = open_upright(path)
    assert upright.size == (60, 40)
    red, _, blue = upright.convert("RGB").getpixel((5, 20))  # type: ignore[misc]
    assert red > 200 and blue < 60, "the red half must be on the left once upright"


def test_the_image_check_refuses_what_the_hub_refuses(tmp_path: Path) -> None:
    good = sideways_jpeg(1)
    out = io.BytesIO()
    Image.radial_gradient("L").resize((640, 480)).save(out, "JPEG")
    photo = out.getvalue()
    cases = {
        "empty.jpg": (b"", "not_an_image"),
        "text.jpg": (b"hello" * 100, "not_an_image"),
        "half.jpg": (photo[: len(photo) // 2], "truncated"),
    }
    for name, (data, reason) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ImageRefused) as refused:
            check_image(tmp_path / name, ImageLimits(max_bytes=10**6, max_pixels=10**6))
        assert refused.value.reason == reason, name
    (tmp_path / "big.jpg").write_bytes(good)
    with pytest.raises(ImageRefused) as refused:
        check_image(tmp_path / "big.jpg", ImageLimits(max_bytes=10**6, max_pixels=100))
    assert refused.value.reason == "too_many_pixels"


def test_a_video_frame_becomes_a_still_image() -> None:
    pixels = np.zeros((48, 64, 3), dtype=np.uint8)
    pixels[:, :32] = (255, 0, 0)
    frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
    for fmt, magic in (("JPEG", b"\xff\xd8\xff"), ("PNG", b"\x89PNG")):
        data = encode_still(frame, fmt)  # type: ignore[arg-type]
        assert data.startswith(magic)
        image = Image.open(io.BytesIO(data)).convert("RGB")
        assert image.size == (64, 48)
        assert image.getpixel((5, 5))[0] > 200  # type: ignore[index]


def test_the_cache_is_content_addressed(tmp_path: Path) -> None:
    cache = MaterialCache(tmp_path)
    path, sha = cache.put_bytes(b"abc", "image/png")
    again, _ = cache.put_bytes(b"abc", "image/png")
    assert path == again == tmp_path / sha[:2] / f"{sha}.png"
    assert path.read_bytes() == b"abc"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left


async def test_the_document_camera_folder_imports_new_images_once_they_are_complete(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "gaopaiyi"
    folder.mkdir()
    (folder / "old.jpg").write_bytes(sideways_jpeg(1))
    camera = DocumentCameraFolder(folder, MaterialCache(tmp_path / "cache"), lambda: "WO-1")
    imported: list[MaterialRef] = []
    failed: list[ImportFailure] = []
    camera.material_imported.connect(imported.append)
    camera.import_failed.connect(failed.append)
    camera.start()
    await camera.stop()  # polling is not needed: scan by hand
    (folder / "scan-001.jpg").write_bytes(sideways_jpeg(6))
    (folder / "scan-002.jpg").write_bytes(b"this is not an image")
    (folder / "notes.txt").write_text("ignored")
    assert await camera.scan() == []  # first sight: the camera may still be writing
    refs = await camera.scan()
    assert [r.filename for r in refs] == ["scan-001.jpg"] == [r.filename for r in imported]
    (ref,) = refs
    assert (ref.source, ref.work_order_id, ref.width, ref.height) == (
        "document_camera",
        "WO-1",
        60,
        40,
    )
    assert ref.orientation == 6 and ref.path.is_relative_to(tmp_path / "cache")
    assert [(f.path.name, f.reason) for f in failed] == [("scan-002.jpg", "not_an_image")]
    assert await camera.scan() == [] and len(failed) == 1  # each file once


def test_the_frame_slot_keeps_the_newest_frame_for_a_still_after_it_was_painted() -> None:
    slot = FrameSlot()
    assert slot.newest() is None
    slot.put("first")
    slot.put("second")
    taken = slot.take()
    assert taken is not None and taken.frame == "second"
    newest = slot.newest()
    assert newest is not None and newest.frame == "second"
    assert slot.take() is None


class LoopbackLink(HubLink):
    """A hub link that records what is sent; the test plays the hub by emitting events."""

    def __init__(self) -> None:
        super().__init__("ws://127.0.0.1:9/ws", lambda: Hello(role="agent"))
        self.sent: list[Message] = []

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    async def send_binary(self, frame: bytes) -> None:
        raise AssertionError("no uploads here")


def material(data: bytes) -> MaterialInfo:
    return MaterialInfo(
        material_id="M-1",
        work_order_id="WO-1",
        filename="id.jpg",
        mime="image/jpeg",
        byte_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=60,
        height=40,
        orientation=6,
        source="citizen_upload",
        added_at=1.0,
        material_code="id_card",
    )


async def test_a_download_with_a_corrupt_chunk_is_refused_and_a_good_one_is_cached(
    tmp_path: Path,
) -> None:
    link = LoopbackLink()
    transfer = MaterialTransfer(link, MaterialCache(tmp_path), reply_timeout_s=3)
    transfer.attach()
    received: list[MaterialRef] = []
    failures: list[TransferFailure] = []
    transfer.material_received.connect(received.append)
    transfer.transfer_failed.connect(failures.append)
    data = sideways_jpeg(6) * 400  # more than one chunk
    info = material(data)

    link.message.emit(MaterialAdded(upload_id=0, material=info))  # the citizen's upload
    await asyncio.sleep(0)
    (fetch,) = link.sent
    assert isinstance(fetch, FetchMaterial) and fetch.material_id == "M-1"
    link.message.emit(MaterialDownload(download_id=fetch.download_id, material=info))
    frames = chunk_frames(CHUNK_DOWNLOAD, fetch.download_id, data)
    broken = bytearray(frames[1])
    broken[-1] ^= 0xFF
    link.binary.emit(frames[0])
    link.binary.emit(bytes(broken))
    await asyncio.sleep(0.05)
    assert received == [] and [f.reason for f in failures] == ["bad_checksum"]
    assert not await asyncio.to_thread(lambda: any(tmp_path.rglob("*.jpg")))

    fetching = asyncio.create_task(transfer.fetch("M-1"))
    await asyncio.sleep(0)
    again = link.sent[-1]
    assert isinstance(again, FetchMaterial)
    link.message.emit(MaterialDownload(download_id=again.download_id, material=info))
    for frame in chunk_frames(CHUNK_DOWNLOAD, again.download_id, data):
        link.binary.emit(frame)
    ref = await fetching
    assert ref.path.read_bytes() == data
    assert (ref.orientation, ref.width, ref.height, ref.material_code) == (6, 60, 40, "id_card")
    await transfer.close()


async def test_a_download_larger_than_the_workstation_accepts_is_refused(tmp_path: Path) -> None:
    link = LoopbackLink()
    transfer = MaterialTransfer(link, MaterialCache(tmp_path), max_download_bytes=1000)
    transfer.attach()
    fetching = asyncio.create_task(transfer.fetch("M-1"))
    await asyncio.sleep(0)
    (fetch,) = link.sent
    assert isinstance(fetch, FetchMaterial)
    data = b"x" * 5000
    link.message.emit(MaterialDownload(download_id=fetch.download_id, material=material(data)))
    for frame in chunk_frames(CHUNK_DOWNLOAD, fetch.download_id, data):
        link.binary.emit(frame)
    with pytest.raises(MaterialTransferError) as refused:
        await fetching
    assert refused.value.reason == "too_large"
    await transfer.close()
