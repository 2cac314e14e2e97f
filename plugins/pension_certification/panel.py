"""The certification panel: video stills beside the ID photo on file, and the checklist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImageReader, QPixmap
from PyQt6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from seat_client.plugin_api import MaterialSnapshot, PluginContext

if TYPE_CHECKING:
    from plugins.pension_certification import PensionCertification

THUMB = 150


def _thumb(m: MaterialSnapshot | None, text: str) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # a material's name, as given
    label.setFixedSize(THUMB, THUMB)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet("border: 1px solid #888;")
    if m is not None:
        reader = QImageReader(str(m.path))
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid():
            size.scale(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio)
            reader.setScaledSize(size)
        image = reader.read()
        if not image.isNull():
            label.setPixmap(QPixmap.fromImage(image))
            return label
    label.setText(text)
    label.setWordWrap(True)
    return label


class CertificationPanel(QWidget):
    """Shows the evidence and the checklist; the plugin's actions capture and submit."""

    def __init__(self, plugin: PensionCertification, context: PluginContext,
                 parent: Any) -> None:
        super().__init__(parent)
        from plugins.pension_certification import CHECKLIST

        self._plugin = plugin
        self._context = context
        self._cert = plugin.cert(context)
        self.photos = QHBoxLayout()
        evidence = QGroupBox(self.tr("ID photo on file | stills from the video"))
        evidence.setLayout(self.photos)
        self.boxes: dict[str, QCheckBox] = {}
        checks = QGroupBox(self.tr("Face-to-face checklist"))
        grid = QGridLayout(checks)
        for row, (code, label, _) in enumerate(CHECKLIST):
            box = QCheckBox(label)
            box.toggled.connect(lambda on, c=code: self._plugin.tick(self._context, c, on))
            self.boxes[code] = box
            grid.addWidget(box, row, 0)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(evidence)
        layout.addWidget(checks)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self._cert.listeners.append(self.refresh)
        self.destroyed.connect(lambda: self._cert.listeners.clear())
        self.refresh()

    def refresh(self) -> None:
        from plugins.pension_certification import id_photos

        while self.photos.count():
            item = self.photos.takeAt(0)
            widget = item.widget() if item else None
            if widget is not None:
                widget.deleteLater()
        photos = id_photos(self._context)
        self.photos.addWidget(_thumb(photos[0] if photos else None,
                                     self.tr("no ID photo on file yet")))
        for still in self._cert.stills[-3:]:
            self.photos.addWidget(_thumb(still, ""))
        if not self._cert.stills:
            self.photos.addWidget(_thumb(None, self.tr("capture stills from the video")))
        self.photos.addStretch(1)
        for code, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(bool(self._cert.checks.get(code)))
            box.blockSignals(False)
        lines = []
        if self._cert.status:
            lines.append(self.tr("Status: {0}, last certified {1}").format(
                self._cert.status.get("status", ""),
                self._cert.status.get("last_certified_on") or "—"))
        if self._cert.application_no:
            lines.append(self.tr("Submitted: {0}").format(self._cert.application_no))
        self.status.setText("\n".join(lines))
