"""The appointment's photos pre-reviewed on video, as thumbnails in the counter desk pane.

``LinkedPhotosStrip`` shows what ``seat_client.counter.linked_photos.LinkedPhotos``
fetched from the hub: one thumbnail per photo (decoded off the UI thread), captioned
with its checklist material and the video agent's verdict; clicking one opens it large
(``PhotoDialog``, decoded off the UI thread at the dialog's size, EXIF orientation
applied). A photo the hub refused (another hall's appointment) is said in the hub's
Chinese words. The strip hides itself while there is nothing to show.
"""

from __future__ import annotations

import asyncio
import logging

from PyQt6.QtCore import QSize, Qt
from PyQt6.QtGui import QIcon, QImage, QPixmap
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from seat_client.counter.linked_photos import LinkedPhoto, LinkedPhotoFailure, LinkedPhotos
from seat_common.tasks import TaskOwner
from ui.flow_layout import FlowLayout
from ui.labels import PlainLabel, plain_tip
from ui.review.images import THUMB_SIZE
from ui.review.render import ImageDecodeError, decode_scaled

log = logging.getLogger(__name__)

#: The size of a thumbnail's icon in the strip.
ICON = QSize(88, 88)


class LinkedPhotosStrip(QGroupBox):
    """Thumbnails of the walk-in's linked photos; a click opens one large."""

    def __init__(self, photos: LinkedPhotos, parent: QWidget | None = None, *,
                 tasks: TaskOwner | None = None) -> None:
        super().__init__(self.tr("Photos pre-reviewed on video"), parent)
        self.setObjectName("linkedPhotos")
        self.photos = photos
        self._tasks = tasks or TaskOwner("linked photos")
        self.buttons: dict[str, QToolButton] = {}
        self.problem = PlainLabel(self)
        self.problem.setObjectName("counterWarning")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self._row = QWidget(self)
        self._flow = FlowLayout(self._row, spacing=6)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 4, 6, 4)
        column.addWidget(self._row)
        column.addWidget(self.problem)
        self.hide()
        self._unsubscribe = [photos.photo_added.connect(self._on_photos_photo_added),
                             photos.failed.connect(self._on_photos_failed),
                             photos.cleared.connect(self._on_photos_cleared)]

    def detach(self) -> None:
        for off in self._unsubscribe:
            off()
        self._unsubscribe.clear()

    def _on_photos_cleared(self, _: None) -> None:
        for button in self.buttons.values():
            self._flow.removeWidget(button)
            button.deleteLater()
        self.buttons.clear()
        self.problem.clear()
        self.problem.hide()
        self.hide()

    def _on_photos_photo_added(self, photo: LinkedPhoto) -> None:
        button = QToolButton(self._row)
        button.setObjectName("linkedPhoto")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        button.setIconSize(ICON)
        button.setText(f"{_short(photo.material_name)}\n{self._verdict(photo.status)}")
        button.setToolTip(plain_tip(self.tr("%1 — click to open it large")
                                    .replace("%1", photo.material_name)))
        button.clicked.connect(lambda: self._open_large(photo))
        self.buttons[photo.ref.sha256] = button
        self._flow.addWidget(button)
        self.show()
        self._tasks.spawn(self._load_thumbnail(photo, button), "photo thumbnail", report=False)

    def _on_photos_failed(self, failure: LinkedPhotoFailure) -> None:
        self.problem.setText(self.tr("A pre-reviewed photo could not be fetched: %1")
                             .replace("%1", failure.message))
        self.problem.show()
        self.show()

    def _verdict(self, status: str) -> str:
        return {"accepted": self.tr("accepted"), "to_correct": self.tr("to correct"),
                "missing": self.tr("missing")}.get(status, status or "—")

    async def _load_thumbnail(self, photo: LinkedPhoto, button: QToolButton) -> None:
        try:
            image = await asyncio.to_thread(decode_scaled, photo.ref.path, THUMB_SIZE)
        except ImageDecodeError as exc:
            log.warning("thumbnail of %s not decoded: %s", photo.ref.filename, exc)
            return
        if self.buttons.get(photo.ref.sha256) is button:
            button.setIcon(QIcon(QPixmap.fromImage(image)))

    def _open_large(self, photo: LinkedPhoto) -> None:
        dialog = PhotoDialog(photo, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self._tasks.spawn(dialog.load(), "photo large", report=False)


class PhotoDialog(QDialog):
    """One linked photo, large; decoded off the UI thread to fit the dialog."""

    def __init__(self, photo: LinkedPhoto, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.photo = photo
        self.setObjectName("linkedPhotoDialog")
        self.setWindowTitle(self.tr("%1 (pre-reviewed on video)")
                            .replace("%1", photo.material_name))
        self.image = PlainLabel(self.tr("Loading…"), self)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(320, 240)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.image, 1)
        column.addWidget(buttons)
        screen = self.screen()
        room = screen.availableGeometry().size() if screen is not None else QSize(1366, 768)
        self.resize(min(1000, room.width() - 80), min(700, room.height() - 80))

    async def load(self) -> QImage | None:
        fit = QSize(max(320, self.width() - 24), max(240, self.height() - 70))
        try:
            image = await asyncio.to_thread(decode_scaled, self.photo.ref.path, fit)
        except ImageDecodeError as exc:
            self.image.setText(self.tr("The photo cannot be shown: %1").replace("%1", str(exc)))
            return None
        self.image.setPixmap(QPixmap.fromImage(image))
        return image


def _short(name: str, most: int = 8) -> str:
    """A caption that fits under an 88 px icon (the tool tip has the whole name)."""
    return name if len(name) <= most else name[: most - 1] + "…"
