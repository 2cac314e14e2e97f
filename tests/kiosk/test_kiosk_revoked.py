"""A kiosk whose token an administrator revokes: the hub closes its contact after SIGHUP
and the kiosk's screen says why (the stand-in shows what a kiosk vendor's client must)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from sandbox.hub_process import HubProcess, SeatSpec
from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.peer import REVOKED_STATUS, KioskPeer
from sandbox.kiosk.printer import KioskPrinter
from seat_common import catalog


async def test_a_revoked_kiosk_is_closed_and_its_screen_says_why(
    qtbot: QtBot, tmp_path: Path
) -> None:
    skills = tuple(catalog.load().skills)
    async with HubProcess([SeatSpec("0012", "张三", skills=skills)],
                          workdir=tmp_path / "hub") as hub:
        items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
        window = KioskWindow("沙田镇", items)
        qtbot.addWidget(window)
        peer = KioskPeer(hub.url, window, KioskPrinter(tmp_path / "printer"),
                         item_code="SI-PENSION-CERT", reply_timeout_s=10,
                         login=hub.kiosk_login())
        contact = asyncio.create_task(peer.run(give_up_after_s=60))
        await hub.wait_for_event("queued", within=30)  # waiting for an agent
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "seat_hub.admin.cli", "--seats", str(hub.seats_path),
             "revoke", "K-SHATIAN-01"], capture_output=True, text=True, timeout=60,
            check=False)
        assert done.returncode == 0, done.stderr
        assert hub.pid is not None
        os.kill(hub.pid, signal.SIGHUP)
        report = await asyncio.wait_for(contact, 30)  # the hub closed it
        assert window.status.text() == REVOKED_STATUS
        assert any("hub error revoked" in e for e in report.errors), report.errors
        reloaded = await hub.wait_for_event("seats_reloaded")
        assert len(reloaded["sessions_closed"]) == 1
