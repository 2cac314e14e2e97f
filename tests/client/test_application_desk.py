"""The application desk owns the application of the contact in hand: a call opens its item's
form prefilled with the caller's name and keeps it through the wrap-up; a walk-in opens
its own and clearing it never clears a call's; materials follow the call's sent verdict
and the walk-in's marks; the plugins' suggestions wait while the counter opens a walk-in;
a submit answers with what is missing or saves once; the outbox's answer comes back onto
the form (field errors, the receipt's acceptance); an applicant whose ID number differs from
the caller's (the kiosk's card read, the masked number given when queuing) stops the submit
until the agent confirms it, and the confirmation is recorded with the application."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from seat_client import plugin_api as api
from seat_client.acceptance.desk import (
    ApplicationContext,
    ApplicationDesk,
    ApplicationInHand,
    ContactKind,
    SubmitAnswer,
)
from seat_client.acceptance.gov_api_client import Application, FieldErrors, FieldProblem
from seat_client.acceptance.outbox import SubmissionOutbox
from seat_client.acceptance.outbox_entries import OutboxEntry, OutboxState
from seat_client.call.hub_link import HubLink
from seat_client.call.workstation import Workstation
from seat_client.counter.applications import follow_walk_ins
from seat_client.counter.intake import CounterIntake
from seat_client.counter.walk_in import WalkInDesk
from seat_client.materials.cache import MaterialCache
from seat_client.materials.transfer import MaterialTransfer
from seat_client.materials.values import MaterialVerdict, PreReviewVerdict
from seat_client.plugin_host.host import PluginHost
from seat_client.review import session as review
from seat_client.review.desk import ReviewDesk
from seat_client.review.session import ReviewStore
from seat_common import catalog, protocol
from seat_common.forms import FormLibrary

PENSION = "SI-PENSION-CERT"  # form pension_certification
QUERY = "SI-UNEMP-QUERY"  # its form taken away here: an item without one
BUSINESS = "BR-INDIVIDUAL-SETUP"  # form individual_business


class InstantApi:
    """A test ``ApplicationsApi`` that accepts at once, or refuses fields once if told to."""

    def __init__(self) -> None:
        self.refuse: tuple[FieldProblem, ...] = ()
        self.bodies: list[dict[str, Any]] = []

    async def submit_application(self, key: str, body: dict[str, Any]) -> Application:
        self.bodies.append(body)
        if self.refuse:
            problems, self.refuse = self.refuse, ()
            raise FieldErrors("申请表有误", problems)
        return Application(f"SL-20261128-{len(self.bodies):06d}", body["item_code"], "received",
                           "", "2026-11-28T06:00:00Z")

    async def application(self, number: str) -> Application:
        return Application(number, "", "received", "", "")


class Appointments:
    """The government API's appointments as the counter reads them; a lookup can be held."""

    def __init__(self) -> None:
        self.hold: asyncio.Event | None = None

    async def appointment(self, booking_no: str) -> Mapping[str, Any]:
        if self.hold is not None:
            await self.hold.wait()
            raise api.LookupFailed("no such appointment")
        return {"booking_no": booking_no, "item_code": BUSINESS, "work_order_id": "WO-booked",
                "date": "2026-11-28", "start": "09:00", "hall": "DG-CITY", "name": "吴小梅",
                "links": {"form": {"values": {"business_scope": "小吃服务"}},
                          "materials": [{"material_code": "id_card", "status": "accepted"}]}}

    async def halls(self) -> Sequence[Mapping[str, Any]]:
        return []

    async def unemployment_details(self, id_number: str) -> Mapping[str, Any]:
        raise api.LookupFailed("not here")

    async def pension_status(self, id_number: str) -> Mapping[str, Any]:
        raise api.LookupFailed("not here")

    async def slots(self, hall: str, day: str) -> Sequence[Mapping[str, Any]]:
        raise api.LookupFailed("not here")

    async def book(self, key: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        raise api.LookupFailed("not here")

    async def register_business(self, key: str, values: Mapping[str, str]) -> Mapping[str, Any]:
        raise api.LookupFailed("not here")

    async def submit_application(self, key: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        raise api.LookupFailed("not here")


@dataclass
class Seat:
    desk: ApplicationDesk
    workstation: Workstation
    outbox: SubmissionOutbox
    api: InstantApi
    walk_ins: WalkInDesk
    appointments: Appointments
    host: PluginHost
    opened: list[ApplicationInHand | None]
    progress: list[OutboxEntry]
    accepted: list[OutboxEntry]
    outbox_open: bool = True
    calls: int = 0

    def call(self, work_order_id: str, item_code: str = PENSION) -> None:
        # Every call has its own id (the same id again is that call resumed).
        self.calls += 1
        self.workstation.link.message.emit(protocol.CallStarted(
            f"call-{work_order_id}-{self.calls}", work_order_id, "callee", "吴小梅", item_code,
            "养老认证", "web", "video"))

    def hang_up(self, work_order_id: str) -> None:
        self.workstation.link.message.emit(
            protocol.CallEnded(f"call-{work_order_id}-{self.calls}", work_order_id, "agent"))


@pytest.fixture
async def seat(tmp_path: Path) -> AsyncIterator[Seat]:
    shipped = catalog.load()  # every shipped item has a form; a catalog may have one without
    items = replace(shipped, items={**shipped.items, QUERY: replace(shipped.items[QUERY], form="")})
    link = HubLink("ws://127.0.0.1:9/ws", lambda: protocol.Hello(role="agent", token="x"))
    workstation = Workstation(link)  # never started: the hub's messages come from the test
    link.welcome.emit(protocol.Welcome(session_id="S-1", role="agent", agent_id="0012"))
    instant = InstantApi()
    outbox = SubmissionOutbox(tmp_path / "outbox.sqlite3", instant, base_s=0.01, cap_s=0.05,
                              rng=random.Random(1))
    await outbox.open()
    outbox.start()
    desk = ApplicationDesk(outbox, FormLibrary(), items, workstation)
    appointments = Appointments()
    host = PluginHost(items, entry_points=lambda: [])
    walk_ins = WalkInDesk(CounterIntake(host, appointments, FormLibrary(), tmp_path / "counter"),
                          review.load_reasons())
    unfollow = follow_walk_ins(desk, walk_ins)
    unsuggest = host.form_suggested.connect(desk.take_suggestions)
    s = Seat(desk, workstation, outbox, instant, walk_ins, appointments, host, [], [], [])
    desk.opened.connect(s.opened.append)
    desk.progress.connect(s.progress.append)
    desk.accepted.connect(s.accepted.append)
    yield s
    unsuggest()
    unfollow()
    await desk.close()
    if s.outbox_open:
        await outbox.stop()
    await workstation.close()


async def until(condition: Any, what: str, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for: {what}")
        await asyncio.sleep(0.01)


def fill_pension(desk: ApplicationDesk) -> None:
    for code, value in [("residence", "local"), ("pension_start", "2010-03-01"),
                        ("pensioner_id_number", "11010519491231002X"),
                        ("mobile", "13800138000"), ("certification_way", "video")]:
        desk.edit(code, value)
    desk.confirm_all()


async def test_a_call_opens_its_items_form_prefilled_and_keeps_it_for_the_wrap_up(
        seat: Seat) -> None:
    seat.call("WO-1")
    application = seat.desk.application
    assert application is not None and seat.opened == [application]
    assert application.context == ApplicationContext(ContactKind.CALL, "WO-1", PENSION,
                                                      "养老认证", "0012")
    form = application.form
    assert form.value("pensioner_name") == "吴小梅" and "pensioner_name" in form.unconfirmed
    seat.hang_up("WO-1")
    assert seat.desk.application is application, "the wrap-up still has it"

    seat.call("WO-2", QUERY)  # an item without a form: nothing in hand, and the pane is told
    assert seat.desk.application is None and seat.opened[-1] is None
    assert seat.desk.values() == {} and not seat.desk.take_id_card("吴小梅", "11010519491231002X")


async def test_a_submit_says_what_is_missing_then_saves_once_and_the_receipt_follows(
        seat: Seat) -> None:
    seat.call("WO-1")
    answer = seat.desk.submit()
    assert not answer.saving and answer.missing, "refused: things are missing"
    assert {m.field.code for m in answer.missing} >= {"residence", "pensioner_name"}
    assert seat.outbox.entries() == []

    fill_pension(seat.desk)
    application = seat.desk.application
    assert application is not None
    application.materials = (("id_card", "居民身份证"),)
    assert seat.desk.submit() == SubmitAnswer(saving=True)
    assert seat.desk.submit() == SubmitAnswer(), "not twice while it is being saved"
    await until(lambda: bool(seat.accepted), "the API accepts")
    (entry,) = seat.outbox.entries()
    assert seat.accepted == [entry] and entry.state is OutboxState.ACCEPTED
    assert seat.progress[0].state is OutboxState.QUEUED, "saved in the outbox first"
    assert seat.progress[-1] == entry and application.entry == entry
    s = entry.submission
    assert (s.work_order_id, s.item_code, s.form, s.agent_id) == (
        "WO-1", PENSION, "pension_certification", "0012")
    assert (s.applicant_name, s.applicant_id_number) == ("吴小梅", "11010519491231002X")
    assert (s.materials, s.material_names) == (("id_card",), ("居民身份证",))
    assert not application.submittable and seat.desk.submit() == SubmitAnswer()

    # The same work order again (the citizen calls back): shown where it stands, not a second.
    seat.call("WO-1")
    again = seat.desk.application
    assert again is not None and again is not application
    assert again.entry == entry and not again.submittable
    assert seat.desk.submit() == SubmitAnswer() and len(seat.api.bodies) == 1


async def test_the_apis_field_errors_come_back_onto_the_form_and_it_can_go_again(
        seat: Seat) -> None:
    seat.api.refuse = (FieldProblem("mobile", "server_rule", "该号码已被他人登记"),)
    seat.call("WO-1")
    fill_pension(seat.desk)
    seat.desk.submit()
    await until(lambda: bool(seat.progress) and seat.progress[-1].state is OutboxState.RETURNED,
                "the API returns it")
    form, application = seat.desk.form, seat.desk.application
    assert form is not None and application is not None
    assert form.problems()["mobile"] == "server"
    assert form.server_problems == {"mobile": "该号码已被他人登记"}
    assert application.submittable
    seat.desk.edit("mobile", "13900139000")  # corrected: the API's word on it goes
    assert "mobile" not in form.problems()
    assert seat.desk.submit().saving
    await until(lambda: bool(seat.accepted), "the corrected application is accepted")
    assert len(seat.api.bodies) == 2 and seat.accepted[0].submission.values["mobile"] == \
        "13900139000"


async def test_an_outbox_that_cannot_save_says_so_and_the_agent_can_try_again(
        seat: Seat) -> None:
    failures: list[str] = []
    seat.desk.save_failed.connect(failures.append)
    seat.call("WO-1")
    fill_pension(seat.desk)
    await seat.outbox.stop()  # its file is closed: nothing can be stored
    seat.outbox_open = False
    assert seat.desk.submit().saving
    await until(lambda: bool(failures), "the desk says it was not saved")
    application = seat.desk.application
    assert application is not None and application.submittable and application.entry is None


async def test_closing_a_walk_in_clears_its_application_but_never_a_calls(seat: Seat) -> None:
    walk_in = await seat.walk_ins.start_without_appointment(BUSINESS)
    assert walk_in is not None
    application = seat.desk.application
    assert application is not None and application.is_for(ContactKind.WALK_IN,
                                                            walk_in.work_order_id)
    assert application.context.agent_id == "0012"
    await seat.walk_ins.finish()
    assert seat.desk.application is None, "the next citizen starts clean"

    await seat.walk_ins.start_without_appointment(BUSINESS)
    seat.call("WO-1")  # a combined seat: a call comes in while the walk-in is still open
    call_application = seat.desk.application
    assert call_application is not None
    await seat.walk_ins.finish()
    assert seat.desk.application is call_application, "the call's form stays"


async def test_the_walk_ins_prefill_and_materials_follow_the_counter(seat: Seat) -> None:
    walk_in = await seat.walk_ins.look_up("YY-00000042")
    assert walk_in is not None
    application = seat.desk.application
    assert application is not None and application.context.work_order_id == "WO-booked"
    assert application.form.value("business_scope") == "小吃服务"
    assert "business_scope" in application.form.unconfirmed, "linked values wait for the clerk"
    assert application.materials == (("id_card", "经营者身份证"),), "pre-reviewed on video"
    walk_in.review.mark("premises_proof", "accepted")
    assert [code for code, _ in application.materials] == ["id_card", "premises_proof"]

    seat.call("WO-1")  # another contact's marks do not reach the call's application
    walk_in.review.mark("premises_proof", "to_correct", "glare", "反光")
    call_application = seat.desk.application
    assert call_application is not None and call_application.materials == ()


async def test_plugin_suggestions_wait_while_the_counter_opens_a_walk_in(seat: Seat) -> None:
    seat.call("WO-1")
    form = seat.desk.form
    assert form is not None
    seat.host.form_suggested.emit({"certification_way": "video"})
    assert form.value("certification_way") == "video" and "certification_way" in form.unconfirmed

    seat.appointments.hold = asyncio.Event()
    looking = asyncio.get_running_loop().create_task(seat.walk_ins.look_up("YY-00000043"))
    await until(lambda: seat.walk_ins.busy, "the counter is looking the appointment up")
    seat.host.form_suggested.emit({"mobile": "13800138000"})
    assert form.value("mobile") == "", "the walk-in's intake takes them, not the call's form"
    seat.appointments.hold.set()
    assert await looking is None  # no such appointment: the call's application stays
    assert seat.desk.form is form
    seat.desk.take_suggestions({"mobile": "13800138000"})
    assert form.value("mobile") == "13800138000"


async def test_the_kiosks_id_card_read_is_prefilled_to_confirm(seat: Seat) -> None:
    seat.call("WO-1")
    seat.desk.confirm_all()
    assert seat.desk.take_id_card("梁建国", "11010519491231002X")
    form = seat.desk.form
    assert form is not None
    assert form.value("pensioner_name") == "梁建国" and "pensioner_name" in form.unconfirmed
    assert seat.desk.values()["pensioner_id_number"] == "11010519491231002X"


async def test_the_calls_sent_verdict_links_its_accepted_materials(
        seat: Seat, tmp_path: Path) -> None:
    transfer = MaterialTransfer(seat.workstation.link, MaterialCache(tmp_path / "materials"))
    reviews = ReviewDesk(seat.workstation, transfer, ReviewStore(tmp_path), catalog.load(),
                         review.load_reasons())
    unfollow = seat.desk.follow_review(reviews)
    seat.call("WO-1", BUSINESS)

    def verdict(work_order_id: str) -> PreReviewVerdict:
        return PreReviewVerdict(work_order_id, BUSINESS, (
            MaterialVerdict("id_card", "accepted"),
            MaterialVerdict("premises_proof", "to_correct", "glare")), time.time(), "0012")

    reviews.verdict_sent.emit(verdict("WO-other"))  # not this application's work order
    application = seat.desk.application
    assert application is not None and application.materials == ()
    reviews.verdict_sent.emit(verdict("WO-1"))
    assert application.materials == (("id_card", "经营者身份证"),)
    assert application.to_correct == ("经营场所证明（需补正：反光遮挡）",)
    unfollow()
    await reviews.close()
    await transfer.close()


def call_with_citizen(seat: Seat, work_order_id: str, id_number: str, channel: str) -> None:
    """A call whose offer carried the (masked) ID number the citizen gave when queuing."""
    offer = protocol.Offer(f"call-{work_order_id}", work_order_id, PENSION, "养老认证",
                           channel, "normal", "video",
                           protocol.CitizenInfo("吴**", id_number), time.time(), 30)
    seat.workstation.offer = offer
    seat.workstation.link.message.emit(protocol.CallStarted(
        f"call-{work_order_id}", work_order_id, "callee", "吴小梅", PENSION, "养老认证",
        channel, "video"))


async def test_an_applicant_who_is_not_the_kiosk_card_holder_needs_the_agents_confirmation(
        seat: Seat) -> None:
    seat.call("WO-1")
    fill_pension(seat.desk)  # the applicant: 11010519491231002X
    seat.desk.take_card_read("440101195801011233")  # the kiosk read another person's card
    mismatch = seat.desk.mismatch()
    assert mismatch is not None and mismatch.applicant_shown == "1101**********002X"
    assert mismatch.caller.shown() == "4401**********1233"
    answer = seat.desk.submit()
    assert answer == SubmitAnswer(mismatch=mismatch), "not submitted until confirmed"
    await asyncio.sleep(0.05)
    assert seat.outbox.entries() == []

    confirmation = seat.desk.confirm_identity()
    assert confirmation is not None and confirmation.agent_id == "0012"
    seat.desk.edit("pensioner_id_number", "110105196001010025")  # another number: ask again
    assert not seat.desk.identity_confirmed() and seat.desk.submit().mismatch is not None
    seat.desk.edit("pensioner_id_number", "11010519491231002x")  # the first one, typed again
    assert seat.desk.submit().mismatch is not None, "a confirmation holds for one mismatch"
    seat.desk.confirm_identity()
    assert seat.desk.submit().saving
    await until(lambda: seat.accepted, "the API accepts")
    note = seat.accepted[0].submission.identity_note
    assert "1101**********002X" in note and "4401**********1233" in note
    assert "自助终端读卡" in note and "0012" in note and "确认代他人申请" in note
    assert "11010519491231002X" not in note and "440101195801011233" not in note
    assert "identity_note" not in seat.api.bodies[0], "a record of ours, not the API's"
    stored = seat.outbox.entry(seat.accepted[0].entry_id)
    assert stored is not None and stored.submission.identity_note == note


async def test_the_card_holder_applying_for_themself_is_not_warned(seat: Seat) -> None:
    seat.call("WO-1")
    fill_pension(seat.desk)
    seat.desk.take_card_read(" 11010519491231002x ")  # spaces and a lower-case x: the same
    assert seat.desk.mismatch() is None
    assert seat.desk.submit().saving
    await until(lambda: seat.accepted, "the API accepts")
    assert seat.accepted[0].submission.identity_note == ""


async def test_a_web_citizen_with_no_known_identity_is_not_warned(seat: Seat) -> None:
    call_with_citizen(seat, "WO-1", "", "web")
    fill_pension(seat.desk)
    assert seat.desk.application is not None and seat.desk.application.caller is None
    assert seat.desk.mismatch() is None and seat.desk.submit().saving


async def test_the_masked_number_given_when_queuing_is_compared_where_it_shows(
        seat: Seat) -> None:
    call_with_citizen(seat, "WO-1", "4401**********1233", "web")
    fill_pension(seat.desk)
    mismatch = seat.desk.mismatch()
    assert mismatch is not None and mismatch.caller.source == "queue"
    assert mismatch.caller.shown() == "4401**********1233"
    seat.desk.edit("pensioner_id_number", "440101195801011233")
    assert seat.desk.mismatch() is None, "the visible digits agree"
    seat.desk.edit("pensioner_id_number", "440101195801011242")  # 4401…1242: differs
    assert seat.desk.mismatch() is not None
    # A card read is the stronger word and is not replaced by the queue's.
    seat.desk.take_card_read("11010519491231002X")
    call_with_citizen(seat, "WO-1", "4401**********1233", "web")
    application = seat.desk.application
    assert application is not None and application.caller is not None
    assert application.caller.source == "kiosk_card"
