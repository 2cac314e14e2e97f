"""Counter intake's document camera (高拍仪): an image it saves into its folder during a call
becomes a material of that work order, in the review pane, stored by the hub."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from PIL import Image

from sandbox.citizen import CitizenScript, SimulatedCitizen
from seat_client.materials.document_camera import DocumentCameraFolder
from tests.integration.conftest import Seat, until


async def test_a_document_camera_capture_joins_the_review(seat: Seat, tmp_path: Path) -> None:
    desk, pane = seat.pre_review.desk, seat.pre_review.pane
    folder = tmp_path / "gaopaiyi"
    folder.mkdir()
    camera = DocumentCameraFolder(folder, seat.pre_review.transfer.cache,
                                  lambda: desk.session.work_order_id if desk.session else "",
                                  poll_interval_s=0.1)
    desk.take_from_document_camera(camera)
    camera.start()
    citizen = SimulatedCitizen(seat.hub.url, "BR-INDIVIDUAL-SETUP", "kiosk", "范先生",
                               script=CitizenScript(hangup_after_s=None),
                               kiosk=seat.hub.kiosk_login())
    run = asyncio.get_running_loop().create_task(citizen.run())
    seat.window.status_strip.state_chosen.emit("ready", "")
    await until(lambda: seat.window.offer_banner.isVisible(), "offer")
    seat.window.offer_banner.accept_button.click()
    await until(lambda: desk.session is not None, "the review opens")

    Image.new("RGB", (2000, 1500), (230, 225, 210)).save(folder / "scan-0001.jpg", "JPEG")
    (folder / "notes.txt").write_text("not an image")  # ignored: only images are imported
    await until(lambda: pane.strip.count() == 1, "the capture appears in the review", 15)
    session = desk.session
    assert session is not None
    (material,) = session.materials.values()
    assert material.source == "document_camera"
    with sqlite3.connect(seat.hub.db_path) as db:
        stored = db.execute("SELECT source FROM materials WHERE work_order_id = ?",
                            (session.work_order_id,)).fetchall()
    assert stored == [("document_camera",)]
    await seat.workstation.hang_up()
    await asyncio.wait_for(run, 20)
    await camera.stop()
    await desk.close()
