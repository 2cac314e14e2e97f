"""``python -m sandbox.kiosk``: one simulated kiosk calling the agent, offscreen or on a display.

    python -m sandbox.kiosk --hub ws://127.0.0.1:8765/ws --hall 沙田镇 --printer-dir out/printer

It reads a made-up ID card (``--card-seed``), scans the face, queues for
``--item`` on channel ``kiosk``, shares its screen, and waits for the
agent's remote assistance until the call ends. Prints the kiosk's report
(input handled and refused, documents printed) as JSON at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from seat_common import tls


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.kiosk", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--hub", required=True, help="the hub's websocket URL")
    parser.add_argument("--hall", default="沙田镇", help="the town hall the kiosk stands in")
    parser.add_argument("--printer-dir", type=Path, required=True, help="where printed PDFs go")
    parser.add_argument("--item", default="SI-PENSION-CERT", help="the service item to queue for")
    parser.add_argument("--card-seed", type=int, default=1, help="which made-up ID card is read")
    parser.add_argument("--show", action="store_true", help="show the window (needs a display)")
    parser.add_argument("--ca-file", default="", help="PEM file of the CAs that vouch for the"
                                                      " hub's certificate (default: the system's)")
    args = parser.parse_args(argv)
    try:
        tls.check_url(args.hub, what="--hub", secure="wss")
        if args.ca_file:
            tls.check_ca_file(args.ca_file)
    except (tls.InsecureUrlError, tls.TlsSetupError) as exc:
        parser.error(str(exc))
    if not args.show:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_API", "pyqt6")

    import qasync
    from PyQt6.QtWidgets import QApplication

    from sandbox.kiosk.app import KioskWindow
    from sandbox.kiosk.id_card import make_id_card
    from sandbox.kiosk.peer import KioskPeer
    from sandbox.kiosk.printer import KioskPrinter
    from seat_common import catalog

    app = QApplication.instance() or QApplication(sys.argv)
    items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
    window = KioskWindow(args.hall, items)
    window.show()
    peer = KioskPeer(args.hub, window, KioskPrinter(args.printer_dir), item_code=args.item,
                     ca_file=args.ca_file)

    async def run() -> None:
        card = make_id_card(args.card_seed)
        peer.read_id_card(card)
        peer.scan_face(args.card_seed)
        report = await peer.run()
        data = asdict(report)
        data["handled"] = len(report.handled)
        print(json.dumps(data, ensure_ascii=False))

    assert isinstance(app, QApplication)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(run())
