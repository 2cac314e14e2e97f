"""Materials out of the hub: downloads to the parties of a work order, and verdicts.

``fetch_material`` is answered with ``material_download`` and the file as
binary chunks read from the store in the thread pool; the hub never queues
more than ``download_buffer_bytes`` for a client that reads slowly. A
``review_verdict`` is checked (its material ids must be the work order's),
stored as the next revision and sent to that work order's citizen only.
``other_party`` says who may touch a work order's materials: its citizen
and its agent, during the call and until the work order is forgotten.

A proxy booking's photos go on to the counter: the video agent tells the hub of the
booking (``booking_made``: its number and hall, kept once), and a clerk fetches a
photo by the booking number and its SHA-256 (``fetch_booked_material``) — only a
clerk whose seat is in the booking's hall (the seats file's ``hall`` is the
government API's hall code or name), or a supervisor. Every such fetch, allowed or
refused, is in the audit log before anything is read; a fetch whose row cannot be
written is refused.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from seat_common.protocol import (
    CHUNK_BYTES,
    CHUNK_DOWNLOAD,
    Ack,
    BookingMade,
    FetchBookedMaterial,
    FetchMaterial,
    MaterialDownload,
    Message,
    PreReviewNotice,
    ReviewVerdict,
    pack_chunk,
)
from seat_common.tasks import TaskOwner
from seat_hub.context import HubContext, Refusal
from seat_hub.parties.session import Session
from seat_hub.storage.interface import MaterialIndex
from seat_hub.storage.records import BookingRecord
from seat_hub.supervision.audit import record_first, record_read


class DeliveryLimits(Protocol):
    """The settings the delivery uses (``materials.MaterialSettings`` has them)."""

    @property
    def max_concurrent_downloads(self) -> int: ...

    @property
    def download_buffer_bytes(self) -> int: ...


def other_party(ctx: HubContext, session: Session, work_order_id: str) -> Session | None:
    """The other party of a work order ``session`` is in (live or in wrap-up)."""
    for call in ctx.live.calls.values():
        if call.contact.work_order_id == work_order_id and call.has_party(session):
            return call.other_party(session)
    ended = ctx.live.ended.get(work_order_id)
    if ended is not None:
        if session.role == "agent" and ended.agent_id == session.agent_id:
            citizen = ended.citizen_session
            return None if citizen.closing else citizen
        if ended.citizen_session is session:
            agent = ctx.live.agents.get(ended.agent_id)
            return agent.session if agent is not None else None
    raise Refusal("no_such_work_order", "not a work order of yours", "work_order_id")


class MaterialDelivery:
    """Downloads and verdicts for the materials desk; each download streams as a task of
    ``tasks`` (the desk's), remembered per session so that a gone session's downloads stop."""

    def __init__(
        self,
        ctx: HubContext,
        records: MaterialIndex,
        store_dir: Path,
        pool: ThreadPoolExecutor,
        limits: DeliveryLimits,
        tasks: TaskOwner,
    ) -> None:
        self.ctx = ctx
        self.records = records
        self.store_dir = store_dir
        self._pool = pool
        self.max_concurrent_downloads = limits.max_concurrent_downloads
        self.download_buffer_bytes = limits.download_buffer_bytes
        self._tasks = tasks
        self._downloads: dict[tuple[str, int], asyncio.Task[None]] = {}

    def session_gone(self, session: Session) -> None:
        for key in [k for k in self._downloads if k[0] == session.session_id]:
            self._downloads.pop(key).cancel()

    # --- downloads ------------------------------------------------------------

    async def on_fetch(self, session: Session, message: FetchMaterial) -> None:
        info = await self.records.get(message.material_id)
        if info is None:
            raise Refusal("no_such_material", "no such material", "material_id")
        other_party(self.ctx, session, info.work_order_id)
        self.check_room(session, message.download_id)
        # An agent opening a citizen's document: in the audit log before a byte leaves.
        await record_read(self.ctx, session, "fetch_material", info.work_order_id,
                          f"{info.material_id} {info.material_code}")
        self.send_file(session, message.download_id,
                       MaterialDownload(download_id=message.download_id, material=info),
                       self.store_dir / info.sha256[:2] / info.sha256)

    # --- a proxy booking's photos at the counter -------------------------------------

    async def on_booking_made(self, session: Session, message: BookingMade) -> None:
        other_party(self.ctx, session, message.work_order_id)  # the booking agent's own
        kept = await self.records.link_booking(BookingRecord(
            message.booking_no, message.work_order_id, message.hall, message.hall_name,
            session.agent_id, self.ctx.clock()))
        if not kept:
            raise Refusal("bad_state", "this booking number belongs to another work order",
                          "booking_no")
        session.send(Ack(of="booking_made", work_order_id=message.work_order_id))
        self.ctx.log.event("booking_made", work_order_id=message.work_order_id,
                           booking_no=message.booking_no, hall=message.hall)

    async def on_fetch_booked(self, session: Session, message: FetchBookedMaterial) -> None:
        ctx = self.ctx
        booking = await self.records.booking(message.booking_no)
        if booking is None:
            raise Refusal("no_such_material", "没有该预约号的预审材料（预约未关联视频工单）",
                          "booking_no")
        self.check_room(session, message.download_id)
        detail = f"{message.booking_no} {message.sha256[:16]}"
        seat = ctx.seats.get(session.agent_id)
        hall = seat.hall if seat is not None else ""
        if session.role != "supervisor" and hall not in (booking.hall, booking.hall_name):
            # A refused look is evidence too: in the log, then refused.
            await record_first(ctx, session, "fetch_booked_material", booking.work_order_id,
                               detail, "refused:not_allowed")
            shown = booking.hall_name or booking.hall
            raise Refusal("not_allowed", f"该预约在「{shown}」办理，本窗口（{hall or '未设大厅'}）"
                          "无权查看其材料。", "booking_no")
        found = [m for m in await self.records.of_work_order(booking.work_order_id)
                 if m.sha256 == message.sha256]
        if not found:
            raise Refusal("no_such_material", "该预约没有这份材料（可能已过保存期限）", "sha256")
        info = found[-1]
        await record_read(ctx, session, "fetch_booked_material", booking.work_order_id,
                          f"{detail} {info.material_code}")
        self.send_file(session, message.download_id,
                       MaterialDownload(download_id=message.download_id, material=info),
                       self.store_dir / info.sha256[:2] / info.sha256)

    def check_room(self, session: Session, download_id: int) -> None:
        """Refuse a download id in use, or one download too many for ``session``."""
        key = (session.session_id, download_id)
        if key in self._downloads:
            raise Refusal("bad_state", "this download id is in use", "download_id")
        if sum(1 for k in self._downloads if k[0] == key[0]) >= self.max_concurrent_downloads:
            raise Refusal("rate_limited", "too many downloads at once", "download_id")

    def send_file(self, session: Session, download_id: int, header: Message, path: Path) -> None:
        """Send ``header``, then ``path`` as ``CHUNK_DOWNLOAD`` chunks under ``download_id``
        (room checked again: another fetch may have started while the caller awaited)."""
        self.check_room(session, download_id)
        key = (session.session_id, download_id)
        session.send(header)
        # A failed download is logged by the task owner (as ``internal_error``, ``download``).
        task = self._tasks.spawn(self._stream(session, download_id, path), "download")
        self._downloads[key] = task
        task.add_done_callback(lambda t: self._download_done(key, t))

    async def _stream(self, session: Session, download_id: int, path: Path) -> None:
        loop = asyncio.get_running_loop()
        file = await loop.run_in_executor(self._pool, path.open, "rb")
        try:
            seq = 0
            while not session.closing:
                data = await loop.run_in_executor(self._pool, file.read, CHUNK_BYTES)
                if not data:
                    return
                session.send_binary(pack_chunk(CHUNK_DOWNLOAD, download_id, seq, data))
                seq += 1
                await session.wait_for_room(self.download_buffer_bytes)
        finally:
            await loop.run_in_executor(self._pool, file.close)

    def _download_done(self, key: tuple[str, int], task: asyncio.Task[None]) -> None:
        if self._downloads.get(key) is task:
            del self._downloads[key]

    # --- verdicts --------------------------------------------------------------

    async def on_verdict(self, session: Session, message: ReviewVerdict) -> None:
        citizen = other_party(self.ctx, session, message.work_order_id)
        known = {m.material_id for m in await self.records.of_work_order(message.work_order_id)}
        for i, entry in enumerate(message.entries):
            unknown = [m for m in entry.material_ids if m not in known]
            if unknown:
                raise Refusal(
                    "no_such_material",
                    f"material {unknown[0]} is not in this work order",
                    f"entries[{i}].material_ids",
                )
        now = self.ctx.clock()
        revision = await self.records.add_verdict(
            message.work_order_id, session.agent_id, message.item_code, message.entries, now
        )
        if citizen is not None:
            citizen.send(
                PreReviewNotice(
                    work_order_id=message.work_order_id,
                    item_code=message.item_code,
                    entries=message.entries,
                    revision=revision,
                    decided_at=now,
                )
            )
        session.send(Ack(of="review_verdict", work_order_id=message.work_order_id))
        self.ctx.log.event(
            "verdict",
            work_order_id=message.work_order_id,
            agent_id=session.agent_id,
            revision=revision,
            statuses=[e.status for e in message.entries],
            delivered=citizen is not None,
        )
