"""The citizen's certificates from the electronic-licence library, to attach as materials.

A table (name, number masked, issuer, issued, valid until, status: an expired or revoked
certificate in red and marked so), the selected certificate's image, and under it which
checklist material it can stand for with the button that attaches it — disabled, with
the reason, for a certificate no longer valid or of no kind the checklist asks for.
Emits ``image_requested(licence_id)`` when a row is chosen and
``attach_requested(licence_id, material_code)``; the box runs them on the desk.
"""

from __future__ import annotations

from datetime import date

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QPixmap
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from seat_client.acceptance.certificate_desk import CertificateLookup
from seat_client.review.certificates import ElectronicLicence, materials_for
from seat_client.review.session import ReviewSession
from ui.labels import PlainLabel

_RED = QColor("#cf222e")
_GREEN = QColor("#1a7f37")


class CertificatesDialog(QDialog):
    """One lookup's certificates; see the module docstring."""

    image_requested = pyqtSignal(str)
    attach_requested = pyqtSignal(str, str)

    def __init__(self, lookup: CertificateLookup, session: ReviewSession,
                 parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("certificatesDialog")
        self.lookup = lookup
        self.session = session
        self.today = today or date.today()
        self.setWindowTitle(self.tr("Electronic certificates: %1").replace(
            "%1", session.item.name))
        self.resize(900, 520)
        self.table = QTableWidget(len(lookup.licences), 5, self)
        self.table.setObjectName("certificateTable")
        self.table.setHorizontalHeaderLabels([
            self.tr("Certificate"), self.tr("Number"), self.tr("Issued by"),
            self.tr("Valid until"), self.tr("Status")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)  # type: ignore[union-attr]
        header = self.table.horizontalHeader()
        assert header is not None
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.image = PlainLabel(self.tr("Choose a certificate to see it"), self)
        self.image.setObjectName("certificateImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(360, 224)
        self.material = QComboBox(self)
        self.material.setObjectName("certificateMaterial")
        self.attach = QPushButton(self.tr("Attach as the material"), self)
        self.attach.setObjectName("attachCertificate")
        self.problem = PlainLabel(self)
        self.problem.setObjectName("fieldProblem")
        self.problem.setWordWrap(True)
        close = QPushButton(self.tr("Close"), self)
        top = QHBoxLayout()
        top.addWidget(self.table, 3)
        top.addWidget(self.image, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(PlainLabel(self.tr("Stands for:"), self))
        bottom.addWidget(self.material, 1)
        bottom.addWidget(self.attach)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(PlainLabel(self.tr(
            "Looked up with the citizen's consent (reference %1). A valid certificate "
            "attached is verified at source and needs no photo.").replace(
                "%1", lookup.consent_ref), self))
        layout.addLayout(top, 1)
        layout.addWidget(self.problem)
        layout.addLayout(bottom)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.attach.clicked.connect(self._on_attach_clicked)
        close.clicked.connect(self.close)
        self._shown: dict[str, QPixmap] = {}
        self.refresh()

    def select_first(self) -> None:
        """Choose the first certificate (once the dialog's signals are connected)."""
        if self.lookup.licences:
            self.table.selectRow(0)

    def refresh(self) -> None:
        attached = {v.licence.licence_id: code for code, v in self.session.certificates.items()}
        for row, lic in enumerate(self.lookup.licences):
            status = lic.status_on(self.today)
            state = lic.status_text(self.today)
            if lic.licence_id in attached:
                state = self.tr("%1 · attached").replace("%1", state)
            cells = (lic.name, lic.masked_number(), lic.issuer,
                     lic.expires_on or self.tr("Long-term"), state)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 4:
                    item.setForeground(QBrush(_GREEN if status == "valid" else _RED))
                self.table.setItem(row, col, item)
        self._on_table_selection_changed()

    def selected(self) -> ElectronicLicence | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        return self.lookup.licences[rows[0].row()] if rows else None

    def show_image(self, licence_id: str, png: bytes) -> None:
        pixmap = QPixmap()
        if not pixmap.loadFromData(png, "PNG"):
            self.show_problem(self.tr("The certificate's image cannot be shown"))
            return
        self._shown[licence_id] = pixmap
        current = self.selected()
        if current is not None and current.licence_id == licence_id:
            self._paint(pixmap)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)

    def _paint(self, pixmap: QPixmap) -> None:
        self.image.setPixmap(pixmap.scaled(
            self.image.width(), self.image.height(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))

    def _on_table_selection_changed(self) -> None:
        lic = self.selected()
        self.material.clear()
        self.problem.clear()
        self.attach.setEnabled(False)
        if lic is None:
            return
        if lic.licence_id in self._shown:
            self._paint(self._shown[lic.licence_id])
        else:
            self.image.setText(self.tr("Loading the certificate…"))
            self.image_requested.emit(lic.licence_id)
        names = {m.code: m.name for m in self.session.checklist}
        codes = materials_for(lic, tuple(names))
        for code in codes:
            self.material.addItem(names[code], code)
        status = lic.status_on(self.today)
        if status != "valid":
            self.problem.setText(self.tr("%1 is %2: it cannot stand for a material. Ask the "
                                         "citizen for a valid document.")
                                 .replace("%1", lic.name).replace("%2", lic.status_text(
                                     self.today)))
        elif not codes:
            self.problem.setText(self.tr("This item's checklist asks for no %1")
                                 .replace("%1", lic.name))
        else:
            self.attach.setEnabled(True)

    def _on_attach_clicked(self) -> None:
        lic = self.selected()
        code = str(self.material.currentData() or "")
        if lic is not None and code:
            self.attach.setEnabled(False)
            self.attach_requested.emit(lic.licence_id, code)
