"""``seat-client``: the composition root of the agent workstation.

Reads the settings, installs the language, finds the agent's token in the
system keyring (or asks once), assembles the seat (``ui.workstation.assembly``:
the hub link, the workstation core, the desks and the main window, each part
on a child of one root ``TaskOwner`` whose failures the window shows) and runs
it on one qasync event loop. With
``--autopilot DIR`` it drives one call by itself (for the demo on a machine
with no one at it) and prints a JSON summary. ``--print-config`` shows the effective
settings and where each came from (the machine-wide client.toml, the agent's own file,
the command line); ``--self-test`` checks the install offscreen (``self_test``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_API", "pyqt6")

import qasync
from PyQt6.QtWidgets import QApplication

from seat_client import settings as settings_mod
from seat_client.call.hub_link import LinkState
from seat_client.credentials import KeyringTokenStore
from seat_common.version import add_version_flag
from ui import i18n
from ui.login_dialog import obtain_credentials
from ui.theme import apply_theme
from ui.workstation.assembly import assemble_seat
from ui.workstation.self_test import SelfTest

log = logging.getLogger("seat-client")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="seat-client", description="视频办坐席工作台")
    add_version_flag(parser)
    parser.add_argument("--settings", type=Path, help="the agent's own settings file (JSON)")
    parser.add_argument("--machine-config", type=Path, metavar="TOML",
                        help="the machine-wide settings (default /etc/seat/client.toml, on"
                             " Windows %%ProgramData%%\\Seat\\client.toml, or $"
                             f"{settings_mod.MACHINE_CONFIG_ENV})")
    parser.add_argument("--print-config", action="store_true",
                        help="print the effective settings and where each came from, then exit")
    parser.add_argument("--self-test", action="store_true",
                        help="check this install offscreen (catalog, forms, translations,"
                             " plugins, style, fonts, main window), then exit 0 or 1")
    parser.add_argument("--hub", help="hub address, e.g. ws://127.0.0.1:8765/ws")
    parser.add_argument("--agent-id", help="agent ID (工号)")
    parser.add_argument("--lang", choices=["zh_CN", "en"], help="UI language")
    parser.add_argument("--large-text", action="store_true", default=None, help="larger text")
    parser.add_argument("--state-dir", help="where the window layout is kept")
    parser.add_argument("--ca-file", help="PEM file of the CAs that vouch for the hub's and the"
                                          " government API's certificates (default: the"
                                          " system's trust store)")
    parser.add_argument("--autopilot", type=Path, metavar="DIR",
                        help="drive one call by itself, save a screenshot in DIR, print a summary")
    parser.add_argument("--size", default="1366x768", help="window size, e.g. 1366x768")
    parser.add_argument("--hall", help="the hall (大厅) this PC stands in")
    parser.add_argument("--ice-policy", choices=["hub", "relay"],
                        help="hub: the hub's ICE servers and policy (default); relay: this PC's"
                             " media only through the hub's TURN relays")
    parser.add_argument("--devices", choices=["real", "synthetic"],
                        help="the PC's camera, microphone and speaker (real, the default), or a"
                             " test pattern and silence (synthetic)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before the QApplication
    logging.basicConfig(level=logging.WARNING if args.self_test else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")

    def load_settings() -> settings_mod.SourcedSettings:
        return settings_mod.load_sourced(
            args.settings, machine_path=args.machine_config, hub_url=args.hub,
            agent_id=args.agent_id, language=args.lang, large_text=args.large_text,
            state_dir=args.state_dir, devices=args.devices, ca_file=args.ca_file,
            hall=args.hall, ice_policy=args.ice_policy,
        )

    if args.self_test:
        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        app.setQuitOnLastWindowClosed(False)
        return SelfTest(app, sys.stdout).run(load_settings)
    try:
        sourced = load_settings()
    except settings_mod.SettingsError as exc:
        print(f"设置有误 / bad settings: {exc}", file=sys.stderr)
        return 2
    if args.print_config:
        print(settings_mod.describe(sourced))
        return 0
    settings = sourced.settings
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("seat-client")
    app.setOrganizationName("Seat")
    # run() ends when the window closes and then shuts down the hub link and the call:
    # Qt quitting on its own would stop the event loop under that clean-up.
    app.setQuitOnLastWindowClosed(False)
    translators = i18n.install(app, settings.language)
    apply_theme(app, large_text=settings.large_text)
    store = KeyringTokenStore()
    credentials = obtain_credentials(settings.agent_id, store, interactive=args.autopilot is None)
    if credentials is None:
        return 3
    _agent_id, token = credentials
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        code: int = loop.run_until_complete(run(app, settings, token, args))
    del translators
    return code


async def run(
    app: QApplication, settings: settings_mod.WorkstationSettings, token: str,
    args: argparse.Namespace,
) -> int:
    width, _, height = args.size.partition("x")
    seat = await assemble_seat(settings, token, size=(int(width), int(height)))
    await seat.start()
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_last_window_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    app.lastWindowClosed.connect(on_last_window_closed)
    code = 0
    try:
        if args.autopilot is not None:
            from ui.workstation.autopilot import Autopilot

            code = await Autopilot(seat.window, args.autopilot).run()
        else:
            await closed
    finally:
        if seat.link.state is LinkState.REFUSED:
            code = code or 4
        await seat.close()
    return code
