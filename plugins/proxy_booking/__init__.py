"""代预约: book a counter appointment for the citizen, linked to what the call collected.

The agent picks a hall and a day, sees the free slots from the government API, and books
one. The booking carries the work order's pre-reviewed materials (hash and verdict), the
scenario answers and the prefilled form, so the clerk who opens the appointment at the
counter finds them ready. The citizen gets a confirmation in the chat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from seat_client.plugin_api import (
    LookupFailed,
    PanelFactory,
    PluginAction,
    PluginContext,
    TaskPlugin,
    hookimpl,
)

#: Items finished at a counter (catalog ``completion: counter``), and 个体户 for citizens
#: who want the offline check booked through the video call.
BOOKABLE = ('HR-ID-RENEW', 'SI-PENSION-CLAIM', 'SI-PENSION-TRANSFER', 'EM-SKILL-TEST',
            'MI-CHRONIC', 'BR-COMPANY-SETUP', 'BR-COMPANY-CHANGE', 'BR-FOOD-LICENCE',
            'BR-DEREGISTER', 'DS-DISABILITY-CARD', 'HR-ID-REISSUE', 'HR-TEMP-ID',
            'HR-BIRTH-REGISTER', 'CT-RESIDENCE-PERMIT', 'EE-HKMO-PERMIT', 'EE-HKMO-ENDORSE',
            'EE-PASSPORT', 'MR-MARRIAGE-BOOK', 'LP-MORTGAGE-CANCEL', 'TR-LICENCE-RENEW',
            'ED-TEACHER-CERT', 'BR-INDIVIDUAL-SETUP')

NAME_FIELDS = ("applicant_name", "operator_name", "pensioner_name")
ID_FIELDS = ("applicant_id_number", "operator_id_number", "pensioner_id_number")
MOBILE_FIELDS = ("mobile", "operator_mobile")


def next_working_day(today: dt.date | None = None) -> str:
    day = (today or dt.date.today()) + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


@dataclass
class Booking:
    """One work order's booking in progress."""

    halls: list[dict[str, Any]] = field(default_factory=list)
    hall: str = ""
    day: str = ""
    slots: list[dict[str, Any]] = field(default_factory=list)
    slot_id: str = ""
    who: dict[str, str] = field(default_factory=dict)
    booked: dict[str, Any] = field(default_factory=dict)
    links: dict[str, Any] = field(default_factory=dict)
    listeners: list[Callable[[], None]] = field(default_factory=list)

    def changed(self) -> None:
        for listener in list(self.listeners):
            listener()


def _first(values: Mapping[str, str], keys: Sequence[str]) -> str:
    return next((values[k] for k in keys if values.get(k)), "")


def links_for(context: PluginContext) -> dict[str, Any]:
    """What the work order holds, to link to the appointment (BookingLinks)."""
    materials = [{"material_code": m.material_code, "sha256": m.sha256,
                  "status": m.status or "accepted", "note": m.filename}
                 for m in context.materials if m.material_code and m.source != "agent_annotated"]
    values = {k: v for k, v in context.form_values().items() if v}
    links: dict[str, Any] = {"materials": materials,
                             "scenario_answers": dict(context.answers)}
    if context.item.form:
        links["form"] = {"code": context.item.form, "values": values}
    return links


class ProxyBooking(TaskPlugin):
    items = BOOKABLE
    title = "代预约"
    title_en = "Proxy booking"

    def __init__(self) -> None:
        self.bookings: dict[str, Booking] = {}

    def booking(self, context: PluginContext) -> Booking:
        return self.bookings.setdefault(context.call.work_order_id, Booking())

    def choose(self, context: PluginContext, *, hall: str = "", day: str = "",
               slot_id: str = "", who: Mapping[str, str] | None = None) -> None:
        b = self.booking(context)
        b.hall = hall or b.hall
        b.day = day or b.day
        b.slot_id = slot_id or b.slot_id
        b.who.update(who or {})
        b.changed()

    async def find_slots(self, context: PluginContext) -> None:
        b = self.booking(context)
        if not b.halls:
            b.halls = [dict(h) for h in await context.gov.halls()]
        b.hall = b.hall or str(b.halls[0]["code"])
        b.day = b.day or next_working_day()
        b.slots = [dict(s) for s in await context.gov.slots(b.hall, b.day)]
        free = [s for s in b.slots if int(s.get("available", 0)) > 0]
        if b.slot_id not in {s["slot_id"] for s in free}:
            b.slot_id = str(free[0]["slot_id"]) if free else ""
        if not free:
            context.notify("该大厅当天已约满，请换一天或换一个大厅", "warning")
        b.changed()

    async def book(self, context: PluginContext) -> None:
        b = self.booking(context)
        if not b.slot_id:
            raise LookupFailed("先查询并选择一个空闲时段")
        values = context.form_values()
        who = {"name": b.who.get("name") or _first(values, NAME_FIELDS),
               "id_number": b.who.get("id_number") or _first(values, ID_FIELDS),
               "mobile": b.who.get("mobile") or _first(values, MOBILE_FIELDS)}
        if context.id_number_problem(who["id_number"]):
            raise LookupFailed("预约需要群众的完整身份证号码（在表单或面板中填写）")
        if not who["name"] or "*" in who["name"]:
            raise LookupFailed("预约需要群众的姓名（在表单中填写）")
        b.links = links_for(context)
        body = {"slot_id": b.slot_id, **who, "item_code": context.item.code,
                "work_order_id": context.call.work_order_id, "links": b.links}
        b.booked = dict(await context.gov.book(
            f"{context.call.work_order_id}:booking:{b.slot_id}", body))
        hall = next((h for h in b.halls if h.get("code") == b.booked["hall"]), {})
        bring = "、".join(m.name for m in context.item.materials if m.required)
        await context.send_to_citizen(
            f"已为您预约「{context.item.name}」：{hall.get('name', b.booked['hall'])}"
            f"（{hall.get('address', '')}），{b.booked['date']} {b.booked['start']}，"
            f"预约号 {b.booked['booking_no']}。已预审的材料和填好的表单已随预约转给窗口，"
            f"请带上原件：{bring}。")
        context.notify(f"预约成功：{b.booked['booking_no']}")
        b.changed()

    # --- hooks --------------------------------------------------------------------------

    @hookimpl
    def actions_will_list(self, context: PluginContext) -> Sequence[PluginAction]:
        if context.call.channel == "counter":
            return ()
        return (
            PluginAction("slots", "查询空闲时段", "Find free slots", self.find_slots,
                         "Ctrl+Shift+F"),
            PluginAction("book", "代预约", "Book for the citizen", self.book, "Ctrl+Shift+B"),
        )

    @hookimpl
    def appointment_did_open(self, context: PluginContext, appointment: Mapping[str, Any]
                             ) -> None:
        links = appointment.get("links") or {}
        count = len(links.get("materials") or [])
        form = links.get("form") or {}
        context.notify(f"预约 {appointment.get('booking_no')}：已关联材料 {count} 份，"
                       f"表单 {len(form.get('values') or {})} 项已预填")

    @hookimpl
    def panel_will_open(self, context: PluginContext) -> PanelFactory | None:
        if context.call.channel == "counter":
            return None

        def make(ctx: PluginContext, parent: Any) -> Any:
            from plugins.proxy_booking.panel import BookingPanel

            return BookingPanel(self, ctx, parent)

        return make

    @hookimpl
    def call_did_end(self, context: PluginContext) -> None:
        self.bookings.pop(context.call.work_order_id, None)
