"""The seat wall's session: a hub link, the wall model and the window wired together.

``WallSession`` sends the supervisor's actions (whisper, agent state, moving a citizen,
watching, barging in and joining a call) through ``WallLink``, shows the hub's answers in
the status bar (``answer_text``, ``watch_end_text``), opens the watch window while a call
is watched and the statistics report dialog, and owns the tasks it starts. ``seat-wall``
(``wall_app``) builds one; the integration tests build their own.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from PyQt6.QtCore import QCoreApplication

from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.media.devices import DeviceKind, DeviceProblem, SeatMedia, SyntheticMedia
from seat_client.media.local_media import CameraTrack
from seat_client.supervision.listening import WatchListening
from seat_client.supervision.report_request import ReportRequests
from seat_client.supervision.wall_model import WallLink, WallModel
from seat_client.supervision.watch_viewer import WatchViewer
from seat_common import protocol
from seat_common.tasks import TaskOwner
from ui.call.workorder_list_pane import WorkOrderListPane
from ui.devices.seat_devices import SeatDevices
from ui.labels import tls_failure_label
from ui.supervision.raised_hands import RaisedHands
from ui.supervision.report_dialog import ReportDialog
from ui.supervision.wall_window import SeatWallWindow
from ui.supervision.watch_window import WatchWindow
from ui.task_failures import FailureNotice
from ui.window_placement import WindowPlacement

translate = QCoreApplication.translate


def watch_end_text(reason: str) -> str:
    """Why a watch ended, for the status bar."""
    return {
        "stopped": translate("SeatWallWindow", "The watch ended"),
        "call_ended": translate("SeatWallWindow", "The watch ended: the call is over"),
        "agent_left": translate("SeatWallWindow", "The watch ended: the agent went offline"),
        "media_failed": translate(
            "SeatWallWindow", "The watch ended: the agent's workstation could not send the call"),
    }.get(reason, translate("SeatWallWindow", "The watch ended"))


def answer_text(message: protocol.Message) -> str:
    """The hub's answer to a supervisor action, for the status bar."""
    if isinstance(message, protocol.Ack):
        done = {
            "whisper": translate("SeatWallWindow", "Whisper sent"),
            "supervise_state": translate("SeatWallWindow", "Agent state changed"),
            "move_contact": translate("SeatWallWindow", "Citizen moved"),
            "watch_call": translate("SeatWallWindow", "Watching the call"),
            "barge_in": translate("SeatWallWindow", "Barge-in changed"),
            "join_call": translate("SeatWallWindow", "You joined the call"),
            "leave_call": translate("SeatWallWindow", "You left the call and are watching it"),
            "stop_watch": translate("SeatWallWindow", "Watch stopped"),
        }
        return done.get(
            message.of, translate("SeatWallWindow", "Done: %1").replace("%1", message.of)
        )
    if isinstance(message, protocol.Error):
        return translate("SeatWallWindow", "Refused: %1").replace("%1", message.message)
    return ""


class WallSession:
    """Wires a hub link, the wall model and the window; owns the tasks it starts.

    With ``devices`` (started and closed by the caller) a watch is heard on their
    speaker and a barge-in speaks through their microphone; joining a call opens their
    camera too (only while joined: the wall runs without one). Without, the watch is
    silent both ways and a joined supervisor is a dark picture. With ``watch_placement``
    the watch window opens where the supervisor last left it.
    """

    def __init__(
        self,
        link: HubLink,
        model: WallModel,
        window: SeatWallWindow,
        work_orders: tuple[WorkOrderListModel, WorkOrderListPane] | None = None,
        tasks: TaskOwner | None = None,
        devices: SeatDevices | None = None,
        watch_placement: WindowPlacement | None = None,
    ) -> None:
        self.link = link
        self._watch_placement = watch_placement
        self.model = model
        self.window = window
        self.work_orders = work_orders[0] if work_orders is not None else None
        if work_orders is not None:
            work_orders[1].search_requested.connect(
                lambda text: self._spawn(work_orders[0].search(text))
            )
        self.actions = WallLink(link.send)
        self.tasks = tasks or TaskOwner("seat-wall")
        self._failures = FailureNotice(self.tasks, window.show_result)
        link.message.connect(self._on_link_message)
        link.state_changed.connect(self._on_link_state)
        window.whisper_requested.connect(
            lambda agent_id, text: self._spawn(self.actions.whisper(agent_id, text))
        )
        window.state_requested.connect(
            lambda agent_id, state, reason: self._spawn(
                self.actions.set_state(agent_id, state, reason)
            )
        )
        window.move_requested.connect(self._on_window_move)
        self.hands = RaisedHands(window, model)  # 举手: sound once, select the seat
        self.devices = devices
        media: SeatMedia = devices if devices is not None else SyntheticMedia()
        self._media = media
        self.viewer = WatchViewer(link.send, microphone=media.microphone_track,
                                  tasks=self.tasks.child("watch"), camera=self._join_camera)
        link.welcome.connect(self.viewer.take_welcome)
        self.listening = WatchListening(self.viewer, media)
        self.watch_window: WatchWindow | None = None
        window.watch_requested.connect(lambda agent_id: self._spawn(self.viewer.watch(agent_id)))
        window.join_requested.connect(
            lambda agent_id: self._spawn(self.viewer.watch(agent_id, join=True)))
        self.reports = ReportRequests(link)
        self.report_dialog: ReportDialog | None = None
        window.report_requested.connect(self.open_report_dialog)
        self.viewer.state_changed.connect(self._on_viewer_state_changed)
        if devices is not None:
            devices.notice.connect(window.show_result)
            devices.changed.connect(self._on_devices_changed)

    def open_report_dialog(self) -> ReportDialog:
        """The statistics report dialog (one at a time: a second click shows it again)."""
        if self.report_dialog is None:
            dialog = ReportDialog(self.reports, self.window,
                                  tasks=self.tasks.child("statistics report"))
            dialog.finished.connect(lambda _: setattr(self, "report_dialog", None))
            self.report_dialog = dialog
        self.report_dialog.show()
        return self.report_dialog

    def _describe_seat(self, agent_id: str) -> str:
        seat = self.model.seats.get(agent_id)
        if seat is None:
            return agent_id
        return f"{seat.name}（{agent_id}）" + (f" · {seat.item_name}" if seat.item_name else "")

    def _join_camera(self) -> CameraTrack:
        """The supervisor's camera for a joined call: the device is opened now and closed
        when they leave (``_on_viewer_state_changed``)."""
        if self.devices is not None and not self.devices.with_camera:
            self.devices.reopen("camera")
        camera, microphone = self._media.call_media()
        microphone.stop()  # the watch has its own microphone track
        return camera

    def _close_join_camera(self) -> None:
        devices = self.devices
        if devices is not None and not devices.with_camera and devices.camera.is_open:
            devices.camera.close()

    def _device_problems(self) -> dict[DeviceKind, DeviceProblem]:
        return dict(self.devices.problems) if self.devices is not None else {}

    def _on_devices_changed(self) -> None:
        if self.watch_window is not None:
            self.watch_window.show_devices(self._device_problems())

    def _open_watch_window(self) -> WatchWindow:
        watch_window = WatchWindow(self.viewer, self._describe_seat,
                                   placement=self._watch_placement)
        watch_window.show_devices(self._device_problems())
        watch_window.show_listening(self.listening.muted, self.listening.volume)
        watch_window.barge_toggled.connect(lambda on: self._spawn(self.viewer.barge_in(on)))
        watch_window.join_toggled.connect(lambda on: self._spawn(self.viewer.join(on)))
        watch_window.stop_requested.connect(lambda: self._spawn(self.viewer.stop()))
        watch_window.mute_toggled.connect(self.listening.set_muted)
        watch_window.volume_changed.connect(self.listening.set_volume)
        watch_window.show()
        return watch_window

    def _on_viewer_state_changed(self, state: protocol.WatchState | None) -> None:
        if state is None or state.phase != "joined":
            self._close_join_camera()
        if state is not None:
            if self.watch_window is None:
                self.watch_window = self._open_watch_window()
            self.watch_window.show_state(state)
            return
        ended = self.viewer.last_end
        self.window.show_result(watch_end_text(ended.reason if ended else ""))
        if self.watch_window is not None:
            self.watch_window.close_for_hub()
            self.watch_window.deleteLater()
            self.watch_window = None

    def _on_window_move(self, work_order_id: str, to_agent: str, to_item: str) -> None:
        if to_agent:
            self._spawn(self.actions.move_to_agent(work_order_id, to_agent))
        else:
            self._spawn(self.actions.move_to_item(work_order_id, to_item))

    def _on_link_message(self, message: protocol.Message) -> None:
        if self.model.apply(message) or self.viewer.apply(message):
            return
        if self.work_orders is not None and self.work_orders.apply(message):
            return
        text = answer_text(message)
        if text:
            self.window.show_result(text)

    def _on_link_state(self, state: LinkState) -> None:
        if state is LinkState.CONNECTED:
            self._spawn(self.actions.subscribe())
        elif state is LinkState.REFUSED:
            refusal = self.link.refusal
            if refusal is not None and refusal.code == "revoked":
                self.window.show_result(translate(
                    "SeatWallWindow",
                    "Your login credentials were revoked; please contact the administrator"))
            elif refusal is not None and refusal.code == "unsupported_version":
                self.window.show_result(refusal.message)  # upgrade this PC's Seat
            else:
                self.window.show_result(translate("SeatWallWindow", "The hub refused the login"))
        elif state is LinkState.UNTRUSTED:
            self.window.show_result(tls_failure_label(self.link.tls_failure))

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        self.tasks.spawn(coro, translate("SeatWallWindow", "Supervisor action"))

    async def close(self) -> None:
        """End the watch's media and stop playing it (the devices stay the caller's)."""
        self.listening.close()
        await self.viewer.close()
