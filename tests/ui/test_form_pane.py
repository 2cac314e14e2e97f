"""The form pane: editors generated from the schema, Chinese messages, scenario fields, prefill
marks, the missing list, keyboard submit, the receipt once the API accepts, and the warning
when the applicant is not the kiosk's card holder."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import QCoreApplication, Qt
from PyQt6.QtWidgets import QApplication, QComboBox, QDateEdit, QLineEdit
from pytestqt.qtbot import QtBot

from seat_client.acceptance.desk import ApplicationContext, ApplicationDesk, ContactKind
from seat_client.acceptance.gov_api_client import Application, FieldErrors, FieldProblem
from seat_client.acceptance.outbox import SubmissionOutbox
from seat_client.acceptance.outbox_entries import OutboxState
from seat_common import catalog
from seat_common.forms import FormLibrary
from ui import i18n
from ui.acceptance.form_editors import (
    ChoiceEditor,
    DateEditor,
    DateRangeEditor,
    LineEditor,
    RegionEditor,
)
from ui.acceptance.form_pane import FormPane
from ui.acceptance.outbox_pane import OutboxBadge, OutboxPane
from ui.acceptance.receipt_view import ReceiptView
from ui.theme import STYLE_PATH

KNOWN = {"id_card.name": "吴小梅", "id_card.id_number": "11010519491231002X",
         "citizen.phone": "13800138000"}


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


@pytest.fixture(scope="module")
def library() -> FormLibrary:
    return FormLibrary()


@pytest.fixture
def chinese() -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")
    yield
    for t in translators:
        QCoreApplication.removeTranslator(t)
    i18n.install(app, "en")


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[SubmissionOutbox]:
    box = SubmissionOutbox(tmp_path / "outbox.sqlite3", InstantApi(), base_s=0.01, cap_s=0.05,
                           rng=random.Random(1))
    await box.open()
    box.start()
    yield box
    await box.stop()


def desk_for(library: FormLibrary, outbox: SubmissionOutbox) -> ApplicationDesk:
    return ApplicationDesk(outbox, library, catalog.load())


async def pane_for(qtbot: QtBot, library: FormLibrary, outbox: SubmissionOutbox, form: str,
             known: dict[str, str] | None = None) -> FormPane:
    pane = FormPane(desk_for(library, outbox))
    qtbot.addWidget(pane)
    pane.resize(620, 760)
    pane.show()
    pane.activateWindow()  # shortcuts and focus need the active window
    await until(pane.isActiveWindow)
    context = ApplicationContext(ContactKind.CALL, "WO-20261128-0007", "BR-INDIVIDUAL-SETUP",
                                 "个体工商户设立登记", "0012")
    assert pane.desk.open(context, form, KNOWN if known is None else known,
                          materials=[("id_card", "居民身份证")])
    return pane


async def until(condition: Any, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_editors_match_the_field_kinds(qtbot: QtBot, library: FormLibrary,
                                            outbox: SubmissionOutbox) -> None:
    pane = await pane_for(qtbot, library, outbox, "individual_business")
    rows = pane._rows
    assert isinstance(rows["operator_type"].editor, ChoiceEditor)
    assert isinstance(rows["premises_region"].editor, RegionEditor)
    assert isinstance(rows["opening_date"].editor, DateEditor)
    assert isinstance(rows["lease_period"].editor, DateRangeEditor)
    assert isinstance(rows["operator_id_number"].editor, LineEditor)
    region = rows["premises_region"].editor
    assert isinstance(region, RegionEditor)
    assert (region.province.currentText(), region.city.currentText(),
            region.district.currentText()) == ("广东省", "东莞市", "南城街道")  # the default


async def test_scenario_answers_show_and_hide_fields(qtbot: QtBot, library: FormLibrary,
                                                     outbox: SubmissionOutbox) -> None:
    pane = await pane_for(qtbot, library, outbox, "individual_business")
    family = pane._rows["family_member_name"].box
    assert not family.isVisible()
    box = pane._rows["operator_type"].editor.findChild(QComboBox)
    assert box is not None
    box.setCurrentIndex(box.findData("family"))
    box.activated.emit(box.currentIndex())
    assert family.isVisible()
    assert any("家庭成员" in pane.missing.item(i).text() or "Family" in
               pane.missing.item(i).text() for i in range(pane.missing.count()))


async def test_messages_are_in_chinese_and_appear_once_touched(
    qtbot: QtBot, library: FormLibrary, outbox: SubmissionOutbox, chinese: None
) -> None:
    pane = await pane_for(qtbot, library, outbox, "generic_application", known={})
    row = pane._rows["applicant_id_number"]
    assert not row.message.isVisible()  # an untouched empty form is not shouting
    edit = row.editor.findChild(QLineEdit)
    assert edit is not None
    edit.setFocus()
    qtbot.keyClicks(edit, "110105194912310021")
    assert row.message.isVisible()
    assert row.message.text() == "身份证号码校验位不正确，请与申请人逐位核对"
    edit.clear()
    qtbot.keyClicks(edit, "11010519491231002x")
    assert edit.text() == "11010519491231002X" and not row.message.isVisible()
    assert pane.missing_box.title().startswith("尚缺")
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # Enter moves on to the next field
    mobile = pane._rows["mobile"].editor.focus_target()
    assert mobile.hasFocus()
    assert pane.submit.text() == "提交受理（Ctrl+Enter）"


async def test_prefilled_values_are_marked_until_confirmed(
    qtbot: QtBot, library: FormLibrary, outbox: SubmissionOutbox
) -> None:
    pane = await pane_for(qtbot, library, outbox, "pension_certification")
    name = pane._rows["pensioner_name"]
    assert name.editor.value() == "吴小梅" and name.confirm.isVisible()
    qtbot.mouseClick(name.confirm, Qt.MouseButton.LeftButton)
    assert not name.confirm.isVisible()
    assert pane._rows["mobile"].confirm.isVisible()
    qtbot.mouseClick(pane.confirm_all, Qt.MouseButton.LeftButton)
    assert not pane._rows["mobile"].confirm.isVisible()
    assert not pane.confirm_all.isEnabled()


async def test_clicking_a_missing_line_goes_to_the_field(
    qtbot: QtBot, library: FormLibrary, outbox: SubmissionOutbox
) -> None:
    pane = await pane_for(qtbot, library, outbox, "pension_certification")
    first = pane.missing.item(0)
    assert first is not None
    pane._on_missing_item_activated(first)
    code = first.data(Qt.ItemDataRole.UserRole)
    assert pane._rows[code].editor.focus_target().hasFocus()


def fill_pension(pane: FormPane) -> None:
    state = pane.desk.form
    assert state is not None
    for code, value in [("residence", "local"), ("pension_start", "2010-03-01")]:
        state.set_value(code, value)
    state.confirm_all()


async def test_ctrl_enter_submits_to_the_outbox_and_shows_the_receipt(
    qtbot: QtBot, library: FormLibrary, outbox: SubmissionOutbox, tmp_path: Path
) -> None:
    pane = await pane_for(qtbot, library, outbox, "pension_certification")
    badge = OutboxBadge(outbox)
    listing = OutboxPane(outbox)
    receipts = ReceiptView(tmp_path / "receipts")
    for w in (badge, listing, receipts):
        qtbot.addWidget(w)
    date = pane._rows["pension_start"].editor.findChild(QDateEdit)
    assert date is not None and date.specialValueText() == "—"

    qtbot.keyClick(pane.submit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert pane.status.text()  # refused: things are missing, and it says so
    assert pane.missing.count() > 0 and outbox.entries() == []

    fill_pension(pane)
    shown: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    receipts.shown.connect(lambda number: shown.done() or shown.set_result(number))
    pane.desk.accepted.connect(lambda entry: asyncio.ensure_future(receipts.show_entry(entry)))
    pane.submit.setFocus()
    qtbot.keyClick(pane.submit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    number = await asyncio.wait_for(shown, 5)
    assert number == "SL-20261128-000001"
    entry = outbox.entries()[0]
    assert entry.state is OutboxState.ACCEPTED
    assert entry.submission.values["pensioner_id_number"] == "11010519491231002X"
    assert entry.submission.material_names == ("居民身份证",)
    assert receipts.document.pageCount() == 1
    assert (tmp_path / "receipts" / f"{number}.pdf").exists()
    assert listing.table.rowCount() == 1
    assert listing.table.item(0, 3).text() == number  # type: ignore[union-attr]
    assert badge.text() == ""  # nothing left to send

    # Opening the same work order again does not invite a second application.
    again = await pane_for(qtbot, library, outbox, "pension_certification")
    assert not again.submit.isEnabled() and number in again.status.text()


async def test_field_errors_from_the_api_come_back_onto_the_form(
    qtbot: QtBot, library: FormLibrary, outbox: SubmissionOutbox
) -> None:
    api = outbox.api
    assert isinstance(api, InstantApi)
    api.refuse = (FieldProblem("mobile", "server_rule", "该号码已被他人登记"),)
    pane = await pane_for(qtbot, library, outbox, "pension_certification")
    fill_pension(pane)
    pane._on_submit_clicked()
    await until(lambda: bool(outbox.entries())
                and outbox.entries()[0].state is OutboxState.RETURNED)
    row = pane._rows["mobile"]
    await until(lambda: row.message.isVisible())
    assert row.message.text() == "该号码已被他人登记"
    assert pane.submit.isEnabled()


async def test_no_form_for_the_item(qtbot: QtBot, library: FormLibrary,
                                    outbox: SubmissionOutbox) -> None:
    pane = FormPane(desk_for(library, outbox))
    qtbot.addWidget(pane)
    context = ApplicationContext(ContactKind.CALL, "WO-1", "SI-UNEMP-QUERY")
    assert pane.desk.open(context, "", {}) is None
    assert not pane.submit.isEnabled()


async def test_an_applicant_who_is_not_the_card_holder_is_warned_and_must_be_confirmed(
    qtbot: QtBot, library: FormLibrary, outbox: SubmissionOutbox, chinese: None, tmp_path: Path
) -> None:
    pane = await pane_for(qtbot, library, outbox, "pension_certification")
    fill_pension(pane)  # the applicant: 11010519491231002X
    assert not pane.identity.isVisible(), "nothing known of the caller: no warning"
    pane.desk.take_card_read("440101195801011233")  # the kiosk read someone else's card
    assert pane.identity.isVisible()
    assert pane.identity.text.text() == (
        "申请人身份证号 1101**********002X 与来电人（自助终端读卡）"
        "4401**********1233 不一致，确认代他人申请？")
    assert pane.identity.confirm.text() == "已与来电人核实，确认代他人申请"
    assert pane.identity.visibleRegion().boundingRect().height() >= pane.identity.height() - 1
    pane.setStyleSheet(STYLE_PATH.read_text(encoding="utf-8"))  # as the workstation has it
    qtbot.wait(50)  # the style's layout settles before the picture
    assert pane.grab().save(str(tmp_path / "identity_warning.png"))  # for a look: --basetemp

    qtbot.mouseClick(pane.submit, Qt.MouseButton.LeftButton)
    assert pane.status.text() == "未提交：请先确认申请人身份"
    assert pane.identity.confirm.hasFocus() and pane.submit.isEnabled()
    await asyncio.sleep(0.05)
    assert outbox.entries() == []

    pane.identity.confirm.click()
    assert pane.desk.identity_confirmed()
    qtbot.mouseClick(pane.submit, Qt.MouseButton.LeftButton)
    await until(lambda: any(e.state is OutboxState.ACCEPTED for e in outbox.entries()))
    note = outbox.entries()[0].submission.identity_note
    assert "1101**********002X" in note and "4401**********1233" in note and "0012" in note


async def test_the_card_holder_as_applicant_is_not_warned(
    qtbot: QtBot, library: FormLibrary, outbox: SubmissionOutbox
) -> None:
    pane = await pane_for(qtbot, library, outbox, "pension_certification")
    fill_pension(pane)
    pane.desk.take_card_read("11010519491231002x")
    assert not pane.identity.isVisible()
    qtbot.mouseClick(pane.submit, Qt.MouseButton.LeftButton)
    await until(lambda: any(e.state is OutboxState.ACCEPTED for e in outbox.entries()))
    assert outbox.entries()[0].submission.identity_note == ""


FORMS_OUT = Path(__file__).resolve().parents[2] / "out" / "forms"


@pytest.mark.parametrize("form", FormLibrary().codes())
async def test_every_form_opens_with_an_editor_per_field_and_its_scenario_questions_first(
    qtbot: QtBot, library: FormLibrary, outbox: SubmissionOutbox, chinese: None, form: str
) -> None:
    pane = await pane_for(qtbot, library, outbox, form)
    schema = library.get(form)
    assert schema is not None and set(pane._rows) == {f.code for f in schema.fields}
    scenario = [f.code for f in schema.scenario_fields()]
    shown = [f.code for f in schema.fields if pane._rows[f.code].box.isVisible()]
    assert shown[:len(scenario)] == scenario, "scenario questions come first"
    FORMS_OUT.mkdir(parents=True, exist_ok=True)
    pane.grab().save(str(FORMS_OUT / f"{form}_zh.png"))
