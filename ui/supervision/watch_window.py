"""The supervisor's window onto a watched call: the citizen's picture, the voices, barge-in,
joining.

Shows a ``WatchViewer``: the newest frame of the citizen's camera as the
agent sees it, a level meter for the call's voices (the supervisor sees that
people are talking even with the sound muted), whether the supervisor is only
watching or talking in the call (while barging in, a red line says their
microphone is live), and how long the watch has lasted. What the supervisor's
devices cannot do is said above the picture: with no microphone there is no
barge-in, with no speaker nothing is heard (``show_devices``).

Joined (the call's third party), the agent's camera shows beside the citizen's and a red
line says the supervisor's camera and microphone are live; barge-in has no sense then.

Intents: ``barge_toggled(bool)`` (the 插话 button, Ctrl+B), ``join_toggled(bool)`` (the
加入通话 button, Ctrl+J), ``stop_requested``
(the 结束监看 button, Esc, or closing the window), ``mute_toggled(bool)`` (the
静音监听 button, M) and ``volume_changed(float)`` (0–1, the volume slider).

With a ``WindowPlacement`` the window opens where the supervisor last left it (kept on
screen) and remembers where it was when it closes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from PyQt6.QtCore import QPoint, QRectF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QColor, QFont, QImage, QKeySequence, QPainter, QPaintEvent
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from seat_client.media.devices import DeviceKind, DeviceProblem
from seat_client.supervision.watch_viewer import WatchViewer
from seat_common import protocol
from seat_common.media.audio_levels import SILENCE_DBFS
from ui.call.video_pane import VideoView
from ui.devices.frames import FrameConverter
from ui.labels import PlainLabel
from ui.window_placement import WindowPlacement

#: The level meter spans this many dB below full scale.
_METER_RANGE_DB = 60.0


class WatchedVideo(QWidget):
    """Paints the newest frame of the watched call (the citizen's, or with ``agent`` the
    agent's camera while joined), to fit."""

    def __init__(self, viewer: WatchViewer, parent: QWidget | None = None, *,
                 agent: bool = False) -> None:
        super().__init__(parent)
        self._viewer = viewer
        self._agent = agent
        #: name the picture in a corner (while two pictures show)
        self.captioned = agent
        self._image: QImage | None = None
        self._pixels: np.ndarray[Any, Any] | None = None
        self._converter = FrameConverter()
        self.painted_count = 0
        self.setMinimumSize(*((240, 180) if agent else (480, 300)))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        # The viewer outlives this window (one per watch): detach() lets it go.
        self._unsubscribe = viewer.frame_arrived.connect(lambda _: self.update())

    def detach(self) -> None:
        """Stop repainting for the viewer's frames (the window closes)."""
        self._unsubscribe()

    def clear(self) -> None:
        self._image = None
        self._pixels = None
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1f2428"))
        slot = self._viewer.agent_frames if self._agent else self._viewer.frames
        newest = slot.take()
        if newest is not None:
            self._image, self._pixels = self._converter.to_image(newest.frame)
            self.painted_count += 1
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            area = VideoView._fit(self._image.size(), QRectF(self.rect()))
            painter.drawImage(area, self._image)
            if self.captioned:  # two pictures: say whose is whose
                self._caption(painter, self.tr("Agent") if self._agent else self.tr("Citizen"))
        else:
            painter.setPen(QColor("#c9d1d9"))
            painter.setFont(QFont(self.font().family(), 13))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             self.tr("The agent's camera…") if self._agent
                             else self.tr("Connecting to the agent's workstation…"))
        painter.end()

    def _caption(self, painter: QPainter, text: str) -> None:
        painter.setFont(QFont(self.font().family(), 11, QFont.Weight.Bold))
        box = painter.fontMetrics().boundingRect(text).adjusted(-8, -4, 8, 4)
        box.moveTopLeft(self.rect().topLeft() + QPoint(8, 8))
        painter.fillRect(box, QColor(0, 0, 0, 170))
        painter.setPen(QColor("#ffffff"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


class WatchWindow(QWidget):
    """One watched call, in a window of its own beside the seat wall."""

    barge_toggled = pyqtSignal(bool)
    join_toggled = pyqtSignal(bool)
    stop_requested = pyqtSignal()
    mute_toggled = pyqtSignal(bool)
    volume_changed = pyqtSignal(float)

    def __init__(
        self,
        viewer: WatchViewer,
        describe: Callable[[str], str] = str,
        parent: QWidget | None = None,
        placement: WindowPlacement | None = None,
    ) -> None:
        """``describe`` names a seat for the title (e.g. "张三（0012）· 社保卡补办")."""
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("watchWindow")
        self._placement = placement
        self._viewer = viewer
        self._describe = describe
        self._started = time.monotonic()
        self._closing_by_hub = False
        self._problems: Mapping[DeviceKind, DeviceProblem] = {}
        self.title = PlainLabel(self)
        self.title.setObjectName("watchTitle")
        self.title.setWordWrap(True)  # a long name and a long item: two lines, not a wide window
        self.mode = PlainLabel(self)
        self.mode.setTextFormat(Qt.TextFormat.RichText)  # a coloured dot of ours
        self.mode.setObjectName("watchMode")
        self.mic_live = PlainLabel(self)
        self.mic_live.setObjectName("watchMicLive")
        self.mic_live.hide()
        self.device_problems = PlainLabel(self)
        self.device_problems.setObjectName("watchDeviceProblem")
        self.device_problems.setWordWrap(True)
        self.device_problems.hide()
        self.video = WatchedVideo(viewer, self)
        self.agent_video = WatchedVideo(viewer, self, agent=True)
        self.agent_video.hide()
        self.meter = QProgressBar(self)
        self.meter.setRange(0, int(_METER_RANGE_DB))
        self.meter.setTextVisible(False)
        self.meter.setFixedHeight(10)
        self.meter.setMinimumWidth(60)
        self.volume = QSlider(Qt.Orientation.Horizontal, self)
        self.volume.setRange(0, 100)
        self.volume.setValue(100)
        self.volume.setFixedWidth(110)
        self.volume.setToolTip(self.tr("How loud the call is on your speaker"))
        self.mute_button = QPushButton(self.tr("Mute listening (M)"), self)
        self.mute_button.setCheckable(True)
        self.mute_button.setShortcut(QKeySequence("M"))
        self.barge_button = QPushButton(self.tr("Barge in (Ctrl+B)"), self)
        self.barge_button.setCheckable(True)
        self.barge_button.setShortcut(QKeySequence("Ctrl+B"))
        self.join_button = QPushButton(self.tr("Join call (Ctrl+J)"), self)
        self.join_button.setCheckable(True)
        self.join_button.setShortcut(QKeySequence("Ctrl+J"))
        self.stop_button = QPushButton(self.tr("Stop watching (Esc)"), self)
        self.stop_button.setShortcut(QKeySequence("Esc"))
        controls = QHBoxLayout()
        controls.addWidget(PlainLabel(self.tr("Voices"), self))
        controls.addWidget(self.meter, 1)
        controls.addSpacing(8)
        controls.addWidget(PlainLabel(self.tr("Volume"), self))
        controls.addWidget(self.volume)
        controls.addWidget(self.mute_button)
        # The actions on a row of their own: with 加入通话 beside 插话, one row would not fit
        # 800 px in large text.
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.barge_button)
        actions.addWidget(self.join_button)
        actions.addWidget(self.stop_button)
        # The window's own look: the live microphone must stand out under any theme.
        self.setStyleSheet(
            "#watchTitle { font-weight: bold; }"
            " #watchMicLive { background: #cf222e; color: white; font-weight: bold;"
            " padding: 4px 8px; border-radius: 4px; }"
            " #watchDeviceProblem { color: #cf222e; font-weight: bold; }"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.mode)
        layout.addWidget(self.mic_live)
        layout.addWidget(self.device_problems)
        pictures = QHBoxLayout()
        pictures.addWidget(self.video, 2)
        pictures.addWidget(self.agent_video, 1)
        layout.addLayout(pictures, 1)
        layout.addLayout(controls)
        layout.addLayout(actions)
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self.resize(800, 600)
        if placement is not None:
            placement.restore(self)
        self._connect_signals()
        self._timer.start()
        self.show_state(viewer.state)

    def _connect_signals(self) -> None:
        self.barge_button.toggled.connect(self._on_barge_button_toggled)
        self.join_button.toggled.connect(self._on_join_button_toggled)
        self.stop_button.clicked.connect(self.stop_requested)
        self.mute_button.toggled.connect(self._on_mute_button_toggled)
        self.volume.valueChanged.connect(self._on_volume_value_changed)
        self._timer.timeout.connect(self._on_timer_timeout)

    def show_state(self, state: protocol.WatchState | None) -> None:
        """Follow the hub's word on the watch (``None``: it ended)."""
        if state is None:
            self.mode.setText(self.tr("The watch has ended"))
            self.mic_live.hide()
            self.barge_button.setEnabled(False)
            self.join_button.setEnabled(False)
            self.video.clear()
            self.agent_video.hide()
            return
        self.setWindowTitle(self.tr("Watching %1").replace("%1", self._describe(state.agent_id)))
        barging = state.phase == "barging"
        joined = state.phase == "joined"
        self.join_button.setText(self.tr("Leave call (Ctrl+J)") if joined
                                 else self.tr("Join call (Ctrl+J)"))
        # WORKAROUND: QAbstractButton.setText resets the shortcut to the text's mnemonic
        # (none here), so Ctrl+J did nothing once the label changed: set it again.
        self.join_button.setShortcut(QKeySequence("Ctrl+J"))
        for button, on in ((self.barge_button, barging), (self.join_button, joined)):
            button.blockSignals(True)
            button.setChecked(on)
            button.blockSignals(False)
        if joined:
            text = self.tr("In the call: the citizen and the agent see and hear you")
            colour = "#b3261e"
        elif barging:
            text = self.tr("Talking in the call: the citizen and the agent hear you")
            colour = "#b3261e"
        else:
            text = self.tr("Watching only: no one hears you")
            colour = "#8250df"
        self.mode.setText(f'<span style="color:{colour};font-weight:bold">◉</span> {text}')
        live = (self.tr("Your camera and microphone are live in the call") if joined
                else self.tr("Your microphone is live in the call"))
        self.mic_live.setText(f"● {live}")
        self.mic_live.setVisible(barging or joined)
        self.agent_video.setVisible(joined)
        self.video.captioned = joined
        if not joined:
            self.agent_video.clear()
        self._enable_controls()
        self._on_timer_timeout()

    def show_devices(self, problems: Mapping[DeviceKind, DeviceProblem]) -> None:
        """What is wrong with the supervisor's microphone and speaker (nothing: all well)."""
        self._problems = dict(problems)
        lines = [self._problem_text(problems[kind]) for kind in ("microphone", "speaker")
                 if kind in problems]
        self.device_problems.setText("\n".join(lines))
        self.device_problems.setVisible(bool(lines))
        microphone = problems.get("microphone")
        self.barge_button.setToolTip(self._problem_text(microphone) if microphone else "")
        self._enable_controls()

    def show_listening(self, muted: bool, volume: float) -> None:
        """The listening state the window opens with (0–1 volume)."""
        for widget in (self.mute_button, self.volume):
            widget.blockSignals(True)
        self.mute_button.setChecked(muted)
        self.volume.setValue(round(volume * 100))
        for widget in (self.mute_button, self.volume):
            widget.blockSignals(False)

    def close_for_hub(self) -> None:
        """Close without asking the hub again (the watch already ended)."""
        self._closing_by_hub = True
        self.close()

    def closeEvent(self, event: QCloseEvent | None) -> None:
        if not self._closing_by_hub and self._viewer.state is not None:
            self.stop_requested.emit()
        if self._placement is not None:
            self._placement.save(self)
        self.video.detach()
        self.agent_video.detach()
        super().closeEvent(event)

    def _problem_text(self, problem: DeviceProblem) -> str:
        if problem.kind == "microphone":
            if problem.code == "missing" or not problem.device:
                return self.tr("No microphone found: you cannot barge in")
            return self.tr("The microphone “%1” does not work: you cannot barge in").replace(
                "%1", problem.device)
        if problem.code == "missing" or not problem.device:
            return self.tr("No speaker found: you cannot hear the call")
        return self.tr("The speaker “%1” does not work: you cannot hear the call").replace(
            "%1", problem.device)

    def _enable_controls(self) -> None:
        watching = self._viewer.state is not None
        # Without a microphone there is no barge-in; one already under way can still end.
        can_talk = "microphone" not in self._problems or self.barge_button.isChecked()
        joined = self.join_button.isChecked()
        self.barge_button.setEnabled(watching and can_talk and not joined)
        self.join_button.setEnabled(watching and (can_talk or joined))
        can_hear = "speaker" not in self._problems
        self.mute_button.setEnabled(can_hear)
        self.volume.setEnabled(can_hear)

    def _on_barge_button_toggled(self, on: bool) -> None:
        self.barge_toggled.emit(on)

    def _on_join_button_toggled(self, on: bool) -> None:
        self.join_toggled.emit(on)

    def _on_mute_button_toggled(self, on: bool) -> None:
        self.mute_toggled.emit(on)

    def _on_volume_value_changed(self, value: int) -> None:
        self.volume_changed.emit(value / 100)

    def _on_timer_timeout(self) -> None:
        state = self._viewer.state
        level = self._viewer.voice_level_dbfs
        self.meter.setValue(int(max(0.0, level - SILENCE_DBFS - (90 - _METER_RANGE_DB))))
        if state is None:
            return
        minutes, seconds = divmod(int(time.monotonic() - self._started), 60)
        self.title.setText(
            self.tr("Agent %1 · watching for %2")
            .replace("%1", self._describe(state.agent_id))
            .replace("%2", f"{minutes:02d}:{seconds:02d}")
        )
