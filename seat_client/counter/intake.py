"""Counter mode's walk-in intake (综窗): open an appointment by its number and start from
what the video call already collected — the pre-reviewed materials, the scenario answers
and the prefilled form the proxy booking linked to it — through the same task plugins.

``CounterIntake.open`` fetches the appointment from the government API and opens the plugin
sessions for it (``PluginHost.open_appointment``); the returned ``Intake`` holds the form,
prefilled and waiting for the clerk's confirmation, and the linked materials with their
pre-review verdicts. ``CounterIntake.blank`` is the same intake without an appointment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seat_client import plugin_api as api
from seat_client.acceptance.form_state import FormState
from seat_client.plugin_host.host import PluginHost, PluginSession
from seat_client.plugin_host.port import CounterPort
from seat_common.forms import FormLibrary


@dataclass
class Intake:
    """One walk-in: the item, its form, the materials on hand and the plugin sessions."""

    item_code: str
    booking_no: str
    form: FormState | None
    materials: tuple[api.MaterialSnapshot, ...]
    answers: dict[str, str] = field(default_factory=dict)
    sessions: tuple[PluginSession, ...] = ()
    #: the government API's answer for the appointment (empty for a walk-in without one)
    appointment: dict[str, Any] = field(default_factory=dict)

    def checklist(self) -> tuple[api.MaterialRequirement, ...]:
        """The materials the plugins' checklist asks for (the last plugin with one wins)."""
        chosen = [s.checklist for s in self.sessions if s.checklist is not None]
        return chosen[-1].materials if chosen else ()

    def materials_missing(self) -> list[str]:
        have = {m.material_code for m in self.materials if m.status == "accepted"}
        return [m.code for m in self.checklist() if m.required and m.code not in have]


def linked_materials(links: Mapping[str, Any]) -> tuple[api.MaterialSnapshot, ...]:
    """The booking's material references (hash and verdict; the image stays at the hub)."""
    out = []
    for i, m in enumerate(links.get("materials") or ()):
        out.append(api.MaterialSnapshot(
            material_id=f"linked-{i}", material_code=str(m.get("material_code", "")),
            filename=str(m.get("note", "")), path=Path(), sha256=str(m.get("sha256", "")),
            mime="", width=0, height=0, source="citizen_upload",
            status=str(m.get("status", ""))))
    return tuple(out)


class CounterIntake:
    """A clerk's intake desk: the plugin host, the API and the forms."""

    def __init__(self, host: PluginHost, gov: api.GovLookups, forms: FormLibrary,
                 work_dir: Path) -> None:
        self.host = host
        self.gov = gov
        self.forms = forms
        self.work_dir = work_dir

    async def open(self, booking_no: str) -> Intake:
        """Open the appointment ``booking_no``; raises ``LookupFailed`` if there is none."""
        appointment = await self.gov.appointment(booking_no.strip())
        links = appointment.get("links") or {}
        item = self.host.catalog.item(str(appointment.get("item_code", "")))
        schema = self.forms.get(item.form) if item and item.form else None
        form = FormState(schema, self.forms.regions) if schema else None
        materials = linked_materials(links)
        port = CounterPort(self.host, self.work_dir, gov=self.gov,
                           form_values=lambda: dict(form.values) if form else {},
                           materials=materials)
        unsubscribe = self.host.form_suggested.connect(
            lambda values: form.prefill(values) if form else None)
        try:
            sessions = await self.host.open_appointment(appointment, port)
        finally:
            unsubscribe()
        return Intake(str(appointment.get("item_code", "")), booking_no, form, materials,
                      dict(links.get("scenario_answers") or {}), sessions, dict(appointment))

    async def blank(self, item_code: str) -> Intake:
        """A walk-in without an appointment: nothing linked, everything from scratch."""
        item = self.host.catalog.item(item_code)
        schema = self.forms.get(item.form) if item and item.form else None
        form = FormState(schema, self.forms.regions) if schema else None
        port = CounterPort(self.host, self.work_dir, gov=self.gov,
                           form_values=lambda: dict(form.values) if form else {})
        unsubscribe = self.host.form_suggested.connect(
            lambda values: form.prefill(values) if form else None)
        try:
            sessions = await self.host.open_appointment(
                {"booking_no": "", "item_code": item_code}, port)
        finally:
            unsubscribe()
        return Intake(item_code, "", form, (), {}, sessions)
