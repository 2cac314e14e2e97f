"""The counter's walk-in desk (窗口受理): one citizen at the counter after another.

``WalkInDesk`` wraps ``CounterIntake`` for the clerk: it checks the appointment number
the clerk typed (``normalise_booking_no``), looks the appointment up, and turns each
failure into a ``LookupProblem`` the UI can say in words (bad number, no such
appointment, government API unreachable, credentials refused). The open ``WalkIn``
holds the intake, the appointment's facts (personal data masked) and a local
``ReviewSession`` for the documents checked at the counter.

Document-camera captures at the counter stay on this workstation: there is no hub call
to upload them to. ``take_capture`` picks the newest image the document camera saved
(after the previous walk-in ended, and not taken before), checks it like any other
input, copies it into the ``MaterialCache`` and announces it through
``material_added`` for the review pane. While the counter holds the camera (counter
layout, or any walk-in open), the call's automatic document-camera import is paused:
otherwise a walk-in's ID card would be uploaded to the last video caller's work order.

With ``orders`` (the hub), each walk-in is a work order at the hub (channel
``counter``): opened before the walk-in shows, named by the hub, and closed with its
outcome (``accepted`` once its application went through, else ``resolved``) when the
clerk finishes; opening the next citizen finishes the one in hand. The hub refusing
(say, a video call is ringing in combined mode) is a ``LookupProblem.HUB`` failure
with the hub's words, and the walk-in does not open (or stays open, when closing).

Events: ``state_changed`` (``DeskState``), ``opened`` (``WalkIn | None``), ``failed``
(``WalkInFailure``), ``material_added`` (``MaterialRef``), ``marks_changed``
(``WalkIn``: the review's marks changed, so accepted and missing materials did).
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from seat_client.counter.hub_orders import CounterHubError, CounterOrders
from seat_client.counter.intake import CounterIntake, Intake
from seat_client.counter.problems import (
    BookingNumberError,
    CaptureError,
    HubProblem,
    LookupProblem,
    WalkInFailure,
    classify,
    normalise_booking_no,
)
from seat_client.materials.cache import MaterialCache
from seat_client.materials.document_camera import DocumentCameraFolder
from seat_client.materials.values import MaterialRef
from seat_client.plugin_api import LookupFailed
from seat_client.review.session import ReasonCode, ReviewSession
from seat_common.catalog import Material, ServiceItem
from seat_common.documents.imagecheck import ImageLimits, ImageRefused, check_image
from seat_common.events import Event
from seat_common.personal_data.pii import mask_id_number, mask_name, mask_phone, opaque_reference
from seat_common.protocol import CitizenInfo, Outcome

log = logging.getLogger(__name__)

_IMAGE_SUFFIXES: Final = frozenset({".jpg", ".jpeg", ".png"})

__all__ = ["BookingNumberError", "CaptureError", "DeskState", "LookupProblem", "WalkIn",
           "WalkInDesk", "WalkInFailure", "classify", "normalise_booking_no"]

class DeskState(enum.Enum):
    IDLE = "idle"
    LOOKING_UP = "looking_up"
    OPEN = "open"


@dataclass(frozen=True, slots=True)
class AppointmentFacts:
    """What the counter shows of an appointment; the citizen's data already masked."""

    booking_no: str
    date: str
    start: str
    #: the hall's name where the API told it, else its code
    hall: str
    citizen_name: str
    citizen_id_number: str
    citizen_mobile: str

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any],
                    hall_names: Mapping[str, str] | None = None) -> AppointmentFacts:
        hall = str(answer.get("hall", ""))
        return cls(str(answer.get("booking_no", "")), str(answer.get("date", "")),
                   str(answer.get("start", "")), (hall_names or {}).get(hall, hall),
                   mask_name(str(answer.get("name", ""))),
                   mask_id_number(str(answer.get("id_number", ""))),
                   mask_phone(str(answer.get("mobile", ""))))

    def is_on(self, day: str) -> bool:
        """Whether the appointment is for ``day`` (``YYYY-MM-DD``)."""
        return self.date == day


@dataclass
class WalkIn:
    """One citizen at the counter: the intake, the appointment, the counter's review."""

    intake: Intake
    item: ServiceItem
    review: ReviewSession
    work_order_id: str
    appointment: AppointmentFacts | None = None
    #: the proxy booking's verdict per material code (from the video call's pre-review)
    linked: dict[str, str] = field(default_factory=dict)
    #: how the walk-in ends at the hub (``accepted`` once its application went through)
    outcome: Outcome = "resolved"
    #: whether the hub holds the walk-in's work order (open until ``finish``)
    at_hub: bool = False

    def prefill(self) -> dict[str, str]:
        """The form values the booking or the plugins suggested, still to be confirmed."""
        form = self.intake.form
        if form is None:
            return {}
        return {code: form.values[code] for code in form.unconfirmed if form.values.get(code)}

    def accepted(self) -> list[tuple[str, str]]:
        """(code, name) of each checklist material accepted so far, for the application."""
        return [(m.code, m.name) for m in self.review.checklist
                if self.review.marks[m.code].status == "accepted"]

    def missing(self) -> list[Material]:
        """Required materials not accepted yet (neither by the booking's pre-review, nor at
        the counter); ``Intake.materials_missing`` at first, then following the marks."""
        return [m for m in self.review.checklist
                if m.required and self.review.marks[m.code].status != "accepted"]


def _counter_item(intake: Intake, item: ServiceItem) -> ServiceItem:
    """The item with the plugins' checklist for this scenario (e.g. a lease only when the
    premises are rented), so the counter reviews what this citizen needs."""
    checklist = intake.checklist()
    if not checklist:
        return item
    return dataclasses.replace(item, materials=tuple(
        Material(m.code, m.name, m.required) for m in checklist))


class WalkInDesk:
    """The clerk's walk-in intake, one walk-in at a time; see the module docstring."""

    def __init__(
        self,
        intake: CounterIntake,
        reasons: tuple[ReasonCode, ...],
        *,
        camera_folder: Path | None = None,
        cache: MaterialCache | None = None,
        call_camera: DocumentCameraFolder | None = None,
        max_bytes: int = 20 * 1024 * 1024,
        max_pixels: int = 50_000_000,
        clock: Callable[[], float] = time.time,
        orders: CounterOrders | None = None,
    ) -> None:
        self.intake = intake
        self.orders = orders
        self.reasons = reasons
        self.camera_folder = camera_folder
        self.cache = cache
        self.call_camera = call_camera
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self._clock = clock
        self.state = DeskState.IDLE
        self.walk_in: WalkIn | None = None
        self.state_changed: Event[DeskState] = Event()
        self.opened: Event[WalkIn | None] = Event()
        self.failed: Event[WalkInFailure] = Event()
        self.material_added: Event[MaterialRef] = Event()
        self.marks_changed: Event[WalkIn] = Event()
        #: captures saved before this moment belong to an earlier citizen
        self._captures_since = clock()
        self._taken: set[tuple[str, int, int]] = set()
        self._unsubscribe: Callable[[], None] = lambda: None
        self._layout_holds_camera = False
        self._call_camera_paused = False
        self._hall_names: dict[str, str] | None = None  # asked once, when first needed

    @property
    def busy(self) -> bool:
        return self.state is DeskState.LOOKING_UP

    # --- opening a walk-in ------------------------------------------------------------

    async def look_up(self, text: str) -> WalkIn | None:
        """Open the appointment the clerk typed; on failure emit ``failed`` and keep the
        walk-in in hand (a typo must not throw away the citizen being served)."""
        if self.busy:
            return None
        try:
            number = normalise_booking_no(text)
        except BookingNumberError as exc:
            self.failed.emit(WalkInFailure(LookupProblem.BAD_NUMBER, str(exc), text.strip()))
            return None
        return await self._open(lambda: self.intake.open(number), number)

    async def start_without_appointment(self, item_code: str) -> WalkIn | None:
        """A walk-in with no appointment: the item's form and checklist, from scratch."""
        if self.busy:
            return None
        if self.intake.host.catalog.item(item_code) is None:
            self.failed.emit(WalkInFailure(LookupProblem.FAILED, f"unknown item {item_code!r}"))
            return None
        return await self._open(lambda: self.intake.blank(item_code), "")

    async def _open(self, opener: Callable[[], Any], number: str) -> WalkIn | None:
        self._set_state(DeskState.LOOKING_UP)
        try:
            intake: Intake = await opener()
            if number and self._hall_names is None:
                await self._learn_hall_names()
            if self.walk_in is not None:
                await self._close_at_hub(self.walk_in)  # the next citizen: this one is done
            walk_in = self._walk_in(intake, number, await self._open_at_hub(intake, number))
        except BaseException as exc:
            # Busy ends here whatever happened (cancelled too): the pane must not stay stuck.
            self._set_state(DeskState.OPEN if self.walk_in is not None else DeskState.IDLE)
            if not isinstance(exc, Exception):
                raise
            problem = classify(exc)
            if problem is LookupProblem.FAILED:
                log.warning("walk-in %s not opened", number or "without appointment",
                            exc_info=True)
            self.failed.emit(WalkInFailure(problem, str(exc), number))
            return None
        if self.walk_in is not None:
            self._captures_since = self._clock()  # the earlier citizen's captures stay theirs
        self._unsubscribe()
        self.walk_in = walk_in
        self._unsubscribe = walk_in.review.changed.connect(
            lambda change: self.marks_changed.emit(walk_in) if change == "marks" else None)
        self._set_state(DeskState.OPEN)
        self.opened.emit(walk_in)
        await self._sync_camera()
        return walk_in

    async def _open_at_hub(self, intake: Intake, number: str) -> str:
        """The walk-in's work order at the hub ("" without a hub)."""
        if self.orders is None:
            return ""
        answer = intake.appointment
        citizen = CitizenInfo(name=str(answer.get("name", ""))[:200],
                              id_number=str(answer.get("id_number", ""))[:32],
                              phone=str(answer.get("mobile", ""))[:32])
        try:
            opened = await self.orders.open(intake.item_code, number, citizen)
        except (CounterHubError, TimeoutError, ConnectionError) as exc:
            raise HubProblem(str(exc) or "没有收到服务端的应答") from exc
        return opened.work_order_id

    async def _close_at_hub(self, walk_in: WalkIn) -> None:
        if self.orders is None or not walk_in.at_hub:
            return
        try:
            await self.orders.close(walk_in.work_order_id, walk_in.outcome)
        except (CounterHubError, TimeoutError, ConnectionError) as exc:
            raise HubProblem(str(exc) or "没有收到服务端的应答") from exc
        walk_in.at_hub = False

    def _walk_in(self, intake: Intake, number: str, hub_work_order: str = "") -> WalkIn:
        item = self.intake.host.catalog.item(intake.item_code)
        if item is None:
            raise LookupError(f"the appointment's item {intake.item_code!r} is not in the catalog")
        item = _counter_item(intake, item)
        if hub_work_order:
            work_order_id = review_id = hub_work_order
        elif number:
            review_id = f"counter-{number}"
            work_order_id = str(intake.appointment.get("work_order_id") or review_id)
        else:
            stamp = time.strftime("%Y%m%d%H%M%S", time.localtime(self._clock()))
            work_order_id = review_id = f"counter-{stamp}-{secrets.token_hex(2)}"
        review = ReviewSession(review_id, item, self.reasons)
        linked = {m.material_code: m.status for m in intake.materials}
        for m in item.materials:
            if linked.get(m.code) == "accepted":
                review.mark(m.code, "accepted")  # pre-reviewed on video: reused, not redone
        facts = (AppointmentFacts.from_answer(intake.appointment, self._hall_names)
                 if number else None)
        return WalkIn(intake, item, review, work_order_id, facts, linked,
                      at_hub=bool(hub_work_order))

    async def _learn_hall_names(self) -> None:
        """The halls' names, so the clerk reads 东莞市民服务中心, not DG-CITY (best effort)."""
        try:
            halls = await self.intake.gov.halls()
        except LookupFailed as exc:
            log.info("hall names not read: %s", exc)
            return
        self._hall_names = {str(h.get("code", "")): str(h.get("name", "")) for h in halls
                            if h.get("code") and h.get("name")}

    async def finish(self) -> None:
        """The citizen is served: close the work order at the hub, clear the desk, close its
        plugin sessions, free the camera. A hub that refuses keeps the walk-in in hand."""
        walk_in = self.walk_in
        if walk_in is None:
            return
        try:
            await self._close_at_hub(walk_in)
        except HubProblem as exc:
            self.failed.emit(WalkInFailure(LookupProblem.HUB, str(exc), walk_in.work_order_id))
            return
        self.walk_in = None
        self._unsubscribe()
        self._unsubscribe = lambda: None
        self._captures_since = self._clock()
        host = self.intake.host
        if walk_in.intake.sessions and host.sessions == walk_in.intake.sessions:
            await host.close_contact()  # not a call's sessions opened since
        self._set_state(DeskState.IDLE)
        self.opened.emit(None)
        await self._sync_camera()

    # --- the document camera ----------------------------------------------------------

    async def take_capture(self) -> MaterialRef:
        """Take the document camera's newest new image into the walk-in's review."""
        walk_in, folder, cache = self.walk_in, self.camera_folder, self.cache
        if walk_in is None:
            raise CaptureError("no_walk_in", "open an appointment or a walk-in first")
        if folder is None or cache is None:
            raise CaptureError("no_camera", "this seat has no document camera folder")
        path, key = await self._newest_stable(folder)
        try:
            facts = await asyncio.to_thread(
                check_image, path, ImageLimits(max_bytes=self.max_bytes, max_pixels=self.max_pixels)
            )
            stored, sha = await asyncio.to_thread(cache.put_file, path, facts.mime)
        except ImageRefused as problem:
            self._taken.add(key)  # a bad file is reported once, not on every press
            raise CaptureError(problem.reason, problem.message, path.name) from problem
        except OSError as exc:
            raise CaptureError("unreadable", str(exc), path.name) from exc
        self._taken.add(key)
        ref = MaterialRef(
            material_id=opaque_reference("L-"), work_order_id=walk_in.review.work_order_id,
            path=stored, sha256=sha, mime=facts.mime, width=facts.width, height=facts.height,
            byte_size=stored.stat().st_size, filename=path.name, source="document_camera",
            received_at=self._clock(), orientation=facts.orientation)
        if self.walk_in is walk_in:
            self.material_added.emit(ref)
        return ref

    async def _newest_stable(self, folder: Path) -> tuple[Path, tuple[str, int, int]]:
        """The newest untaken image saved since the previous walk-in, once the camera has
        finished writing it (its size holds still for a moment)."""
        for _ in range(12):
            newest = await asyncio.to_thread(self._newest, folder)
            if newest is None:
                raise CaptureError("nothing_new", f"no new image in {folder}")
            path, key = newest
            await asyncio.sleep(0.15)
            again = await asyncio.to_thread(self._key, path)
            if again == key:
                return path, key
        raise CaptureError("still_writing", f"{path.name} is still being written", path.name)

    def _newest(self, folder: Path) -> tuple[Path, tuple[str, int, int]] | None:
        if not folder.is_dir():
            return None
        since_ns = int(self._captures_since * 1e9)
        found = []
        for path in folder.iterdir():
            if path.suffix.lower() not in _IMAGE_SUFFIXES:
                continue
            key = self._key(path)
            if key is not None and key[1] >= since_ns and key not in self._taken:
                found.append((key[1], path.name, path, key))
        if not found:
            return None
        _, _, path, key = max(found)
        return path, key

    @staticmethod
    def _key(path: Path) -> tuple[str, int, int] | None:
        """Name, modification time and size: a camera that reuses one file name still
        gives a new key for each capture."""
        try:
            st = path.stat()
        except OSError:
            return None
        return (path.name, st.st_mtime_ns, st.st_size) if path.is_file() else None

    async def hold_camera(self, hold: bool) -> None:
        """The counter layout is (not) showing: hold the camera for walk-ins meanwhile."""
        self._layout_holds_camera = hold
        await self._sync_camera()

    async def _sync_camera(self) -> None:
        camera = self.call_camera
        want = self._layout_holds_camera or self.walk_in is not None
        if camera is None or want == self._call_camera_paused:
            return
        self._call_camera_paused = want
        if want:
            await camera.stop()
        else:
            camera.start()  # remembers what is there: the counter's captures stay here

    def _set_state(self, state: DeskState) -> None:
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state)
