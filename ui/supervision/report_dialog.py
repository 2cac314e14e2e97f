"""The seat wall's statistics report dialog (统计报表).

The supervisor chooses the period (a day, a month, a year, or any span of days) and the
breakdowns (hall, theme, item, agent, channel, month, day: as ``seat-report --by``),
and presses 生成. The hub makes the report (``seat_client.supervision.report_request``):
the dialog shows its progress, the window stays responsive (the work is at the hub and
the file is written off the UI thread), and when the PDF is in the supervisor chooses
where to save it (``choose_path``: a file dialog unless a test gives one) and may open
it. A refusal or failure is said in the hub's words.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import get_args

from PyQt6.QtCore import QCoreApplication, QDate, QUrl
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from seat_client.supervision.report_request import (
    ReportError,
    ReportFile,
    ReportRequests,
    ReportStatus,
)
from seat_common.protocol import ReportDimension, ReportPeriodKind
from seat_common.tasks import TaskOwner
from ui.labels import PlainLabel

log = logging.getLogger(__name__)

#: Where the save dialog starts, and what it suggests.
PathChooser = Callable[[QWidget, str], Path | None]


def ask_where(parent: QWidget, suggested: str) -> Path | None:
    """A file dialog for the PDF; None if the supervisor cancels."""
    name, _ = QFileDialog.getSaveFileName(
        parent, QCoreApplication.translate("ReportDialog", "Save the report"),
        str(Path.home() / suggested), "PDF (*.pdf)")
    return Path(name) if name else None


class ReportDialog(QDialog):
    """Choose a period and breakdowns, make the report at the hub, save and open it."""

    def __init__(self, requests: ReportRequests, parent: QWidget | None = None, *,
                 tasks: TaskOwner | None = None, choose_path: PathChooser = ask_where,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportDialog")
        self.setWindowTitle(self.tr("Statistics report"))
        self.setMinimumWidth(560)
        self.requests = requests
        self._tasks = tasks or TaskOwner("report dialog")
        self.choose_path = choose_path
        self.saved: Path | None = None
        day = today or dt.date.today()
        self.kind = QComboBox(self)
        for kind, text in (("day", self.tr("Day")), ("month", self.tr("Month")),
                           ("year", self.tr("Year")), ("custom", self.tr("From … to …"))):
            self.kind.addItem(text, kind)
        self.kind.setCurrentIndex(1)
        self.start = QDateEdit(QDate(day.year, day.month, day.day), self)
        self.start.setCalendarPopup(True)
        self.end = QDateEdit(QDate(day.year, day.month, day.day), self)
        self.end.setCalendarPopup(True)
        self.month = QDateEdit(QDate(day.year, day.month, 1), self)
        self.month.setDisplayFormat("yyyy-MM")
        self.year = QSpinBox(self)
        self.year.setRange(2020, 2100)
        self.year.setValue(day.year)
        self.by: dict[ReportDimension, QCheckBox] = {}
        names = {"hall": self.tr("Hall"), "theme": self.tr("Theme"), "item": self.tr("Item"),
                 "agent": self.tr("Agent"), "channel": self.tr("Channel"),
                 "month": self.tr("Month"), "day": self.tr("Day")}
        by_box = QWidget(self)
        grid = QGridLayout(by_box)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, dimension in enumerate(get_args(ReportDimension)):
            box = QCheckBox(names[dimension], by_box)
            box.setChecked(dimension in ("theme", "agent", "channel"))
            self.by[dimension] = box
            grid.addWidget(box, i // 4, i % 4)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status = PlainLabel(self)
        self.status.setObjectName("reportStatus")
        self.status.setWordWrap(True)
        self.make = QPushButton(self.tr("Make the report"), self)
        self.make.setObjectName("makeReport")
        self.make.setDefault(True)
        self.open_pdf = QPushButton(self.tr("Open the PDF"), self)
        self.open_pdf.setEnabled(False)
        self.close_button = QPushButton(self.tr("Close"), self)
        form = QFormLayout()
        form.addRow(self.tr("Period"), self.kind)
        self.start_label = PlainLabel(self.tr("Day"), self)
        form.addRow(self.start_label, self.start)
        form.addRow(self.tr("Month"), self.month)
        form.addRow(self.tr("Year"), self.year)
        form.addRow(self.tr("Last day"), self.end)
        form.addRow(self.tr("Broken down by"), by_box)
        self._form = form
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.make, self.open_pdf, self.close_button):
            buttons.addWidget(button)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addLayout(buttons)
        self._connect_signals()
        self._on_kind_changed()

    def _connect_signals(self) -> None:
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.make.clicked.connect(self._on_make_clicked)
        self.open_pdf.clicked.connect(self._on_open_pdf_clicked)
        self.close_button.clicked.connect(self.reject)
        self._unsubscribe = self.requests.progress.connect(self._on_requests_progress)

    def done(self, result: int) -> None:
        self._unsubscribe()
        super().done(result)

    def _on_kind_changed(self) -> None:
        kind = self.period_kind()
        rows = {self.start: kind in ("day", "custom"), self.month: kind == "month",
                self.year: kind == "year", self.end: kind == "custom"}
        for widget, shown in rows.items():
            self._form.setRowVisible(widget, shown)
        self.start_label.setText(self.tr("First day") if kind == "custom" else self.tr("Day"))
        self.by["month"].setChecked(kind == "year" or self.by["month"].isChecked())

    def period_kind(self) -> ReportPeriodKind:
        kind: ReportPeriodKind = self.kind.currentData()
        return kind

    def period(self) -> tuple[ReportPeriodKind, str, str]:
        """The period as the hub takes it: kind, start, end."""
        kind = self.period_kind()
        if kind == "month":
            return kind, self.month.date().toString("yyyy-MM"), ""
        if kind == "year":
            return kind, f"{self.year.value():04d}", ""
        start = self.start.date().toString("yyyy-MM-dd")
        return kind, start, self.end.date().toString("yyyy-MM-dd") if kind == "custom" else ""

    def dimensions(self) -> tuple[ReportDimension, ...]:
        return tuple(d for d, box in self.by.items() if box.isChecked())

    def _on_make_clicked(self) -> None:
        kind, start, end = self.period()
        if kind == "custom" and self.end.date() < self.start.date():
            self._say(self.tr("The last day is before the first day."), error=True)
            return
        self.make.setEnabled(False)
        self.open_pdf.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self._say(self.tr("Asking the hub for the report…"))
        self._tasks.spawn(self.run(kind, start, end), "statistics report", report=False)

    async def run(self, kind: ReportPeriodKind, start: str, end: str) -> Path | None:
        """Make the report, save it where the supervisor chooses; the saved path, or None."""
        try:
            report = await self.requests.make(kind, start, end, self.dimensions())
            return await self._save(report)
        except ReportError as exc:
            self._say(self.tr("The hub did not make the report: %1")
                      .replace("%1", exc.message), error=True)
        except (TimeoutError, ConnectionError) as exc:
            self._say(self.tr("No report: %1").replace("%1", str(exc) or type(exc).__name__),
                      error=True)
        finally:
            self.make.setEnabled(True)
        return None

    async def _save(self, report: ReportFile) -> Path | None:
        path = self.choose_path(self, report.filename)
        if path is None:
            self._say(self.tr("The report was made but not saved."))
            return None
        try:
            await asyncio.to_thread(path.write_bytes, report.data)
        except OSError as exc:
            self._say(self.tr("The report could not be saved: %1").replace("%1", str(exc)),
                      error=True)
            return None
        self.saved = path
        self.open_pdf.setEnabled(True)
        self._say(self.tr("Saved %1 (%2 work orders).").replace("%1", str(path))
                  .replace("%2", str(report.work_orders)))
        return path

    def _on_requests_progress(self, status: ReportStatus) -> None:
        self.progress.setValue(round(status.fraction * 100))
        text = {"reading": self.tr("The hub is reading the ledger…"),
                "counting": self.tr("Counting %1 work orders…"),
                "writing": self.tr("Writing the PDF of %1 work orders…"),
                "receiving": self.tr("Receiving the PDF…"),
                "done": self.tr("The report is in.")}.get(status.stage, status.stage)
        self._say(text.replace("%1", str(status.work_orders)))

    def _on_open_pdf_clicked(self) -> None:
        if self.saved is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved)))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #cf222e;" if error else "color: #57606a;")
