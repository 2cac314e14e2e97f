"""What the counter clerk sees: the form pane (Chinese, themed) and the receipt page, against
reference PNGs (``pytest --update-snapshots`` rewrites them)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QSize
from PyQt6.QtGui import QFont
from PyQt6.QtPdf import QPdfDocument
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from seat_client.acceptance.desk import ApplicationContext, ApplicationDesk, ContactKind
from seat_client.acceptance.gov_api_client import Application
from seat_client.acceptance.outbox import SubmissionOutbox
from seat_client.acceptance.receipt import ReceiptData, render_receipt
from seat_common import catalog
from seat_common.forms import FormLibrary
from ui import i18n, theme
from ui.acceptance.form_pane import FormPane

Snapshot = Any


class NoApi:
    async def submit_application(self, key: str, body: dict[str, Any]) -> Application:
        raise AssertionError("nothing is submitted here")

    async def application(self, number: str) -> Application:
        raise AssertionError


@pytest.fixture
def themed_chinese() -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    font, sheet = QFont(app.font()), app.styleSheet()
    translators = i18n.install(app, "zh_CN")
    theme.apply_theme(app)
    yield
    for t in translators:
        QCoreApplication.removeTranslator(t)
    i18n.install(app, "en")
    app.setStyleSheet(sheet)
    app.setFont(font)


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[SubmissionOutbox]:
    box = SubmissionOutbox(tmp_path / "o.sqlite3", NoApi(), rng=random.Random(1))
    await box.open()
    yield box
    await box.stop()


async def test_individual_business_form(qtbot: QtBot, outbox: SubmissionOutbox,
                                        themed_chinese: None, snapshot: Snapshot) -> None:
    library = FormLibrary()
    desk = ApplicationDesk(outbox, library, catalog.load())
    pane = FormPane(desk)
    qtbot.addWidget(pane)
    pane.resize(560, 740)
    desk.open(ApplicationContext(ContactKind.CALL, "WO-20261128-0007", "BR-INDIVIDUAL-SETUP",
                                 "个体工商户设立登记"), "individual_business",
              {"id_card.name": "吴小梅", "id_card.id_number": "11010519491231002X",
               "citizen.phone": "13800138000"})
    state = desk.form
    assert state is not None
    state.set_value("operator_type", "family")
    state.set_value("premises_tenure", "rented")
    state.confirm("operator_name")
    pane._rows["family_member_id_number"].touched = True
    pane._rows["family_member_id_number"].editor.set_value("110105194912310021")
    pane._on_edited("family_member_id_number", "110105194912310021")
    snapshot(pane.grab().toImage(), "form_individual_business_zh")


def test_receipt_page(snapshot: Snapshot) -> None:
    pdf = render_receipt(ReceiptData(
        application_no="SL-20261128-000042", item_name="个体工商户设立登记",
        item_code="BR-INDIVIDUAL-SETUP", applicant_name="吴小梅",
        applicant_id_number="11010519491231002X", materials=("居民身份证", "经营场所使用证明"),
        accepted_at=datetime(2026, 11, 28, 14, 3), agent_id="0012", work_order_id="WO-7"))
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument(None)
    document.load(buffer)
    assert document.pageCount() == 1
    snapshot(document.render(0, QSize(420, 594)), "receipt_page")
