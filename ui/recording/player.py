"""A player for a call's recording (an MP4 the workstation made): picture, timeline, seek.

``RecordingPlayer`` is a dialog over a ``RecordingDecoder`` (PyAV on a
worker thread, newest frame wins); the dialog only paints the frames, moves
the timeline and sends commands (play, pause, seek, stop). The sound track
is named, not played: counter PCs and this machine may have no sound
output, and a recording without sound must still be viewable. A file cut
short by a crash plays up to its last fragment.

Keys: Space plays or pauses, Left/Right seek 5 s, Esc closes.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QRectF, QSize, QSizeF, Qt
from PyQt6.QtGui import QColor, QImage, QKeyEvent, QKeySequence, QPainter, QPaintEvent, QShortcut
from PyQt6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ui.recording.decoder import DecoderSignals, RecordingDecoder, RecordingInfo


def clock(seconds: float) -> str:
    """mm:ss (minutes keep counting past the hour)."""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


class FrameView(QWidget):
    """The newest frame fitted on black, or a line of text where there is no picture."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.image: QImage | None = None
        self.placeholder = ""
        self.frames_shown = 0

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    def show_image(self, image: QImage) -> None:
        self.image = image
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


class RecordingPlayer(QDialog):
    """Plays the recording at ``path``; ``title`` names the work order."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordingPlayer")
        self.setWindowTitle(self.tr("Recording of %1").replace("%1", title))
        self.info: RecordingInfo | None = None
        self.playing = False
        self.view = FrameView(self)
        self.view.placeholder = self.tr("Opening the recording…")
        self.play_button = QPushButton(self.tr("Pause"), self)
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setAccessibleName(self.tr("Position"))
        self.time_label = QLabel(f"{clock(0)} / {clock(0)}", self)
        self.sound_label = QLabel(self)
        self.sound_label.setObjectName("recordingSound")
        bar = QHBoxLayout()
        bar.addWidget(self.play_button)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.time_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        layout.addWidget(self.sound_label)
        self.resize(720, 500)
        self._bridge = DecoderSignals(self)
        self._decoder = RecordingDecoder(path, self._bridge)
        self._connect_signals()
        self._decoder.start()

    def _connect_signals(self) -> None:
        self._bridge.opened.connect(self._on_decoder_opened)
        self._bridge.frame_ready.connect(self._on_decoder_frame_ready)
        self._bridge.position.connect(self._on_decoder_position)
        self._bridge.ended.connect(self._on_decoder_ended)
        self._bridge.failed.connect(self._on_decoder_failed)
        self.play_button.clicked.connect(self.toggle_play)
        self.slider.sliderReleased.connect(self._on_slider_released)
        self.slider.actionTriggered.connect(self._on_slider_action)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, self.toggle_play)

    def toggle_play(self) -> None:
        self._set_playing(not self.playing)

    def seek(self, seconds: float) -> None:
        self._decoder.command("seek", seconds)

    def _set_playing(self, playing: bool) -> None:
        self.playing = playing
        self._decoder.command("play" if playing else "pause")
        self.play_button.setText(self.tr("Pause") if playing else self.tr("Play"))

    def keyPressEvent(self, event: QKeyEvent | None) -> None:
        if event is not None and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = 5.0 if event.key() == Qt.Key.Key_Right else -5.0
            self.seek(self.slider.value() / 1000 + step)
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        self._decoder.stop()
        super().done(result)

    def _on_decoder_opened(self, info: RecordingInfo) -> None:
        self.info = info
        self.playing = True
        self.slider.setRange(0, int(info.duration_s * 1000))
        self.slider.setPageStep(10_000)
        self._on_decoder_position(0.0)
        no_picture = self.tr("Sound only: this call has no picture")
        self.view.placeholder = "" if info.width else no_picture
        self.view.update()
        self.sound_label.setText(
            self.tr("Sound track: %1 (not played on this computer)").replace("%1", info.sound)
            if info.sound else self.tr("No sound track")
        )

    def _on_decoder_frame_ready(self) -> None:
        newest = self._decoder.take()
        if newest is not None:
            self.view.show_image(newest[0])

    def _on_decoder_position(self, seconds: float) -> None:
        total = self.info.duration_s if self.info is not None else 0.0
        if not self.slider.isSliderDown():
            self.slider.setValue(int(seconds * 1000))
        self.time_label.setText(f"{clock(seconds)} / {clock(total)}")

    def _on_decoder_ended(self) -> None:
        self.playing = False
        self.play_button.setText(self.tr("Play"))

    def _on_decoder_failed(self, message: str) -> None:
        self.view.placeholder = self.tr("The recording cannot be played: %1").replace("%1", message)
        self.view.update()
        self.play_button.setEnabled(False)

    def _on_slider_released(self) -> None:
        self.seek(self.slider.value() / 1000)

    def _on_slider_action(self, action: int) -> None:
        # Paging and keys seek at once; a drag seeks when released.
        if QSlider.SliderAction(action) is not QSlider.SliderAction.SliderMove:
            self.seek(self.slider.sliderPosition() / 1000)


def open_player(path: Path, title: str, parent: QWidget | None = None) -> RecordingPlayer:
    """Show a player for ``path`` (deleted when closed)."""
    player = RecordingPlayer(path, title, parent)
    player.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    player.show()
    return player
