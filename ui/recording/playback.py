"""Playing a recording: the clock that leads, and the pump that follows it.

``Playback`` owns the decoder (its worker thread), the bounded queue between
them (``DecodedMedia``) and the sound output. While playing, a timer every
``PUMP_MS`` on the GUI thread feeds the sound output, reads the clock and
hands out the newest picture whose time is at or before it: **the sound
leads**, the picture follows the sound's playing position
(``SoundOutput.position``). Without a sound track, without a speaker, or once
the speaker fails, the wall clock leads instead, from where the sound was.

A seek empties the queue, restarts the sound at the new position and shows
the picture there at once (also when paused); a pause suspends the sound and
stops the clock. At the end (every track decoded and played) it stops and
says ``reached_end``; playing again starts from the beginning.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Final

from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtMultimedia import QAudioDevice, QAudioFormat, QMediaDevices

from ui.recording.decoded_media import DecodedMedia, PcmLayout
from ui.recording.decoder import DecoderSignals, RecordingDecoder, RecordingInfo
from ui.recording.sound_output import SoundOutput, SoundProblem, choose_speaker, pcm_format

#: How often the sound is fed and the picture chosen while playing (ms).
PUMP_MS: Final = 10


class _WallClock:
    """Media time by ``time.monotonic``: runs while playing, holds while paused."""

    def __init__(self) -> None:
        self._t = 0.0
        self._since: float | None = None  # when it last started running

    def position(self) -> float:
        if self._since is None:
            return self._t
        return self._t + time.monotonic() - self._since

    def set(self, t: float, *, running: bool) -> None:
        self._t = t
        self._since = time.monotonic() if running else None


class Playback(QObject):
    """Plays ``path`` on ``speaker`` (None: the default output).

    Emits ``opened(RecordingInfo)``, ``picture(QImage, media time)`` for each
    picture to show, ``position(seconds)`` on every step, ``playing_changed(bool)``,
    ``reached_end`` (``at_end`` is then True), ``failed(why)``
    (the file cannot be played) and ``sound_changed`` (``sound_problem``,
    ``speaker_name`` and ``sound_detail`` say whether the sound plays, and where or
    why not).
    """

    opened = pyqtSignal(object)
    picture = pyqtSignal(object, float)
    position = pyqtSignal(float)
    playing_changed = pyqtSignal(bool)
    reached_end = pyqtSignal()
    failed = pyqtSignal(str)
    sound_changed = pyqtSignal()

    def __init__(self, path: Path, speaker: QAudioDevice | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.info: RecordingInfo | None = None
        self.playing = False
        self.sound_problem: SoundProblem | None = None
        self.speaker_name = speaker.description() if speaker is not None else ""
        self.sound_detail = ""  # what went wrong, after a failure
        self._sound: SoundOutput | None = None
        self._wall = _WallClock()
        self._now = 0.0
        self.at_end = False
        self._awaiting_picture = True
        output = self._choose_output(speaker)
        self._media = DecodedMedia(output[2] if output else None)
        if output is not None:
            self._sound = SoundOutput(*output, self._media, self)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(PUMP_MS)
        self._bridge = DecoderSignals(self)
        self._decoder = RecordingDecoder(path, self._media, self._bridge)
        self._connect_signals()
        self._media.seek(0.0)
        self._decoder.start()

    def _choose_output(self, speaker: QAudioDevice | None
                       ) -> tuple[QAudioDevice, QAudioFormat, PcmLayout] | None:
        """The speaker and the format to play in, or None (``sound_problem`` says why)."""
        chosen = choose_speaker(speaker, QMediaDevices.audioOutputs(),
                                QMediaDevices.defaultAudioOutput())
        if isinstance(chosen, SoundProblem):
            self.sound_problem = chosen
            return None
        self.speaker_name = chosen.description()
        formats = pcm_format(chosen)
        if formats is None:
            self.sound_problem = SoundProblem.SPEAKER_FAILED
            self.sound_detail = self.tr("it plays no sound format this player makes")
            return None
        return chosen, *formats

    def _connect_signals(self) -> None:
        self._bridge.opened.connect(self._on_decoder_opened)
        self._bridge.picture_ready.connect(self._on_decoder_picture_ready)
        self._bridge.failed.connect(self._on_decoder_failed)
        self._timer.timeout.connect(self._on_timer_timeout)
        if self._sound is not None:
            self._sound.failed.connect(self._on_sound_failed)

    @property
    def sound_playing(self) -> bool:
        """Whether the sound is played (and so leads the picture)."""
        return self._sound is not None

    def now(self) -> float:
        """The media time playing now: the sound's position, or the wall clock's."""
        if not self.playing:
            return self._now
        return self._sound.position() if self._sound is not None else self._wall.position()

    def play(self) -> None:
        if self.info is None:
            return
        if self.at_end:
            self.seek(0.0)
        self.playing = True
        self._wall.set(self._now, running=True)
        if self._sound is not None:
            self._sound.resume()
        self._timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        self._now = self.now()
        self.playing = False
        self._timer.stop()
        self._wall.set(self._now, running=False)
        if self._sound is not None:
            self._sound.pause()
        self.playing_changed.emit(False)

    def seek(self, seconds: float) -> None:
        if self.info is None:
            return
        target = min(max(0.0, seconds), self.info.duration_s)
        self.at_end = False
        self._now = target
        self._awaiting_picture = True
        self._media.seek(target)
        self._wall.set(target, running=self.playing)
        if self._sound is not None:
            self._sound.begin(target)
        self.position.emit(target)
        if self.playing:
            self._timer.start()

    def set_volume(self, linear: float) -> None:
        """0 (silent) to 1 (as recorded)."""
        if self._sound is not None:
            self._sound.set_volume(linear)

    def close(self) -> None:
        """Stop the decoder and the sound (before the window goes)."""
        self._timer.stop()
        self._decoder.stop()
        if self._sound is not None:
            self._sound.stop()

    # --- the pump -----------------------------------------------------------------

    def _on_timer_timeout(self) -> None:
        if self._sound is not None:
            self._sound.pump()
        now = self._now = self.now()
        self._media.set_playhead(now)
        self._show_due_picture(now)
        self.position.emit(now)
        if self._media.drained() and now >= self._end_time():
            self._finish()

    def _show_due_picture(self, now: float) -> None:
        if self._awaiting_picture and (first := self._media.take_first_picture()) is not None:
            self._awaiting_picture = False
            self.picture.emit(first[1], first[0])
        due = self._media.take_picture(now)
        if due is not None:
            self._awaiting_picture = False
            self.picture.emit(due[1], due[0])

    def _end_time(self) -> float:
        assert self.info is not None
        if not self.info.width and self._sound is None:  # nothing decoded: the file says
            return self.info.duration_s
        return self._media.end_time()

    def _finish(self) -> None:
        assert self.info is not None
        self.playing = False
        self.at_end = True
        self._timer.stop()
        if self._sound is not None:
            self._sound.stop()
        self._now = max(self._now, self.info.duration_s)
        self._wall.set(self._now, running=False)
        self.position.emit(self._now)
        self.playing_changed.emit(False)
        self.reached_end.emit()

    # --- the decoder and the sound --------------------------------------------------

    def _on_decoder_opened(self, info: RecordingInfo) -> None:
        self.info = info
        if not info.sound:
            self._drop_sound(SoundProblem.NO_TRACK, "")
        self.opened.emit(info)
        self.sound_changed.emit()
        self.position.emit(0.0)
        self.play()

    def _on_decoder_picture_ready(self) -> None:
        if self._awaiting_picture:
            self._show_due_picture(self._now)

    def _on_decoder_failed(self, message: str) -> None:
        self._timer.stop()
        self.playing = False
        self.playing_changed.emit(False)
        self.failed.emit(message)

    def _on_sound_failed(self, reason: str) -> None:
        self._drop_sound(SoundProblem.SPEAKER_FAILED, reason)
        self.sound_changed.emit()

    def _drop_sound(self, problem: SoundProblem, detail: str) -> None:
        """Go on without sound: the wall clock leads from where the sound was."""
        self._media.stop_sound()
        if self._sound is not None:
            self._sound.stop()
            self._sound.failed.disconnect(self._on_sound_failed)
            self._sound.deleteLater()
            self._sound = None
        self._wall.set(self._now, running=self.playing)
        self.sound_problem, self.sound_detail = problem, detail
