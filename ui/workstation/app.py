"""``seat-client``: the composition root of the agent workstation.

Reads the settings, installs the language, finds the agent's token in the
system keyring (or asks once), builds the hub link, the workstation core
and the main window, and runs them on one qasync event loop. Every part
runs its background work on a child of one root ``TaskOwner``; the main
window shows whatever fails (``ui.task_failures``). With
``--autopilot DIR`` it drives one call by itself (for the demo on a machine
with no one at it) and prints a JSON summary.
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
from PyQt6.QtCore import QSettings
from PyQt6.QtWidgets import QApplication

from seat_client import settings as settings_mod
from seat_client.acceptance.desk import ApplicationDesk
from seat_client.acceptance.services import open_acceptance_services
from seat_client.assist.audit import AssistAudit
from seat_client.assist.remote_assist import RemoteAssist
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.call.workstation import Workstation
from seat_client.counter.intake import CounterIntake
from seat_client.counter.walk_in import WalkInDesk
from seat_client.credentials import KeyringTokenStore
from seat_client.materials.cache import MaterialCache
from seat_client.materials.document_camera import DocumentCameraFolder
from seat_client.materials.transfer import MaterialTransfer
from seat_client.plugin_host.host import GovApiLookups, PluginHost
from seat_client.plugin_host.port import PluginBridge
from seat_client.recording.archive import RecordingArchive
from seat_client.recording.desk import RecordingDesk
from seat_client.review import session as review
from seat_client.review.desk import ReviewDesk
from seat_client.review.session import ReviewStore
from seat_client.supervision.watch_relay import WatchRelay
from seat_client.supervision.whisper_inbox import WhisperInbox
from seat_common import catalog, protocol
from seat_common.tasks import TaskOwner
from ui import i18n
from ui.acceptance.form_pane import FormPane
from ui.acceptance.outbox_pane import OutboxBadge, OutboxPane
from ui.acceptance.receipt_view import ReceiptView
from ui.assist.view import AssistView
from ui.call.workorder_list_pane import WorkOrderListPane
from ui.counter.desk_pane import CounterDeskPane, CounterParts
from ui.login_dialog import obtain_credentials
from ui.plugin_host.panel import PluginPanel
from ui.recording.indicator import RecordingIndicator
from ui.recording.player import open_player
from ui.review.images import MaterialImages
from ui.review.pane import ReviewPane
from ui.supervision.whisper_banner import WhisperBanner
from ui.theme import apply_theme
from ui.workstation.main_window import MainWindow
from ui.workstation.work_tabs import (
    ApplicationParts,
    AssistParts,
    PluginParts,
    PreReviewParts,
    RecordsParts,
)

log = logging.getLogger("seat-client")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="seat-client", description="视频办坐席工作台")
    parser.add_argument("--settings", type=Path, help="settings file (JSON)")
    parser.add_argument("--hub", help="hub address, e.g. ws://127.0.0.1:8765/ws")
    parser.add_argument("--agent-id", help="agent ID (工号)")
    parser.add_argument("--lang", choices=["zh_CN", "en"], help="UI language")
    parser.add_argument("--large-text", action="store_true", default=None, help="larger text")
    parser.add_argument("--state-dir", help="where the window layout is kept")
    parser.add_argument("--autopilot", type=Path, metavar="DIR",
                        help="drive one call by itself, save a screenshot in DIR, print a summary")
    parser.add_argument("--size", default="1366x768", help="window size, e.g. 1366x768")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        settings = settings_mod.load(
            args.settings, hub_url=args.hub, agent_id=args.agent_id, language=args.lang,
            large_text=args.large_text, state_dir=args.state_dir,
        )
    except settings_mod.SettingsError as exc:
        print(f"设置有误 / bad settings: {exc}", file=sys.stderr)
        return 2
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
    tasks = TaskOwner("seat-client")  # the root: each part below gets a child
    link = HubLink(settings.hub_url, lambda: protocol.Hello(role="agent", token=token),
                   tasks=tasks.child("hub link"))
    workstation = Workstation(link, tasks=tasks.child("workstation"))
    state_dir = settings.state_path()
    state_dir.mkdir(parents=True, exist_ok=True)
    qsettings = QSettings(str(state_dir / "workstation.ini"), QSettings.Format.IniFormat)
    items = catalog.load()
    transfer = MaterialTransfer(link, MaterialCache(state_dir / "materials"),
                                tasks=tasks.child("materials"))
    review_store = ReviewStore(state_dir)
    pre_review = PreReviewParts(
        desk=ReviewDesk(workstation, transfer, review_store, items, review.load_reasons(),
                        tasks=tasks.child("pre-review")),
        pane=ReviewPane(MaterialImages(), review_store, agent_id=settings.agent_id,
                        tasks=tasks.child("review pane")),
        transfer=transfer,
    )
    acceptance = await open_acceptance_services(settings, tasks=tasks.child("outbox"))
    application_desk = ApplicationDesk(acceptance.outbox, acceptance.forms, items, workstation,
                                       tasks=tasks.child("applications"))
    applications = ApplicationParts(
        desk=application_desk,
        form=FormPane(application_desk),
        outbox=OutboxPane(acceptance.outbox, tasks=tasks.child("outbox list")),
        badge=OutboxBadge(acceptance.outbox),
        receipt=ReceiptView(acceptance.receipts_dir),
    )
    orders = WorkOrderListModel(link.send)
    inbox = WhisperInbox()
    link.message.connect(orders.apply)
    link.message.connect(inbox.apply)
    recordings = RecordingArchive(settings.recordings_path(), settings.recording_retention_days)
    recording_desk = RecordingDesk(workstation, recordings, tasks=tasks.child("recording"))
    records = RecordsParts(orders, WorkOrderListPane(orders, recordings=recordings),
                           WhisperBanner(inbox))
    host = PluginHost(items, tasks=tasks.child("plugins"))
    bridge = PluginBridge(
        host, workstation, state_dir / "work-orders", transfer=transfer,
        gov=GovApiLookups(acceptance.client), desk=pre_review.desk,
        form_values=application_desk.values, tasks=tasks.child("plugin bridge"),
    )
    plugins = PluginParts(host, bridge, PluginPanel(host, english=settings.language == "en",
                                                    tasks=tasks.child("plugin panel")))
    assist = RemoteAssist(AssistAudit(state_dir / "audit"), agent_id=settings.agent_id)
    workstation.call_changed.connect(assist.on_call_changed)
    walk_ins = WalkInDesk(
        CounterIntake(host, GovApiLookups(acceptance.client), acceptance.forms,
                      state_dir / "counter"),
        review.load_reasons(), camera_folder=settings.document_camera_path(),
        cache=transfer.cache,
    )
    window = MainWindow(workstation, qsettings, state_dir, pre_review=pre_review,
                        applications=applications, records=records, plugins=plugins,
                        assist=AssistParts(assist, AssistView(assist)),
                        counter=CounterParts(walk_ins, CounterDeskPane(
                            walk_ins, items, tasks=tasks.child("walk-in intake"))),
                        tasks=tasks)
    watch = WatchRelay(workstation, tasks.child("watch"))
    watch.watch_changed.connect(window.status_strip.show_watch)
    width, _, height = args.size.partition("x")
    window.resize(int(width), int(height))
    camera: DocumentCameraFolder | None = None
    camera_folder = settings.document_camera_path()
    if camera_folder is not None:
        desk = pre_review.desk
        camera = DocumentCameraFolder(
            camera_folder, transfer.cache,
            lambda: desk.session.work_order_id if desk.session else "",
            tasks=tasks.child("document camera"),
        )
        desk.take_from_document_camera(camera)
        walk_ins.call_camera = camera  # paused while the counter holds the camera
    recording_light = RecordingIndicator(recording_desk)
    if (status_bar := window.statusBar()) is not None:
        status_bar.addPermanentWidget(recording_light)
    records.orders_pane.recording_requested.connect(
        lambda path, work_order_id: open_player(path, work_order_id, window))
    recording_desk.recording_saved.connect(lambda _: records.orders_pane.refresh_recording())
    await recording_desk.start()
    window.show()
    transfer.attach()
    if camera is not None:
        camera.start()
    link.start()
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_last_window_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    app.lastWindowClosed.connect(on_last_window_closed)
    code = 0
    try:
        if args.autopilot is not None:
            from ui.workstation.autopilot import Autopilot

            code = await Autopilot(window, args.autopilot).run()
        else:
            await closed
    finally:
        if link.state is LinkState.REFUSED:
            code = code or 4
        window.save_layout()
        pre_review.pane.close_pane()
        if camera is not None:
            await camera.stop()
        await pre_review.desk.close()
        plugins.panel.detach()
        await bridge.close()
        await transfer.close()
        await application_desk.close()
        await acceptance.close()
        await watch.close()
        recording_light.detach()
        await recording_desk.close()  # a call still on is saved before its session closes
        await workstation.close()
        window.close()
        await tasks.close()
    return code
