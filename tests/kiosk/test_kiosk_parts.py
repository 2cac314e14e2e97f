"""The kiosk simulator's parts: ID card and face scan, printer, consent gate, shared screen."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from pathlib import Path

import pytest
from PyQt6.QtCore import QPoint
from PyQt6.QtGui import QColor
from pytestqt.qtbot import QtBot

from sandbox.kiosk.app import KioskWindow
from sandbox.kiosk.control import ControlGate, ControlState
from sandbox.kiosk.id_card import check_digit, face_scan, is_valid_id_number, make_id_card
from sandbox.kiosk.printer import KioskPrinter
from sandbox.kiosk.screen_track import render_shared_screen
from seat_common import catalog
from seat_common.protocol import assist as wire


def test_id_numbers_carry_a_gb_11643_check_digit() -> None:
    assert check_digit("11010519491231002") == "X"  # the standard's own example
    cards = [make_id_card(seed) for seed in range(50)]
    assert all(is_valid_id_number(c.id_number) for c in cards)
    assert all(c.photo_jpeg.startswith(b"\xff\xd8") for c in cards)


def test_the_face_scan_matches_the_card_holder_only() -> None:
    card = make_id_card(7)
    assert face_scan(card, 7).matched
    assert not any(face_scan(card, other).matched for other in (1, 2, 3, 8))


def chunks(document: bytes, job: str = "job1", name: str = "licence.pdf") -> list[wire.PrintChunk]:
    digest = hashlib.sha256(document).hexdigest()
    size = 10
    total = -(-len(document) // size)
    return [
        wire.PrintChunk(job, name, i, total, len(document), digest,
                        base64.b64encode(document[i * size : (i + 1) * size]).decode())
        for i in range(total)
    ]


async def test_the_printer_reassembles_checks_and_writes_atomically(tmp_path: Path) -> None:
    printer = KioskPrinter(tmp_path)
    document = b"%PDF-1.4 a small but real enough document"
    parts = chunks(document)
    results = [await printer.accept(c) for c in reversed(parts)]  # any order
    assert results[:-1] == [None] * (len(parts) - 1)
    assert results[-1] == wire.PrintResult("job1", "licence.pdf", True)
    assert (tmp_path / "licence.pdf").read_bytes() == document
    # The same name again gets a new file; nothing half-written is left.
    for c in chunks(document, job="job2"):
        await printer.accept(c)
    written = sorted(p.name for p in tmp_path.iterdir())  # noqa: ASYNC240 (a test's tmp dir)
    assert written == ["licence-2.pdf", "licence.pdf"]


async def test_the_printer_refuses_what_is_not_a_checked_pdf(tmp_path: Path) -> None:
    printer = KioskPrinter(tmp_path)
    not_pdf = chunks(b"<html>hello</html>")
    for c in not_pdf[:-1]:
        await printer.accept(c)
    assert await printer.accept(not_pdf[-1]) == wire.PrintResult(
        "job1", "licence.pdf", False, "not a PDF document")
    tampered = chunks(b"%PDF-1.4 original", job="job3")
    tampered[0] = dataclasses.replace(tampered[0], data=base64.b64encode(b"%PDF-1.4 X").decode())
    results = [await printer.accept(c) for c in tampered]
    assert results[-1] is not None and not results[-1].ok
    assert list(tmp_path.iterdir()) == []  # noqa: ASYNC240 (a test's tmp dir)


def test_the_consent_gate_admits_input_only_while_granted() -> None:
    gate = ControlGate()
    assert not gate.admit(1, "pointer:click")
    assert gate.request("s1") and gate.state is ControlState.ASKING
    assert not gate.admit(2, "key")
    assert gate.answer(True) and gate.admit(3, "key")
    assert gate.stop("kiosk") and not gate.admit(4, "key")
    assert gate.request("s2") and gate.answer(True)
    gate.stop("call_end")
    assert gate.state is ControlState.ENDED and not gate.request("s3")
    assert [r.seq for r in gate.refused] == [1, 2, 4]


def test_the_shared_screen_covers_the_id_number(qtbot: QtBot) -> None:
    items = [i for i in catalog.load().items.values() if "kiosk" in i.channels]
    window = KioskWindow("沙田镇", items)
    qtbot.addWidget(window)
    window.show()
    card = make_id_card(3)
    window.fill_from_id_card(card)
    assert card.id_number not in window.id_edit.text()  # masked on the kiosk too
    image = render_shared_screen(window, window.personal_widgets)
    assert (image.width(), image.height()) == (1024, 768)
    box = window.id_edit
    corner = box.mapTo(window, QPoint(2, 2))
    edge = box.mapTo(window, QPoint(box.width() - 3, box.height() - 3))
    cover = QColor("#5b6675")
    assert image.pixelColor(corner) == cover and image.pixelColor(edge) == cover
    name = window.name_edit.mapTo(window, QPoint(2, 2))
    assert image.pixelColor(name) != cover  # other fields are shown


def test_the_kiosk_command_wants_its_token_in_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sandbox.kiosk.cli import main

    base = ["--hub", "ws://127.0.0.1:1/ws", "--printer-dir", str(tmp_path / "printer"),
            "--device-id", "K-SHATIAN-01"]
    for token_file, says in ((tmp_path / "missing.token", "cannot read"),
                             (tmp_path / "empty.token", "is empty")):
        if token_file.name == "empty.token":
            token_file.write_text("\n", encoding="utf-8")
        with pytest.raises(SystemExit) as exited:
            main([*base, "--token-file", str(token_file)])
        assert exited.value.code == 2 and says in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(base)  # no --token-file: the token never goes on the command line
    assert "--token-file" in capsys.readouterr().err
