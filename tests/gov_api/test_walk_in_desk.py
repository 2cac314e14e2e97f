"""The counter's walk-in desk against the real government-API sandbox: what the clerk types
is checked before it reaches a URL, each failure has a cause the clerk can act on, an
appointment opens with its pre-reviewed materials counted, and document-camera captures
stay with the walk-in (never the previous citizen's, never the last video call's)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from sandbox.gov_api_process import GovApiProcess
from seat_client.acceptance.gov_api_client import GovApiClient
from seat_client.counter.intake import CounterIntake
from seat_client.counter.walk_in import (
    BookingNumberError,
    CaptureError,
    DeskState,
    LookupProblem,
    WalkInDesk,
    WalkInFailure,
    normalise_booking_no,
)
from seat_client.materials.cache import MaterialCache
from seat_client.materials.document_camera import DocumentCameraFolder
from seat_client.materials.values import MaterialRef
from seat_client.plugin_host.host import GovApiLookups, PluginHost
from seat_client.review import session as review
from seat_common import catalog
from seat_common.forms import FormLibrary

ROOT = Path(__file__).resolve().parents[2]


def make_desk(client: GovApiClient, tmp_path: Path, **kwargs: object) -> WalkInDesk:
    gov = GovApiLookups(client)
    intake = CounterIntake(PluginHost(catalog.load()), gov, FormLibrary(), tmp_path / "work")
    return WalkInDesk(intake, review.load_reasons(), **kwargs)  # type: ignore[arg-type]


async def book(client: GovApiClient) -> str:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_intake
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return await bench_intake.book(GovApiLookups(client), int(time.time() * 1000) % 100000)


@pytest.mark.parametrize(("typed", "number"), [
    ("YY-00000042", "YY-00000042"), (" yy-00000042 ", "YY-00000042"),
    ("ＹＹ－００００００４２", "YY-00000042"), ("YY00000042", "YY-00000042"),
    ("00000042", "YY-00000042"), ("YY 0000 0042", "YY-00000042"),
])
def test_typed_numbers_are_forgiven_their_width_spaces_and_prefix(typed: str, number: str) -> None:
    assert normalise_booking_no(typed) == number


@pytest.mark.parametrize("typed", ["", "YY-123", "YY-000000421", "../admin", "YY-0000004?",
                                   "AB-00000042"])
def test_anything_else_is_not_an_appointment_number(typed: str) -> None:
    with pytest.raises(BookingNumberError):
        normalise_booking_no(typed)


async def test_an_appointment_opens_with_its_verdicts_and_the_form_to_confirm(
        client: GovApiClient, api: GovApiProcess, tmp_path: Path) -> None:
    number = await book(client)
    desk = make_desk(client, tmp_path)
    states: list[DeskState] = []
    desk.state_changed.connect(states.append)
    walk_in = await desk.look_up(number.lower().replace("-", " "))
    assert walk_in is not None and desk.walk_in is walk_in
    assert states == [DeskState.LOOKING_UP, DeskState.OPEN]
    assert walk_in.appointment is not None
    assert walk_in.appointment.citizen_name == "吴**"  # masked for the counter's screen
    assert "11010519491231002X" not in repr(walk_in.appointment)
    assert walk_in.work_order_id.startswith("wo-bench-"), "the video call's work order"
    # The plugin's checklist for a rented shop: four materials, all pre-reviewed on video.
    assert [m.code for m in walk_in.item.materials] == [
        "id_card", "premises_proof", "lease", "landlord_title"]
    assert walk_in.missing() == [] and len(walk_in.accepted()) == 4
    assert walk_in.prefill()["business_scope"] == "小吃服务"
    marks: list[object] = []
    desk.marks_changed.connect(marks.append)
    walk_in.review.mark("lease", "to_correct", "expired")  # the original lease ran out
    assert [m.code for m in walk_in.missing()] == ["lease"] and marks == [walk_in]
    await desk.finish()
    assert desk.walk_in is None and desk.state is DeskState.IDLE
    assert desk.intake.host.sessions == ()
    await desk.intake.host.close()


async def test_a_bad_number_never_reaches_the_api_and_a_wrong_one_is_not_found(
        client: GovApiClient, api: GovApiProcess, tmp_path: Path) -> None:
    desk = make_desk(client, tmp_path)
    failures: list[WalkInFailure] = []
    desk.failed.connect(failures.append)
    before = len(api.requests())
    assert await desk.look_up("YY-12/../x") is None
    assert failures[-1].problem is LookupProblem.BAD_NUMBER
    assert len(api.requests()) == before
    assert await desk.look_up("YY-99999999") is None
    assert failures[-1].problem is LookupProblem.NOT_FOUND
    assert failures[-1].booking_no == "YY-99999999" and desk.state is DeskState.IDLE


async def test_an_outage_says_unreachable_and_keeps_the_walk_in_in_hand(
        client: GovApiClient, api: GovApiProcess, tmp_path: Path) -> None:
    number = await book(client)
    desk = make_desk(client, tmp_path)
    walk_in = await desk.look_up(number)
    failures: list[WalkInFailure] = []
    desk.failed.connect(failures.append)
    await api.add_fault(kind="error", status=503)
    assert await desk.look_up(number) is None
    assert failures[-1].problem is LookupProblem.UNREACHABLE
    assert desk.walk_in is walk_in and desk.state is DeskState.OPEN
    await api.clear_faults()
    await api.add_fault(kind="drop", phase="before")
    assert await desk.look_up(number) is None
    assert failures[-1].problem is LookupProblem.UNREACHABLE
    await api.clear_faults()
    assert await desk.look_up(number) is not None, "usable again once the API is back"
    await desk.intake.host.close()


async def test_without_appointment_the_catalog_checklist_starts_unmarked(
        client: GovApiClient, tmp_path: Path) -> None:
    desk = make_desk(client, tmp_path)
    walk_in = await desk.start_without_appointment("BR-INDIVIDUAL-SETUP")
    assert walk_in is not None and walk_in.appointment is None
    assert walk_in.work_order_id.startswith("counter-")
    assert walk_in.missing() and walk_in.accepted() == []
    assert walk_in.intake.form is not None
    await desk.intake.host.close()


def write_scan(path: Path, colour: tuple[int, int, int], mtime: float | None = None) -> Path:
    Image.new("RGB", (1600, 1200), colour).save(path, "JPEG")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


async def test_a_capture_is_the_newest_new_scan_and_stays_on_this_seat(
        client: GovApiClient, tmp_path: Path) -> None:
    folder = tmp_path / "gaopaiyi"
    folder.mkdir()
    write_scan(folder / "earlier-citizen.jpg", (10, 10, 10), time.time() - 60)
    cache = MaterialCache(tmp_path / "cache")
    call_camera = DocumentCameraFolder(folder, cache, lambda: "wo-last-call", poll_interval_s=0.05)
    call_imports: list[MaterialRef] = []
    call_camera.material_imported.connect(call_imports.append)
    call_camera.start()
    desk = make_desk(client, tmp_path, camera_folder=folder, cache=cache, call_camera=call_camera)
    added: list[MaterialRef] = []
    desk.material_added.connect(added.append)

    walk_in = await desk.start_without_appointment("BR-INDIVIDUAL-SETUP")
    assert walk_in is not None
    with pytest.raises(CaptureError) as nothing:
        await desk.take_capture()
    assert nothing.value.reason == "nothing_new", "the earlier citizen's scan is not taken"
    write_scan(folder / "scan-1.jpg", (200, 200, 200), time.time() + 1)
    write_scan(folder / "scan-2.jpg", (220, 220, 220), time.time() + 2)
    second = await desk.take_capture()
    assert second.filename == "scan-2.jpg" and second.work_order_id == walk_in.review.work_order_id
    assert (await desk.take_capture()).filename == "scan-1.jpg"
    assert [r.filename for r in added] == ["scan-2.jpg", "scan-1.jpg"]
    (folder / "broken.jpg").write_bytes(b"not a jpeg at all")
    os.utime(folder / "broken.jpg", (time.time() + 3, time.time() + 3))
    with pytest.raises(CaptureError):
        await desk.take_capture()
    await asyncio.sleep(0.3)
    assert call_imports == [], "the call's import is paused while a walk-in is open"

    await desk.finish()
    write_scan(folder / "after-walk-in.jpg", (50, 90, 200), time.time() + 4)
    for _ in range(40):
        if call_imports:
            break
        await asyncio.sleep(0.05)
    assert [r.filename for r in call_imports] == ["after-walk-in.jpg"], (
        "the walk-in's scans never go to the call; new ones do once the desk is free")
    await call_camera.stop()
    await desk.intake.host.close()
