"""``seat-wall``: the supervisor's seat wall (the composition root of supervisor mode).

    seat-wall --hub ws://127.0.0.1:8765/ws --supervisor-id S01 [--token-file F]
              [--devices real|synthetic] [--state-dir DIR] [--ca-file CA.pem]

Logs in to the hub as ``supervisor`` (the token from ``--token-file``, else
the system keyring under the supervisor id, else the login dialog), asks for
the wall and shows it. The hub pushes every change; supervisor actions go
out through ``WallLink`` and the hub's answer shows in the status bar.
A hub off this machine is reached over ``wss://`` only, its certificate
verified against the system store or ``--ca-file``; a refused certificate
says why in the status bar.

A watched call is heard on the supervisor's speaker and a barge-in speaks
through their microphone (``SeatDevices`` without a camera, the choice of
devices kept in ``<state>/seat-wall/devices.json``; notices about them in the
status bar). ``--devices synthetic`` plays nothing and barges in with silence
(the demo, headless).

``--screenshot FILE`` saves the window once the wall arrived, and exits.
With ``--watch AGENT`` as well, it first waits (up to a minute) for that
agent's call, watches it, barges in for a moment, saves the wall as FILE and
the watch window beside it (``FILE-watch.png``), stops the watch and prints
a JSON summary (the demo's supervisor).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_API", "pyqt6")

import qasync
from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QApplication

from seat_client import settings as settings_mod
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.credentials import KeyringTokenStore
from seat_client.media.devices import DeviceKind, DeviceProblem, SeatMedia, SyntheticMedia
from seat_client.recording.hub_fetch import HubRecordings
from seat_client.supervision.listening import WatchListening
from seat_client.supervision.report_request import ReportRequests
from seat_client.supervision.wall_model import WallLink, WallModel
from seat_client.supervision.watch_viewer import WatchViewer
from seat_common import catalog, protocol
from seat_common.tasks import TaskOwner
from seat_common.version import add_version_flag
from ui import i18n
from ui.call.workorder_list_pane import WorkOrderListPane
from ui.devices.seat_devices import SeatDevices
from ui.labels import tls_failure_label
from ui.login_dialog import obtain_credentials
from ui.supervision.raised_hands import RaisedHands
from ui.supervision.report_dialog import ReportDialog
from ui.supervision.wall_recordings import WallRecordings
from ui.supervision.wall_window import SeatWallWindow
from ui.supervision.watch_window import WatchWindow
from ui.task_failures import FailureNotice
from ui.theme import apply_theme

log = logging.getLogger("seat-wall")
translate = QCoreApplication.translate


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="seat-wall", description="视频办坐席监控墙")
    add_version_flag(parser)
    parser.add_argument("--hub", help="hub address (default: client.toml's hub_url)")
    parser.add_argument("--machine-config", type=Path, metavar="TOML",
                        help="the machine-wide settings (default /etc/seat/client.toml, on"
                             " Windows %%ProgramData%%\\Seat\\client.toml): hub_url, ca_file,"
                             " hall, devices, language, large_text")
    parser.add_argument("--supervisor-id", default="", help="supervisor's seat id")
    parser.add_argument("--token-file", type=Path, help="file holding the supervisor token")
    parser.add_argument("--lang", choices=["zh_CN", "en"], help="UI language")
    parser.add_argument("--large-text", action="store_true", default=None, help="larger text")
    parser.add_argument("--size", default="1920x1080", help="window size, e.g. 1366x768")
    parser.add_argument("--screenshot", type=Path, help="save a screenshot once synced, then exit")
    parser.add_argument("--watch", metavar="AGENT",
                        help="with --screenshot: watch this agent's next call first")
    parser.add_argument("--devices", choices=["real", "synthetic"],
                        help="the PC's microphone and speaker (real, the default), or silence"
                             " and nothing played (synthetic)")
    parser.add_argument("--hall", help="start filtered to this hall (default: client.toml's hall)")
    parser.add_argument("--state-dir", default="",
                        help="where the wall keeps its state (default $XDG_STATE_HOME or"
                             " ~/.local/state; the wall's folder is seat-wall in it)")
    parser.add_argument("--ca-file",
                        help="PEM file of the CAs that vouch for the hub's certificate"
                             " (default: the system's trust store)")
    args = parser.parse_args(argv)
    # The machine-wide file under the options; the workstation's per-agent file is not the
    # wall's. Checked as the workstation checks it: a wrong value names file and key.
    try:
        settings = settings_mod.load_sourced(
            machine_path=args.machine_config, user_file=False, hub_url=args.hub,
            ca_file=args.ca_file, language=args.lang, large_text=args.large_text,
            devices=args.devices, hall=args.hall,
        ).settings
    except settings_mod.SettingsError as exc:
        parser.error(f"设置有误 / bad settings: {exc}")
    args.hub, args.ca_file, args.lang = settings.hub_url, settings.ca_file, settings.language
    args.large_text, args.devices, args.hall = settings.large_text, settings.devices, settings.hall
    return args


def state_path(state_dir: str = "") -> Path:
    """Where the seat wall keeps its state (the choice of devices): ``<base>/seat-wall``."""
    base = state_dir or os.environ.get("XDG_STATE_HOME", "") or "~/.local/state"
    return Path(base).expanduser() / "seat-wall"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("seat-wall")
    app.setOrganizationName("Seat")
    app.setQuitOnLastWindowClosed(False)
    translators = i18n.install(app, args.lang)
    apply_theme(app, large_text=args.large_text)
    if args.token_file is not None:
        token = args.token_file.read_text(encoding="utf-8").strip()
    else:
        credentials = obtain_credentials(
            args.supervisor_id, KeyringTokenStore(), interactive=args.screenshot is None
        )
        if credentials is None:
            return 3
        token = credentials[1]
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        code: int = loop.run_until_complete(run(app, args, token))
    del translators
    return code


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
    speaker and a barge-in speaks through their microphone; without, the watch is
    silent both ways.
    """

    def __init__(
        self,
        link: HubLink,
        model: WallModel,
        window: SeatWallWindow,
        work_orders: tuple[WorkOrderListModel, WorkOrderListPane] | None = None,
        tasks: TaskOwner | None = None,
        devices: SeatDevices | None = None,
    ) -> None:
        self.link = link
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
        self.viewer = WatchViewer(link.send, microphone=media.microphone_track,
                                  tasks=self.tasks.child("watch"))
        link.welcome.connect(self.viewer.take_welcome)
        self.listening = WatchListening(self.viewer, media)
        self.watch_window: WatchWindow | None = None
        window.watch_requested.connect(lambda agent_id: self._spawn(self.viewer.watch(agent_id)))
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

    def _device_problems(self) -> dict[DeviceKind, DeviceProblem]:
        return dict(self.devices.problems) if self.devices is not None else {}

    def _on_devices_changed(self) -> None:
        if self.watch_window is not None:
            self.watch_window.show_devices(self._device_problems())

    def _open_watch_window(self) -> WatchWindow:
        watch_window = WatchWindow(self.viewer, self._describe_seat)
        watch_window.show_devices(self._device_problems())
        watch_window.show_listening(self.listening.muted, self.listening.volume)
        watch_window.barge_toggled.connect(lambda on: self._spawn(self.viewer.barge_in(on)))
        watch_window.stop_requested.connect(lambda: self._spawn(self.viewer.stop()))
        watch_window.mute_toggled.connect(self.listening.set_muted)
        watch_window.volume_changed.connect(self.listening.set_volume)
        watch_window.show()
        return watch_window

    def _on_viewer_state_changed(self, state: protocol.WatchState | None) -> None:
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


async def watch_once(session: WallSession, agent_id: str, screenshot: Path) -> int:
    """Watch ``agent_id``'s next call from the wall, barge in briefly, save both windows."""

    async def until(condition: Callable[[], bool], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    def on_call() -> bool:
        seat = session.model.seats.get(agent_id)
        return seat is not None and seat.state == "on_call"

    summary: dict[str, object] = {"watched": False, "agent_id": agent_id}
    if await until(on_call, 60):
        session.window.grid.select(agent_id)
        session.window.watch_button.click()
        if await until(lambda: session.watch_window is not None
                       and session.watch_window.video.painted_count >= 15, 15):
            watch_window = session.watch_window
            assert watch_window is not None
            watch_window.barge_button.click()
            await until(lambda: session.viewer.barging, 5)
            await asyncio.sleep(1.0)
            summary.update(watched=True, frames_painted=watch_window.video.painted_count,
                           barged_in=session.viewer.barging,
                           voice_level_dbfs=round(session.viewer.voice_level_dbfs, 1))
            session.window.grab().save(str(screenshot))
            watch_window.grab().save(str(screenshot.with_name(screenshot.stem + "-watch.png")))
            watch_window.stop_button.click()
            await until(lambda: session.watch_window is None, 5)
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 0 if summary["watched"] else 1


async def run(app: QApplication, args: argparse.Namespace, token: str) -> int:
    tasks = TaskOwner("seat-wall")  # the root: the link and the session get children
    link = HubLink(args.hub, lambda: protocol.Hello(role="supervisor", token=token,
                                                    seat_id=args.supervisor_id),
                   tasks=tasks.child("hub link"), ca_file=args.ca_file or None)
    model = WallModel()
    orders = WorkOrderListModel(link.send)
    pane = WorkOrderListPane(orders, from_hub=True)
    window = SeatWallWindow(model, catalog.load(), pane)
    if args.hall:
        window.show_home_hall(args.hall)
    devices = None
    if args.devices == "real":
        devices = SeatDevices(state_path(args.state_dir) / "devices.json", with_camera=False)
        devices.start()
    WallRecordings(pane, HubRecordings(link, state_path(args.state_dir) / "playing"),
                   tasks.child("recordings"), window,
                   speaker=devices.speaker.device if devices is not None else None)
    session = WallSession(link, model, window, (orders, pane), tasks=tasks, devices=devices)
    width, _, height = args.size.partition("x")
    window.resize(int(width), int(height))
    window.show()
    link.start()
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    app.lastWindowClosed.connect(on_closed)
    try:
        if args.screenshot is not None:
            synced: asyncio.Future[None] = asyncio.get_running_loop().create_future()

            def on_changed(_ids: frozenset[str]) -> None:
                if not synced.done():
                    synced.set_result(None)

            model.changed.connect(on_changed)
            await asyncio.wait_for(synced, 15)
            if args.watch:
                return await watch_once(session, args.watch, args.screenshot)
            await asyncio.sleep(0.3)
            window.grab().save(str(args.screenshot))
            return 0
        await closed
        return 0
    finally:
        await link.stop()  # first: no hub message starts anything in what closes next
        await session.close()
        await tasks.close()
        if devices is not None:
            devices.close()
