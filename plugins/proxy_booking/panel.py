"""The booking panel: hall, day and the free slots; the booking once made."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import QDate, Qt
from PyQt6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from seat_client.plugin_api import PluginContext

if TYPE_CHECKING:
    from plugins.proxy_booking import ProxyBooking

SLOT_ROLE = 256  # Qt.ItemDataRole.UserRole


class BookingPanel(QWidget):
    def __init__(self, plugin: ProxyBooking, context: PluginContext, parent: Any) -> None:
        super().__init__(parent)
        from plugins.proxy_booking import next_working_day

        self._plugin = plugin
        self._context = context
        self._booking = plugin.booking(context)
        self.hall = QComboBox()
        self.day = QDateEdit(QDate.fromString(self._booking.day or next_working_day(),
                                              "yyyy-MM-dd"))
        self.day.setCalendarPopup(True)
        self.slots = QListWidget()
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.PlainText)  # the government API's words
        self.result.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Hall"), self.hall)
        form.addRow(self.tr("Day"), self.day)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.slots, 1)
        layout.addWidget(self.result)
        self.hall.currentIndexChanged.connect(self._on_hall_changed)
        self.day.dateChanged.connect(self._on_day_changed)
        self.slots.currentItemChanged.connect(self._on_slot_changed)
        self._booking.listeners.append(self.refresh)
        self.destroyed.connect(lambda: self._booking.listeners.clear())
        self._on_day_changed(self.day.date())
        self.refresh()

    def _on_hall_changed(self, index: int) -> None:
        code = self.hall.itemData(index)
        if code and code != self._booking.hall:
            self._plugin.choose(self._context, hall=str(code))

    def _on_day_changed(self, day: QDate) -> None:
        self._plugin.choose(self._context, day=day.toString("yyyy-MM-dd"))

    def _on_slot_changed(self, item: QListWidgetItem | None, _: Any) -> None:
        if item is not None:
            self._plugin.choose(self._context, slot_id=str(item.data(SLOT_ROLE)))

    def refresh(self) -> None:
        b = self._booking
        self.blockSignals(True)
        if self.hall.count() != len(b.halls):
            self.hall.blockSignals(True)
            self.hall.clear()
            for h in b.halls:
                self.hall.addItem(str(h.get("name")), h.get("code"))
            self.hall.blockSignals(False)
        self.slots.blockSignals(True)
        self.slots.clear()
        for s in b.slots:
            free = int(s.get("available", 0))
            item = QListWidgetItem(self.tr("{0}  free {1}").format(s.get("start"), free))
            item.setData(SLOT_ROLE, s.get("slot_id"))
            if free <= 0:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.slots.addItem(item)
            if s.get("slot_id") == b.slot_id:
                self.slots.setCurrentItem(item)
        self.slots.blockSignals(False)
        self.blockSignals(False)
        if b.booked:
            self.result.setText(self.tr("Booked {0}: {1} {2}, {3} materials linked").format(
                b.booked.get("booking_no"), b.booked.get("date"), b.booked.get("start"),
                len(b.links.get("materials", []))))
        else:
            self.result.setText(self.tr("Find free slots, pick one, then book."))
