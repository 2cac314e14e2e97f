"""The counter's side of the hub: walk-ins as work orders, and a booking's photos.

``CounterOrders`` speaks for the walk-in desk over the workstation's ``HubLink``:
``open`` asks the hub for the walk-in's work order (``walk_in_open`` → ``walk_in_opened``)
and ``close`` closes it with its outcome (``walk_in_close`` → ``work_order_closed``);
the hub then has the walk-in on the seat wall and in the figures, and in combined mode
keeps video calls away from the seat meanwhile. ``fetch_photo`` downloads a photo the
appointment's proxy booking linked (pre-reviewed on video) through the material
transfer: the hub lets only this hall's clerks have it, and logs the look.

``report_booking`` is what the video side calls after a proxy booking succeeded
(``plugin_host.GovApiLookups``'s ``on_booked``): it tells the hub the booking's number
and hall, so that hall's counter may fetch the photos.

A refusal comes back as ``CounterHubError`` with the hub's code and message (Chinese
where the hub speaks to the clerk); no answer within ``reply_timeout_s`` as
``TimeoutError``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from seat_client.call.hub_link import HubLink
from seat_client.materials.transfer import MaterialTransfer
from seat_client.materials.values import MaterialRef
from seat_common import protocol

log = logging.getLogger(__name__)


class CounterHubError(RuntimeError):
    """The hub refused a walk-in request; ``code`` is the protocol's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class CounterOrders:
    """Walk-in work orders at the hub, one request of each kind at a time."""

    def __init__(self, link: HubLink, transfer: MaterialTransfer | None = None, *,
                 reply_timeout_s: float = 15.0) -> None:
        self.link = link
        self.transfer = transfer
        self.reply_timeout_s = reply_timeout_s
        self._opening: asyncio.Future[protocol.WalkInOpened] | None = None
        self._closing: dict[str, asyncio.Future[None]] = {}
        self._booking: dict[str, asyncio.Future[None]] = {}
        self._unsubscribe: Callable[[], None] = link.message.connect(self._on_message)

    def detach(self) -> None:
        self._unsubscribe()

    async def open(self, item_code: str, booking_no: str = "",
                   citizen: protocol.CitizenInfo | None = None) -> protocol.WalkInOpened:
        """Open the walk-in's work order at the hub; its answer names it."""
        future: asyncio.Future[protocol.WalkInOpened] = (
            asyncio.get_running_loop().create_future())
        self._opening = future
        try:
            await self.link.send(protocol.WalkInOpen(
                item_code=item_code, booking_no=booking_no,
                citizen=citizen or protocol.CitizenInfo()))
            return await asyncio.wait_for(future, self.reply_timeout_s)
        finally:
            if self._opening is future:
                self._opening = None

    async def close(self, work_order_id: str, outcome: protocol.Outcome,
                    notes: str = "") -> None:
        """Close the walk-in's work order with ``outcome``."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._closing[work_order_id] = future
        try:
            await self.link.send(protocol.WalkInClose(
                work_order_id=work_order_id, outcome=outcome, notes=notes[:2000]))
            await asyncio.wait_for(future, self.reply_timeout_s)
        finally:
            self._closing.pop(work_order_id, None)

    async def fetch_photo(self, booking_no: str, sha256: str) -> MaterialRef:
        """The appointment's pre-reviewed photo, from the hub into the material cache."""
        if self.transfer is None:
            raise CounterHubError("not_allowed", "this seat has no material transfer")
        return await self.transfer.fetch_booked(booking_no, sha256)

    async def report_booking(self, body: Mapping[str, Any], answer: Mapping[str, Any],
                             hall_name: str = "") -> None:
        """Tell the hub of a proxy booking made for the caller of ``body["work_order_id"]``."""
        work_order_id = str(body.get("work_order_id", ""))
        booking_no = str(answer.get("booking_no", ""))
        hall = str(answer.get("hall", ""))
        if not (work_order_id and booking_no and hall):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._booking[work_order_id] = future
        try:
            await self.link.send(protocol.BookingMade(
                work_order_id=work_order_id[:64], booking_no=booking_no, hall=hall[:64],
                hall_name=hall_name[:200]))
            await asyncio.wait_for(future, self.reply_timeout_s)
        finally:
            self._booking.pop(work_order_id, None)

    def _on_message(self, message: protocol.Message) -> None:
        match message:
            case protocol.WalkInOpened():
                if self._opening is not None and not self._opening.done():
                    self._opening.set_result(message)
            case protocol.WorkOrderClosed():
                _settle(self._closing.get(message.work_order_id))
            case protocol.Ack(of="booking_made"):
                _settle(self._booking.get(message.work_order_id))
            case protocol.Error(of="walk_in_open"):
                if self._opening is not None and not self._opening.done():
                    self._opening.set_exception(CounterHubError(message.code, message.message))
            case protocol.Error(of="walk_in_close" | "booking_made"):
                pending = self._closing if message.of == "walk_in_close" else self._booking
                for future in pending.values():
                    if not future.done():
                        future.set_exception(CounterHubError(message.code, message.message))
            case _:
                pass


def _settle(future: asyncio.Future[None] | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)
