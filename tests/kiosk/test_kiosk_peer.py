"""The kiosk's peer owns its background work: the print button prints while the peer's
contact may still come or runs, and once the contact is over nothing new is started."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from sandbox.device_login import KioskLogin
from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.peer import KioskPeer
from sandbox.kiosk.printer import KioskPrinter
from seat_common import catalog


async def until(condition: Callable[[], bool], timeout_s: float = 20.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():  # noqa: ASYNC110 (the printer has no event to wait on)
            await asyncio.sleep(0.05)


def closed_port() -> int:
    """A loopback port nothing listens on (connecting is refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_print_button_prints_until_the_contact_is_over(
    qtbot: QtBot, tmp_path: Path
) -> None:
    items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
    window = KioskWindow("沙田镇", items)
    qtbot.addWidget(window)
    printer = KioskPrinter(tmp_path / "printer")
    peer = KioskPeer(f"ws://127.0.0.1:{closed_port()}/ws", window, printer,
                     item_code="SI-PENSION-CERT", reply_timeout_s=2,
                     login=KioskLogin("K-TEST", "not-used-no-hub-listens"))

    window.print_requested.emit()
    await until(lambda: bool(peer.report.printed))
    assert peer.report.printed == ["申请表.pdf"]

    report = await peer.run(give_up_after_s=10)  # the hub is not there: over at once
    assert any("kiosk contact ended" in e for e in report.errors), report.errors
    window.print_requested.emit()
    await asyncio.sleep(0.2)
    assert "the contact is over; print-form not started" in report.errors
    assert report.printed == ["申请表.pdf"] and len(printer.printed) == 1
