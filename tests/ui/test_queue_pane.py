"""The queue pane shows waiting citizens in routing order with their wait ticking."""

from __future__ import annotations

import dataclasses
import time

from PyQt6.QtCore import QCoreApplication, QLocale, Qt
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from seat_client.call.queue_model import QueueModel
from seat_common import catalog, protocol
from ui import i18n
from ui.call.queue_pane import QueuePane, QueueTableModel, format_wait


def entry(wo: str, waited_s: float, priority: protocol.Priority = "normal",
          link_lost_until: float = 0.0) -> protocol.QueueEntry:
    return protocol.QueueEntry(
        wo, "SI-UNEMP-QUERY", "失业保险个人明细查询", "miniprogram", priority, "video",
        protocol.CitizenInfo(name="吴**"), time.time() - waited_s,
        link_lost_until=link_lost_until,
    )


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester, qapp: QApplication) -> None:
    queue = QueueModel()
    queue.replace([entry("a", 30), entry("b", 90, "elderly")])
    qtmodeltester.check(QueueTableModel(queue))


def test_rows_follow_the_hub_and_the_summary_counts(qtbot: QtBot) -> None:
    queue = QueueModel()
    pane = QueuePane(queue)
    qtbot.addWidget(pane)
    assert pane.model.rowCount() == 0
    queue.replace([entry("a", 30), entry("b", 90, "elderly"), entry("c", 200)])
    assert pane.model.rowCount() == 3
    first = pane.model.entry(0)
    assert first.work_order_id == "b"  # the elderly citizen first, though c waited longer
    assert "3" in pane.summary.text()
    # In words, not colour alone, and as the citizen's word unless the hub checked it.
    assert pane.model.data(pane.model.index(0, 2)) == "Elderly (self-declared)"
    tip = pane.model.data(pane.model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert "吴**" in tip and "失业保险个人明细查询" in tip
    assert pane.model.entry(1).work_order_id == "c"
    wait = pane.model.data(pane.model.index(1, QueueTableModel.WAIT_COLUMN))
    assert wait in ("03:20", "03:21")


def test_wait_column_ticks(qtbot: QtBot) -> None:
    queue = QueueModel()
    pane = QueuePane(queue)
    qtbot.addWidget(pane)
    queue.replace([entry("a", 5)])
    with qtbot.waitSignal(pane.model.dataChanged, timeout=2500):
        pass


def test_format_wait() -> None:
    assert format_wait(0) == "00:00"
    assert format_wait(75) == "01:15"
    assert format_wait(3723) == "1:02:03"


def test_the_item_reads_whole_in_a_narrow_queue(qtbot: QtBot) -> None:
    queue = QueueModel()
    pane = QueuePane(queue, catalog=catalog.load())
    qtbot.addWidget(pane)
    queue.replace([protocol.QueueEntry(
        "a", "MI-CHRONIC", "基本医疗保险参保人员享受门诊慢特病病种待遇认定", "web", "elderly",
        "video", protocol.CitizenInfo(name="买**"), time.time())])
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    try:
        assert pane.model.data(pane.model.index(0, 0)) == "门诊慢特病认定"
    finally:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert pane.model.data(pane.model.index(0, 0)).startswith("Outpatient")


def test_a_citizen_who_chose_large_text_is_marked_in_the_queue_and_the_offer(
    qtbot: QtBot,
) -> None:
    from dataclasses import replace

    from ui.call.offer_banner import OfferBanner

    queue = QueueModel()
    pane = QueuePane(queue)
    qtbot.addWidget(pane)
    queue.replace([replace(entry("a", 30), large_text=True),
                   replace(entry("b", 20, "elderly"), large_text=True), entry("c", 10)])
    cells = [pane.model.data(pane.model.index(row, 2)) for row in range(3)]
    assert cells == ["Elderly (self-declared) · Large text", "Large text", ""]
    assert pane.model.data(pane.model.index(1, 2), Qt.ItemDataRole.ForegroundRole) is not None
    banner = OfferBanner()
    qtbot.addWidget(banner)
    banner.show_offer(protocol.Offer(
        "C-1", "a", "SI-UNEMP-QUERY", "失业保险个人明细查询", "web", "normal", "video",
        protocol.CitizenInfo(name="吴**"), time.time(), 15.0, large_text=True))
    assert banner.title.text() == "【Large text】失业保险个人明细查询"


def test_a_citizen_whose_link_dropped_is_greyed_where_the_hub_puts_them_with_seconds_left(
    qtbot: QtBot,
) -> None:
    queue = QueueModel(clock=lambda: 1000.0)
    pane = QueuePane(queue)
    qtbot.addWidget(pane)
    connected = protocol.QueueEntry(
        "a", "SI-UNEMP-QUERY", "失业保险个人明细查询", "web", "normal", "video",
        protocol.CitizenInfo(name="吴**"), 900.0)
    lost = protocol.QueueEntry(
        "b", "SI-UNEMP-QUERY", "失业保险个人明细查询", "web", "normal", "video",
        protocol.CitizenInfo(name="陈**"), 800.0, link_lost_until=1041.2)
    queue.replace([connected, lost])
    model = pane.model
    assert [model.entry(r).work_order_id for r in (0, 1)] == ["b", "a"]  # longest waiting
    wait = QueueTableModel.WAIT_COLUMN
    assert model.data(model.index(0, wait)) == "03:20\nlost\n42 s"
    assert model.data(model.index(1, wait)) == "01:40"
    grey = [model.data(model.index(0, c), Qt.ItemDataRole.ForegroundRole) for c in range(4)]
    assert all(isinstance(g, QColor) and g.name() == "#5f6368" for g in grey)
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ForegroundRole) is None
    tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert "Link lost, place kept 42 s" in tip and "Not offered" in tip
    assert "1 link lost" in pane.summary.text()
    queue.replace([connected, dataclasses.replace(lost, link_lost_until=0.0)])  # back
    assert model.data(model.index(0, wait)) == "03:20"
    assert "link lost" not in pane.summary.text()


def test_the_lost_link_line_is_in_chinese(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")
    try:
        queue = QueueModel(clock=lambda: 1000.0)
        pane = QueuePane(queue)
        qtbot.addWidget(pane)
        queue.replace([dataclasses.replace(entry("b", 0), queued_at=800.0,
                                           link_lost_until=1042.0)])
        wait = pane.model.data(pane.model.index(0, QueueTableModel.WAIT_COLUMN))
        assert wait == "03:20\n中断\n42 秒"
        tip = pane.model.data(pane.model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
        assert "连接中断，保留 42 秒" in tip and "群众重新连接前不会分配" in tip
        assert "1 人连接中断" in pane.summary.text()
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
