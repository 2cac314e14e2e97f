"""The kiosk citizen of ``demo_citizen.py``: the simulated kiosk (``sandbox.kiosk``) in
large text (大字版), at the demo hub's provisioned kiosk, queueing for a pension
certification with an ID card whose electronic copy in the licence library has expired
(``EXPIRED_HOLDER``), so the agent's lookup refuses it.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from PyQt6.QtCore import Qt

from sandbox.device_login import KioskLogin
from sandbox.gov_api.licence_records import EXPIRED_HOLDER, made_up_licences
from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.id_card import make_id_card
from sandbox.kiosk.peer import KioskPeer
from sandbox.kiosk.printer import KioskPrinter
from sandbox.kiosk.report import KioskReport
from seat_common import catalog

KIOSK_ITEM = "SI-PENSION-CERT"


class KioskCitizen:
    """One large-text kiosk contact, started by ``start`` and ended by ``close``."""

    def __init__(self, hub_url: str, device_id: str, token_file: Path, printer_dir: Path
                 ) -> None:
        items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
        self.window = KioskWindow("沙田镇", items)
        self.window.set_large_text(True)
        self.window.show()
        for row in range(self.window.item_menu.count()):
            entry = self.window.item_menu.item(row)
            if entry is not None and entry.data(Qt.ItemDataRole.UserRole) == KIOSK_ITEM:
                self.window.item_menu.setCurrentRow(row)
        self.id_number = EXPIRED_HOLDER
        self.peer = KioskPeer(hub_url, self.window, KioskPrinter(printer_dir),
                              item_code=KIOSK_ITEM,
                              login=KioskLogin.from_file(device_id, token_file))
        self._run: asyncio.Task[KioskReport] | None = None

    def start(self) -> None:
        """Swipe the card and queue."""
        holder = made_up_licences(EXPIRED_HOLDER)[0].holder_name
        self.peer.read_id_card(replace(make_id_card(3, birth_year=1988), name=holder,
                                       id_number=EXPIRED_HOLDER))
        # The scenes wait on the contact; its end is awaited in ``close``.
        self._run = asyncio.get_running_loop().create_task(self.peer.run(give_up_after_s=300))

    async def close(self) -> None:
        if self._run is None:
            return
        self.peer.finished.set()
        await asyncio.wait_for(self._run, 30)
        self.window.close()
