"""``seat-wall``: the supervisor's seat wall (the composition root of supervisor mode).

    seat-wall --hub ws://127.0.0.1:8765/ws --supervisor-id S01 [--token-file F]
              [--devices real|synthetic] [--state-dir DIR] [--ca-file CA.pem]

Logs in to the hub as ``supervisor`` (the token from ``--token-file``, else
the system keyring under the supervisor id, else the login dialog), asks for
the wall and shows it. The hub pushes every change; supervisor actions go
out through ``WallLink`` and the hub's answer shows in the status bar (``wall_session``:
``WallSession`` wires them).
A hub off this machine is reached over ``wss://`` only, its certificate
verified against the system store or ``--ca-file``; a refused certificate
says why in the status bar.

A watched call is heard on the supervisor's speaker and a barge-in speaks
through their microphone (``SeatDevices`` without a camera, the choice of
devices kept in ``<state>/seat-wall/devices.json``; notices about them in the
status bar). ``--devices synthetic`` plays nothing and barges in with silence
(the demo, headless). The watch window's place on screen is kept in
``<state>/seat-wall/wall.ini``.

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
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_API", "pyqt6")

import qasync
from PyQt6.QtCore import QSettings
from PyQt6.QtWidgets import QApplication

from seat_client import settings as settings_mod
from seat_client.call.hub_link import HubLink
from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.credentials import KeyringTokenStore
from seat_client.recording.hub_fetch import HubRecordings
from seat_client.supervision.wall_model import WallModel
from seat_common import catalog, protocol
from seat_common.tasks import TaskOwner
from seat_common.version import add_version_flag
from ui import i18n
from ui.call.workorder_list_pane import WorkOrderListPane
from ui.devices.seat_devices import SeatDevices
from ui.login_dialog import obtain_credentials
from ui.supervision.wall_recordings import WallRecordings
from ui.supervision.wall_session import WallSession
from ui.supervision.wall_window import SeatWallWindow
from ui.theme import apply_theme
from ui.window_placement import WindowPlacement


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
    wall_settings = QSettings(str(state_path(args.state_dir) / "wall.ini"),
                              QSettings.Format.IniFormat)
    session = WallSession(link, model, window, (orders, pane), tasks=tasks, devices=devices,
                          watch_placement=WindowPlacement(wall_settings, "watch_window/geometry"))
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
