"""The agent's whole seat, assembled: every part of the workstation built and wired once.

``assemble_seat`` is the workstation's composition: from the settings and the agent's
token it builds the hub link, the workstation core, the desks (pre-review, application,
walk-ins, recording), the task plugins, remote assistance, the watch relay and the main
window with every work tab, and hands each part a child of one root ``TaskOwner``.
``AssembledSeat.start`` connects it; ``close`` takes it down in order (a recording still
running is saved before its call's media closes). ``seat-client`` (``app``) runs it; the
layout tests build the same seat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PyQt6.QtCore import QSettings

from seat_client import settings as settings_mod
from seat_client.acceptance.certificate_desk import CertificateDesk, applicant_id_number
from seat_client.acceptance.desk import ApplicationDesk
from seat_client.acceptance.services import AcceptanceServices, open_acceptance_services
from seat_client.acceptance.summary import ContactSummaryDesk
from seat_client.assist.audit import AssistAudit
from seat_client.assist.remote_assist import RemoteAssist
from seat_client.assist.trail_sender import AssistTrailSender
from seat_client.call.consult_desk import ConsultDesk
from seat_client.call.hub_link import HubLink
from seat_client.call.shared_screen import SharedScreen
from seat_client.call.transfer_desk import TransferDesk
from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.call.workstation import Workstation
from seat_client.counter.hub_orders import CounterOrders
from seat_client.counter.intake import CounterIntake
from seat_client.counter.linked_photos import LinkedPhotos
from seat_client.counter.walk_in import WalkInDesk
from seat_client.materials.cache import MaterialCache
from seat_client.materials.document_camera import DocumentCameraFolder
from seat_client.materials.transfer import MaterialTransfer
from seat_client.media.devices import SeatMedia, SyntheticMedia
from seat_client.plugin_host.host import GovApiLookups, PluginHost
from seat_client.plugin_host.port import PluginBridge
from seat_client.recording.archive import RecordingArchive
from seat_client.recording.desk import RecordingDesk
from seat_client.retention import RetentionPolicy, WorkstationRetention
from seat_client.review import session as review
from seat_client.review.desk import ReviewDesk
from seat_client.review.session import ReviewStore
from seat_client.supervision.watch_relay import WatchRelay
from seat_client.supervision.whisper_inbox import WhisperInbox
from seat_common import catalog, protocol
from seat_common.forms import FormLibrary
from seat_common.media import ice_policy
from seat_common.personal_data.private_files import private_dir
from seat_common.tasks import TaskOwner
from ui.acceptance.form_pane import FormPane
from ui.acceptance.outbox_pane import OutboxBadge, OutboxPane
from ui.acceptance.receipt_view import ReceiptView
from ui.assist.view import AssistView
from ui.call.consult_window import ConsultParts
from ui.call.transfer_dialog import TransferParts
from ui.call.workorder_list_pane import WorkOrderListPane
from ui.counter.desk_pane import CounterDeskPane, CounterParts
from ui.counter.linked_photos_strip import LinkedPhotosStrip
from ui.devices.check_view import ReadyGate
from ui.devices.device_button import DeviceButton
from ui.devices.precheck import DeviceCheck
from ui.devices.seat_devices import SeatDevices
from ui.plugin_host.panel import PluginPanel
from ui.recording.indicator import RecordingIndicator
from ui.recording.player import open_player
from ui.review.certificate_box import CertificateBox
from ui.review.images import MaterialImages
from ui.review.pane import ReviewPane
from ui.supervision.joined_supervisor import JoinedSupervisorWindow
from ui.supervision.whisper_banner import WhisperBanner
from ui.window_placement import WindowPlacement
from ui.workstation.main_window import MainWindow
from ui.workstation.shutdown import Shutdown
from ui.workstation.work_tabs import (
    ApplicationParts,
    AssistParts,
    PluginParts,
    PreReviewParts,
    RecordsParts,
)

log = logging.getLogger(__name__)


@dataclass
class AssembledSeat:
    """Every part of one agent's seat, built and wired (see the module docstring)."""

    tasks: TaskOwner
    link: HubLink
    workstation: Workstation
    window: MainWindow
    transfer: MaterialTransfer
    pre_review: PreReviewParts
    acceptance: AcceptanceServices
    applications: ApplicationParts
    records: RecordsParts
    plugins: PluginParts
    assist: AssistParts
    counter: CounterParts
    watch: WatchRelay
    recording_desk: RecordingDesk
    recording_light: RecordingIndicator
    camera: DocumentCameraFolder | None
    #: the PC's camera, microphone and speaker (None with synthetic devices)
    devices: SeatDevices | None
    #: their check (设备检测) and its button in the status bar (with real devices)
    device_check: DeviceCheck | None = None
    device_button: DeviceButton | None = None
    #: the remote-assist trail on its way to the hub's audit log
    assist_trail: AssistTrailSender | None = None
    #: a supervisor who joined the call from the seat wall: their picture
    joined_supervisor: JoinedSupervisorWindow | None = None
    #: the daily sweep of citizens' data kept on this PC
    retention: WorkstationRetention | None = None
    #: what the citizen keeps after the call (verdict, applications, bookings)
    summaries: ContactSummaryDesk | None = None
    #: the transfer dialog (F5) and its desk
    transfers: TransferParts | None = None
    #: the consult key (Shift+F5), window and desk
    consults: ConsultParts | None = None
    #: the government API as the task plugins use it (a booking made here reaches the
    #: citizen's summary)
    gov: GovApiLookups | None = None

    async def start(self) -> None:
        """Open the devices, show the window and connect: recordings first, then materials,
        the document camera, the hub."""
        if self.devices is not None:
            self.devices.start()
            self.workstation.set_camera_available(self.devices.camera_available)
        if self.device_check is not None:
            self.device_check.start()  # its result is ready before the agent goes ready
        await self.recording_desk.start()
        if self.assist_trail is not None:
            await self.assist_trail.start()
        if self.retention is not None:
            self.tasks.spawn(self.retention.run_daily(), "retention sweep")
        self.window.show()
        self.transfer.attach()
        if self.camera is not None:
            self.camera.start()
        self.link.start()

    async def close(self, shutdown: Shutdown | None = None) -> None:
        """Take the seat down in order; the window's layout is saved first. Each part is
        one ``Shutdown`` step: one that does not close within its bound is logged (where
        it waits) and left, and the rest still close."""
        down = shutdown if shutdown is not None else Shutdown()
        step = down.step
        await step("window layout", self.window.save_layout)
        await step("pre-review pane", self.pre_review.pane.close_pane)
        if self.camera is not None:
            await step("document camera", self.camera.stop)
        await step("pre-review desk", self.pre_review.desk.close)
        await step("plugin panel", self.plugins.panel.detach)
        await step("plugin bridge", self.plugins.bridge.close)
        await step("material transfer", self.transfer.close)
        await step("application desk", self.applications.desk.close)
        await step("acceptance services", self.acceptance.close)
        await step("watch relay", self.watch.close)
        if self.consults is not None:
            # its peer, before the call's media goes
            await step("consult desk", self.consults.desk.close)
        await step("recording light", self.recording_light.detach)
        # a call still on is saved before its session closes
        await step("recording desk", self.recording_desk.close)
        if self.assist_trail is not None:
            await step("assist trail", self.assist_trail.close)
        await step("workstation", self.workstation.close)
        if self.device_button is not None and (dialog := self.device_button.dialog) is not None:
            await step("device dialog", dialog.close)
        if self.device_check is not None:
            await step("device check", self.device_check.close)
        if self.devices is not None:
            await step("devices", self.devices.close)
        await step("window", self.window.close)
        await step("background tasks", self.tasks.close)
        if down.stuck:
            log.error("shutdown: left behind: %s", ", ".join(down.stuck))


async def assemble_seat(settings: settings_mod.WorkstationSettings, token: str,
                        *, size: tuple[int, int] = (1366, 768),
                        forms: FormLibrary | None = None) -> AssembledSeat:
    """Build and wire the seat for ``settings`` (nothing connects until ``start``); the
    form schemas are the packaged ones unless ``forms`` says otherwise."""
    tasks = TaskOwner("seat-client")  # the root: each part below gets a child
    # Naming the seat lets the hub count failed logins against it (seat-hub --login-failures).
    link = HubLink(settings.hub_url,
                   lambda: protocol.Hello(role="agent", token=token, seat_id=settings.agent_id),
                   tasks=tasks.child("hub link"), ca_file=settings.ca_path())
    state_dir = private_dir(settings.state_path())  # the outbox, caches, recordings: 0700
    devices = SeatDevices(settings.devices_path()) if settings.devices == "real" else None
    media: SeatMedia = devices if devices is not None else SyntheticMedia()
    workstation = Workstation(link, media=media, tasks=tasks.child("workstation"))
    workstation.ice_policy = "relay" if settings.ice_policy == "relay" else "all"
    if settings.ice_host_addresses:  # SEAT_ICE_HOST_ADDRESSES, when set, still wins per call
        ice_policy.restrict_host_addresses(settings.host_addresses())
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
    acceptance = await open_acceptance_services(settings, forms, tasks=tasks.child("outbox"))
    application_desk = ApplicationDesk(acceptance.outbox, acceptance.forms, items, workstation,
                                       tasks=tasks.child("applications"))
    applications = ApplicationParts(
        desk=application_desk,
        form=FormPane(application_desk),
        outbox=OutboxPane(acceptance.outbox, tasks=tasks.child("outbox list")),
        badge=OutboxBadge(acceptance.outbox),
        receipt=ReceiptView(acceptance.receipts_dir),
    )
    certificates = CertificateDesk(link, acceptance.client, pre_review.desk, transfer)
    certificate_box = CertificateBox(
        certificates, lambda: applicant_id_number(application_desk.values()),
        tasks.child("certificates"))
    pre_review.desk.session_changed.connect(certificate_box.set_session)
    pre_review.pane.add_side_widget(certificate_box)
    orders = WorkOrderListModel(link.send)
    inbox = WhisperInbox()
    link.message.connect(orders.apply)
    link.message.connect(inbox.apply)
    recordings = RecordingArchive(settings.recordings_path(), settings.recording_retention_days)
    recording_desk = RecordingDesk(workstation, recordings, tasks=tasks.child("recording"))
    records = RecordsParts(orders, WorkOrderListPane(orders, recordings=recordings),
                           WhisperBanner(inbox))
    host = PluginHost(items, tasks=tasks.child("plugins"))
    # Walk-ins are work orders at the hub; a proxy booking tells the hub its hall.
    counter_orders = CounterOrders(link, transfer)
    plugin_gov = GovApiLookups(acceptance.client, on_booked=counter_orders.report_booking)
    summaries = ContactSummaryDesk(link.send, tasks.child("citizen summary"))
    summaries.follow(workstation, pre_review.desk, application_desk, plugin_gov.booked)
    bridge = PluginBridge(
        host, workstation, state_dir / "work-orders", transfer=transfer,
        gov=plugin_gov, desk=pre_review.desk, certificates=certificates,
        form_values=application_desk.values, tasks=tasks.child("plugin bridge"),
    )
    plugins = PluginParts(host, bridge, PluginPanel(host, english=settings.language == "en",
                                                    tasks=tasks.child("plugin panel")))
    assist = RemoteAssist(AssistAudit(state_dir / "audit"), agent_id=settings.agent_id)
    assist_trail = AssistTrailSender(link, assist.audit, tasks.child("assist trail"))
    retention = WorkstationRetention(
        RetentionPolicy(settings.material_cache_days, settings.outbox_done_days),
        cache_root=state_dir / "materials", outbox=acceptance.outbox,
        receipts_dir=acceptance.receipts_dir, state_dir=state_dir)
    workstation.call_changed.connect(assist.on_call_changed)
    # Media made afresh after a dropped link: a kiosk opens a new assist channel.
    workstation.media_renewed.connect(assist.on_call_changed)
    walk_ins = WalkInDesk(
        CounterIntake(host, GovApiLookups(acceptance.client), acceptance.forms,
                      state_dir / "counter"),
        review.load_reasons(), camera_folder=settings.document_camera_path(),
        cache=transfer.cache, orders=counter_orders,
    )
    assist_parts = AssistParts(assist, AssistView(assist))
    linked_photos = LinkedPhotos(walk_ins, counter_orders, tasks.child("linked photos"))
    photo_strip = LinkedPhotosStrip(linked_photos, tasks=tasks.child("linked photo strip"))
    counter = CounterParts(walk_ins, CounterDeskPane(walk_ins, items,
                                                     tasks=tasks.child("walk-in intake"),
                                                     photos=photo_strip))
    window = MainWindow(workstation, qsettings, state_dir, pre_review=pre_review,
                        applications=applications, records=records, plugins=plugins,
                        assist=assist_parts, counter=counter, tasks=tasks, catalog=items)
    # Online-application coaching: the citizen's shared screen beside the camera.
    window.video_pane.attach_shared_screen(SharedScreen(workstation, tasks.child("shared screen")))
    transfers = TransferParts(window, TransferDesk(workstation), tasks.child("transfer"),
                              say=window.status_strip.show_message,
                              form=application_desk.values)
    consults = ConsultParts(window, ConsultDesk(workstation, tasks.child("consult desk")),
                            transfers, tasks.child("consult"),
                            say=window.status_strip.show_message, form=application_desk.values)
    watch = WatchRelay(workstation, tasks.child("watch"))
    watch.watch_changed.connect(window.status_strip.show_watch)
    joined_supervisor = JoinedSupervisorWindow(  # 值班长加入通话: their picture
        watch, window, WindowPlacement(qsettings, "joined_supervisor/geometry"))
    window.resize(*size)
    window.show_hall(settings.hall)  # which counter PC this is, at a glance
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
    if devices is not None:
        devices.notice.connect(window.status_strip.show_message)
        # No working camera: calls go on by voice, and the citizen is told why it is dark.
        seat_devices = devices

        def follow_devices() -> None:
            workstation.set_camera_available(seat_devices.camera_available)
            window.ringer.set_output(seat_devices.speaker.device)

        devices.changed.connect(follow_devices)
    recording_light = RecordingIndicator(recording_desk)
    device_check = device_button = None
    if devices is not None:
        # The device check before the first "ready"; the button shows what it found.
        device_check = DeviceCheck(devices, tasks.child("device check"))
        device_button = DeviceButton(device_check)
        workstation.before_first_ready = ReadyGate(device_check, window,
                                                   window.status_strip.show_message)
    if (status_bar := window.statusBar()) is not None:
        status_bar.addPermanentWidget(recording_light)
        if device_button is not None:
            status_bar.addPermanentWidget(device_button)
    records.orders_pane.recording_requested.connect(
        lambda path, work_order_id: open_player(
            path, work_order_id, window,
            speaker=devices.speaker.device if devices is not None else None))
    recording_desk.recording_saved.connect(lambda _: records.orders_pane.refresh_recording())
    return AssembledSeat(
        tasks=tasks, link=link, workstation=workstation, window=window, transfer=transfer,
        pre_review=pre_review, acceptance=acceptance, applications=applications,
        records=records, plugins=plugins, assist=assist_parts, counter=counter,
        watch=watch, joined_supervisor=joined_supervisor, recording_desk=recording_desk,
        recording_light=recording_light,
        camera=camera, devices=devices, device_check=device_check, device_button=device_button,
        assist_trail=assist_trail, retention=retention, summaries=summaries,
        transfers=transfers, consults=consults, gov=plugin_gov,
    )
