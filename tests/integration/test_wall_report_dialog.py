"""The statistics report from the seat wall: a real hub process, the wall window at
1366×768 in Chinese, the report dialog (统计报表, Ctrl+R on the wall).

The supervisor chooses a year and a breakdown by channel, presses 生成报表; the hub makes
the PDF (the wall has no ledger) while the dialog shows the progress and the wall stays
responsive; the PDF is saved where the supervisor chose and the dialog says so. A period
running backwards is refused in the dialog before anything is asked. Screenshots:
``out/wall/``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PyQt6.QtCore import QDate
from pytestqt.qtbot import QtBot

from sandbox.hub_process import HubProcess
from tests.integration.conftest import until
from tests.integration.parties import agent_and_supervisor, seat_wall
from ui.supervision.report_dialog import ReportDialog

OUT = Path(__file__).resolve().parents[2] / "out" / "wall"


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    async with HubProcess(agent_and_supervisor("东莞市民服务中心"),
                          ring_timeout=10.0) as process:
        yield process


async def test_a_supervisor_makes_the_year_report_from_the_wall(
    hub: HubProcess, qtbot: QtBot, tmp_path: Path, chinese_ui: None
) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    async with seat_wall(hub, qtbot) as wall:
        window = wall.window
        window.report_button.click()
        dialog = wall.session.report_dialog
        assert isinstance(dialog, ReportDialog) and dialog.isVisible()
        asked: list[str] = []

        def choose(_parent: object, suggested: str) -> Path:
            asked.append(suggested)
            return tmp_path / suggested

        dialog.choose_path = choose
        # A span running backwards is refused in the dialog, nothing asked of the hub.
        dialog.kind.setCurrentIndex(dialog.kind.findData("custom"))
        dialog.start.setDate(QDate(2026, 3, 2))
        dialog.end.setDate(QDate(2026, 3, 1))
        dialog.make.click()
        assert dialog.status.text() == "截止日期早于起始日期。"
        assert dialog.make.isEnabled() and not asked
        dialog.kind.setCurrentIndex(dialog.kind.findData("year"))
        year = time.localtime().tm_year
        dialog.year.setValue(year)
        assert dialog.by["month"].isChecked(), "a year is broken down by month"
        dialog.by["channel"].setChecked(True)
        dialog.make.click()
        assert not dialog.make.isEnabled(), "one report at a time"
        assert dialog.progress.isVisible()
        # The wall keeps answering while the hub works.
        await until(lambda: dialog.saved is not None, "the report is saved", 60)
        assert asked == [f"统计报表-{year}年.pdf"]
        saved = dialog.saved
        assert saved is not None and saved.read_bytes().startswith(b"%PDF")
        assert dialog.progress.value() == 100 and dialog.open_pdf.isEnabled()
        assert "已保存" in dialog.status.text() and str(saved) in dialog.status.text()
        await asyncio.sleep(0.05)
        assert dialog.grab().save(str(OUT / "report_dialog.png"))
        assert window.grab().save(str(OUT / "wall_with_report_button.png"))
        width = dialog.frameGeometry().width()
        assert width <= 1366 and dialog.frameGeometry().height() <= 768
