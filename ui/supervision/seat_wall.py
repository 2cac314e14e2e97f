"""The seat wall's grid: one painted tile per seat, readable from across a room.

One widget paints every tile itself (no child widget per seat), so 200
seats repaint as fast as 37. A tile shows the state as a colour band *and*
its name (never colour alone), the agent's name and id, time in state, the
item and channel being served and the call timer; a wrap-up past its
queue's limit is flagged in words. Tiles shrink from "large" to "compact"
when the seats would not fit otherwise; the widget's height grows so a
scroll area can scroll it.

Signals: ``seat_selected(agent_id)`` on a click, ``seat_context_menu(agent_id,
QPoint)`` on a right click (global position) for the window's actions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PyQt6.QtCore import QPoint, QRect, QSize, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import QSizePolicy, QWidget

from seat_common.protocol import WallSeat
from ui.labels import (
    STATE_COLOURS,
    away_reason_label,
    channel_short_label,
    clock_text,
    mode_label,
    state_label,
)


@dataclass(frozen=True, slots=True)
class TileGeometry:
    """Tile size and the point sizes of its lines."""

    width: int
    height: int
    title_pt: float
    body_pt: float
    gap: int = 6


LARGE = TileGeometry(232, 118, 13.0, 10.5)
COMPACT = TileGeometry(168, 76, 10.0, 8.5, gap=4)


class SeatWallGrid(QWidget):
    """Paints ``seats`` as tiles; ``now`` gives the hub's clock for the timers."""

    seat_selected = pyqtSignal(str)
    seat_context_menu = pyqtSignal(str, QPoint)

    def __init__(self, now: Callable[[], float] = time.time, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("seatWallGrid")
        self._now = now
        self._seats: list[WallSeat] = []
        self._selected = ""
        self._geometry = LARGE
        self._columns = 1
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setMouseTracking(False)
        # Timers tick locally once a second; the records themselves are pushed by the hub.
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.update)
        self._ticker.start()

    # --- state ------------------------------------------------------------------

    def set_seats(self, seats: list[WallSeat]) -> None:
        self._seats = seats
        self._relayout()
        self.update()

    def seats(self) -> list[WallSeat]:
        return list(self._seats)

    def selected(self) -> str:
        return self._selected

    def select(self, agent_id: str) -> None:
        """Select a seat (as a click does: ``seat_selected`` follows)."""
        self._selected = agent_id
        self.update()
        self.seat_selected.emit(agent_id)

    def tile_geometry(self) -> TileGeometry:
        return self._geometry

    # --- layout -------------------------------------------------------------------

    def _relayout(self) -> None:
        width = max(self.width(), 200)
        parent = self.parentWidget()
        visible_height = parent.height() if parent is not None else self.height()
        geometry = LARGE
        columns = max(1, (width + LARGE.gap) // (LARGE.width + LARGE.gap))
        rows = -(-len(self._seats) // columns) if self._seats else 0
        if rows * (LARGE.height + LARGE.gap) > max(visible_height, 1):
            geometry = COMPACT
        self._geometry = geometry
        self._columns = max(1, (width + geometry.gap) // (geometry.width + geometry.gap))
        rows = -(-len(self._seats) // self._columns) if self._seats else 0
        self.setMinimumHeight(rows * (geometry.height + geometry.gap) + geometry.gap)

    def resizeEvent(self, event: object) -> None:
        self._relayout()

    def sizeHint(self) -> QSize:
        return QSize(5 * (LARGE.width + LARGE.gap), 4 * (LARGE.height + LARGE.gap))

    def tile_rect(self, index: int) -> QRect:
        g = self._geometry
        row, column = divmod(index, self._columns)
        return QRect(
            g.gap + column * (g.width + g.gap), g.gap + row * (g.height + g.gap), g.width, g.height
        )

    def seat_at(self, point: QPoint) -> str:
        for index, seat in enumerate(self._seats):
            if self.tile_rect(index).contains(point):
                return seat.agent_id
        return ""

    # --- input --------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent | None) -> None:
        if event is None:
            return
        agent_id = self.seat_at(event.position().toPoint())
        if not agent_id:
            return
        self.select(agent_id)
        if event.button() == Qt.MouseButton.RightButton:
            self.seat_context_menu.emit(agent_id, event.globalPosition().toPoint())

    # --- painting -----------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        clip = event.rect() if event is not None else self.rect()
        now = self._now()
        for index, seat in enumerate(self._seats):
            rect = self.tile_rect(index)
            if rect.intersects(clip):
                self._paint_tile(painter, rect, seat, now)
        painter.end()

    def _paint_tile(self, painter: QPainter, rect: QRect, seat: WallSeat, now: float) -> None:
        g = self._geometry
        colour = QColor(STATE_COLOURS.get(seat.state, "#6e7781"))
        painter.setPen(QPen(QColor("#d0d7de"), 1))
        painter.setBrush(QColor("#ffffff") if seat.state != "offline" else QColor("#f3f4f6"))
        if seat.hand:  # 举手: the tile is tinted (and framed, below) until the hand is lowered
            painter.setBrush(QColor("#ffe8d1"))
        painter.drawRoundedRect(rect.adjusted(0, 0, -1, -1), 6, 6)
        band_h = int(g.title_pt * 2.1)
        band = QRect(rect.left(), rect.top(), rect.width(), band_h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(band, 6, 6)
        painter.drawRect(band.adjusted(0, band_h // 2, 0, 0))
        # State in words on the band, white on the state colour, plus time in state.
        title = QFont(self.font())
        title.setPointSizeF(g.title_pt)
        title.setBold(True)
        painter.setFont(title)
        painter.setPen(QColor("#ffffff"))
        state_text = state_label(seat.state)
        if seat.channel == "counter" and seat.work_order_id:
            state_text = self.tr("serving a walk-in")  # the state, in so many words
        if seat.reason:
            state_text += f" · {away_reason_label(seat.reason)}"
        inner = band.adjusted(8, 0, -8, 0)
        painter.drawText(
            inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, state_text
        )
        if seat.state != "offline" and seat.since:
            painter.drawText(
                inner,
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                clock_text(now - seat.since),
            )
        body = QFont(self.font())
        body.setPointSizeF(g.body_pt)
        painter.setFont(body)
        line_h = int(g.body_pt * 2.0)
        top = rect.top() + band_h + 3
        text_rect = QRect(rect.left() + 8, top, rect.width() - 16, line_h)
        painter.setPen(QColor("#1f2328"))
        name = QFont(body)
        name.setBold(True)
        painter.setFont(name)
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            f"{seat.name}  {seat.agent_id}",
        )
        painter.setFont(body)
        painter.setPen(QColor("#57606a"))
        text_rect.translate(0, line_h)
        activity = painter.fontMetrics().elidedText(
            self._activity(seat, now), Qt.TextElideMode.ElideRight, text_rect.width()
        )
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, activity
        )
        if g is LARGE:
            # A watch is short-lived and worth more than the hall while it lasts.
            text_rect.translate(0, line_h)
            if seat.watched_by:  # red while the supervisor is heard in the call
                live = seat.watch_phase in ("barging", "joined")
                painter.setPen(QColor("#b3261e" if live else "#8250df"))
            painter.drawText(
                text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                self._watch_text(seat) if seat.watched_by else seat.hall,
            )
        if seat.agent_id == self._selected:
            painter.setPen(QPen(QColor("#0969da"), 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(1, 1, -2, -2), 6, 6)
        if seat.hand:  # outside the selection's frame, so both show
            painter.setPen(QPen(QColor("#bc4c00"), 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(4, 4, -5, -5), 5, 5)

    def _watch_text(self, seat: WallSeat) -> str:
        if seat.watch_phase == "joined":  # a three-way call with the supervisor in it
            return self.tr("◉ %1 joined the call").replace("%1", seat.watched_by)
        if seat.watch_phase == "barging":
            return self.tr("◉ %1 is talking in").replace("%1", seat.watched_by)
        return self.tr("◉ Watched by %1").replace("%1", seat.watched_by)

    def _activity(self, seat: WallSeat, now: float) -> str:
        """A raised hand first, then the work (``_work_text``)."""
        text = self._work_text(seat, now)
        if seat.hand:
            answered = (self.tr(" (answered: %1)").replace("%1", seat.hand_answered_by)
                        if seat.hand_answered_by else "")
            text = self.tr("[Hand up] %1").replace("%1", seat.hand) + answered + " · " + text
        return text

    def _work_text(self, seat: WallSeat, now: float) -> str:
        """Item, channel and call timer; an overdue wrap-up, a hold, a transfer, a consult
        or a three-way call in words."""
        if not seat.item_code:
            return self.tr("Mode: %1").replace("%1", mode_label(seat.mode))
        text = f"{seat.item_name or seat.item_code} · {channel_short_label(seat.channel)}"
        if seat.call_started_at:
            mark = "☎" if seat.channel != "counter" else "▣"  # a walk-in is not a call
            text = f"{mark} {clock_text(now - seat.call_started_at)}  " + text
        if seat.watched_by and self._geometry is not LARGE:  # no line of its own
            text = self._watch_text(seat) + " · " + text
        if seat.transfer_to:
            text = self.tr("[Transferring to %1]").replace("%1", seat.transfer_to) + " · " + text
        if seat.on_hold:
            text = self.tr("[On hold]") + " · " + text
        if seat.consult_phase in ("ringing", "talking"):
            text = self.tr("[Consulting %1]").replace("%1", seat.consult_with) + " · " + text
        elif seat.consult_phase == "three_way":
            text = self.tr("[Three-way with %1]").replace("%1", seat.consult_with) + " · " + text
        if (
            seat.state == "wrap_up"
            and seat.wrap_up_limit_s
            and now - seat.since > seat.wrap_up_limit_s
        ):
            text = self.tr("Wrap-up overdue") + " · " + text
        return text
