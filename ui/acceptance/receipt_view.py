"""The receipt view: the acceptance receipt (受理回执) PDF as the citizen will get it.

``show_entry`` renders the receipt off the event loop, saves it next to the
outbox (``receipts_dir``), and shows it with QtPdf. "Print" opens the
system print dialog; "Send to citizen" emits ``send_requested(path)`` for
the chat to send the file in the call.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PyQt6.QtCore import QBuffer, QByteArray, QIODevice, QSize, pyqtSignal
from PyQt6.QtGui import QPainter
from PyQt6.QtPdf import QPdfDocument
from PyQt6.QtPdfWidgets import QPdfView
from PyQt6.QtPrintSupport import QPrintDialog, QPrinter
from PyQt6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from seat_client.acceptance.outbox_entries import OutboxEntry
from seat_client.acceptance.receipt import receipt_for, render_receipt
from ui.labels import PlainLabel

log = logging.getLogger(__name__)


class ReceiptView(QWidget):
    """One receipt at a time. Emits ``shown(application_no)`` and ``send_requested(path)``."""

    shown = pyqtSignal(str)
    send_requested = pyqtSignal(str)

    def __init__(self, receipts_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.receipts_dir = receipts_dir
        self.path: Path | None = None
        self.document = QPdfDocument(self)
        self._buffer = QBuffer(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.caption = PlainLabel(self.tr("No receipt yet"), self)
        self.print_button = QPushButton(self.tr("Print…"), self)
        self.send_button = QPushButton(self.tr("Send to citizen"), self)
        for button in (self.print_button, self.send_button):
            button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.caption, 1)
        row.addWidget(self.print_button)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.send_button.clicked.connect(self._on_send_clicked)

    async def show_entry(self, entry: OutboxEntry) -> Path:
        """Render, save and show the receipt of an accepted application."""
        data = receipt_for(entry)
        pdf = await asyncio.to_thread(render_receipt, data)
        path = self.receipts_dir / f"{data.application_no}.pdf"
        await asyncio.to_thread(_write, path, pdf)
        self.show_pdf(pdf, path, data.application_no)
        return path

    def show_pdf(self, pdf: bytes, path: Path, application_no: str) -> None:
        self.document.close()
        self._buffer.close()
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        self.path = path
        self.caption.setText(self.tr("Receipt %1").replace("%1", application_no))
        for button in (self.print_button, self.send_button):
            button.setEnabled(True)
        self.shown.emit(application_no)

    def _on_print_clicked(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        painter = QPainter()
        if not painter.begin(printer):
            log.warning("the printer could not start")
            return
        try:
            rect = painter.viewport()
            for page in range(self.document.pageCount()):
                if page:
                    printer.newPage()
                image = self.document.render(page, rect.size())
                painter.drawImage(rect, image)
        finally:
            painter.end()

    def page_png(self, width: int = 1240) -> bytes:
        """The receipt's first page as a PNG, for a citizen whose device shows images."""
        size = self.document.pagePointSize(0)
        if self.document.pageCount() < 1 or size.width() <= 0:
            return b""
        height = round(width * size.height() / size.width())
        image = self.document.render(0, QSize(width, height))
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())

    def _on_send_clicked(self) -> None:
        if self.path is not None:
            self.send_requested.emit(str(self.path))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
