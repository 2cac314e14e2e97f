"""The pre-review of the call in hand: its ReviewSession, materials in, the verdict out.

``ReviewDesk`` follows the workstation: when a call starts it opens the
``ReviewSession`` for that work order (restored from the review store if the
workstation ran it before a crash) and keeps it through the wrap-up, until
the next call. Materials the transport receives for that work order are
passed on; a verdict goes out as the annotated images first, then the
verdict itself, so the citizen never gets a verdict that points at images
still on their way.

Events: ``session_changed`` (``ReviewSession | None``), ``material_added``
(``MaterialRef`` for the open session), ``verdict_sent`` (``PreReviewVerdict``,
once the hub has stored and relayed it).
"""

from __future__ import annotations

import logging

from seat_client.call.workstation import ActiveCall, Workstation
from seat_client.materials.document_camera import DocumentCameraFolder
from seat_client.materials.transfer import MaterialTransfer
from seat_client.materials.values import MaterialRef, PreReviewVerdict
from seat_client.review.session import ReasonCode, ReviewError, ReviewSession, ReviewStore
from seat_common.catalog import Catalog
from seat_common.events import Event
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)


class ReviewDesk:
    """One agent's pre-review, call after call."""

    def __init__(
        self,
        workstation: Workstation,
        transfer: MaterialTransfer,
        store: ReviewStore,
        catalog: Catalog,
        reasons: tuple[ReasonCode, ...],
        tasks: TaskOwner | None = None,
    ) -> None:
        self._transfer = transfer
        self._store = store
        self._catalog = catalog
        self._reasons = reasons
        self.session: ReviewSession | None = None
        self.session_changed: Event[ReviewSession | None] = Event()
        self.material_added: Event[MaterialRef] = Event()
        self.verdict_sent: Event[PreReviewVerdict] = Event()
        self._tasks = tasks or TaskOwner("pre-review")
        workstation.call_changed.connect(self._on_call_changed)
        transfer.material_received.connect(self._on_material_received)

    def take_from_document_camera(self, camera: DocumentCameraFolder) -> None:
        """Images the counter's document camera (高拍仪) saves become materials of the
        work order under review: uploaded to the hub, then back through the transfer."""
        camera.material_imported.connect(self._on_camera_image)

    async def close(self) -> None:
        await self._tasks.close()

    def _on_camera_image(self, ref: MaterialRef) -> None:
        session = self.session
        if session is None:
            log.warning("document camera image %s: no work order under review", ref.filename)
            return
        self._tasks.spawn(self._upload(session.work_order_id, ref), "document-camera-upload")

    async def _upload(self, work_order_id: str, ref: MaterialRef) -> None:
        try:
            await self._transfer.upload_file(work_order_id, ref.path, source="document_camera")
        except Exception:
            log.exception("document camera image %s was not uploaded", ref.filename)

    async def send_verdict(self, verdict: PreReviewVerdict, annotated: dict[str, bytes]) -> None:
        """Upload each annotated image (by material id), then the verdict."""
        session = self.session
        for material_id, png in annotated.items():
            code = session.assignments.get(material_id, "") if session else ""
            await self._transfer.send_annotated(
                verdict.work_order_id, png, filename=f"标注-{material_id}.png", material_code=code
            )
        await self._transfer.send_verdict(verdict)
        self.verdict_sent.emit(verdict)

    def _on_call_changed(self, call: ActiveCall | None) -> None:
        if call is None:
            return  # keep the session for the wrap-up
        item = self._catalog.item(call.started.item_code)
        if item is None:
            log.warning("item %s is not in the catalog: no pre-review", call.started.item_code)
            self._open(None)
            return
        session = ReviewSession(call.work_order_id, item, self._reasons)
        try:
            stored = self._store.load(call.work_order_id)
            if stored is not None:
                session.restore(stored)
        except ReviewError as exc:
            log.warning("review of %s not restored: %s", call.work_order_id, exc)
        self._open(session)

    def _open(self, session: ReviewSession | None) -> None:
        self.session = session
        self.session_changed.emit(session)

    def _on_material_received(self, ref: MaterialRef) -> None:
        if self.session is not None and ref.work_order_id == self.session.work_order_id:
            self.material_added.emit(ref)
