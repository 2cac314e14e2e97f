"""The recording player shows frames decoded from the MP4 (the citizen's stamps readable in the
painted image), keeps time, seeks, pauses on Space and says when there is no picture; the
work-order list offers "Play recording" only for a recording that is on this computer."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage
from pytestqt.qtbot import QtBot

from sandbox.camera import StampedCameraTrack, read_stamp
from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.recording.archive import ArchivedRecording, RecordingArchive
from seat_client.recording.recorder import CallRecorder, RecorderTuning
from seat_common import protocol
from tests.client.recording_media import FakeClock, feed
from ui.call.workorder_list_pane import WorkOrderListPane
from ui.recording.player import RecordingPlayer

TUNING = RecorderTuning(max_video_backlog=1000, max_audio_backlog=5000)


def record(path: Path, seconds: float, *, video: bool = True) -> None:
    clock = FakeClock()
    recorder = CallRecorder(path, with_video=video, clock=clock, tuning=TUNING)
    recorder.start()
    feed(recorder, clock, seconds, camera=StampedCameraTrack(640, 480) if video else None)
    recorder.finish()


def pixels(image: QImage) -> np.ndarray[Any, Any]:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    bits = image.constBits()
    assert bits is not None
    bits.setsize(image.sizeInBytes())
    rows = np.frombuffer(bits, np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4).copy()


def test_the_player_shows_decoded_frames_keeps_time_and_seeks(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "WO-20250101-000001.mp4"
    record(path, 4.0)
    player = RecordingPlayer(path, "WO-20250101-000001")
    qtbot.addWidget(player)
    player.show()
    qtbot.waitUntil(lambda: player.view.frames_shown >= 5, timeout=5000)
    assert player.view.image is not None
    stamp = read_stamp(pixels(player.view.image))
    assert stamp is not None, "the painted image is a real decoded frame"
    assert "00:04" in player.time_label.text() and player.time_label.text().startswith("00:0")
    assert "AAC 48000 Hz mono" in player.sound_label.text()
    assert "WO-20250101-000001" in player.windowTitle()

    qtbot.keyClick(player, Qt.Key.Key_Space)  # pause
    assert not player.playing
    shown = player.view.frames_shown
    time.sleep(0.3)
    qtbot.wait(100)
    assert player.view.frames_shown <= shown + 1, "paused: no new frames"

    player.seek(3.0)  # the frame at 3 s shows, even while paused
    qtbot.waitUntil(lambda: player.view.image_t >= 2.9, timeout=3000)
    assert player.time_label.text().startswith("00:03")
    assert player.view.image is not None
    later = read_stamp(pixels(player.view.image))
    assert later is not None and later.counter >= 88  # 30 fps camera, 3 s in
    assert player.slider.value() == pytest.approx(3000, abs=100)
    qtbot.keyClick(player, Qt.Key.Key_Escape)
    assert not player.isVisible()


def test_a_sound_only_recording_says_it_has_no_picture(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "hotline.mp4"
    record(path, 1.0, video=False)
    player = RecordingPlayer(path, "WO-20250101-000002")
    qtbot.addWidget(player)
    player.show()
    qtbot.waitUntil(lambda: player.info is not None, timeout=3000)
    assert player.view.image is None and "no picture" in player.view.placeholder
    qtbot.waitUntil(lambda: player.time_label.text() == "00:01 / 00:01", timeout=4000)
    assert "AAC" in player.sound_label.text()
    player.close()


def test_a_file_that_is_not_a_recording_is_refused_in_words(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "broken.mp4"
    path.write_bytes(b"not an mp4 at all")
    player = RecordingPlayer(path, "WO-1")
    qtbot.addWidget(player)
    player.show()
    qtbot.waitUntil(lambda: not player.play_button.isEnabled(), timeout=3000)
    assert "cannot be played" in player.view.placeholder
    player.close()


def row(work_order_id: str, recording_s: float, queued_at: float) -> protocol.WorkOrderRow:
    return protocol.WorkOrderRow(
        work_order_id=work_order_id, item_code="SI-UNEMP-QUERY", item_name="失业保险个人明细查询",
        theme="社会保险", channel="web", agent_id="0012", citizen=protocol.CitizenInfo(),
        state="closed", outcome="resolved", queued_at=queued_at, answered_at=queued_at + 5,
        closed_at=queued_at + 100, recording_s=recording_s,
    )


async def nowhere(_message: protocol.Message) -> None:
    return None


def test_play_recording_is_offered_only_for_a_recording_on_this_computer(
    qtbot: QtBot, tmp_path: Path
) -> None:
    now = time.time()
    archive = RecordingArchive(tmp_path, retention_days=30)
    archive.load()
    here = archive.path_for("WO-HERE")
    record(here, 0.5)
    archive.add(ArchivedRecording("WO-GONE", "c", "WO-GONE.mp4", 61.0, 1, "0" * 64, 1,
                                  now - 40 * 86_400, reported=True, expired_at=now - 86_400))
    model = WorkOrderListModel(nowhere)
    pane = WorkOrderListPane(model, recordings=archive)
    qtbot.addWidget(pane)
    pane.show()
    model.apply(protocol.WorkOrderList(rows=(
        row("WO-HERE", 0.5, now - 3600),
        row("WO-GONE", 61.0, now - 40 * 86_400),
        row("WO-ELSEWHERE", 75.0, now - 7200),  # recorded at another workstation
        row("WO-NONE", 0.0, now - 9000),
    )))
    assert pane.table.item(1, 8).text() == "1:01"  # the recording column
    expected = [
        (True, ""),
        (False, "Recording past its retention period"),
        (False, "This recording is not on this computer"),
        (False, "Not recorded"),
    ]
    for index, (enabled, note) in enumerate(expected):
        pane.table.selectRow(index)
        assert pane.play_button.isEnabled() is enabled, index
        assert pane.recording_note.text() == note

    requested: list[tuple[Path, str]] = []
    pane.recording_requested.connect(lambda path, wo: requested.append((path, wo)))
    pane.table.selectRow(1)
    pane.table.setFocus()
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)  # expired: nothing to play
    pane.table.selectRow(0)
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    pane.play_button.click()
    assert requested == [(here, "WO-HERE"), (here, "WO-HERE")]

    here.unlink()  # removed behind our back: the button follows
    pane.refresh_recording()
    assert not pane.play_button.isEnabled()


def test_a_supervisors_list_has_no_player(qtbot: QtBot) -> None:
    pane = WorkOrderListPane(WorkOrderListModel(nowhere))
    qtbot.addWidget(pane)
    pane.show()
    assert not pane.play_button.isVisible() and not pane.recording_note.isVisible()
