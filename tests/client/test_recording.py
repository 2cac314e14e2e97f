"""A call recording plays back: the citizen's stamped frames and both voices decode from the MP4,
a crash or a cut leaves a file that plays to its last fragment, the encoder never holds up the
caller, and retention deletes only what is old enough."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from sandbox.camera import StampedCameraTrack, read_stamp
from seat_client import settings
from seat_client.recording.archive import ArchivedRecording, RecordingArchive, RecordingStatus
from seat_client.recording.recorder import CallRecorder, RecorderTuning, RecordingError
from seat_common.media.audio_levels import mono_samples, tone_amplitude
from tests.client.recording_media import FakeClock, feed

ROOT = Path(__file__).resolve().parents[2]
#: Every frame reaches the encoder (the drop test uses the real, small backlog).
NO_DROPS = RecorderTuning(max_video_backlog=1000, max_audio_backlog=5000)


@dataclass
class Decoded:
    streams: list[str]
    width: int
    height: int
    frame_times: list[float]
    counters: list[int]
    unreadable: int
    sound: np.ndarray[Any, Any]
    sound_rate: int
    error: str = ""


def decode(path: Path) -> Decoded:
    """Everything in the file, up to where it ends or breaks off."""
    result = Decoded([], 0, 0, [], [], 0, np.zeros(0), 0)
    parts: list[np.ndarray[Any, Any]] = []
    with av.open(str(path)) as container:
        result.streams = sorted(s.type for s in container.streams)
        try:
            for frame in container.decode(*container.streams):
                if isinstance(frame, av.VideoFrame):
                    result.width, result.height = frame.width, frame.height
                    result.frame_times.append(float(frame.time or 0.0))
                    stamp = read_stamp(frame)
                    if stamp is None:
                        result.unreadable += 1
                    else:
                        result.counters.append(stamp.counter)
                else:
                    parts.append(mono_samples(frame))
                    result.sound_rate = frame.sample_rate
        except av.FFmpegError as exc:  # a file cut short ends in a broken fragment
            result.error = str(exc)
    result.sound = np.concatenate(parts) if parts else np.zeros(0)
    return result


def test_a_recording_plays_back_with_the_citizens_frames_and_both_voices(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "recordings" / "WO-20250101-000001.mp4"
    recorder = CallRecorder(path, clock=clock, tuning=NO_DROPS)
    recorder.start()
    offered = feed(recorder, clock, 6.0, camera=StampedCameraTrack(640, 480))
    recording = recorder.finish()

    played = decode(path)
    assert played.streams == ["audio", "video"] and not played.error
    assert (played.width, played.height) == (640, 480)
    # 30 fps offered, at most 15 a second kept: every other frame, all stamps readable.
    assert offered == 180 and 85 <= len(played.frame_times) <= 91
    assert played.unreadable == 0
    assert played.counters == sorted(set(played.counters)), "stamps increase, none repeated"
    assert played.counters[0] == 0 and played.counters[-1] >= 176
    assert played.frame_times == sorted(played.frame_times)
    assert played.frame_times[-1] - played.frame_times[0] == pytest.approx(5.9, abs=0.15)
    # Both voices are in the one sound track.
    assert played.sound_rate == 48_000
    middle = played.sound[48_000 : 2 * 48_000]
    citizen, agent = tone_amplitude(middle, 48_000, 400), tone_amplitude(middle, 48_000, 1000)
    silence = tone_amplitude(middle, 48_000, 2500)
    assert citizen == pytest.approx(0.3, rel=0.25) and agent == pytest.approx(0.3, rel=0.25)
    assert silence < 0.01
    assert played.sound.size / 48_000 == pytest.approx(6.0, abs=0.2)
    # What the hub is told matches the file.
    data = path.read_bytes()
    assert recording.sha256 == hashlib.sha256(data).hexdigest()
    assert recording.byte_size == len(data)
    assert recording.duration_s == pytest.approx(6.0, abs=0.2)
    assert recording.video_frames == len(played.frame_times)
    assert recording.dropped_video_frames == 0


def test_a_sound_only_call_gives_a_sound_only_file(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "hotline.mp4"
    recorder = CallRecorder(path, with_video=False, clock=clock, tuning=NO_DROPS)
    recorder.start()
    feed(recorder, clock, 3.0, camera=None)
    recording = recorder.finish()
    played = decode(path)
    assert played.streams == ["audio"] and not played.frame_times
    assert tone_amplitude(played.sound[24_000:72_000], 48_000, 400) > 0.2
    assert recording.width == 0 and recording.video_frames == 0
    assert recording.duration_s == pytest.approx(3.0, abs=0.2)


def test_a_video_call_whose_camera_never_sends_is_recorded_as_sound(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "no-camera.mp4"
    recorder = CallRecorder(path, clock=clock, tuning=RecorderTuning(video_wait_s=1.0))
    recorder.start()
    feed(recorder, clock, 2.5, camera=None)
    recorder.finish()
    played = decode(path)
    assert played.streams == ["audio"]
    assert played.sound.size / 48_000 == pytest.approx(2.5, abs=0.2), "the first second kept"


def test_a_call_with_no_media_at_all_leaves_no_file(tmp_path: Path) -> None:
    recorder = CallRecorder(tmp_path / "empty.mp4")
    recorder.start()
    with pytest.raises(RecordingError, match="nothing was recorded"):
        recorder.finish()
    assert not (tmp_path / "empty.mp4").exists()


def test_frames_of_another_size_are_scaled_into_the_first_ones_shape(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "turned.mp4"
    recorder = CallRecorder(path, clock=clock, tuning=NO_DROPS)
    recorder.start()
    wide, tall = StampedCameraTrack(1920, 1080), StampedCameraTrack(480, 640)
    for i in range(30):
        clock.t = i / 15
        recorder.add_video((wide if i < 15 else tall).make_frame(i, 0))
    recording = recorder.finish()
    played = decode(path)
    assert (recording.width, recording.height) == (1280, 720)  # at most 720p
    assert (played.width, played.height) == (1280, 720) and len(played.frame_times) == 30
    assert played.counters[:15] == list(range(15)), "the 1080p frames scale down readably"


def test_the_encoder_falling_behind_drops_video_and_never_blocks_the_caller(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "busy.mp4"
    recorder = CallRecorder(path, clock=clock, tuning=RecorderTuning(max_video_backlog=2))
    recorder.start()
    camera = StampedCameraTrack(1280, 720)
    frames = [camera.make_frame(i, 0) for i in range(60)]
    slowest = 0.0
    for i, frame in enumerate(frames):
        clock.t = i / 15
        began = time.perf_counter()
        recorder.add_video(frame)
        slowest = max(slowest, time.perf_counter() - began)
    recording = recorder.finish()
    assert slowest < 0.005, f"add_video took {slowest * 1000:.1f} ms"
    assert recording.dropped_video_frames > 0
    assert recording.video_frames + recording.dropped_video_frames == 60
    played = decode(path)
    assert len(played.frame_times) == recording.video_frames
    assert played.counters == sorted(played.counters)


def test_a_file_cut_short_still_plays_up_to_the_cut(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "cut.mp4"
    recorder = CallRecorder(path, clock=clock, tuning=NO_DROPS)
    recorder.start()
    feed(recorder, clock, 8.0, camera=StampedCameraTrack(640, 480))
    recorder.finish()
    whole = decode(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])  # the disk lost the last 40 %
    cut = decode(path)
    assert 30 <= len(cut.counters) < len(whole.counters)
    assert cut.counters == whole.counters[: len(cut.counters)]
    assert cut.unreadable == 0


CHILD = textwrap.dedent(
    """
    import json, sys, time, resource, signal
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from sandbox.camera import StampedCameraTrack
    from seat_client.recording.recorder import CallRecorder, RecorderTuning, RecordingError
    from tests.client.recording_media import FakeClock, feed
    mode, path = sys.argv[2], Path(sys.argv[3])
    failures = []
    if mode == "disk_full":
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))
    clock = FakeClock()
    recorder = CallRecorder(path, clock=clock, on_failure=failures.append,
                            tuning=RecorderTuning(max_video_backlog=1000, max_audio_backlog=5000))
    recorder.start()
    camera = StampedCameraTrack(640, 480)
    for second in range(7):
        feed(recorder, clock, 1.0, camera=camera, first=second * 30)
        while recorder.backlog:
            time.sleep(0.01)
    if mode == "crash":
        print("fed", flush=True)
        time.sleep(60)  # killed here, the file never finished
    try:
        recorder.finish()
        outcome = "finished"
    except RecordingError as exc:
        outcome = str(exc)
    print(json.dumps({"failures": [repr(f) for f in failures], "outcome": outcome}), flush=True)
    """
)


def test_a_crash_leaves_a_file_that_plays_to_its_last_fragment(tmp_path: Path) -> None:
    path = tmp_path / "crash.mp4"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT), "crash", str(path)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "fed"
        child.kill()  # like a power cut for the process: no finish, no close
    finally:
        child.wait(10)
    played = decode(path)
    assert played.streams == ["audio", "video"]
    # 7 s were encoded; fragments are cut every 2 s, so at least the first 4 s are there.
    assert len(played.counters) >= 60, f"only {len(played.counters)} frames survived"
    assert played.counters == sorted(played.counters) and played.unreadable == 0
    assert played.sound.size / 48_000 >= 4.0


def test_a_full_disk_stops_the_recording_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "full.mp4"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), "disk_full", str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(report["failures"]) == 1, report  # told once, as it happened
    assert "File too large" in report["failures"][0] or "27" in report["failures"][0]
    assert report["outcome"].startswith("recording full.mp4 failed")


# --- the archive: index and retention ---------------------------------------------

def saved(archive: RecordingArchive, work_order_id: str, saved_at: float) -> Path:
    path = archive.path_for(work_order_id)
    path.write_bytes(b"mp4")
    archive.add(ArchivedRecording(work_order_id, "c1", path.name, 60.0, 3, "0" * 64, 900,
                                  saved_at))
    return path


def test_retention_deletes_old_recordings_and_keeps_new_ones(tmp_path: Path) -> None:
    now = 1_750_000_000.0
    day = 86_400.0
    archive = RecordingArchive(tmp_path, retention_days=180, clock=lambda: now)
    archive.load()
    old = saved(archive, "WO-20240101-000001", now - 181 * day)
    new = saved(archive, "WO-20250601-000001", now - 179 * day)
    stray = tmp_path / "WO-20240102-000009.mp4"  # left by a crash: not in the index
    stray.write_bytes(b"mp4")
    os.utime(stray, (now - 200 * day, now - 200 * day))

    assert archive.sweep() == sorted([old, stray])
    assert not old.exists() and not stray.exists() and new.exists()
    assert archive.status("WO-20240101-000001") is RecordingStatus.EXPIRED
    assert archive.status("WO-20250601-000001") is RecordingStatus.AVAILABLE
    assert archive.status("WO-20250601-000777") is RecordingStatus.MISSING
    # The hub's own date tells an expired recording the index never knew from a foreign one.
    assert archive.status("WO-20240102-000009", now - 200 * day) is RecordingStatus.EXPIRED
    assert archive.status("WO-20240102-000009", now - 2 * day) is RecordingStatus.MISSING

    reopened = RecordingArchive(tmp_path, retention_days=180, clock=lambda: now)
    reopened.load()
    assert reopened.status("WO-20240101-000001") is RecordingStatus.EXPIRED
    assert [e.work_order_id for e in reopened.unreported()] == ["WO-20250601-000001"]


def test_a_work_order_id_cannot_lead_out_of_the_recordings_folder(tmp_path: Path) -> None:
    archive = RecordingArchive(tmp_path, retention_days=30)
    with pytest.raises(ValueError):
        archive.path_for("../../etc/passwd")
    assert archive.status("../x") is RecordingStatus.MISSING


def test_a_damaged_index_is_started_afresh_and_keeps_the_files(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text('{"recordings": [{"work_order_id": 5}, "x"]}')
    (tmp_path / "WO-1.mp4").write_bytes(b"mp4")
    archive = RecordingArchive(tmp_path, retention_days=30)
    archive.load()
    assert archive.unreported() == []
    assert archive.status("WO-1") is RecordingStatus.AVAILABLE


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "recording_retention_days: 录像保留天数应为 1..3650 天，而不是 0"),
        (3651, "应为 1..3650 天"),
        ("30", "recording_retention_days 应为 整数"),
        (True, "recording_retention_days 应为 整数"),
    ],
)
def test_a_bad_retention_setting_is_refused(tmp_path: Path, value: object, message: str) -> None:
    path = tmp_path / "ws.json"
    path.write_text(json.dumps({"recording_retention_days": value}))
    with pytest.raises(settings.SettingsError, match=message):
        settings.load(path)


def test_the_retention_setting_and_where_recordings_go(tmp_path: Path) -> None:
    path = tmp_path / "ws.json"
    path.write_text(json.dumps({"recording_retention_days": 60, "state_dir": str(tmp_path)}))
    loaded = settings.load(path)
    assert loaded.recording_retention_days == 60
    assert loaded.recordings_path() == tmp_path / "seat" / "recordings"
    # Not uploaded for a month: the hub (180 days) keeps the longest-lived copy, not the PC.
    assert settings.WorkstationSettings().recording_retention_days == 30
