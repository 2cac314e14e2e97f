"""The wiring of the seat's mode (video, counter, combined) to the window's layout.

The layout follows the mode the hub confirmed, once no video contact needs the current
one: the hub keeps the call, and the swap follows its wrap-up. A call's end comes before
its wrap-up request, so the check runs once after each burst of hub messages (a
zero-length single-shot timer). Ctrl+M asks the hub for the next mode (video → counter →
combined → video). Entering counter mode holds the document camera and puts the cursor in
the booking number.

Words the agent reads stay in the ``MainWindow`` translation context, where
they were translated before this wiring left the window.
"""

from __future__ import annotations

from PyQt6.QtCore import QCoreApplication, QTimer
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import QWidget

from seat_common import protocol
from ui.counter.desk_pane import CounterParts
from ui.labels import mode_label
from ui.workstation.seat_layout import ModeLayout, layout_for
from ui.workstation.work_tab_links import SeatHandles, Unsubscribe

translate = QCoreApplication.translate


class ModeLink:
    """Seat mode: the hub's confirmed mode picks the layout; Ctrl+M asks for the next."""

    def __init__(self, window: QWidget, seat: SeatHandles, mode_layout: ModeLayout,
                 counter: CounterParts | None) -> None:
        self._seat, self._mode_layout, self._counter = seat, mode_layout, counter
        self._timer = QTimer(window)  # one layout check after each burst of hub messages
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._shortcut = QShortcut(QKeySequence("Ctrl+M"), window)

    def connect(self) -> list[Unsubscribe]:
        ws = self._seat.workstation
        self._timer.timeout.connect(self._on_mode_timer_timeout)
        self._shortcut.activated.connect(self._on_mode_shortcut_activated)
        return [
            ws.presence_changed.connect(lambda _: self._timer.start()),
            # A call's end comes before its wrap-up request: decide once both are in.
            ws.call_changed.connect(lambda _: self._timer.start()),
            ws.work_order_closed.connect(lambda _: self._timer.start()),
        ]

    def _on_mode_timer_timeout(self) -> None:
        """Show the layout of the mode the hub confirmed, once no video contact needs the
        current one (the hub keeps the call; the swap follows its wrap-up)."""
        ws, layout, show = self._seat.workstation, self._mode_layout, self._seat.show_message
        mode = ws.presence.mode
        contact_open = ws.call is not None or ws.wrap_up is not None
        wanted = layout_for(mode, contact_open=contact_open, shown=layout.shown)
        if wanted != mode:
            show(translate("MainWindow", "%1 mode starts when this call is wrapped up")
                 .replace("%1", mode_label(mode)), 10000)
        if not layout.show(wanted):
            return
        show(translate("MainWindow", "%1 mode (Ctrl+M switches mode)")
             .replace("%1", mode_label(wanted)))
        if self._counter is not None:
            desk = self._counter.desk
            self._seat.run(desk.hold_camera(wanted == "counter"),
                           translate("MainWindow", "document camera"))
            if wanted == "counter":
                self._counter.pane.focus_booking_no()

    def _on_mode_shortcut_activated(self) -> None:
        """Ctrl+M: ask the hub for the next mode (video → counter → combined → video)."""
        ws = self._seat.workstation
        modes: tuple[protocol.SeatMode, ...] = ("video", "counter", "combined")
        mode = modes[(modes.index(ws.presence.mode) + 1) % len(modes)]
        self._seat.show_message(translate("MainWindow", "Switching to %1 mode…")
                                .replace("%1", mode_label(mode)))
        self._seat.run(ws.set_mode(mode), "mode")
