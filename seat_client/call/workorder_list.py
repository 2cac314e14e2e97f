"""The searchable work-order list as plain Python (an agent's own, or all for a supervisor).

``WorkOrderListModel.search`` sends ``SearchWorkOrders`` through ``send``
(a ``HubLink``'s); ``apply`` takes the hub's ``WorkOrderList`` answer. The
hub decides what the sender may see and masks personal data; this model
only keeps the latest answer. Event: ``changed`` (the rows).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from seat_common import protocol
from seat_common.events import Event


class WorkOrderListModel:
    """The rows of the last search; ``truncated`` when the hub cut the list."""

    def __init__(self, send: Callable[[protocol.Message], Awaitable[None]]) -> None:
        self._send = send
        self.rows: tuple[protocol.WorkOrderRow, ...] = ()
        self.truncated = False
        self.last_text = ""
        self.changed: Event[tuple[protocol.WorkOrderRow, ...]] = Event()

    async def search(self, text: str = "", since: float = 0.0, until: float = 0.0) -> None:
        self.last_text = text.strip()[:100]
        await self._send(protocol.SearchWorkOrders(text=self.last_text, since=since, until=until))

    def apply(self, message: protocol.Message) -> bool:
        if not isinstance(message, protocol.WorkOrderList):
            return False
        self.rows = message.rows
        self.truncated = message.truncated
        self.changed.emit(message.rows)
        return True
