"""The government API as task plugins and the counter see it (``plugin_api.GovLookups``):
the real client's errors become ``LookupFailed``, and every counter appointment it
confirms is announced (``booked``) for the citizen's after-call summary, and the hub is
told of it (``on_booked``) so the appointment's hall may see its photos."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

from seat_client import plugin_api as api
from seat_client.acceptance.gov_api_client import FieldErrors, GovApiClient, GovApiError
from seat_client.acceptance.summary import BookedSlot
from seat_common.events import Event

log = logging.getLogger(__name__)

#: Told of each proxy booking made: the request's body, the API's answer, the hall's name.
BookingListener = Callable[[Mapping[str, Any], Mapping[str, Any], str], Awaitable[None]]


class GovApiLookups:
    """``plugin_api.GovLookups`` over the real client: API errors become ``LookupFailed``.
    Emits ``booked`` (``BookedSlot``) for every counter appointment the API confirms, with
    the hall's name and address as its hall list gave them (for the citizen's summary).
    ``on_booked`` hears of every booking made (the hub is told); it failing is logged, the
    booking stands."""

    def __init__(self, client: GovApiClient, on_booked: BookingListener | None = None) -> None:
        self._client = client
        self.on_booked = on_booked
        self._halls: dict[str, Mapping[str, Any]] = {}
        self.booked: Event[BookedSlot] = Event()

    async def _guard(self, coro: Coroutine[Any, Any, Any]) -> Any:
        try:
            return await coro
        except FieldErrors as exc:
            raise api.LookupFailed(exc.message, {f.field: f.code for f in exc.fields}) from exc
        except GovApiError as exc:
            raise api.LookupFailed(str(exc) or type(exc).__name__) from exc

    async def unemployment_details(self, id_number: str) -> Mapping[str, Any]:
        return dict(await self._guard(self._client.unemployment_details(id_number)))

    async def pension_status(self, id_number: str) -> Mapping[str, Any]:
        return dict(await self._guard(self._client.pension_status(id_number)))

    async def halls(self) -> Sequence[Mapping[str, Any]]:
        halls = list(await self._guard(self._client.halls()))
        self._halls.update({str(h.get("code", "")): h for h in halls if isinstance(h, Mapping)})
        return halls

    async def slots(self, hall: str, day: str) -> Sequence[Mapping[str, Any]]:
        return list(await self._guard(self._client.slots(hall, day)))

    async def book(self, key: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        answer = dict(await self._guard(self._client.book(key, dict(body))))
        hall = self._halls.get(str(answer.get("hall", "")), {})
        self.booked.emit(BookedSlot(
            work_order_id=str(body.get("work_order_id", "")),
            booking_no=str(answer.get("booking_no", "")),
            hall_name=str(hall.get("name") or answer.get("hall", "")),
            address=str(hall.get("address", "")),
            day=str(answer.get("date", "")), start=str(answer.get("start", ""))))
        if self.on_booked is not None:
            try:
                await self.on_booked(body, answer, str(hall.get("name", "")))
            except Exception:  # the booking is made whatever the hub says
                log.warning("the hub was not told of booking %s", answer.get("booking_no"),
                            exc_info=True)
        return answer

    async def appointment(self, booking_no: str) -> Mapping[str, Any]:
        return dict(await self._guard(self._client.appointment(booking_no)))

    async def register_business(self, key: str, values: Mapping[str, str]) -> Mapping[str, Any]:
        return dict(await self._guard(self._client.register_business(key, dict(values))))

    async def submit_application(self, key: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        app = await self._guard(self._client.submit_application(key, dict(body)))
        return {"application_no": app.application_no, "item_code": app.item_code,
                "status": app.status, "received_at": app.received_at}
