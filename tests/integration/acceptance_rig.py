"""The application tabs of a workstation in the integration tests, built once for every
test file on the acceptance services of the ``acceptance`` fixture (``conftest``).
"""

from __future__ import annotations

from seat_client.acceptance.desk import ApplicationDesk
from seat_client.acceptance.services import AcceptanceServices
from seat_client.call.workstation import Workstation
from seat_common import catalog
from seat_common.catalog import Catalog
from ui.acceptance.form_pane import FormPane
from ui.acceptance.outbox_pane import OutboxBadge, OutboxPane
from ui.acceptance.receipt_view import ReceiptView
from ui.workstation.work_tabs import ApplicationParts


def application_parts(acceptance: AcceptanceServices, workstation: Workstation,
                      items: Catalog | None = None) -> ApplicationParts:
    """The application desk following ``workstation``'s calls, and its tabs."""
    desk = ApplicationDesk(acceptance.outbox, acceptance.forms, items or catalog.load(),
                           workstation)
    return ApplicationParts(
        desk=desk, form=FormPane(desk), outbox=OutboxPane(acceptance.outbox),
        badge=OutboxBadge(acceptance.outbox), receipt=ReceiptView(acceptance.receipts_dir))
