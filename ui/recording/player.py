"""A player for a call's recording (an MP4 the workstation made): picture, sound, timeline.

``RecordingPlayer`` is a dialog over a ``Playback`` (the decoder on a worker
thread, the sound on a speaker through Qt Multimedia, the picture kept in
step with the sound); the dialog only paints the pictures, moves the
timeline, sets the volume and sends intents (play, pause, seek). It plays on
the speaker it is given (the workstation's chosen one) or the default
output. Without a sound track, or where the sound cannot be played (no
speaker, the chosen one not connected, or failing), the picture plays alone
by the wall clock and the dialog says why. A file cut short by a crash plays
up to its last fragment.

Keys: Space plays or pauses, Left/Right seek 5 s, M mutes, Esc closes.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QRectF, QSize, QSizeF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QImage, QKeyEvent, QKeySequence, QPainter, QPaintEvent, QShortcut
from PyQt6.QtMultimedia import QAudio, QAudioDevice
from PyQt6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.labels import PlainLabel
from ui.recording.decoder import RecordingInfo
from ui.recording.playback import Playback
from ui.recording.sound_output import SoundProblem


def clock(seconds: float) -> str:
    """mm:ss (minutes keep counting past the hour)."""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


class FrameView(QWidget):
    """The newest frame fitted on black, or a line of text where there is no picture.

    Emits ``painted(media time)`` after painting a picture.
    """

    painted = pyqtSignal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.image: QImage | None = None
        self.image_t = 0.0
        self.placeholder = ""
        self.frames_shown = 0

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    def show_image(self, image: QImage, t: float = 0.0) -> None:
        self.image, self.image_t = image, t
        self.frames_shown += 1
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1f2428"))
        if self.image is not None:
            size = QSizeF(self.image.size()).scaled(
                QSizeF(self.size()), Qt.AspectRatioMode.KeepAspectRatio)
            box = QRectF((self.width() - size.width()) / 2, (self.height() - size.height()) / 2,
                         size.width(), size.height())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(box, self.image)
        else:
            painter.setPen(QColor("#c9d1d9"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
        painter.end()
        if self.image is not None:
            self.painted.emit(self.image_t)


class RecordingPlayer(QDialog):
    """Plays the recording at ``path`` on ``speaker`` (None: the default output);
    ``title`` names the work order."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None, *,
                 speaker: QAudioDevice | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordingPlayer")
        self.setWindowTitle(self.tr("Recording of %1").replace("%1", title))
        self.info: RecordingInfo | None = None
        self.view = FrameView(self)
        self.view.placeholder = self.tr("Opening the recording…")
        self.play_button = QPushButton(self.tr("Pause"), self)
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setAccessibleName(self.tr("Position"))
        self.time_label = PlainLabel(f"{clock(0)} / {clock(0)}", self)
        self.mute_button = QToolButton(self)
        self.mute_button.setCheckable(True)
        self.mute_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.mute_button.setToolTip(self.tr("Mute (M)"))
        self.mute_button.setAccessibleName(self.tr("Mute"))
        self.volume_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(100)
        self.volume_slider.setFixedWidth(96)
        self.volume_slider.setAccessibleName(self.tr("Volume"))
        self.volume_slider.setToolTip(self.tr("Volume"))
        self.sound_label = PlainLabel(self)
        self.sound_label.setObjectName("recordingSound")
        self.sound_label.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.play_button)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.time_label)
        bar.addSpacing(12)
        bar.addWidget(self.mute_button)
        bar.addWidget(self.volume_slider)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        layout.addWidget(self.sound_label)
        self.resize(720, 500)
        self._show_muted(False)
        self.playback = Playback(path, speaker, self)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.playback.opened.connect(self._on_playback_opened)
        self.playback.picture.connect(self.view.show_image)
        self.playback.position.connect(self._on_playback_position)
        self.playback.playing_changed.connect(self._on_playback_playing_changed)
        self.playback.failed.connect(self._on_playback_failed)
        self.playback.sound_changed.connect(self._on_playback_sound_changed)
        self.play_button.clicked.connect(self.toggle_play)
        self.slider.sliderReleased.connect(self._on_slider_released)
        self.slider.actionTriggered.connect(self._on_slider_action)
        self.mute_button.toggled.connect(self._on_mute_toggled)
        self.volume_slider.valueChanged.connect(self._on_volume_changed)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, self.toggle_play)
        QShortcut(QKeySequence(Qt.Key.Key_M), self, self.mute_button.toggle)

    @property
    def playing(self) -> bool:
        return self.playback.playing

    def toggle_play(self) -> None:
        if self.playback.playing:
            self.playback.pause()
        else:
            self.playback.play()

    def seek(self, seconds: float) -> None:
        self.playback.seek(seconds)

    def keyPressEvent(self, event: QKeyEvent | None) -> None:
        if event is not None and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = 5.0 if event.key() == Qt.Key.Key_Right else -5.0
            self.seek(self.playback.now() + step)
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        self.playback.close()
        super().done(result)

    def _show_muted(self, muted: bool) -> None:
        icon = (QStyle.StandardPixmap.SP_MediaVolumeMuted if muted
                else QStyle.StandardPixmap.SP_MediaVolume)
        style = self.style()
        if style is not None:
            self.mute_button.setIcon(style.standardIcon(icon))

    def _apply_volume(self) -> None:
        # WORKAROUND: PyQt6 6.11's stub declares the static convertVolume an instance method.
        linear = QAudio.convertVolume(self.volume_slider.value() / 100,  # type: ignore[call-arg]
                                      QAudio.VolumeScale.LogarithmicVolumeScale,
                                      QAudio.VolumeScale.LinearVolumeScale)
        self.playback.set_volume(0.0 if self.mute_button.isChecked() else linear)

    def _on_playback_opened(self, info: RecordingInfo) -> None:
        self.info = info
        self.slider.setRange(0, int(info.duration_s * 1000))
        self.slider.setPageStep(10_000)
        no_picture = self.tr("Sound only: this call has no picture")
        self.view.placeholder = "" if info.width else no_picture
        self.view.update()

    def _on_playback_sound_changed(self) -> None:
        playback, problem = self.playback, self.playback.sound_problem
        sound = self.info.sound if self.info is not None else ""
        if problem is None:
            text = self.tr("Sound track: %1, playing on %2").replace("%1", sound)
            text = text.replace("%2", playback.speaker_name)
        elif problem is SoundProblem.NO_TRACK:
            text = self.tr("No sound track")
        elif problem is SoundProblem.NO_SPEAKER:
            text = self.tr("This computer has no speaker: the recording plays without sound")
        elif problem is SoundProblem.SPEAKER_MISSING:
            text = self.tr("The speaker %1 is not connected: the recording plays without sound")
            text = text.replace("%1", playback.speaker_name)
        else:
            text = self.tr("Sound cannot be played on %1 (%2): the recording plays without sound")
            text = text.replace("%1", playback.speaker_name).replace("%2", playback.sound_detail)
        self.sound_label.setText(text)
        warn = problem not in (None, SoundProblem.NO_TRACK)
        self.sound_label.setStyleSheet("color: #9a6700;" if warn else "")
        self.mute_button.setEnabled(problem is None)
        self.volume_slider.setEnabled(problem is None)
        self._show_muted(problem is not None or self.mute_button.isChecked())

    def _on_playback_position(self, seconds: float) -> None:
        total = self.info.duration_s if self.info is not None else 0.0
        if not self.slider.isSliderDown():  # in steps of 0.1 s: no repaint every 10 ms
            self.slider.setValue(round(seconds * 10) * 100)
        self.time_label.setText(f"{clock(seconds)} / {clock(total)}")

    def _on_playback_playing_changed(self, playing: bool) -> None:
        self.play_button.setText(self.tr("Pause") if playing else self.tr("Play"))

    def _on_playback_failed(self, message: str) -> None:
        self.view.placeholder = self.tr("The recording cannot be played: %1").replace("%1", message)
        self.view.update()
        self.play_button.setEnabled(False)

    def _on_slider_released(self) -> None:
        self.seek(self.slider.value() / 1000)

    def _on_slider_action(self, action: int) -> None:
        # Paging and keys seek at once; a drag seeks when released.
        if QSlider.SliderAction(action) is not QSlider.SliderAction.SliderMove:
            self.seek(self.slider.sliderPosition() / 1000)

    def _on_mute_toggled(self, muted: bool) -> None:
        self._show_muted(muted)
        self._apply_volume()

    def _on_volume_changed(self, _value: int) -> None:
        self._apply_volume()


def open_player(path: Path, title: str, parent: QWidget | None = None, *,
                speaker: QAudioDevice | None = None) -> RecordingPlayer:
    """Show a player for ``path`` on ``speaker`` (None: the default output; deleted when
    closed)."""
    player = RecordingPlayer(path, title, parent, speaker=speaker)
    player.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    player.show()
    return player
