"""The work tabs beside the video: pre-review now, the form and the outbox as they join.

``PreReviewParts`` bundles what the composition root builds for the
pre-review (the core ``ReviewDesk`` and transfer, and the pane); the main
window wires them in ``_connect_signals`` like every other pane.
"""

from __future__ import annotations

from dataclasses import dataclass

from PyQt6.QtWidgets import QTabWidget, QWidget

from seat_client.material_transfer import MaterialTransfer
from seat_client.review_desk import ReviewDesk
from ui.review_pane import ReviewPane


@dataclass(frozen=True)
class PreReviewParts:
    """Material pre-review (材料预审): the desk that follows the call, the pane, the transport."""

    desk: ReviewDesk
    pane: ReviewPane
    transfer: MaterialTransfer


class WorkTabs(QTabWidget):
    """One tab per kind of work on the current citizen's errand."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workTabs")
        self.setDocumentMode(True)
