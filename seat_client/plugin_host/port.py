"""Connects the plugin host to the workstation: what a plugin context may do, done for real.

``WorkstationPluginPort`` implements ``plugin_api.WorkstationPort`` over the workstation's
parts (chat, material transfer, pre-review desk, government API client); ``PluginBridge``
opens the host's sessions when a call starts and closes them when it ends. Counter intake
uses a ``CounterPort`` (no video, no chat) with the same host.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from seat_client import plugin_api as api
from seat_client.acceptance.certificate_desk import CertificateDesk
from seat_client.acceptance.e_licences import LicenceLookupError
from seat_client.call.workstation import ActiveCall, Workstation
from seat_client.materials.transfer import MaterialTransfer
from seat_client.materials.values import MaterialRef
from seat_client.plugin_host.host import PluginHost, material_snapshot
from seat_client.review.annotation_commands import AddShape
from seat_client.review.desk import ReviewDesk
from seat_client.review.shapes import Text, new_shape_id
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)

FormValues = Callable[[], Mapping[str, str]]


def _no_values() -> Mapping[str, str]:
    return {}


class WorkstationPluginPort:
    """A plugin context's hands for one work order of a video call."""

    def __init__(
        self,
        host: PluginHost,
        workstation: Workstation,
        transfer: MaterialTransfer | None,
        work_order_id: str,
        work_dir: Path,
        *,
        gov: api.GovLookups | None = None,
        desk: ReviewDesk | None = None,
        form_values: FormValues = _no_values,
        certificates: CertificateDesk | None = None,
    ) -> None:
        self.gov = gov
        self._certificates = certificates
        self.work_dir = work_dir
        self._host = host
        self._ws = workstation
        self._transfer = transfer
        self._desk = desk
        self._form_values = form_values
        self.work_order_id = work_order_id
        self._materials: dict[str, MaterialRef] = {}
        self._unsubscribe = (transfer.material_received.connect(self._on_material)
                             if transfer else (lambda: None))

    def detach(self) -> None:
        self._unsubscribe()

    def _on_material(self, ref: MaterialRef) -> None:
        if ref.work_order_id == self.work_order_id:
            self._materials[ref.material_id] = ref

    def materials(self) -> tuple[api.MaterialSnapshot, ...]:
        session = self._desk.session if self._desk else None
        refs = dict(self._materials)
        if session is not None and session.work_order_id == self.work_order_id:
            refs.update(session.materials)
        out = []
        for ref in refs.values():
            code = ref.material_code
            status = ""
            if session is not None and session.work_order_id == self.work_order_id:
                code = session.assignments.get(ref.material_id, code)
                mark = session.marks.get(code)
                status = mark.status if mark else ""
            out.append(material_snapshot(MaterialRef(**{**_fields(ref), "material_code": code}),
                                         status))
        return tuple(out)

    def form_values(self) -> Mapping[str, str]:
        return self._form_values()

    def suggest_form_values(self, values: Mapping[str, str]) -> None:
        self._host.form_suggested.emit(dict(values))

    def annotate(self, material_id: str, text: str, x: float, y: float) -> bool:
        session = self._desk.session if self._desk else None
        if session is None or material_id not in session.stacks:
            return False
        session.stacks[material_id].push(AddShape(Text(new_shape_id(), x, y, text)))
        return True

    async def send_text(self, text: str) -> None:
        await self._ws.send_chat(text)

    async def send_image(self, png: bytes, filename: str) -> api.MaterialSnapshot:
        if self._transfer is None:
            raise api.LookupFailed("no material transfer on this workstation")
        ref = await self._transfer.send_annotated(self.work_order_id, png, filename=filename)
        return material_snapshot(ref)

    async def capture_still(self) -> api.MaterialSnapshot:
        call = self._ws.call
        newest = call.session.frames.newest() if call is not None else None
        if call is None or newest is None or self._transfer is None:
            raise api.LookupFailed("no live video to capture a still from")
        ref = await self._transfer.capture_still(self.work_order_id, newest.frame,
                                                 image_format="PNG")
        return material_snapshot(ref)

    async def certificates(self, reason: str) -> tuple[api.CertificateSnapshot, ...]:
        desk = self._certificates
        if desk is None:
            raise api.LookupFailed("本工作站未接入电子证照库")
        try:
            lookup = await desk.request(reason)
        except (LicenceLookupError, TimeoutError) as exc:
            raise api.LookupFailed(str(exc) or "等待群众授权超时") from exc
        if lookup is None or lookup.work_order_id != self.work_order_id:
            return ()
        session = self._desk.session if self._desk else None
        attached = ({v.licence.licence_id: code for code, v in session.certificates.items()}
                    if session is not None else {})
        today = date.today()
        return tuple(api.CertificateSnapshot(
            lic.licence_id, lic.kind, lic.name, lic.masked_number(), lic.holder_name,
            lic.issuer, lic.issued_on, lic.expires_on, lic.status_on(today),
            attached.get(lic.licence_id, "")) for lic in lookup.licences)


class CounterPort:
    """A plugin context's hands at the counter: linked data, no video and no chat."""

    def __init__(self, host: PluginHost, work_dir: Path, *, gov: api.GovLookups | None = None,
                 form_values: FormValues = _no_values,
                 materials: tuple[api.MaterialSnapshot, ...] = ()) -> None:
        self.gov = gov
        self.work_dir = work_dir
        self._host = host
        self._form_values = form_values
        self._materials = materials

    def materials(self) -> tuple[api.MaterialSnapshot, ...]:
        return self._materials

    async def certificates(self, reason: str) -> tuple[api.CertificateSnapshot, ...]:
        raise api.LookupFailed("窗口受理时请在材料预审中查询电子证照")

    def form_values(self) -> Mapping[str, str]:
        return self._form_values()

    def suggest_form_values(self, values: Mapping[str, str]) -> None:
        self._host.form_suggested.emit(dict(values))

    def annotate(self, material_id: str, text: str, x: float, y: float) -> bool:
        return False

    async def send_text(self, text: str) -> None:
        raise api.LookupFailed("the citizen is at the counter: no chat")

    async def send_image(self, png: bytes, filename: str) -> api.MaterialSnapshot:
        raise api.LookupFailed("the citizen is at the counter: print it instead")

    async def capture_still(self) -> api.MaterialSnapshot:
        raise api.LookupFailed("no live video at the counter: use the document camera")


class PluginBridge:
    """Opens the host's plugin sessions with each call and closes them when it ends."""

    def __init__(
        self,
        host: PluginHost,
        workstation: Workstation,
        work_dir: Path,
        *,
        transfer: MaterialTransfer | None = None,
        gov: api.GovLookups | None = None,
        desk: ReviewDesk | None = None,
        certificates: CertificateDesk | None = None,
        form_values: FormValues = _no_values,
        tasks: TaskOwner | None = None,
    ) -> None:
        self.host = host
        self._ws = workstation
        self._work_dir = work_dir
        self._transfer = transfer
        self._gov = gov
        self._desk = desk
        self._form_values = form_values
        self._certificates = certificates
        self.port: WorkstationPluginPort | None = None
        self._tasks = tasks or TaskOwner("plugin bridge")
        self._task: asyncio.Task[Any] | None = None  # the newest switch; each waits for the last
        self._unsubscribe = workstation.call_changed.connect(self._on_call_changed)

    def _on_call_changed(self, call: ActiveCall | None) -> None:
        if call is not None and self.port is not None \
                and self.port.work_order_id == call.work_order_id:
            return
        previous = self._task
        self._task = self._tasks.spawn(self._switch(call, previous), "plugins follow the call")

    async def _switch(self, call: ActiveCall | None, previous: asyncio.Task[Any] | None) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        try:
            if self.port is not None:
                self.port.detach()
                self.port = None
            if call is None:
                await self.host.close_contact()
                return
            started = call.started
            citizen = call.offer.citizen if call.offer else None
            self.port = WorkstationPluginPort(
                self.host, self._ws, self._transfer, call.work_order_id, self._work_dir,
                gov=self._gov, desk=self._desk, form_values=self._form_values,
                certificates=self._certificates)
            await self.host.open_contact(
                api.CallSnapshot(call.work_order_id, started.item_code, started.item_name,
                                 started.channel, call.started_at),
                api.CitizenSnapshot(citizen.name if citizen else started.peer_name,
                                    citizen.id_number if citizen else "",
                                    citizen.phone if citizen else "",
                                    citizen.hall if citizen else ""),
                self.port)
        except Exception:
            log.exception("plugin sessions could not follow the call")

    async def wait_idle(self) -> None:
        """Until the sessions follow the current call (tests, shutdown)."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def close(self) -> None:
        self._unsubscribe()
        await self.wait_idle()
        await self._tasks.close()
        if self.port is not None:
            self.port.detach()
        await self.host.close()


def _fields(ref: MaterialRef) -> dict[str, Any]:
    return {name: getattr(ref, name) for name in ref.__dataclass_fields__}
