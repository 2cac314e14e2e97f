"""Text from outside shows as the characters it is: a caller whose name holds markup sees it
on the workstation as typed, not rendered as bold, an image or a link, and no label of the
seat guesses rich text (only the status strip's coloured dot is ours on purpose)."""

from __future__ import annotations

import asyncio

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QLabel

from sandbox.citizen import CitizenScript, SimulatedCitizen
from tests.integration.conftest import Seat, until

MARKUP_NAME = '<b>吴</b><img src="x.png"><a href="http://x">小梅</a>'


def rendered_width(text: str, text_format: Qt.TextFormat) -> int:
    label = QLabel(text)
    label.setTextFormat(text_format)
    return label.sizeHint().width()


async def test_markup_in_a_callers_name_shows_as_text(seat: Seat) -> None:
    window, ws = seat.window, seat.workstation
    citizen = SimulatedCitizen(
        seat.hub.url, "SI-UNEMP-QUERY", "miniprogram", MARKUP_NAME,
        script=CitizenScript(rating_score=9, await_outcome_s=10),
    )
    run = asyncio.get_running_loop().create_task(citizen.run())
    window.status_strip.state_chosen.emit("ready", "")
    await until(lambda: window.offer_banner.isVisible(), "the offer rings")
    window.offer_banner.accept_button.click()
    await until(lambda: ws.call is not None, "the call starts")

    name = window.work_order_pane.name
    await until(lambda: name.text().startswith(MARKUP_NAME), "the caller's name is shown")
    assert name.textFormat() == Qt.TextFormat.PlainText
    # Shown as typed, the tags take room; rendered, only 吴小梅 (and an image) would.
    assert rendered_width(MARKUP_NAME, Qt.TextFormat.PlainText) > rendered_width(
        MARKUP_NAME, Qt.TextFormat.RichText
    )
    guessing = [
        (label.objectName() or type(label.parent()).__name__, label.text())
        for label in window.findChildren(QLabel)
        if label.textFormat() != Qt.TextFormat.PlainText
        and label is not window.status_strip.connection
        and label.buddy() is None  # a form row's caption (QFormLayout makes it): our words
    ]
    assert guessing == []

    await until(lambda: window.video_pane.view.painted_count >= 5, "the caller's video paints")
    window.video_pane.hang_up_button.click()
    await until(lambda: window.work_order_pane.wrap_up_box.isVisible(), "wrap-up opens")
    window.work_order_pane.submit.click()
    await until(lambda: len(ws.history) == 1, "the work order closes")
    report = await asyncio.wait_for(run, 30)
    assert report.errors == [], report.errors
