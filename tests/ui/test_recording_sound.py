"""The recording player plays the sound on a speaker with the picture in step with it.

The recordings here are made by the real recorder from a known picture and sound: the
picture flashes white at every whole second and the sound has a 1 kHz burst starting at
the same instants. The player plays on the test rig's ``speaker`` (a private PulseAudio,
``sandbox.sound_rig``); its ear dates what was heard (to 1–3 ms), and the player's
picture view says when each picture was painted.

The bound, as painted − heard: EBU R37 allows the sound at most 40 ms before the picture
(+40) and at most 60 ms after it (−60), end to end. The player takes the picture from the
sound's position as the sink reports it, which PulseAudio plays 7–11 ms later; the 10 ms
pump and the paint come after it. Measured on this 2-core machine over 40 beats: idle,
median −3 ms, −13 to +6 ms; beside four busy processes, median −1 ms, −21 to +13 ms.
The median of the beats must keep R37; a single beat may be off by ``WORST_MS`` (R37's
60 ms and one 50 Hz display frame for a GUI thread held up at a paint on a busy machine).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtMultimedia import QAudioDevice, QMediaDevices
from pytestqt.qtbot import QtBot

from sandbox.sound_rig import RATE, SoundRig, find_onset, tone_burst
from seat_client.recording.recorder import CallRecorder, RecorderTuning
from tests.client.recording_media import FakeClock
from ui.recording.player import RecordingPlayer
from ui.recording.sound_output import STALL_S, SoundProblem, choose_speaker

FPS = 25
BURST_S = 0.1
TONE_HZ = 1000.0
#: The ear's threshold for the burst (it is recorded at 0.3 of full scale).
THRESHOLD = 0.1
#: EBU R37 as painted − heard (ms): sound at most 60 ms late, at most 40 ms early.
R37 = (-60.0, 40.0)
#: What one beat may be off (ms): see the module's docstring.
WORST_MS = 80.0


def record_beats(path: Path, seconds: float) -> None:
    """``seconds`` of a recording whose picture is white from every whole second for one
    frame (dark otherwise) and whose sound has a 1 kHz burst from the same instants."""
    clock = FakeClock()
    tuning = RecorderTuning(fps=FPS, max_video_backlog=1000, max_audio_backlog=5000)
    recorder = CallRecorder(path, clock=clock, tuning=tuning)
    recorder.start()
    burst = tone_burst(TONE_HZ, BURST_S)
    sound = np.zeros(int(seconds * RATE) + 960, np.int16)
    for beat in range(1, int(seconds) + 1):
        start = beat * RATE
        sound[start : start + burst.size] = burst[: max(0, sound.size - start)]
    silence = np.zeros(960, np.int16)
    events = [((n + 1) * 0.02, 1, n) for n in range(int(seconds * 50))]  # 20 ms of sound
    events += [(n / FPS, 0, n) for n in range(int(seconds * FPS))]  # pictures
    for t, kind, n in sorted(events):
        clock.t = t
        if kind == 1:
            recorder.add_citizen_audio(_audio(sound[n * 960 : (n + 1) * 960]))
            recorder.add_agent_audio(_audio(silence))
        else:
            white = n > 0 and n % FPS == 0
            luma = np.full((240, 320), 235 if white else 40, np.uint8)
            chroma = np.full((120, 320), 128, np.uint8)  # U and V, 160×120 each
            picture = np.concatenate((luma, chroma))
            recorder.add_video(av.VideoFrame.from_ndarray(picture, format="yuv420p"))
    recorder.finish()


def _audio(samples: np.ndarray) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = RATE
    return frame


@dataclass
class Paint:
    at: float  # monotonic
    t: float  # the picture's media time
    white: bool


def watch_paints(player: RecordingPlayer) -> list[Paint]:
    paints: list[Paint] = []

    def painted(t: float) -> None:
        image = player.view.image
        assert image is not None
        white = image.pixelColor(image.width() // 2, image.height() // 2).lightness() > 128
        paints.append(Paint(time.monotonic(), t, white))

    player.view.painted.connect(painted)
    return paints


def first_white(paints: list[Paint], beat: int) -> Paint | None:
    return next((p for p in paints if p.white and beat <= p.t < beat + 0.5), None)


def speaker_device() -> QAudioDevice:
    return next(d for d in QMediaDevices.audioOutputs() if d.id().data() == b"speaker")


def heard_beat(qtbot: QtBot, sound: SoundRig, painted_at: float,
               threshold: float = THRESHOLD) -> float:
    """When the ear heard the burst nearest a white picture painted at ``painted_at``.

    The ear dates a sample by the blocks read in the half second after it: wait for them.
    """
    ear = sound.speaker_ear
    qtbot.waitUntil(lambda: ear.onset(painted_at - 0.4, threshold, TONE_HZ) is not None,
                    timeout=10_000)
    first = ear.onset(painted_at - 0.4, threshold, TONE_HZ)
    assert first is not None
    qtbot.waitUntil(lambda: time.monotonic() > first + 0.6, timeout=10_000)
    settled = ear.onset(painted_at - 0.4, threshold, TONE_HZ)
    assert settled is not None
    return settled


def dominant_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / RATE)[int(np.argmax(spectrum))])


def test_the_sound_is_heard_on_the_speaker_in_step_with_the_picture(
    qtbot: QtBot, tmp_path: Path, sound: SoundRig
) -> None:
    path = tmp_path / "beats.mp4"
    record_beats(path, 5.5)
    player = RecordingPlayer(path, "WO-SYNC", speaker=speaker_device())
    qtbot.addWidget(player)
    paints = watch_paints(player)
    player.show()
    qtbot.waitUntil(lambda: player.info is not None, timeout=10_000)
    assert player.playback.sound_playing, player.sound_label.text()
    assert "playing on speaker" in player.sound_label.text()
    qtbot.waitUntil(lambda: player.playback.at_end, timeout=20_000)
    assert player.time_label.text() == "00:05 / 00:05" and player.play_button.text() == "Play"
    offsets = []
    for beat in range(1, 6):
        paint = first_white(paints, beat)
        assert paint is not None, f"the white picture of second {beat} was never painted"
        heard = heard_beat(qtbot, sound, paint.at)
        offsets.append((paint.at - heard) * 1000)
        if beat == 1:
            ear = sound.speaker_ear
            burst = ear.samples_from(ear.index_at(heard))[: int(0.08 * RATE)]
            assert dominant_hz(burst) == pytest.approx(TONE_HZ, abs=25)
    print(f"picture − sound (ms): {[round(o, 1) for o in offsets]}")
    assert R37[0] <= statistics.median(offsets) <= R37[1], offsets
    assert max(abs(o) for o in offsets) <= WORST_MS, offsets
    player.close()


def test_after_a_seek_the_sound_plays_from_the_sought_position_and_a_pause_holds_it(
    qtbot: QtBot, tmp_path: Path, sound: SoundRig
) -> None:
    path = tmp_path / "beats.mp4"
    record_beats(path, 4.5)
    player = RecordingPlayer(path, "WO-SEEK", speaker=speaker_device())
    qtbot.addWidget(player)
    paints = watch_paints(player)
    player.show()
    qtbot.waitUntil(lambda: player.playback.now() >= 2.3, timeout=20_000)  # past beat 2

    player.seek(0.8)  # back: beat 1 comes again, 0.2 s after the sound starts again
    sought_at = time.monotonic()
    qtbot.waitUntil(lambda: first_white([p for p in paints if p.at > sought_at], 1) is not None,
                    timeout=10_000)
    again = first_white([p for p in paints if p.at > sought_at], 1)
    assert again is not None
    heard = heard_beat(qtbot, sound, again.at)
    assert heard - sought_at >= 0.2 - 0.01, "the sound started before the sought position"
    assert heard - sought_at < 2.0
    assert abs(again.at - heard) * 1000 <= WORST_MS
    assert sound.speaker_ear.onset(sought_at, THRESHOLD, TONE_HZ) == pytest.approx(heard)

    qtbot.waitUntil(lambda: player.playback.now() >= 1.4, timeout=10_000)
    qtbot.keyClick(player, Qt.Key.Key_Space)  # pause 0.6 s before beat 2
    assert not player.playing
    paused_at, paused_pos = time.monotonic(), player.playback.now()
    qtbot.wait(1000)  # longer than beat 2 is away: nothing may play meanwhile
    qtbot.keyClick(player, Qt.Key.Key_Space)
    resumed_at = time.monotonic()
    qtbot.waitUntil(lambda: first_white([p for p in paints if p.at > resumed_at], 2) is not None,
                    timeout=10_000)
    beat2 = first_white([p for p in paints if p.at > resumed_at], 2)
    assert beat2 is not None
    heard = heard_beat(qtbot, sound, beat2.at)
    assert sound.speaker_ear.onset(paused_at, THRESHOLD, TONE_HZ) == pytest.approx(heard), \
        "nothing is heard while paused"
    print(f"paused at {paused_pos:.3f}, beat 2 heard {heard - resumed_at:.3f} s after resuming")
    assert heard - resumed_at >= 2.0 - paused_pos - 0.01, "the sound resumed where it paused"
    assert abs(beat2.at - heard) * 1000 <= WORST_MS
    player.close()


def test_mute_and_volume_change_what_the_speaker_plays(
    qtbot: QtBot, tmp_path: Path, sound: SoundRig
) -> None:
    path = tmp_path / "beats.mp4"
    record_beats(path, 3.5)
    player = RecordingPlayer(path, "WO-MUTE", speaker=speaker_device())
    qtbot.addWidget(player)
    paints = watch_paints(player)
    player.show()
    qtbot.waitUntil(lambda: player.info is not None, timeout=10_000)
    assert player.mute_button.isEnabled() and player.volume_slider.isEnabled()
    qtbot.keyClick(player, Qt.Key.Key_M)  # muted before beat 1
    assert player.mute_button.isChecked()
    muted_at = time.monotonic()
    qtbot.waitUntil(lambda: first_white(paints, 1) is not None
                    and player.playback.now() >= 1.0 + BURST_S + 0.2, timeout=10_000)
    qtbot.keyClick(player, Qt.Key.Key_M)
    assert not player.mute_button.isChecked()
    player.volume_slider.setValue(50)  # half way on the slider's (logarithmic) scale
    qtbot.waitUntil(lambda: first_white(paints, 2) is not None, timeout=10_000)
    beat2 = first_white(paints, 2)
    assert beat2 is not None
    ear = sound.speaker_ear
    heard = heard_beat(qtbot, sound, beat2.at, threshold=0.01)
    assert ear.onset(muted_at, 0.01, TONE_HZ) == pytest.approx(heard), "muted: beat 1 unheard"
    burst = ear.samples_from(ear.index_at(heard) + RATE // 100)[: int(0.05 * RATE)]
    peak = np.abs(burst.astype(np.float64)).max() / 32767
    assert peak == pytest.approx(0.3 * 0.1505, rel=0.25)  # 50 % log = 15 % linear
    player.close()


def beats_in(path: Path) -> tuple[list[int], list[int]]:
    """The whole seconds at which ``path``'s picture flashes and its sound beeps, as PyAV
    reads them (up to where a file cut short breaks off)."""
    white: list[int] = []
    beeps: list[int] = []
    with av.open(str(path)) as container:
        try:
            for frame in container.decode(video=0):
                if frame.to_ndarray()[:240].mean() > 128:
                    white.append(round(frame.time))
        except av.FFmpegError:
            pass
    with av.open(str(path)) as container:
        chunks = []
        try:
            for sound in container.decode(audio=0):
                chunks.append(np.round(sound.to_ndarray()[0] * 32767).astype(np.int16))
        except av.FFmpegError:
            pass
    samples = np.concatenate(chunks)
    start = 0
    while (found := find_onset(samples[start:], THRESHOLD, TONE_HZ)) is not None:
        beeps.append(round((start + found) / RATE))
        start += found + RATE // 2
    return white, beeps


def test_a_recording_cut_short_by_a_crash_plays_with_sound_to_its_last_fragment(
    qtbot: QtBot, tmp_path: Path, sound: SoundRig
) -> None:
    path = tmp_path / "cut.mp4"
    record_beats(path, 6.5)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 7 // 10])  # the disk lost the last 30 %
    white, beeps = beats_in(path)
    assert white == beeps and 2 <= len(white) < 6, (white, beeps)
    last = white[-1]
    player = RecordingPlayer(path, "WO-CUT", speaker=speaker_device())
    qtbot.addWidget(player)
    paints = watch_paints(player)
    player.show()
    qtbot.waitUntil(lambda: player.info is not None, timeout=10_000)
    assert player.playback.sound_playing, player.sound_label.text()
    qtbot.waitUntil(lambda: first_white(paints, last) is not None, timeout=20_000)
    paint = first_white(paints, last)
    assert paint is not None
    heard = heard_beat(qtbot, sound, paint.at)
    assert abs(paint.at - heard) * 1000 <= WORST_MS
    qtbot.waitUntil(lambda: player.playback.at_end, timeout=10_000)
    assert player.playback.now() >= last
    player.close()


@pytest.mark.qt_log_ignore("Stream failed to connect")
def test_a_speaker_pulled_out_before_playing_leaves_the_picture_playing_and_says_so(
    qtbot: QtBot, tmp_path: Path, sound: SoundRig
) -> None:
    path = tmp_path / "beats.mp4"
    record_beats(path, 2.5)
    sound.add_speaker("playback-unplugged")
    qtbot.waitUntil(lambda: any(d.id().data() == b"playback-unplugged"
                                for d in QMediaDevices.audioOutputs()), timeout=10_000)
    headset = next(d for d in QMediaDevices.audioOutputs()
                   if d.id().data() == b"playback-unplugged")
    sound.remove("playback-unplugged")
    player = RecordingPlayer(path, "WO-GONE", speaker=headset)
    qtbot.addWidget(player)
    player.show()
    qtbot.waitUntil(lambda: "without sound" in player.sound_label.text(), timeout=10_000)
    assert "playback-unplugged" in player.sound_label.text()
    assert not player.playback.sound_playing
    assert not player.mute_button.isEnabled() and not player.volume_slider.isEnabled()
    qtbot.waitUntil(lambda: player.playback.at_end, timeout=10_000)
    assert player.view.frames_shown >= 2 * FPS * 0.8, "the picture played by the wall clock"
    assert player.time_label.text() == "00:02 / 00:02"
    player.close()


def test_the_speaker_is_the_one_chosen_or_the_default_and_never_a_stand_in() -> None:
    outputs = QMediaDevices.audioOutputs()
    speaker = speaker_device()
    other = next(d for d in outputs if d.id().data() != b"speaker")
    default = QMediaDevices.defaultAudioOutput()
    assert choose_speaker(None, outputs, default) == default
    assert choose_speaker(other, outputs, default) == other
    assert choose_speaker(other, [speaker], default) is SoundProblem.SPEAKER_MISSING
    assert choose_speaker(None, [], default) is SoundProblem.NO_SPEAKER
    assert choose_speaker(speaker, [], default) is SoundProblem.NO_SPEAKER
    assert choose_speaker(None, [other], QAudioDevice()) == other  # no default: the first


NO_SOUND_SERVER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from PyQt6.QtWidgets import QApplication
    app = QApplication([])
    from ui.recording.player import RecordingPlayer
    player = RecordingPlayer(Path(sys.argv[2]), "WO-SILENT")
    player.show()
    deadline = time.monotonic() + 60
    while not player.playback.at_end and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)
    print(json.dumps({"sound": player.sound_label.text(), "frames": player.view.frames_shown,
                      "time": player.time_label.text(), "at_end": player.playback.at_end,
                      "muting": player.mute_button.isEnabled()}))
    """
)


def test_a_computer_without_any_speaker_plays_the_picture_and_says_there_is_no_sound(
    tmp_path: Path
) -> None:
    path = tmp_path / "beats.mp4"
    record_beats(path, 2.5)
    # Its own process: Qt Multimedia looks for a sound server once, and finds none here.
    env = {**os.environ, "PULSE_SERVER": f"unix:{tmp_path}/no-such-server",
           "XDG_RUNTIME_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", NO_SOUND_SERVER, str(root), str(path)],
                          env=env, capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["sound"] == ("This computer has no speaker: the recording plays without sound")
    assert seen["at_end"] and seen["time"] == "00:02 / 00:02"
    assert seen["frames"] >= 2 * FPS * 0.8, "the picture played by the wall clock"
    assert not seen["muting"]


def test_a_speaker_that_takes_no_sound_does_not_hold_the_picture(
    qtbot: QtBot, tmp_path: Path, sound: SoundRig
) -> None:
    path = tmp_path / "beats.mp4"
    record_beats(path, 7.0)
    sound.add_speaker("playback-stalled")
    sound.pactl("suspend-sink", "playback-stalled", "1")  # accepts a stream, plays nothing
    try:
        qtbot.waitUntil(lambda: any(d.id().data() == b"playback-stalled"
                                    for d in QMediaDevices.audioOutputs()), timeout=10_000)
        stalled = next(d for d in QMediaDevices.audioOutputs()
                       if d.id().data() == b"playback-stalled")
        player = RecordingPlayer(path, "WO-STALL", speaker=stalled)
        qtbot.addWidget(player)
        player.show()
        qtbot.waitUntil(lambda: player.info is not None, timeout=10_000)
        assert player.playback.sound_playing
        qtbot.waitUntil(lambda: not player.playback.sound_playing, timeout=STALL_S * 1000 + 10_000)
        assert "takes no sound" in player.sound_label.text()
        assert "without sound" in player.sound_label.text()
        shown = player.view.frames_shown
        qtbot.waitUntil(lambda: player.view.frames_shown >= shown + FPS // 2, timeout=10_000)
        assert player.playback.now() > 0.3, "the picture goes on by the wall clock"
        player.close()
    finally:
        sound.remove("playback-stalled")
