"""The work tabs beside the video: pre-review, the form, outbox, receipt, plugins, work orders.

``PreReviewParts`` and ``ApplicationParts`` bundle what the composition root
builds for each kind of work (the core services and their panes); ``WorkTabs.add_parts``
gives each present kind its tabs, and the main window wires them in
``_connect_signals`` like every other pane. The tabs' titles stay in the ``MainWindow``
translation context, where they were translated before they left the window.
"""

from __future__ import annotations

from dataclasses import dataclass

from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QTabWidget, QWidget

from seat_client.acceptance.desk import ApplicationDesk
from seat_client.assist.remote_assist import RemoteAssist
from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.materials.transfer import MaterialTransfer
from seat_client.plugin_host.host import PluginHost
from seat_client.plugin_host.port import PluginBridge
from seat_client.review.desk import ReviewDesk
from ui.acceptance.form_pane import FormPane
from ui.acceptance.outbox_pane import OutboxBadge, OutboxPane
from ui.acceptance.receipt_view import ReceiptView
from ui.assist.view import AssistView
from ui.call.workorder_list_pane import WorkOrderListPane
from ui.plugin_host.panel import PluginPanel
from ui.review.pane import ReviewPane
from ui.supervision.whisper_banner import WhisperBanner

translate = QCoreApplication.translate


@dataclass(frozen=True)
class PreReviewParts:
    """Material pre-review (材料预审): the desk that follows the call, the pane, the transport."""

    desk: ReviewDesk
    pane: ReviewPane
    transfer: MaterialTransfer


@dataclass(frozen=True)
class ApplicationParts:
    """Acceptance (业务受理): the application desk (with its outbox) and its panes."""

    desk: ApplicationDesk
    form: FormPane
    outbox: OutboxPane
    badge: OutboxBadge
    receipt: ReceiptView


@dataclass(frozen=True)
class PluginParts:
    """Task plugins: the host (discovery, guarded hooks), the bridge to the call, the panel."""

    host: PluginHost
    bridge: PluginBridge
    panel: PluginPanel


@dataclass(frozen=True)
class AssistParts:
    """Remote assistance at a kiosk (远程操控协办): the core state machine and its view."""

    assist: RemoteAssist
    view: AssistView


@dataclass(frozen=True)
class RecordsParts:
    """The agent's own work orders (searchable) and the supervisor's whispers to this seat."""

    orders: WorkOrderListModel
    orders_pane: WorkOrderListPane
    whispers: WhisperBanner


class WorkTabs(QTabWidget):
    """One tab per kind of work on the current citizen's errand.

    A tab with nothing to do for the contact in hand is hidden (``set_needed``: remote
    assistance outside kiosk calls, task plugins for items that have none, the receipt
    until there is one), and the tab of the step in hand comes forward (``bring_forward``):
    a calm panel at 1366×768, never a row of tabs wider than the column.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workTabs")
        self.setDocumentMode(True)

    def add_parts(self, pre_review: PreReviewParts | None, applications: ApplicationParts | None,
                  plugins: PluginParts | None, assist: AssistParts | None,
                  records: RecordsParts | None) -> None:
        """The tabs of each kind of work present, in the order the agent meets them."""
        if pre_review is not None:
            self.addTab(pre_review.pane, translate("MainWindow", "Pre-review"))
        if applications is not None:
            self.addTab(applications.form, translate("MainWindow", "Application"))
            self.addTab(applications.outbox, translate("MainWindow", "Outbox"))
            self.addTab(applications.receipt, translate("MainWindow", "Receipt"))
        if plugins is not None:
            self.addTab(plugins.panel, translate("MainWindow", "Task plugins"))
        if assist is not None:
            self.addTab(assist.view, translate("MainWindow", "Remote assistance"))
        if records is not None:
            self.addTab(records.orders_pane, translate("MainWindow", "Work orders"))

    def set_needed(self, page: QWidget, needed: bool) -> None:
        """Show or hide ``page``'s tab."""
        index = self.indexOf(page)
        if index >= 0 and self.isTabVisible(index) != needed:
            self.setTabVisible(index, needed)

    def bring_forward(self, page: QWidget) -> None:
        """Make ``page`` the current tab (shown first if it was hidden)."""
        index = self.indexOf(page)
        if index >= 0:
            self.setTabVisible(index, True)
            self.setCurrentIndex(index)
