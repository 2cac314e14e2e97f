"""The agent workstation's main window: panes as docks around the video, wired to the core.

Video in the middle with the chat under it; the queue and the
citizen/work-order pane on the left; the status strip along the bottom. The ringing banner
sits above the video. Every pane is a dock the agent can move; the layout
is saved with QSettings and restored next time. All wiring happens in
``_connect_signals``; slots are ``_on_<source>_<event>``. The optional work tabs are
wired there through small links (``work_tab_links``, ``counter_link`` beside it), and so
is the seat's mode (``mode_link``: the layout follows the mode the hub confirmed).
Async intents run on the seat's ``TaskOwner``: every failure of its background work shows
in the status strip (``ui.task_failures``), never swallowed.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, Literal

from PyQt6.QtCore import QByteArray, QSettings, Qt
from PyQt6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PyQt6.QtWidgets import QDockWidget, QMainWindow, QStatusBar, QVBoxLayout, QWidget

from seat_client.call.hub_link import LinkState
from seat_client.call.workstation import ActiveCall, Notice, Workstation, WrapUpRequest
from seat_common import protocol
from seat_common.catalog import Catalog
from seat_common.tasks import TaskOwner
from ui.call.chat_pane import ChatPane
from ui.call.offer_banner import OfferBanner
from ui.call.queue_pane import QueuePane
from ui.call.ringer import Ringer
from ui.call.video_pane import VideoPane
from ui.call.work_order_pane import WorkOrderPane
from ui.counter.desk_pane import CounterParts
from ui.labels import tls_failure_label
from ui.task_failures import FailureNotice
from ui.workstation.counter_link import CounterLink
from ui.workstation.mode_link import ModeLink
from ui.workstation.seat_layout import ModeLayout
from ui.workstation.status_strip import StatusStrip
from ui.workstation.work_tab_links import (
    ApplicationLink,
    AssistLink,
    PluginLink,
    PreReviewLink,
    SeatHandles,
    WorkTabLink,
)
from ui.workstation.work_tabs import (
    ApplicationParts,
    AssistParts,
    PluginParts,
    PreReviewParts,
    RecordsParts,
    WorkTabs,
)

log = logging.getLogger(__name__)

#: Bump when the set or placement of docks changes, so an old saved layout is not applied.
#: Bumped when the dock arrangement changes: a layout saved by an older version is not
#: restored (4: the columns fit 1366×768 whatever the data).
LAYOUT_VERSION = 4


class MainWindow(QMainWindow):
    """The workstation window for one agent."""

    def __init__(
        self,
        workstation: Workstation,
        settings: QSettings,
        state_dir: Path,
        *,
        pre_review: PreReviewParts | None = None,
        applications: ApplicationParts | None = None,
        records: RecordsParts | None = None,
        plugins: PluginParts | None = None,
        assist: AssistParts | None = None,
        counter: CounterParts | None = None,
        tasks: TaskOwner | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        super().__init__()
        self.counter = counter
        self.workstation = workstation
        self.hall = ""  # the hall this PC stands in (settings ``hall``), shown in the title
        self.pre_review = pre_review
        self.applications = applications
        self.records = records
        self.plugins = plugins
        self.assist = assist
        self._settings = settings
        # Every failure of the seat's background work shows in the status strip; the
        # window's own work (the agent's intents) runs on a child of that owner.
        root = tasks or TaskOwner("seat-client")
        self._tasks = root.child("window")
        self._failures = FailureNotice(root, self._show_message)
        self.setObjectName("workstation")
        self.setMinimumSize(1024, 640)
        self.offer_banner = OfferBanner(self)
        self.video_pane = VideoPane(self)
        self.queue_pane = QueuePane(workstation.queue, self, catalog=catalog)
        self.work_order_pane = WorkOrderPane(self)
        self.chat_pane = ChatPane(self)
        self.status_strip = StatusStrip(self)
        self.ringer = Ringer(self, state_dir / "ring.wav")

        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.offer_banner)
        if records is not None:
            column.addWidget(records.whispers)
        column.addWidget(self.video_pane, 1)
        # After a call the wrap-up is the task in hand: it takes the video's place.
        column.addWidget(self.work_order_pane.wrap_up_box, 1)
        if counter is not None:  # counter mode's main area; a work tab in combined mode
            column.addWidget(counter.pane, 1)
            counter.pane.hide()
        self.setCentralWidget(central)
        self.queue_dock = self._dock("queue", self.tr("Queue"), self.queue_pane,
                                     Qt.DockWidgetArea.LeftDockWidgetArea)
        self.work_order_dock = self._dock("workOrder", self.tr("Citizen and work order"),
                                          self.work_order_pane,
                                          Qt.DockWidgetArea.LeftDockWidgetArea)
        # The side columns run full height; the bottom area (chat) sits under the video only.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.chat_dock = self._dock("chat", self.tr("Chat"), self.chat_pane,
                                    Qt.DockWidgetArea.BottomDockWidgetArea)
        self.work_tabs = WorkTabs(self)
        self.work_tabs.add_parts(pre_review, applications, plugins, assist, records)
        self.work_dock = self._dock("work", self.tr("Work"), self.work_tabs,
                                    Qt.DockWidgetArea.RightDockWidgetArea)
        self.work_dock.setVisible(self.work_tabs.count() > 0)
        self.resizeDocks([self.chat_dock], [190], Qt.Orientation.Vertical)
        status = QStatusBar(self)
        status.addPermanentWidget(self.status_strip, 1)
        if applications is not None:
            status.addPermanentWidget(applications.badge)
        self.setStatusBar(status)
        self._ready_shortcut = QShortcut(QKeySequence("F9"), self)
        self._away_shortcut = QShortcut(QKeySequence("F10"), self)
        self.mode_layout = ModeLayout(
            self, settings, LAYOUT_VERSION, video=self.video_pane, column=column,
            counter=counter.pane if counter is not None else None,
            counter_title=self.tr("Walk-in intake"),
            video_docks=(self.queue_dock, self.work_order_dock, self.chat_dock),
            work_dock=self.work_dock, work_tabs=self.work_tabs,
            video_only_tabs=(assist.view,) if assist is not None else (),
        )
        self._update_title()
        self._connect_signals()
        self._restore_layout()

    # --- set-up ------------------------------------------------------------------

    def _dock(self, name: str, title: str, widget: QWidget,
              area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{name}Dock")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _connect_signals(self) -> None:
        ws = self.workstation
        # The core outlives windows (tests, re-login): keep the unsubscribers.
        self._unsubscribe = [
            ws.presence_changed.connect(self._on_workstation_presence_changed),
            ws.offer_changed.connect(self._on_workstation_offer_changed),
            ws.call_changed.connect(self._on_workstation_call_changed),
            ws.chat_added.connect(self.chat_pane.add_message),
            ws.peer_media_changed.connect(self.video_pane.show_peer_media),
            ws.wrap_up_needed.connect(self._on_workstation_wrap_up_needed),
            ws.work_order_closed.connect(self._on_workstation_work_order_closed),
            ws.notice.connect(self._on_workstation_notice),
            ws.media_renewed.connect(self._on_workstation_media_renewed),
            ws.peer_link_changed.connect(self._on_workstation_peer_link_changed),
            ws.link.state_changed.connect(self._on_link_state_changed),
            ws.link.welcome.connect(lambda _: self._update_title()),
        ]
        self.offer_banner.accept_requested.connect(lambda: self._run(ws.accept(), "accept"))
        self.offer_banner.decline_requested.connect(lambda: self._run(ws.decline(), "decline"))
        self.video_pane.hang_up_requested.connect(lambda: self._run(ws.hang_up(), "hang up"))
        self.video_pane.mute_toggled.connect(ws.set_microphone_muted)
        self.video_pane.camera_toggled.connect(lambda off: ws.set_camera_enabled(not off))
        self.chat_pane.send_requested.connect(lambda t: self._run(ws.send_chat(t), "chat"))
        self.work_order_pane.wrap_up_submitted.connect(self._on_work_order_pane_wrap_up)
        self.status_strip.state_chosen.connect(self._on_status_strip_state_chosen)
        self.status_strip.mode_chosen.connect(
            lambda mode: self._run(ws.set_mode(mode), "mode")
        )
        self._ready_shortcut.activated.connect(lambda: self._run(ws.set_ready(), "ready"))
        self._away_shortcut.activated.connect(lambda: self._run(ws.set_away("break"), "away"))
        self.video_pane.snapshot_requested.connect(self._on_video_pane_snapshot)
        self.video_pane.screen_snapshot_requested.connect(
            lambda: self._on_video_pane_snapshot(screen=True))
        self.video_pane.share_enlarge_toggled.connect(self.mode_layout.enlarge_video)
        self._links = self._work_tab_links()  # owned here: Qt holds slot methods weakly
        for link in self._links:
            self._unsubscribe += link.connect()
        if self.records is not None:
            orders = self.records.orders
            self.records.orders_pane.search_requested.connect(
                lambda text: self._run(orders.search(text), self.tr("search work orders"))
            )

    def _work_tab_links(self) -> list[WorkTabLink]:
        """The seat mode's link, then one per optional work tab present, in the order
        their slots run."""
        seat = SeatHandles(self.workstation, self.work_tabs, self._run, self._show_message)
        review, apps, counter = self.pre_review, self.applications, self.counter
        counter_desk = counter.desk if counter is not None else None
        links: list[WorkTabLink] = [ModeLink(self, seat, self.mode_layout, counter)]
        if review is not None:
            links.append(PreReviewLink(seat, review, counter_desk))
        if apps is not None:
            links.append(ApplicationLink(seat, apps, review))
        if self.plugins is not None:
            links.append(PluginLink(seat, self.plugins, apps))
        if self.assist is not None:
            links.append(AssistLink(seat, self.assist, apps))
        if counter is not None:
            links.append(CounterLink(seat, counter, review, apps, self.mode_layout))
        return links

    # --- slots -------------------------------------------------------------------

    def _on_video_pane_snapshot(self, screen: bool = False) -> None:
        """F8: a still of the citizen's camera; Shift+F8 (``screen``): of their shared screen."""
        call, parts = self.workstation.call, self.pre_review
        session = call.session if call is not None else None
        frames = None if session is None else session.screen_frames if screen else session.frames
        newest = frames.newest() if frames is not None else None
        if call is None or parts is None or newest is None:
            self._show_message(self.tr("No video to capture yet"))
            return
        transfer, work_order_id = parts.transfer, call.work_order_id
        # A shared form's fine print: lossless.
        image_format: Literal["JPEG", "PNG"] = "PNG" if screen else "JPEG"

        async def capture() -> None:
            await transfer.capture_still(work_order_id, newest.frame, image_format=image_format,
                                         name="screen-still" if screen else "video-still")
            self._show_message(self.tr("Still captured as a material"))

        self._run(capture(), self.tr("capture a still"))

    def _on_workstation_presence_changed(self, presence: protocol.Presence) -> None:
        self.status_strip.show_presence(presence)

    def _on_workstation_offer_changed(self, offer: protocol.Offer | None) -> None:
        self.offer_banner.show_offer(offer)
        if offer is not None:
            self.ringer.start()
        else:
            self.ringer.stop()

    def _on_workstation_call_changed(self, call: ActiveCall | None) -> None:
        in_call = call is not None
        self.video_pane.view.set_session(call.session if call else None)
        self.video_pane.set_in_call(in_call)
        self.chat_pane.set_in_call(in_call)
        if call is not None:
            self.chat_pane.clear()
            self.work_order_pane.show_call(call)
            self.video_pane.view.set_placeholder(self.tr("Connecting video…"))
            self.chat_pane.input.setFocus()
        else:
            self.video_pane.view.set_placeholder(
                self.tr("No call. Waiting citizens appear in the queue.")
            )

    def _on_workstation_media_renewed(self, call: ActiveCall) -> None:
        self.video_pane.view.set_session(call.session)
        self.video_pane.show_peer_media(call.peer_media)
        self._show_message(self.tr("Connection restored; the call goes on"))

    def _on_workstation_peer_link_changed(self, up: bool) -> None:
        if up:
            self._show_message(self.tr("The citizen is back; the video resumes…"))
        else:
            self._show_message(
                self.tr("The citizen's network dropped; waiting for them to reconnect…"), 60000
            )

    def _on_workstation_wrap_up_needed(self, request: WrapUpRequest) -> None:
        self.work_order_pane.show_wrap_up(request)
        self.video_pane.setVisible(False)

    def _on_workstation_work_order_closed(self, closed: protocol.WorkOrderClosed) -> None:
        self.work_order_pane.show_wrap_up(None)
        self.video_pane.setVisible(self.mode_layout.shown != "counter")
        if self.workstation.call is None:
            self.work_order_pane.show_call(None)  # the next citizen starts from a clean pane
        history = self.workstation.history
        if history and history[-1].work_order_id == closed.work_order_id:
            self.work_order_pane.add_closed(history[-1])
        self._show_message(self.tr("Work order %1 closed").replace("%1", closed.work_order_id))

    def _on_workstation_notice(self, notice: Notice) -> None:
        text = {  # our own notices, said in the agent's language (the detail is technical)
            "media_failed": self.tr("The call's media could not connect: %1"),
            "bad_ice_config": self.tr("The hub's media relay settings are unusable: %1"),
            "taken_over": self.tr("This seat logged in on another computer; this one stopped"),
            "revoked": self.tr(
                "Your login credentials were revoked; please contact the administrator"),
        }.get(notice.code, self.tr("Hub: %1"))
        # a revoked seat stays stopped: so does the message (a working day), or the agent
        # would look at a dead workstation without knowing why
        self._show_message(text.replace("%1", notice.text),
                           8 * 3600 * 1000 if notice.code == "revoked" else 10000)

    def _on_link_state_changed(self, state: LinkState) -> None:
        failure = self.workstation.link.tls_failure
        self.status_strip.show_link(state, failure)
        if state is LinkState.UNTRUSTED:
            self._show_message(tls_failure_label(failure), 30000)
        elif state is LinkState.DISCONNECTED and self.workstation.call is not None:
            self._show_message(
                self.tr("Network down, reconnecting… the call is kept for a while"), 60000
            )

    def _on_work_order_pane_wrap_up(self, outcome: str, notes: str) -> None:
        if outcome not in protocol.WRAP_UP_OUTCOMES:
            return
        self._run(self.workstation.submit_wrap_up(outcome, notes), "wrap-up")

    def _on_status_strip_state_chosen(self, state: str, reason: str) -> None:
        if state == "ready":
            self._run(self.workstation.set_ready(), "ready")
        else:
            self._run(self.workstation.set_away(reason), "away")  # type: ignore[arg-type]

    # --- helpers -------------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, object], what: str) -> None:
        """Run one of the agent's intents; ``what`` names it if it fails."""
        self._tasks.spawn(coro, what)

    def _show_message(self, text: str, timeout_ms: int = 5000) -> None:
        # The strip fills the status bar, so its own label shows passing messages.
        self.status_strip.show_message(text, timeout_ms)

    def _update_title(self) -> None:
        welcome = self.workstation.welcome
        title = self.tr("Video service seat")
        if welcome is not None:
            title += f" — {welcome.name} ({self.tr('ID')} {welcome.agent_id})"
        self.setWindowTitle(f"{title} · {self.hall}" if self.hall else title)

    def show_hall(self, hall: str) -> None:
        self.hall = hall
        self._update_title()

    def _restore_layout(self) -> None:
        geometry = self._settings.value("window/geometry")
        state = self._settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self._layout_restored = isinstance(state, QByteArray) and self.restoreState(
            state, LAYOUT_VERSION)

    def showEvent(self, event: QShowEvent | None) -> None:
        super().showEvent(event)
        if not self._layout_restored:
            # First start on this PC: columns sized for the screen the window opened at.
            self._layout_restored = True
            self.mode_layout.apply_default_sizes()

    def save_layout(self) -> None:
        self._settings.setValue("window/geometry", self.saveGeometry())
        self.mode_layout.save()  # under the shown mode's key; each mode keeps its own
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent | None) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self.save_layout()
        self.ringer.stop()
        self._failures.detach()
        for task in self._tasks.running():
            task.cancel()
        super().closeEvent(event)
