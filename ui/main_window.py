"""The agent workstation's main window: panes as docks around the video, wired to the core.

Video in the middle with the chat under it; the queue and the
citizen/work-order pane on the left; the status strip along the bottom. The ringing banner
sits above the video. Every pane is a dock the agent can move; the layout
is saved with QSettings and restored next time. All wiring happens in
``_connect_signals``; slots are ``_on_<source>_<event>``. Async intents run
as owned tasks: a failure is shown in the status bar, never swallowed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QByteArray, QSettings, Qt
from PyQt6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PyQt6.QtWidgets import QDockWidget, QMainWindow, QStatusBar, QVBoxLayout, QWidget

from seat_client import protocol
from seat_client.hub_link import LinkState, NotConnectedError
from seat_client.material_transfer import TransferProgress
from seat_client.materials import PreReviewVerdict
from seat_client.workstation import ActiveCall, Notice, Workstation, WrapUpRequest
from ui.chat_pane import ChatPane
from ui.offer_banner import OfferBanner
from ui.queue_pane import QueuePane
from ui.ringer import Ringer
from ui.status_strip import StatusStrip
from ui.video_pane import VideoPane
from ui.work_order_pane import WorkOrderPane
from ui.work_tabs import (
    ApplicationParts,
    AssistParts,
    PluginParts,
    PreReviewParts,
    RecordsParts,
    WorkTabs,
)

log = logging.getLogger(__name__)

#: Bump when the set or placement of docks changes, so an old saved layout is not applied.
LAYOUT_VERSION = 3


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
    ) -> None:
        super().__init__()
        self.workstation = workstation
        self.pre_review = pre_review
        self.applications = applications
        self.records = records
        self.plugins = plugins
        self.assist = assist
        self._settings = settings
        self._tasks: set[asyncio.Task[None]] = set()
        self.setObjectName("workstation")
        self.setMinimumSize(1024, 640)
        self.offer_banner = OfferBanner(self)
        self.video_pane = VideoPane(self)
        self.queue_pane = QueuePane(workstation.queue, self)
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
        if pre_review is not None:
            self.work_tabs.addTab(pre_review.pane, self.tr("Pre-review"))
        if applications is not None:
            self.work_tabs.addTab(applications.form, self.tr("Application"))
            self.work_tabs.addTab(applications.outbox, self.tr("Outbox"))
            self.work_tabs.addTab(applications.receipt, self.tr("Receipt"))
        if plugins is not None:
            self.work_tabs.addTab(plugins.panel, self.tr("Task plugins"))
        if assist is not None:
            self.work_tabs.addTab(assist.view, self.tr("Remote assistance"))
        if records is not None:
            self.work_tabs.addTab(records.orders_pane, self.tr("Work orders"))
        self.work_dock = self._dock("work", self.tr("Work"), self.work_tabs,
                                    Qt.DockWidgetArea.RightDockWidgetArea)
        self.work_dock.setVisible(self.work_tabs.count() > 0)
        self.resizeDocks([self.queue_dock, self.work_dock], [230, 770], Qt.Orientation.Horizontal)
        self.resizeDocks([self.chat_dock], [190], Qt.Orientation.Vertical)
        status = QStatusBar(self)
        status.addPermanentWidget(self.status_strip, 1)
        if applications is not None:
            status.addPermanentWidget(applications.badge)
        self.setStatusBar(status)
        self._ready_shortcut = QShortcut(QKeySequence("F9"), self)
        self._away_shortcut = QShortcut(QKeySequence("F10"), self)
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
            ws.wrap_up_needed.connect(self._on_workstation_wrap_up_needed),
            ws.work_order_closed.connect(self._on_workstation_work_order_closed),
            ws.notice.connect(self._on_workstation_notice),
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
        if self.pre_review is not None:
            self._connect_pre_review(self.pre_review)
        if self.applications is not None:
            self._connect_applications(self.applications)
        if self.plugins is not None:
            self._connect_plugins(self.plugins)
        if self.assist is not None:
            self._connect_assist(self.assist)
        if self.records is not None:
            orders = self.records.orders
            self.records.orders_pane.search_requested.connect(
                lambda text: self._run(orders.search(text), self.tr("search work orders"))
            )

    def _connect_assist(self, parts: AssistParts) -> None:
        view = parts.view
        self._unsubscribe.append(self.workstation.call_changed.connect(
            lambda call: view.set_session(
                call.session if call is not None and call.started.channel == "kiosk" else None
            )
        ))
        view.print_requested.connect(self._on_assist_view_print)
        view.prefill_requested.connect(self._on_assist_view_prefill)

    def _on_assist_view_print(self) -> None:
        """Push the receipt on show to the kiosk's printer."""
        parts, receipt = self.assist, self.applications.receipt if self.applications else None
        if parts is None or receipt is None or receipt.path is None:
            self._show_message(self.tr("No receipt to print yet"))
            return
        path, assist = receipt.path, parts.assist

        async def push() -> None:
            pdf = await asyncio.to_thread(path.read_bytes)
            await assist.push_document(pdf, path.name)
            self._show_message(self.tr("Sent to the kiosk printer"))

        self._run(push(), self.tr("print at the kiosk"))

    def _on_assist_view_prefill(self, values: dict[str, str]) -> None:
        """The kiosk's ID-card read fills the form, marked until the agent confirms it."""
        form = self.applications.form if self.applications is not None else None
        if form is None or form.state is None:
            self._show_message(self.tr("No application form open"))
            return
        form.state.prefill({"id_card.name": values.get("name", ""),
                            "id_card.id_number": values.get("id_number", "")})
        self.work_tabs.setCurrentWidget(form)

    def _connect_plugins(self, parts: PluginParts) -> None:
        self._unsubscribe.append(parts.host.form_suggested.connect(self._on_plugins_form_suggested))
        parts.panel.notice_shown.connect(
            lambda plugin, _level, text: self._show_message(f"{plugin}: {text}", 10000)
        )

    def _on_plugins_form_suggested(self, values: dict[str, str]) -> None:
        """A plugin's suggestions fill the form, marked until the agent confirms each."""
        form = self.applications.form if self.applications is not None else None
        if form is not None and form.state is not None:
            form.state.prefill(values)

    def _connect_applications(self, parts: ApplicationParts) -> None:
        self._unsubscribe.append(
            self.workstation.call_changed.connect(self._on_workstation_call_for_form)
        )

        def show_receipt(entry_id: int) -> None:
            entry = parts.desk.outbox.entry(entry_id)
            if entry is None:
                return

            async def show() -> None:
                await parts.receipt.show_entry(entry)
                self.work_tabs.setCurrentWidget(parts.receipt)

            self._run(show(), self.tr("show the receipt"))

        parts.form.accepted.connect(show_receipt)
        parts.outbox.receipt_requested.connect(show_receipt)
        parts.receipt.send_requested.connect(self._on_receipt_view_send)
        if self.pre_review is not None:
            # The materials the pre-review accepted go with the application and on its receipt.
            self._unsubscribe.append(
                self.pre_review.desk.verdict_sent.connect(self._on_review_desk_verdict_sent)
            )

    def _on_transfer_upload_progress(self, progress: TransferProgress) -> None:
        who = self.tr("Citizen") if progress.uploader_role != "agent" else self.tr("Me")
        self._show_message(
            self.tr("%1 uploading %2: %3%").replace("%1", who)
            .replace("%2", progress.filename).replace("%3", str(round(progress.fraction * 100))),
            3000,
        )

    def _on_receipt_view_send(self, path: str) -> None:
        """Send the receipt to the citizen as an image of its page, on the work order."""
        parts, review, ws = self.applications, self.pre_review, self.workstation
        work_order_id = (ws.call.work_order_id if ws.call is not None
                         else ws.wrap_up.work_order_id if ws.wrap_up is not None else "")
        png = parts.receipt.page_png() if parts is not None else b""
        if review is None or not work_order_id or not png:
            self._show_message(self.tr("No call to send the receipt to"))
            return
        transfer = review.transfer
        name = f"受理回执-{Path(path).stem}.png"

        async def send() -> None:
            await transfer.upload_bytes(work_order_id, png, filename=name, mime="image/png",
                                        source="agent_annotated", material_code="receipt")
            self._show_message(self.tr("Receipt sent to the citizen"))

        self._run(send(), self.tr("send the receipt"))

    def _on_review_desk_verdict_sent(self, verdict: PreReviewVerdict) -> None:
        parts, review = self.applications, self.pre_review
        session = review.desk.session if review is not None else None
        if parts is None or session is None:
            return
        names = {m.code: m.name for m in session.checklist}
        parts.form.set_materials([
            (v.material_code, names.get(v.material_code, v.material_code))
            for v in verdict.verdicts if v.status == "accepted"
        ])

    def _connect_pre_review(self, parts: PreReviewParts) -> None:
        pane = parts.pane
        self._unsubscribe += [
            parts.desk.session_changed.connect(pane.set_session),
            parts.desk.material_added.connect(pane.add_material),
            parts.transfer.transfer_failed.connect(
                lambda failure: self._show_message(failure.message, 10000)
            ),
            parts.transfer.upload_progress.connect(self._on_transfer_upload_progress),
            self.workstation.link.welcome.connect(
                lambda welcome: setattr(pane, "agent_name", welcome.name)
            ),
        ]
        pane.verdict_ready.connect(
            lambda verdict, images: self._run(
                parts.desk.send_verdict(verdict, images), self.tr("send the verdict")
            )
        )
        pane.failed.connect(lambda text: self._show_message(text, 10000))

    # --- slots -------------------------------------------------------------------

    def _on_workstation_call_for_form(self, call: ActiveCall | None) -> None:
        parts = self.applications
        if call is None or parts is None:
            return  # the form stays for the wrap-up; the next call replaces it
        started = call.started
        item = parts.catalog.item(started.item_code)
        form = item.form if item is not None else ""
        welcome = self.workstation.welcome
        parts.form.set_context(
            started.work_order_id, started.item_code, form, {"id_card.name": started.peer_name},
            item_name=started.item_name, agent_id=welcome.agent_id if welcome else "",
        )

    def _on_video_pane_snapshot(self) -> None:
        call, parts = self.workstation.call, self.pre_review
        newest = call.session.frames.newest() if call is not None else None
        if call is None or parts is None or newest is None:
            self._show_message(self.tr("No video to capture yet"))
            return
        transfer, work_order_id = parts.transfer, call.work_order_id

        async def capture() -> None:
            await transfer.capture_still(work_order_id, newest.frame)
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

    def _on_workstation_wrap_up_needed(self, request: WrapUpRequest) -> None:
        self.work_order_pane.show_wrap_up(request)

    def _on_workstation_work_order_closed(self, closed: protocol.WorkOrderClosed) -> None:
        self.work_order_pane.show_wrap_up(None)
        if self.workstation.call is None:
            self.work_order_pane.show_call(None)  # the next citizen starts from a clean pane
        history = self.workstation.history
        if history and history[-1].work_order_id == closed.work_order_id:
            self.work_order_pane.add_closed(history[-1])
        self._show_message(self.tr("Work order %1 closed").replace("%1", closed.work_order_id))

    def _on_workstation_notice(self, notice: Notice) -> None:
        self._show_message(self.tr("Hub: %1").replace("%1", notice.text), 10000)

    def _on_link_state_changed(self, state: LinkState) -> None:
        self.status_strip.show_link(state)

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
        async def guarded() -> None:
            try:
                await coro
            except NotConnectedError:
                self._show_message(self.tr("Not connected to the hub; try again shortly"))
            except Exception as exc:
                log.exception("%s failed", what)
                self._show_message(self.tr("%1 failed: %2").replace("%1", what)
                                   .replace("%2", str(exc)))

        task = asyncio.get_running_loop().create_task(guarded(), name=what)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _show_message(self, text: str, timeout_ms: int = 5000) -> None:
        bar = self.statusBar()
        if bar is not None:
            bar.showMessage(text, timeout_ms)

    def _update_title(self) -> None:
        welcome = self.workstation.welcome
        title = self.tr("Video service seat")
        if welcome is not None:
            title += f" — {welcome.name} ({self.tr('ID')} {welcome.agent_id})"
        self.setWindowTitle(title)

    def _restore_layout(self) -> None:
        geometry = self._settings.value("window/geometry")
        state = self._settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state, LAYOUT_VERSION)

    def save_layout(self) -> None:
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent | None) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self.save_layout()
        self.ringer.stop()
        for task in list(self._tasks):
            task.cancel()
        super().closeEvent(event)
