"""The pre-reviewed photos of a walk-in's appointment, fetched from the hub for the clerk.

A proxy booking made on a video call links the photos the agent pre-reviewed (their
SHA-256 and verdict travel with the appointment; the images stay at the hub).
``LinkedPhotos`` follows the walk-in desk: when a walk-in with an appointment opens,
it fetches each linked photo through ``CounterOrders.fetch_photo`` (the hub checks
that this seat is in the appointment's hall and logs the look) into the material
cache, one after the other, and says what came of each. A refusal for the hall stops
the rest (they would be refused alike). A walk-in closed or replaced meanwhile drops
what is still coming.

Events: ``photo_added`` (``LinkedPhoto``), ``failed`` (``LinkedPhotoFailure``),
``cleared`` (a new walk-in, or none: the photos shown so far are gone).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from seat_client.counter.hub_orders import CounterHubError, CounterOrders
from seat_client.counter.walk_in import WalkIn, WalkInDesk
from seat_client.materials.transfer import MaterialTransferError
from seat_client.materials.values import MaterialRef
from seat_common.events import Event
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinkedPhoto:
    """One photo of the appointment: its checklist material, the video verdict, the file."""

    material_code: str
    material_name: str
    status: str
    ref: MaterialRef


@dataclass(frozen=True, slots=True)
class LinkedPhotoFailure:
    """A photo that could not be fetched: the hub's reason code and words."""

    material_code: str
    reason: str
    message: str


class LinkedPhotos:
    """Fetches the open walk-in's linked photos; see the module docstring."""

    def __init__(self, desk: WalkInDesk, orders: CounterOrders, tasks: TaskOwner) -> None:
        self.desk = desk
        self.orders = orders
        self._tasks = tasks
        self.photos: list[LinkedPhoto] = []
        self.photo_added: Event[LinkedPhoto] = Event()
        self.failed: Event[LinkedPhotoFailure] = Event()
        self.cleared: Event[None] = Event()
        self._unsubscribe: Callable[[], None] = desk.opened.connect(self._on_opened)

    def detach(self) -> None:
        self._unsubscribe()

    def _on_opened(self, walk_in: WalkIn | None) -> None:
        self.photos = []
        self.cleared.emit(None)
        if walk_in is None or not walk_in.intake.booking_no:
            return
        wanted = [m for m in walk_in.intake.materials if m.sha256]
        if wanted:
            self._tasks.spawn(self.fetch_all(walk_in), "fetch the appointment's photos",
                              report=False)

    async def fetch_all(self, walk_in: WalkIn) -> None:
        """Fetch every linked photo of ``walk_in`` (while it is the one in hand)."""
        names = {m.code: m.name for m in walk_in.item.materials}
        for linked in walk_in.intake.materials:
            if not linked.sha256 or self.desk.walk_in is not walk_in:
                continue
            code = linked.material_code
            try:
                ref = await self.orders.fetch_photo(walk_in.intake.booking_no, linked.sha256)
            except (MaterialTransferError, CounterHubError) as exc:
                reason = getattr(exc, "reason", "") or getattr(exc, "code", "")
                if self.desk.walk_in is walk_in:
                    self.failed.emit(LinkedPhotoFailure(code, reason, exc.message))
                if reason == "not_allowed":
                    return  # another hall's appointment: every photo is refused alike
                continue
            except TimeoutError:
                if self.desk.walk_in is walk_in:
                    self.failed.emit(LinkedPhotoFailure(code, "timeout", "服务端未及时应答"))
                continue
            if self.desk.walk_in is not walk_in:
                return
            photo = LinkedPhoto(code, names.get(code, code), linked.status, ref)
            self.photos.append(photo)
            self.photo_added.emit(photo)
