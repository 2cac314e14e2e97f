"""Remote assistance on a kiosk, end to end: real hub process, workstation, kiosk, WebRTC.

The kiosk simulator (offscreen Qt window, real aiortc peer) calls the
agent on channel kiosk and shares its screen; the agent's ``RemoteAssist``
and ``AssistView`` drive it over the real ``assist`` data channel. What a
citizen and an agent would notice: input before consent does nothing;
after consent, clicks on the agent's view land on the kiosk widget under
them whatever the view's size, and typing fills the kiosk form; the
kiosk's stop button cuts control at once; control ends with the call;
a pushed PDF comes out of the kiosk printer; an ID-card read reaches the
agent with its photo, masked, ready to prefill the form; every control
session is in the audit trail, and the trail is in the hub's audit log.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import shutil
import sqlite3
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PyQt6.QtCore import QEvent, QPoint, QPointF, Qt
from PyQt6.QtGui import QKeyEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.id_card import make_id_card
from sandbox.kiosk.peer import KioskPeer
from sandbox.kiosk.printer import KioskPrinter
from sandbox.kiosk.report import KioskReport
from seat_client.assist.audit import AssistAudit
from seat_client.assist.remote_assist import AssistState, RemoteAssist
from seat_client.assist.trail_sender import AssistTrailSender
from seat_client.call.session import CallPhase
from seat_common import catalog
from seat_common.protocol import assist as wire
from tests.integration.conftest import Seat, until
from ui.assist.view import AssistView, SharedScreenView


@dataclass
class KioskCall:
    seat: Seat
    assist: RemoteAssist
    view: AssistView
    kiosk: KioskWindow
    peer: KioskPeer
    run: asyncio.Task[KioskReport]
    printer_dir: Path
    audit: AssistAudit
    trail: AssistTrailSender


@contextlib.asynccontextmanager
async def kiosk_call(seat: Seat, tmp_path: Path) -> AsyncIterator[KioskCall]:
    """A kiosk calls the agent, who accepts; the call ends on leaving the block.

    WORKAROUND: the call lives inside the test body, not in a fixture:
    pytest-qt processes Qt events between fixture set-up and the test,
    outside the asyncio loop, which wakes aiortc's transports with no loop
    running and breaks them (RuntimeError "no running event loop" / "bound
    to a different event loop" in aioice and aiortc).
    """
    ws = seat.workstation
    audit = AssistAudit(tmp_path / "audit")
    assist = RemoteAssist(audit, agent_id="0012")
    trail = AssistTrailSender(ws.link, audit)  # each entry to the hub's audit log
    await trail.start()
    unsubscribe_assist = ws.call_changed.connect(assist.on_call_changed)
    view = AssistView(assist)
    unsubscribe_view = ws.call_changed.connect(
        lambda call: view.set_session(None if call is None else call.session))
    view.resize(1100, 900)
    view.show()
    items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
    kiosk = KioskWindow("沙田镇", items)
    kiosk.show()
    printer_dir = tmp_path / "printer"
    peer = KioskPeer(seat.hub.url, kiosk, KioskPrinter(printer_dir), item_code="SI-PENSION-CERT",
                     login=seat.hub.kiosk_login())
    run = asyncio.get_running_loop().create_task(peer.run(give_up_after_s=60))
    call = KioskCall(seat, assist, view, kiosk, peer, run, printer_dir, audit, trail)
    try:
        await ws.set_ready()
        await until(lambda: ws.offer is not None, "the kiosk's call rings")
        assert ws.offer is not None and ws.offer.channel == "kiosk"
        assert ws.offer.citizen.hall == "沙田镇"
        await ws.accept()
        await until(lambda: assist.state is AssistState.IDLE, "the assist channel opens")
        await until(lambda: view.screen_view.painted_count >= 2, "the kiosk screen is painted")
        yield call
    finally:
        await finish(call)
        await trail.close()
        unsubscribe_assist()
        unsubscribe_view()
        view.disconnect_assist()
        for widget in (view, kiosk):
            widget.close()
            widget.deleteLater()


async def finish(call: KioskCall) -> None:
    """End the call and wait until both peers are closed.

    Each test does this itself: pytest-qt's teardown runs Qt events outside
    the asyncio loop before async fixtures are finalised, which would wake
    the call's tasks with no loop running.
    """
    ws = call.seat.workstation
    session = ws.call.session if ws.call is not None else None
    if not call.run.done():
        await ws.hang_up()
        await asyncio.wait_for(asyncio.shield(call.run), 10)
    if session is not None:
        await until(lambda: session.phase is CallPhase.CLOSED, "the agent's peer closes", 5)
    # aiortc finishes closing its transports in tasks of its own: let them run out
    # on this loop, or they wake up under the next test's loop.
    await asyncio.sleep(0.5)


def kiosk_point(kiosk: KioskWindow, widget: QWidget, at: QPoint | None = None) -> QPointF:
    """A point of ``widget`` (its centre by default) in kiosk-window coordinates."""
    local = at if at is not None else QPoint(widget.width() // 2, widget.height() // 2)
    return QPointF(widget.mapTo(kiosk, local))


def view_point(view: SharedScreenView, kiosk: KioskWindow, point: QPointF) -> QPoint:
    """Where a kiosk point shows up in the agent's view (letterboxed)."""
    box = view.frame_rect()
    return QPoint(round(box.x() + point.x() / kiosk.width() * box.width()),
                  round(box.y() + point.y() / kiosk.height() * box.height()))


async def grant_control(call: KioskCall) -> None:
    assert call.assist.request_control()
    await until(lambda: call.kiosk.consent_panel.isVisible(), "the kiosk asks for consent")
    assert call.assist.state is AssistState.REQUESTED
    call.kiosk.allow_button.click()  # the citizen, at the kiosk
    await until(lambda: call.assist.state is AssistState.ACTIVE, "control is granted")
    assert call.kiosk.banner.isVisible() and not call.kiosk.consent_panel.isVisible()


async def test_input_before_consent_is_ignored_and_logged(
    seat: Seat, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with kiosk_call(seat, tmp_path) as call:
        await check_input_before_consent(call, caplog)


async def check_input_before_consent(
    kiosk_call: KioskCall, caplog: pytest.LogCaptureFixture
) -> None:
    call, kiosk = kiosk_call, kiosk_call.kiosk
    # The hub records calls by default: the kiosk's screen said so before the media.
    assert call.peer.report.recording_notice == "本次通话将录音录像"
    # The agent's camera and microphone, told when the call started, reached the kiosk too.
    await until(lambda: call.peer.report.agent_media is not None, "the agent's media state")
    told = call.peer.report.agent_media
    assert told is not None and (told.camera, told.microphone) == ("on", "on")
    assert "本次通话将录音录像" in kiosk.status.text()
    centre = kiosk_point(kiosk, kiosk.print_button)
    x, y = centre.x() / kiosk.width(), centre.y() / kiosk.height()
    printed: list[bool] = []
    kiosk.print_button.clicked.connect(lambda: printed.append(True))

    # Our own side refuses first …
    assert call.assist.send_pointer(x, y, "click") is None
    # … and a misbehaving agent that sends anyway is refused by the kiosk.
    channel = call.assist.channel
    assert channel is not None
    caplog.set_level(logging.WARNING, logger="sandbox.kiosk.peer")
    channel.send(wire.format_message(wire.Pointer(901, x, y, "click")))
    channel.send(wire.format_message(wire.Key(902, text="abc")))
    await until(lambda: len(call.peer.report.refused) == 2, "the kiosk refuses both")
    assert printed == [] and call.peer.report.handled == []
    assert call.peer.report.refused == [(901, "pointer:click", "no_control"),
                                        (902, "key", "no_control")]
    assert "refused: no_control" in caplog.text
    await until(lambda: call.assist.refused_count >= 3, "the agent hears of the refusal")
    assert any(r.event == "input_refused" and "901" in r.detail for r in call.audit.records())

    # Asking for control is not control: still refused while the prompt is up.
    assert call.assist.request_control()
    await until(lambda: kiosk.consent_panel.isVisible(), "the consent prompt")
    channel.send(wire.format_message(wire.Pointer(903, x, y, "click")))
    await until(lambda: len(call.peer.report.refused) == 3, "refused while asking")
    # The agent cannot press the consent button for the citizen.
    allow = kiosk_point(kiosk, kiosk.allow_button)
    channel.send(wire.format_message(
        wire.Pointer(904, allow.x() / kiosk.width(), allow.y() / kiosk.height(), "click")))
    await until(lambda: len(call.peer.report.refused) == 4, "the consent button is refused")
    kiosk.deny_button.click()
    await until(lambda: call.assist.state is AssistState.DENIED, "the citizen declines")
    assert printed == [] and not kiosk.banner.isVisible()
    events = [r.event for r in call.audit.records() if r.event != "input_refused"]
    assert events[events.index("requested"):][:2] == ["requested", "denied"]
    await finish(call)


SCALES = ((512, 384), (1024, 768), (1741, 1306), (900, 420))  # 0.5×, 1×, 1.7×, letterboxed


async def test_clicks_land_on_the_right_kiosk_widget_at_any_view_scale(
    seat: Seat, tmp_path: Path, qtbot: QtBot
) -> None:
    async with kiosk_call(seat, tmp_path) as call:
        await check_clicks_and_typing(call, qtbot)


async def check_clicks_and_typing(kiosk_call: KioskCall, qtbot: QtBot) -> None:
    call, kiosk = kiosk_call, kiosk_call.kiosk
    await grant_control(call)
    session = call.seat.workstation.call.session if call.seat.workstation.call else None
    call.view.hide()  # the shared screen's frames go to one view: this one
    view = SharedScreenView(call.assist)
    qtbot.addWidget(view)
    view.set_session(session)
    view.show()
    for row, size in enumerate(SCALES, start=1):
        view.resize(*size)
        painted = view.painted_count
        await until(lambda p=painted: view.painted_count > p, f"the view paints at {size}")
        await click_targets(call, view, row)
    view.setFocus()

    # Typing on the agent's view fills the focused kiosk field.
    QTest.keyClicks(view, "Li")
    for char in "小梅":
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(view, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))
    QTest.keyClick(view, Qt.Key.Key_Backspace)
    await until(lambda: kiosk.name_edit.text() == "Li小", "typed text reaches the kiosk form")
    QTest.keyClick(view, Qt.Key.Key_Tab)
    await until(lambda: kiosk.focusWidget() is not kiosk.name_edit, "Tab moves the kiosk focus")
    await finish(call)


async def click_targets(call: KioskCall, view: SharedScreenView, row: int) -> None:
    kiosk, menu = call.kiosk, call.kiosk.item_menu
    row_centre = menu.viewport().mapTo(kiosk, menu.visualItemRect(menu.item(row)).center())
    targets = [
        (QPointF(row_centre), "item_menu"),
        (kiosk_point(kiosk, kiosk.phone_edit), "phone_edit"),
        (kiosk_point(kiosk, kiosk.name_edit), "name_edit"),
    ]
    for point, expected in targets:
        before = len(call.peer.report.handled)
        QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=view_point(view, kiosk, point))
        await until(lambda b=before: len(call.peer.report.handled) >= b + 2,  # down and up
                    f"the click on {expected} is handled")
        assert [h.widget for h in call.peer.report.handled[before:]] == [expected, expected]
    assert kiosk.item_label.text() == menu.item(row).text()
    assert kiosk.focusWidget() is kiosk.name_edit


async def test_stop_at_the_kiosk_takes_effect_at_once_and_control_ends_with_the_call(
    seat: Seat, tmp_path: Path
) -> None:
    async with kiosk_call(seat, tmp_path) as call:
        await check_stop_and_end(call)


async def check_stop_and_end(kiosk_call: KioskCall) -> None:
    call, kiosk, assist = kiosk_call, kiosk_call.kiosk, kiosk_call.assist
    await grant_control(call)
    phone = kiosk_point(kiosk, kiosk.phone_edit)
    x, y = phone.x() / kiosk.width(), phone.y() / kiosk.height()
    assert assist.send_pointer(x, y, "click") is not None
    await until(lambda: len(call.peer.report.handled) == 1, "input works while granted")

    kiosk.stop_button.click()  # the citizen stops it mid-session
    assert not kiosk.banner.isVisible(), "the banner goes at once"
    # The agent has not heard yet: its input is already on the way, and refused.
    assert assist.state is AssistState.ACTIVE
    late = assist.send_key(text="13800138000")
    assert late is not None
    await until(lambda: assist.state is AssistState.STOPPED, "the agent hears of the stop")
    await until(lambda: any(r[0] == late for r in call.peer.report.refused), "late input refused")
    assert kiosk.phone_edit.text() == ""
    assert len(call.peer.report.handled) == 1
    assert assist.send_pointer(x, y, "click") is None  # no control any more

    # Control again, then the call ends: control ends with it on both sides.
    await grant_control(call)
    await finish(call)
    report = call.run.result()
    assert report.control_states[-1] == "ended"
    assert not kiosk.banner.isVisible()
    assert assist.state is AssistState.ENDED
    trail = [(r.event, r.by) for r in call.audit.records() if r.event != "input_refused"]
    assert trail[-6:] == [("requested", "agent"), ("granted", "kiosk"), ("stopped", "kiosk"),
                          ("requested", "agent"), ("granted", "kiosk"), ("ended", "call_end")]
    sessions = {r.control_session for r in call.audit.records()}
    assert len(sessions) == 2 and all(sessions)
    # The same trail is in the hub's audit log, in order, under the agent's id.
    await until(lambda: not call.trail.pending, "the hub confirms every trail entry")
    with sqlite3.connect(call.seat.hub.db_path) as db:
        at_hub = db.execute("SELECT supervisor_id, action FROM audit_log"
                            " WHERE action LIKE 'assist_%' ORDER BY seq").fetchall()
    assert at_hub == [("0012", f"assist_{r.event}") for r in call.audit.records()]


def licence_pdf(name: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from seat_common.documents import pdf_fonts

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setFont(pdf_fonts.cjk_font(), 24)
    page.drawString(100, 700, "个体工商户营业执照")
    page.drawString(100, 650, f"经营者：{name}")
    page.showPage()
    page.save()
    return out.getvalue()


def pdf_text(path: Path) -> str:
    """The text poppler's pdftotext reads from ``path`` (a short run: fine inline in a test)."""
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                          text=True)
    return done.stdout


async def test_a_pushed_document_comes_out_of_the_kiosk_printer(
    seat: Seat, tmp_path: Path
) -> None:
    async with kiosk_call(seat, tmp_path) as call:
        await check_printing(call)


async def check_printing(kiosk_call: KioskCall) -> None:
    call = kiosk_call
    results: list[wire.PrintResult] = []
    call.assist.print_finished.connect(results.append)
    document = licence_pdf("王小明")
    assert len(document) > wire.PRINT_CHUNK_BYTES  # several chunks
    await call.assist.push_document(document, "营业执照.pdf")
    await until(lambda: bool(results), "the kiosk reports the print")
    assert results[0].ok, results[0].error
    printed = call.printer_dir / "营业执照.pdf"
    assert printed.read_bytes() == document
    assert [p.name for p in call.printer_dir.iterdir()] == ["营业执照.pdf"]  # no temp files
    if shutil.which("pdftotext") is not None:
        text = pdf_text(printed)
        assert "营业执照" in text and "王小明" in text
    with pytest.raises(ValueError, match="not a PDF"):
        await call.assist.push_document(b"GIF89a", "x.pdf")
    assert any(r.event == "print_pushed" for r in call.audit.records())
    await finish(call)


async def test_an_id_card_read_reaches_the_agent_and_prefills_the_form(
    seat: Seat, tmp_path: Path, qtbot: QtBot
) -> None:
    async with kiosk_call(seat, tmp_path) as call:
        await check_id_card(call, qtbot)


async def check_id_card(kiosk_call: KioskCall, qtbot: QtBot) -> None:
    call, view = kiosk_call, kiosk_call.view
    card = make_id_card(11, birth_year=1958)
    call.peer.read_id_card(card)
    call.peer.scan_face(11)
    await until(lambda: call.assist.last_face_scan is not None, "the face scan reaches the agent")
    got = call.assist.last_id_card
    assert got is not None and got.id_number == card.id_number and got.name == card.name
    assert got.photo_jpeg() == card.photo_jpeg  # the reference for the certification check
    assert call.assist.last_face_scan is not None and call.assist.last_face_scan.matched
    # The kiosk's own form is filled, the ID number masked on its screen.
    assert call.kiosk.name_edit.text() == card.name
    assert call.kiosk.id_edit.text() == card.id_number[:4] + "*" * 10 + card.id_number[-4:]
    # The agent sees it masked and can prefill the application form with it.
    panel = view.card_panel
    assert card.id_number not in panel.id_label.text()
    assert panel.id_label.text().endswith(card.id_number[-4:])
    assert panel.photo.pixmap() is not None and not panel.photo.pixmap().isNull()
    with qtbot.waitSignal(view.prefill_requested, timeout=1000) as signal:
        panel.prefill_button.click()  # emits synchronously: no nested waiting
    assert signal.args == [{"name": card.name, "id_number": card.id_number}]
    records = [r for r in call.audit.records() if r.event == "id_card_read"]
    assert records and card.id_number not in records[-1].detail
    await finish(call)
