"""The outbox list shows each application's state as a badge with words, lets the agent send a
failed one again, and the badge counts what is still to send."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import QCoreApplication, Qt
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from seat_client.acceptance.gov_api_client import Application, IdempotencyConflict, Unavailable
from seat_client.acceptance.outbox import SubmissionOutbox
from seat_client.acceptance.outbox_entries import OutboxState, Submission
from ui import i18n
from ui.acceptance.outbox_pane import OutboxBadge, OutboxPane


class GateApi:
    """A test ``ApplicationsApi``: 503 until opened; the first call after opening conflicts."""

    def __init__(self) -> None:
        self.open = False
        self.conflict_once = False

    async def submit_application(self, key: str, body: dict[str, Any]) -> Application:
        if not self.open:
            raise Unavailable(503, None)
        if self.conflict_once:
            self.conflict_once = False
            raise IdempotencyConflict("key reused")
        return Application("SL-20261128-000009", body["item_code"], "received", "", "")

    async def application(self, number: str) -> Application:
        return Application(number, "", "received", "", "")


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[SubmissionOutbox]:
    box = SubmissionOutbox(tmp_path / "o.sqlite3", GateApi(), base_s=0.01, cap_s=0.03,
                           rng=random.Random(2))
    await box.open()
    box.start()
    yield box
    await box.stop()


async def until(condition: Any, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


SUB = Submission("WO-1", "SI-PENSION-CERT", "企业职工领取养老保险待遇资格认证",
                 "pension_certification", {}, applicant_name="吴小梅")


async def test_badges_follow_the_outbox(qtbot: QtBot, outbox: SubmissionOutbox) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")
    try:
        pane = OutboxPane(outbox)
        badge = OutboxBadge(outbox)
        qtbot.addWidget(pane)
        qtbot.addWidget(badge)
        await outbox.enqueue(SUB)
        await until(lambda: "待发送" in badge.text())
        assert pane.table.rowCount() == 1
        cell = pane.table.item(0, 2)
        assert cell is not None and cell.text() == "吴**"  # names masked in lists
        api = outbox.api
        assert isinstance(api, GateApi)
        api.open, api.conflict_once = True, True
        await until(lambda: outbox.entries()[0].state is OutboxState.FAILED)
        state = pane.table.item(0, 0)
        assert state is not None and state.text() == "失败"
        assert badge.text() == "发件箱：失败 1"
        pane.table.selectRow(0)
        assert pane.retry.isEnabled() and not pane.receipt.isEnabled()
        assert "key reused" in pane.detail.text()
        requested: list[int] = []
        pane.receipt_requested.connect(requested.append)
        qtbot.mouseClick(pane.retry, Qt.MouseButton.LeftButton)
        await until(lambda: outbox.entries()[0].state is OutboxState.ACCEPTED)
        state = pane.table.item(0, 0)
        assert state is not None and state.text() == "已受理"
        assert badge.text() == ""
        assert pane.receipt.isEnabled()
        qtbot.mouseClick(pane.receipt, Qt.MouseButton.LeftButton)
        assert requested == [outbox.entries()[0].entry_id]
    finally:
        for t in translators:
            QCoreApplication.removeTranslator(t)
        i18n.install(app, "en")
