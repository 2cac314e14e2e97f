"""The agent's view of a supervisor who joined the call from the seat wall (值班长加入通话).

``JoinedSupervisorWindow`` follows the ``WatchRelay``: while the watch is ``joined`` it
shows the supervisor's picture (the same picture the citizen gets on their second video
section) in a small window beside the main one, as a consulted colleague's shows in the
consult window, with a line saying who is in the call; it hides when the supervisor
leaves or the watch ends. It emits nothing: the supervisor leaves from the wall.

It first shows at the top right of the main window; with a ``WindowPlacement`` it shows
again where the agent last moved it (kept on screen), remembered across restarts.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QHideEvent
from PyQt6.QtWidgets import QVBoxLayout, QWidget

from seat_client.supervision.watch_relay import WatchRelay
from seat_common import protocol
from ui.call.consult_window import SlotView
from ui.labels import PlainLabel
from ui.window_placement import WindowPlacement


class JoinedSupervisorWindow(QWidget):
    """The joined supervisor's picture, for the agent (see the module's docstring)."""

    def __init__(self, relay: WatchRelay, parent: QWidget | None = None,
                 placement: WindowPlacement | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool)
        self.setObjectName("joinedSupervisorWindow")
        self._placement = placement
        self.setWindowTitle(self.tr("Supervisor in the call"))
        self._relay = relay
        self.line = PlainLabel(self)
        self.line.setObjectName("joinedSupervisorLine")
        self.line.setWordWrap(True)
        self.picture = SlotView(lambda: relay.supervisor_picture,
                                self.tr("The supervisor's camera…"), self)
        self.setStyleSheet("#joinedSupervisorLine { background: #b3261e; color: white;"
                           " font-weight: bold; padding: 4px 8px; border-radius: 4px; }")
        layout = QVBoxLayout(self)
        layout.addWidget(self.line)
        layout.addWidget(self.picture, 1)
        self.resize(360, 320)
        self._unsubscribe = [relay.watch_changed.connect(self.follow),
                             relay.supervisor_frame_arrived.connect(
                                 lambda _: self.picture.update())]

    def follow(self, state: protocol.WatchState | None) -> None:
        """Show while the supervisor is joined; hide otherwise."""
        if state is None or state.phase != "joined":
            self.picture.clear()
            self.hide()
            return
        name = f"{state.supervisor_name}（{state.supervisor_id}）"
        self.line.setText("● " + self.tr(
            "Supervisor %1 joined the call: the citizen and you see and hear them").replace(
            "%1", name))
        if not self.isVisible():
            if self._placement is None or not self._placement.restore(self):
                self._place()
            self.show()

    def detach(self) -> None:
        """Stop following the relay (the workstation closes)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def hideEvent(self, event: QHideEvent | None) -> None:
        if self._placement is not None:
            self._placement.save(self)  # where the agent left it, for the next join
        super().hideEvent(event)

    def _place(self) -> None:
        """Top right of the main window, over the work tabs rather than the citizen."""
        main = self.parentWidget()
        if main is None:
            return
        corner = main.mapToGlobal(main.rect().topRight())
        self.move(corner.x() - self.width() - 24, corner.y() + 64)
