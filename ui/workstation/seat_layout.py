"""The main window's layout per seat mode (视频 / 窗口 / 综合), and the swap between them.

- ``video``: the video in the middle, the queue and work order on the left, the chat
  under the video, the work tabs on the right.
- ``counter``: the walk-in intake pane takes the middle; the video, chat, queue and
  work-order docks are hidden; the same work tabs stay beside it (without remote
  assistance, which needs a kiosk call).
- ``combined``: the video layout, with the walk-in intake as the first work tab, so a
  clerk who also takes calls serves a walk-in between calls without losing the video.

The layout follows the mode the hub confirmed (``Presence.mode``), never the box the
agent clicked, and never takes a video contact off the screen: while a call or its
wrap-up is in hand, the layout that shows the video stays (``layout_for``). Each mode's
dock arrangement is saved and restored separately in the window's ``QSettings``; the
video layout keeps the key it always had (``window/state``).

While the citizen's shared screen is enlarged (``enlarge_video``) every dock is put away
so the video pane has the window's width; the arrangement before comes back as it was,
and it is what is saved meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtCore import QByteArray, QSettings, Qt
from PyQt6.QtWidgets import QBoxLayout, QDockWidget, QMainWindow, QTabWidget, QWidget

from seat_common.protocol import SeatMode

STATE_KEYS: dict[SeatMode, str] = {
    "video": "window/state",
    "counter": "window/state_counter",
    "combined": "window/state_combined",
}


#: Widths at 1366×768 (the counter PCs' screens): the left column (queue, citizen) and
#: the video in the middle; the work panel takes the rest.
LEFT_COLUMN = 236
VIDEO_COLUMN = 460


def layout_for(mode: SeatMode, *, contact_open: bool, shown: SeatMode) -> SeatMode:
    """The layout to show for the hub's ``mode``: a call or wrap-up in hand keeps the layout
    it is shown in (and is never shown in the counter layout, which has no video)."""
    if not contact_open:
        return mode
    return "video" if shown == "counter" else shown


class ModeLayout:
    """Shows one of the three layouts on ``window``; ``shown`` is the one on screen."""

    def __init__(
        self,
        window: QMainWindow,
        settings: QSettings,
        version: int,
        *,
        video: QWidget,
        column: QBoxLayout,
        counter: QWidget | None,
        counter_title: str,
        video_docks: Sequence[QDockWidget],
        work_dock: QDockWidget,
        work_tabs: QTabWidget,
        video_only_tabs: Sequence[QWidget] = (),
    ) -> None:
        self.window = window
        self.settings = settings
        self.version = version
        self.video = video
        self.column = column
        self.counter = counter
        self.counter_title = counter_title
        self.video_docks = tuple(video_docks)
        self.work_dock = work_dock
        self.work_tabs = work_tabs
        self.video_only_tabs = tuple(video_only_tabs)
        self.shown: SeatMode = "video"
        #: the dock arrangement before the video was enlarged (None: not enlarged)
        self._before_enlarged: QByteArray | None = None

    def state_key(self) -> str:
        return STATE_KEYS[self.shown]

    def save(self) -> None:
        """Keep the shown layout's dock arrangement under its own key."""
        state = self._before_enlarged or self.window.saveState(self.version)
        self.settings.setValue(self.state_key(), state)

    @property
    def video_enlarged(self) -> bool:
        return self._before_enlarged is not None

    def enlarge_video(self, on: bool) -> None:
        """Put every dock away so the video pane has the window (the citizen's shared
        screen, to read their form), or bring them back as they were."""
        if on == self.video_enlarged:
            return
        if on:
            self._before_enlarged = self.window.saveState(self.version)
            for dock in (*self.video_docks, self.work_dock):
                dock.hide()
            return
        state, self._before_enlarged = self._before_enlarged, None
        assert state is not None
        self.window.restoreState(state, self.version)

    def show(self, mode: SeatMode) -> bool:
        """Swap to ``mode``'s layout (saving the current one first); False if already shown."""
        if mode == self.shown:
            return False
        self.enlarge_video(False)
        self.save()
        self.shown = mode
        self._place_counter(mode)
        self._enforce(mode)
        state = self.settings.value(STATE_KEYS[mode])
        if isinstance(state, QByteArray) and self.window.restoreState(state, self.version):
            self._enforce(mode)  # a saved state must not bring back what this mode hides
        else:
            self.apply_default_sizes()
        return True

    def _place_counter(self, mode: SeatMode) -> None:
        pane = self.counter
        if pane is None:
            return
        index = self.work_tabs.indexOf(pane)
        if mode == "combined":
            if index < 0:
                self.column.removeWidget(pane)
                self.work_tabs.insertTab(0, pane, self.counter_title)
            return
        if index >= 0:
            self.work_tabs.removeTab(index)
            self.column.addWidget(pane, 1)
        pane.setVisible(mode == "counter")

    def _enforce(self, mode: SeatMode) -> None:
        counter = mode == "counter" and self.counter is not None
        self.video.setVisible(not counter)
        for dock in self.video_docks:
            dock.setVisible(not counter)
        # Counter mode hides the video-only tabs; outside it, whether they show is the call's
        # business (remote assistance: kiosk calls only), not the layout's.
        for tab in self.video_only_tabs:
            index = self.work_tabs.indexOf(tab)
            if index >= 0 and counter:
                self.work_tabs.setTabVisible(index, False)

    def apply_default_sizes(self) -> None:
        """The shown mode's columns for the window's width: at 1366 px the left column
        236, the video 460, the work panel the rest; wider screens give the video 40 % of
        the extra width and the work panel the rest."""
        width = self.window.width()
        if self.shown == "counter":
            # The intake pane needs ~540 px for its rows; the form and review get the rest.
            self.window.resizeDocks([self.work_dock], [max(480, width - 560)],
                                    Qt.Orientation.Horizontal)
            return
        left = LEFT_COLUMN
        centre = max(420, round(VIDEO_COLUMN + (width - 1366) * 0.4))
        self.window.resizeDocks([self.video_docks[0], self.work_dock],
                                [left, max(480, width - left - centre)],
                                Qt.Orientation.Horizontal)
