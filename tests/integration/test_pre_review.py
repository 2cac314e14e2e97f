"""Pre-review through the real window: the citizen's document photos reach the review
pane, the agent marks the checklist, and the verdict with an annotated image reaches
the citizen. Then a still from the live video becomes a material too."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sandbox.citizen import CitizenScript, SimulatedCitizen
from tests.integration.conftest import Seat, until


async def test_photos_in_verdict_out(seat: Seat, photo_cache: Path) -> None:
    window = seat.window
    pane = seat.pre_review.pane
    citizen = SimulatedCitizen(
        seat.hub.url, "BR-INDIVIDUAL-SETUP", "kiosk", "范先生",
        script=CitizenScript(photos=("id_front", "id_back:glare"), photo_width=1600,
                             photo_height=1200, photo_cache_dir=str(photo_cache),
                             hangup_after_s=None, await_outcome_s=5),
        kiosk=seat.hub.kiosk_login(),
    )
    run = asyncio.get_running_loop().create_task(citizen.run())
    messages: list[str] = []
    window.status_strip.message_shown.connect(messages.append)
    window.status_strip.state_chosen.emit("ready", "")
    await until(lambda: window.offer_banner.isVisible(), "offer")
    window.offer_banner.accept_button.click()
    await until(lambda: pane.session is not None, "the review opens with the call")
    assert window.work_tabs.currentWidget() is pane
    session = pane.session
    assert session is not None and session.item.code == "BR-INDIVIDUAL-SETUP"
    await until(lambda: pane.strip.count() == 2, "both photos in the thumbnail strip", 30)
    assert any("群众正在上传" in m and "100%" in m for m in messages), messages

    material_ids = list(session.materials)
    session.assign(material_ids[0], "id_card")
    session.mark("id_card", "to_correct", "glare", "请避开灯光重拍")
    session.mark("premises_proof", "missing")
    pane.send.click()
    await until(lambda: bool(session.history), "the verdict is decided")

    await until(lambda: window.video_pane.view.painted_count >= 5, "video")
    window.video_pane.snapshot_button.click()
    await until(lambda: len(session.materials) == 3, "the still arrives as a material", 15)
    window.video_pane.hang_up_button.click()
    report = await asyncio.wait_for(run, 30)
    verdicts = report.materials["verdicts"]
    assert verdicts, report.materials
    entries = {e["material_code"]: e for e in verdicts[-1]["entries"]}
    assert entries["id_card"]["status"] == "to_correct"
    assert entries["id_card"]["reason_code"] == "glare"
    assert entries["premises_proof"]["status"] == "missing"
    assert len(report.materials["uploads"]) == 2
