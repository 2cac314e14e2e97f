"""The built-in task plugins end to end: a real hub, the real government-API sandbox, a
simulated citizen on a real WebRTC call, the plugin tab on screen. Each test drives one
plugin's flow the way an agent would and checks what the citizen, the sandbox and the
work order end up with.

A panel action's first effect (a notice, a table, a number) shows while the action still
runs, and the panel ignores clicks until it ends: after a click, the tests wait for the
effect and for the panel to be idle, or a busy machine makes the next click vanish."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.gov_api_process import GovApiProcess
from seat_client import plugin_api as api
from seat_client.acceptance.form_state import FormState
from seat_client.acceptance.gov_api_client import GovApiClient, KeyringGovApiCredentials
from seat_client.plugin_host.host import GovApiLookups, PluginHost, PluginSession
from seat_client.plugin_host.port import CounterPort, PluginBridge
from seat_common import catalog
from seat_common.forms import FormLibrary
from tests.integration.conftest import Seat, until
from ui.plugin_host.panel import PluginPanel

ID_NUMBER = "11010519491231002X"
OUT = Path(__file__).resolve().parents[2] / "out" / "plugins"


@dataclass
class Desk:
    """The seat with the plugin host wired as the lead wires it, and a form to fill."""

    seat: Seat
    gov_api: GovApiProcess
    client: GovApiClient
    host: PluginHost
    bridge: PluginBridge
    panel: PluginPanel
    forms: FormLibrary
    suggested: dict[str, str]
    form: FormState | None = None

    def session(self, name: str) -> PluginSession:
        return next(s for s in self.host.sessions if s.name == name)

    async def call(self, item: str, *, photos: Sequence[str] = ()) -> asyncio.Task[Any]:
        ws = self.seat.workstation
        citizen = SimulatedCitizen(
            self.seat.hub.url, item, "kiosk", "吴小梅", id_number=ID_NUMBER,
            phone="13800138000",
            script=CitizenScript(photos=tuple(photos), photo_width=1200, photo_height=900),
            kiosk=self.seat.hub.kiosk_login())
        run = asyncio.get_running_loop().create_task(citizen.run())
        await ws.set_ready()
        await until(lambda: ws.offer is not None, "the call rings")
        await ws.accept()
        await until(lambda: bool(self.panel.pages), "the plugin pages open with the call")
        schema = self.forms.get(catalog.load().items[item].form)
        self.form = FormState(schema, self.forms.regions) if schema else None
        if self.form is not None:
            self.form.prefill(self.suggested)
        return run


@pytest.fixture
async def desk(seat: Seat, gov_api: GovApiProcess, qtbot: QtBot, tmp_path: Path
               ) -> AsyncIterator[Desk]:
    creds = KeyringGovApiCredentials(gov_api.client_id, service=f"seat-test-{uuid.uuid4()}")
    creds.set_client_secret(gov_api.client_secret)
    client = GovApiClient(gov_api.url, creds, timeout_s=5.0)
    host = PluginHost(catalog.load(), hook_time_limit_s=2.0)
    forms = FormLibrary()
    holder: dict[str, Desk] = {}

    def form_values() -> Mapping[str, str]:
        form = holder["desk"].form
        return dict(form.values) if form else {}

    bridge = PluginBridge(host, seat.workstation, tmp_path / "work-orders",
                          transfer=seat.pre_review.transfer, gov=GovApiLookups(client),
                          desk=seat.pre_review.desk, form_values=form_values)
    panel = PluginPanel(host)
    panel.resize(560, 700)
    panel.show()
    d = Desk(seat, gov_api, client, host, bridge, panel, forms, suggested={})
    holder["desk"] = d

    def on_suggested(values: dict[str, str]) -> None:
        d.suggested.update(values)
        if d.form is not None:
            d.form.prefill(values)

    host.form_suggested.connect(on_suggested)
    yield d
    panel.detach()
    panel.close()
    await bridge.close()
    await client.close()
    creds.save_token(None)


def snapshot(widget: Any, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(OUT / f"{name}.png"))


def pdf_to_png(pdf: Path, name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf),
                    str(OUT / name)], check=True, timeout=30)
    return OUT / f"{name}.png"


async def finish(d: Desk, run: asyncio.Task[Any]) -> Any:
    await d.seat.workstation.hang_up()
    report = await asyncio.wait_for(run, 20)
    await d.bridge.wait_idle()
    return report


async def test_unemployment_query_checks_identity_looks_up_sends_and_prints(desk: Desk) -> None:
    run = await desk.call("SI-UNEMP-QUERY")
    s = desk.session("unemployment_query")
    page = desk.panel.pages["unemployment_query"]
    assert set(page.buttons) == {"lookup", "send", "print"}
    page.buttons["lookup"].click()  # before the identity check: refused, with a reason
    await until(lambda: desk.panel.notices.count() > 0 and desk.panel.idle(),
                "a notice explains why")
    assert "核验身份" in desk.panel.notices.item(0).text()
    assert not s.plugin.state(s.context).details
    panel = page.custom
    assert panel is not None
    panel.id_edit.setText("110105194912310021")  # a typo: the check digit is wrong
    panel.id_edit.editingFinished.emit()
    assert "✘" in panel.check.text()
    panel.id_edit.setText(ID_NUMBER)
    panel.id_edit.editingFinished.emit()
    assert "✔" in panel.check.text()
    page.buttons["lookup"].click()
    await until(lambda: panel.table.rowCount() == 5 and desk.panel.idle(),
                "the table fills from the sandbox")
    assert panel.table.item(0, 0).text() == "参保状态"
    page.buttons["send"].click()
    await until(desk.panel.idle, "the table is sent")
    page.buttons["print"].click()
    await until(desk.panel.idle, "the print action ends")
    assert s.plugin.state(s.context).printout
    pdf = Path(s.plugin.state(s.context).printout)
    assert pdf.parent.parent.name == s.context.call.work_order_id
    assert (await asyncio.to_thread(pdf.read_bytes)).startswith(b"%PDF")
    pdf_to_png(pdf, "unemployment-details")
    snapshot(desk.panel, "unemployment-panel")
    report = await finish(desk, run)
    assert any("参保状态" in t for t in report.chats_received), "the table reached the citizen"
    lookups = [r for r in desk.gov_api.requests()
               if r.get("path") == "/v1/unemployment-insurance/person-queries"]
    assert lookups, "the plugin looked the citizen up"
    # The ID number went in the body: no request line the API or a gateway logs holds it.
    assert not any(ID_NUMBER in str(r.get("path", "")) for r in desk.gov_api.requests())
    assert desk.host.disabled == {}


async def test_pension_certification_with_stills_checklist_and_evidence(desk: Desk) -> None:
    run = await desk.call("SI-PENSION-CERT", photos=("id_front",))
    s = desk.session("pension_certification")
    page = desk.panel.pages["pension_certification"]
    ws = desk.seat.workstation
    assert ws.call is not None
    await until(lambda: ws.call is not None and ws.call.session.frames.newest() is not None,
                "the citizen's video arrives")
    await until(lambda: any(m.material_code == "id_card" for m in s.context.materials),
                "the ID card photo is on file", 30)
    cert = s.plugin.cert(s.context)
    photo = next(m for m in s.context.materials if m.material_code == "id_card")
    s.context.annotate(photo.material_id, "证件照已核对")  # through the review's undo stack
    review = desk.seat.pre_review.desk.session
    assert review is not None
    await until(lambda: len(review.layers[photo.material_id]) == 1, "the note is on the photo")
    assert review.stacks[photo.material_id].undo(), "the agent can undo a plugin's note"
    assert len(review.layers[photo.material_id]) == 0
    page.buttons["submit"].click()  # nothing checked yet: refused, nothing sent
    await until(lambda: desk.panel.notices.count() > 0 and desk.panel.idle(),
                "the refusal is shown")
    assert "未确认" in desk.panel.notices.item(0).text()
    for _ in range(2):
        page.buttons["capture"].click()
        await until(desk.panel.idle, "the still is stored")
    assert len(cert.stills) == 2 and all(m.source == "video_still" for m in cert.stills)
    for box in page.custom.boxes.values():
        box.setChecked(True)
    assert desk.form is not None
    assert desk.form.value("certification_way") == "video", "the plugin prefilled the way"
    for code, value in {"pensioner_name": "吴小梅", "pensioner_id_number": ID_NUMBER,
                        "mobile": "13800138000", "pension_start": "2015-03-01",
                        "residence": "local"}.items():
        desk.form.set_value(code, value)
    desk.form.confirm_all()
    assert desk.form.missing() == []
    assert await desk.host.check_submit(desk.form.values) == []
    snapshot(desk.panel, "pension-panel")
    page.buttons["submit"].click()
    await until(lambda: bool(cert.application_no) and desk.panel.idle(),
                "the certification is accepted", 20)
    rows = desk.gov_api.applications()
    assert [r["item_code"] for r in rows] == ["SI-PENSION-CERT"]
    evidence = rows[0]["body"]["evidence"]
    assert [e["sha256"] for e in evidence["stills"]] == [m.sha256 for m in cert.stills]
    assert all(evidence["checklist"].values()) and evidence["id_photos"]
    kept = desk.bridge._work_dir / s.context.call.work_order_id / "pension_certification"
    assert json.loads((kept / "evidence.json").read_text())["stills"] == evidence["stills"]
    report = await finish(desk, run)
    assert any(cert.application_no in t for t in report.chats_received)


async def answer(desk: Desk, plugin: str, answers: Mapping[str, str]) -> None:
    page = desk.panel.pages[plugin]
    for code, value in answers.items():
        box = page.questions[code]
        box.setCurrentIndex(box.findData(value))
    # The answers are recorded at once; the checklist is chosen again after: wait for both.
    await until(lambda: desk.session(plugin).context.answers == dict(answers)
                and desk.panel.idle(), "the answers are taken")


BUSINESS = {"operator_name": "吴小梅", "operator_id_number": ID_NUMBER,
            "operator_mobile": "13800138000",
            "business_scope": "小吃服务；预包装食品销售",
            "premises_address": "东莞市南城街道鸿福路1号",
            "lease_period": "2026-01-01/2028-12-31", "capital_wan_yuan": "5", "employees": "2",
            "business_name": "东莞市南城小梅小吃店"}


async def test_business_registration_from_scenario_to_licence(desk: Desk) -> None:
    run = await desk.call("BR-INDIVIDUAL-SETUP")
    s = desk.session("business_registration")
    await answer(desk, "business_registration",
                 {"operator_type": "individual", "premises_tenure": "rented",
                  "licensed_trade": "yes"})
    assert s.checklist is not None
    codes = [m.code for m in s.checklist.materials]
    assert codes == ["id_card", "premises_proof", "lease", "landlord_title", "trade_permit"]
    assert s.checklist.form_variant == "individual/rented"
    assert desk.form is not None
    assert desk.form.value("premises_tenure") == "rented", "answers flow into the form"
    assert desk.form.value("operator_name") == "", "a masked name is never prefilled"
    for code, value in BUSINESS.items():
        desk.form.set_value(code, value)
    desk.form.confirm_all()
    assert desk.form.missing() == []
    desk.panel.pages["business_registration"].buttons["register"].click()
    reg = s.plugin.registration(s.context)
    await until(lambda: bool(reg.printout) and desk.panel.idle(), "the licence is issued", 20)
    assert len(reg.licence_no) == 18 and reg.licence_no.startswith("92441900")
    pdf_to_png(Path(reg.printout), "business-licence")
    snapshot(desk.panel, "business-panel")
    report = await finish(desk, run)
    assert any(reg.licence_no in t for t in report.chats_received)


async def test_proxy_booking_links_the_work_order_and_the_counter_finds_it(desk: Desk) -> None:
    run = await desk.call("BR-INDIVIDUAL-SETUP", photos=("id_front",))
    await answer(desk, "business_registration",
                 {"operator_type": "family", "premises_tenure": "owned", "licensed_trade": "no"})
    assert desk.form is not None
    for code, value in BUSINESS.items():
        if code != "lease_period":
            desk.form.set_value(code, value)
    session = desk.seat.pre_review.desk.session
    assert session is not None
    await until(lambda: bool(session.images_for("id_card")), "the ID photo arrives", 30)
    session.mark("id_card", "accepted")
    page = desk.panel.pages["proxy_booking"]
    page.buttons["slots"].click()
    s = desk.session("proxy_booking")
    booking = s.plugin.booking(s.context)
    # The action is still running when the slot appears; a click meanwhile would be ignored.
    await until(lambda: bool(booking.slot_id) and desk.panel.idle(), "free slots are listed")
    assert page.custom.slots.count() == 12 and page.custom.hall.count() == 3
    page.custom.slots.setCurrentRow(3)
    chosen = booking.slot_id
    assert chosen.endswith("1030")
    desk.panel.tabs.setCurrentWidget(page)
    snapshot(desk.panel, "booking-panel")
    page.buttons["book"].click()
    await until(lambda: bool(booking.booked) and desk.panel.idle(), "the slot is booked", 20)
    assert booking.booked["slot_id"] == chosen
    number = booking.booked["booking_no"]
    report = await finish(desk, run)
    assert any(number in t and "请带上原件" in t for t in report.chats_received)

    # At the counter, another day: the clerk types the number and finds it all there.
    appointment = await GovApiLookups(desk.client).appointment(number)
    links = appointment["links"]
    assert links["scenario_answers"] == {"operator_type": "family", "premises_tenure": "owned",
                                         "licensed_trade": "no"}
    assert links["form"]["code"] == "individual_business"
    assert links["form"]["values"]["business_scope"] == BUSINESS["business_scope"]
    assert [(m["material_code"], m["status"]) for m in links["materials"]] == \
        [("id_card", "accepted")]
    desk.suggested.clear()
    counter = PluginHost(catalog.load())
    got: dict[str, str] = {}
    counter.form_suggested.connect(got.update)
    notices: list[api.PluginNotice] = []
    counter.notice.connect(notices.append)
    sessions = await counter.open_appointment(appointment, CounterPort(counter, Path("/tmp")))
    business = next(x for x in sessions if x.name == "business_registration")
    assert business.checklist is not None
    assert "family_member_id" in [m.code for m in business.checklist.materials]
    assert got["business_scope"] == BUSINESS["business_scope"]
    assert any(number in n.text and "已关联材料 1 份" in n.text for n in notices)
    await counter.close()


async def test_a_raising_and_a_hanging_plugin_do_not_stop_the_call(desk: Desk) -> None:
    class Raises(api.TaskPlugin):
        items = ("SI-UNEMP-QUERY",)

        @api.hookimpl
        def call_did_start(self, context: api.PluginContext) -> None:
            raise RuntimeError("plugin bug")

    class Hangs(api.TaskPlugin):
        items = ("SI-UNEMP-QUERY",)

        @api.hookimpl
        async def scenario_will_ask(self, context: api.PluginContext) -> Any:
            await asyncio.sleep(3600)

    desk.host.load_all()
    desk.host.register("raises", Raises)
    desk.host.register("hangs", Hangs)
    run = await desk.call("SI-UNEMP-QUERY")
    await until(lambda: {"raises", "hangs"} <= set(desk.host.disabled), "both switched off", 10)
    page = desk.panel.pages["raises"]
    assert not page.banner.isHidden() and "plugin bug" in page.banner.text()
    assert desk.panel.pages["unemployment_query"].banner.isHidden()
    snapshot(desk.panel, "disabled-plugin")
    await desk.seat.workstation.send_chat("还在吗？")
    ws = desk.seat.workstation
    assert ws.call is not None, "the call goes on"
    report = await finish(desk, run)
    assert "还在吗？" in report.chats_received
    assert report.ended_by == "agent"
