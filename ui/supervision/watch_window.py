"""The supervisor's window onto a watched call: the citizen's picture, the voices, barge-in.

Shows a ``WatchViewer``: the newest frame of the citizen's camera as the
agent sees it, a level meter for the call's voices (there may be no
speaker on the supervisor's PC, so they can at least see that people are
talking), whether the supervisor is only watching or talking in the call,
and how long the watch has lasted.

Intents: ``barge_toggled(bool)`` (the 插话 button, Ctrl+B) and
``stop_requested`` (the 结束监看 button, Esc, or closing the window).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PyQt6.QtCore import QRectF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QColor, QFont, QImage, QKeySequence, QPainter, QPaintEvent
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from seat_client.supervision.watch_viewer import WatchViewer
from seat_common import protocol
from seat_common.audio_levels import SILENCE_DBFS
from ui.call.video_pane import VideoView
from ui.devices.frames import frame_to_image

#: The level meter spans this many dB below full scale.
_METER_RANGE_DB = 60.0


class WatchedVideo(QWidget):
    """Paints the newest frame of the watched call, to fit."""

    def __init__(self, viewer: WatchViewer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._viewer = viewer
        self._image: QImage | None = None
        self._pixels: np.ndarray[Any, Any] | None = None
        self.painted_count = 0
        self.setMinimumSize(480, 300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        viewer.frame_arrived.connect(lambda _: self.update())

    def clear(self) -> None:
        self._image = None
        self._pixels = None
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1f2428"))
        newest = self._viewer.frames.take()
        if newest is not None:
            self._image, self._pixels = frame_to_image(newest.frame)
            self.painted_count += 1
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            area = VideoView._fit(self._image.size(), QRectF(self.rect()))
            painter.drawImage(area, self._image)
        else:
            painter.setPen(QColor("#c9d1d9"))
            painter.setFont(QFont(self.font().family(), 13))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             self.tr("Connecting to the agent's workstation…"))
        painter.end()


class WatchWindow(QWidget):
    """One watched call, in a window of its own beside the seat wall."""

    barge_toggled = pyqtSignal(bool)
    stop_requested = pyqtSignal()

    def __init__(
        self,
        viewer: WatchViewer,
        describe: Callable[[str], str] = str,
        parent: QWidget | None = None,
    ) -> None:
        """``describe`` names a seat for the title (e.g. "张三（0012）· 社保卡补办")."""
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("watchWindow")
        self._viewer = viewer
        self._describe = describe
        self._started = time.monotonic()
        self._closing_by_hub = False
        self.title = QLabel(self)
        self.title.setObjectName("watchTitle")
        self.mode = QLabel(self)
        self.mode.setObjectName("watchMode")
        self.video = WatchedVideo(viewer, self)
        self.meter = QProgressBar(self)
        self.meter.setRange(0, int(_METER_RANGE_DB))
        self.meter.setTextVisible(False)
        self.meter.setFixedHeight(10)
        self.barge_button = QPushButton(self.tr("Barge in (Ctrl+B)"), self)
        self.barge_button.setCheckable(True)
        self.barge_button.setShortcut(QKeySequence("Ctrl+B"))
        self.stop_button = QPushButton(self.tr("Stop watching (Esc)"), self)
        self.stop_button.setShortcut(QKeySequence("Esc"))
        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Voices"), self))
        controls.addWidget(self.meter, 1)
        controls.addSpacing(12)
        controls.addWidget(self.barge_button)
        controls.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.mode)
        layout.addWidget(self.video, 1)
        layout.addLayout(controls)
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self.resize(800, 600)
        self._connect_signals()
        self._timer.start()
        self.show_state(viewer.state)

    def _connect_signals(self) -> None:
        self.barge_button.toggled.connect(self._on_barge_button_toggled)
        self.stop_button.clicked.connect(self.stop_requested)
        self._timer.timeout.connect(self._on_timer_timeout)

    def show_state(self, state: protocol.WatchState | None) -> None:
        """Follow the hub's word on the watch (``None``: it ended)."""
        if state is None:
            self.mode.setText(self.tr("The watch has ended"))
            self.barge_button.setEnabled(False)
            self.video.clear()
            return
        self.setWindowTitle(self.tr("Watching %1").replace("%1", self._describe(state.agent_id)))
        barging = state.phase == "barging"
        self.barge_button.blockSignals(True)
        self.barge_button.setChecked(barging)
        self.barge_button.blockSignals(False)
        self.barge_button.setEnabled(True)
        if barging:
            text = self.tr("Talking in the call: the citizen and the agent hear you")
            colour = "#b3261e"
        else:
            text = self.tr("Watching only: no one hears you")
            colour = "#8250df"
        self.mode.setText(f'<span style="color:{colour};font-weight:bold">◉</span> {text}')
        self._on_timer_timeout()

    def close_for_hub(self) -> None:
        """Close without asking the hub again (the watch already ended)."""
        self._closing_by_hub = True
        self.close()

    def closeEvent(self, event: QCloseEvent | None) -> None:
        if not self._closing_by_hub and self._viewer.state is not None:
            self.stop_requested.emit()
        super().closeEvent(event)

    def _on_barge_button_toggled(self, on: bool) -> None:
        self.barge_toggled.emit(on)

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
