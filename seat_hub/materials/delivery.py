"""Materials out of the hub: downloads to the parties of a work order, and verdicts.

``fetch_material`` is answered with ``material_download`` and the file as
binary chunks read from the store in the thread pool; the hub never queues
more than ``download_buffer_bytes`` for a client that reads slowly. A
``review_verdict`` is checked (its material ids must be the work order's),
stored as the next revision and sent to that work order's citizen only.
``other_party`` says who may touch a work order's materials: its citizen
and its agent, during the call and until the work order is forgotten.
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
from seat_hub.supervision.audit import record_read


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
