"""The agent's workstation at 1366×768 (and 1920×1080) holds whatever the data: nothing the
agent needs is cut, pushed off the screen or squeezed below its text.

Each case runs the whole seat on a real hub and the government-API sandbox with the hard
data the demo does not send: an elderly caller with a long name, for the catalog's longest
item, twelve document photos, a form with every field kind; in Chinese and in English, with
large text; in video, counter and combined mode. At every step of the call, and on every
work tab, the window is measured (``geometry.layout_problems``) and a screenshot saved in
``out/layout/`` to be looked at.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seat_client.acceptance.desk import ApplicationContext, ContactKind
from tests.layout.harness import (
    EVERY_FIELD_KIND,
    LONGEST_ITEM,
    Case,
    LayoutSeat,
    running_seat,
    until,
)

CALL_CASES = [
    Case("zh-1366"),
    Case("en-1366", language="en"),
    Case("large-1366", large_text=True),
    Case("zh-1920", size=(1920, 1080)),
]


def assert_fits(problems: dict[str, list[str]]) -> None:
    """Fail with every problem of every state, one a line (the screenshots show them)."""
    lines = [f"{state}: {problem}" for state, found in problems.items() for problem in found]
    assert not lines, "cut or squeezed at this size:\n" + "\n".join(lines)


async def walk_the_work_tabs(seat: LayoutSeat, state: str, *, every: bool = False
                            ) -> dict[str, list[str]]:
    """Each work tab in front in turn: the problems of each. ``every``: the tabs hidden for
    this contact too (each must fit whenever it shows), hidden again after."""
    tabs = seat.seat.window.work_tabs
    found: dict[str, list[str]] = {}
    hidden = [i for i in range(tabs.count()) if not tabs.isTabVisible(i)]
    for index in range(tabs.count()):
        if index in hidden and not every:
            continue
        tabs.setTabVisible(index, True)
        tabs.setCurrentIndex(index)
        found[f"{state}-tab{index}"] = await seat.look(f"{state}-tab{index}")
    for index in hidden:
        tabs.setTabVisible(index, False)
    return found


@pytest.mark.parametrize("case", CALL_CASES, ids=lambda c: c.name)
async def test_a_priority_call_with_the_longest_item_fits(case: Case, tmp_path: Path) -> None:
    async with running_seat(case, tmp_path) as seat:
        ws = seat.seat.workstation
        await ws.set_ready()
        citizen = seat.citizen(photos=12)
        run = asyncio.get_running_loop().create_task(citizen.run())
        try:
            problems: dict[str, list[str]] = {}
            await until(lambda: ws.offer is not None, "the elderly caller rings")
            problems["ringing"] = await seat.look("ringing")
            seat.seat.window.offer_banner.accept_button.click()
            await until(lambda: ws.call is not None, "the call starts")
            review = seat.seat.pre_review.desk
            await until(lambda: review.session is not None
                        and len(review.session.materials) == 12, "twelve photos arrive", 90)
            # A correction with a reason and a note a citizen can act on.
            session = review.session
            assert session is not None
            session.mark(session.checklist[0].code, "to_correct", session.reasons[0].code,
                         "请在灯光充足处重新拍摄，证件四个角都要拍全")
            problems["call"] = await seat.look("call")
            desk = seat.seat.applications.desk
            call = ws.call
            assert call is not None
            desk.open(ApplicationContext(ContactKind.CALL, call.work_order_id, LONGEST_ITEM,
                                         call.started.item_name, "0012"),
                      EVERY_FIELD_KIND, {"id_card.name": call.started.peer_name})
            problems.update(await walk_the_work_tabs(seat, "call"))
            problems.update(await walk_the_work_tabs(seat, "every-tab", every=True))
            await ws.hang_up()
            await until(lambda: ws.wrap_up is not None, "the wrap-up is asked for")
            problems["wrap-up"] = await seat.look("wrap-up")
        finally:
            run.cancel()
            await asyncio.gather(run, return_exceptions=True)
    assert_fits(problems)


@pytest.mark.parametrize("mode", ["counter", "combined"])
async def test_counter_and_combined_mode_fit_with_a_walk_in(mode: str, tmp_path: Path) -> None:
    async with running_seat(Case(f"zh-{mode}"), tmp_path) as seat:
        ws = seat.seat.workstation
        await ws.set_mode(mode)  # type: ignore[arg-type]
        window = seat.seat.window
        await until(lambda: window.mode_layout.shown == mode, f"the layout turns to {mode}")
        problems = {"intake": await seat.look("intake")}
        walk_ins = seat.seat.counter.desk
        await walk_ins.start_without_appointment(LONGEST_ITEM)
        await until(lambda: walk_ins.walk_in is not None, "the walk-in opens")
        problems["walk-in"] = await seat.look("walk-in")
        problems.update(await walk_the_work_tabs(seat, "walk-in"))
    assert_fits(problems)


def test_a_4k_screen_at_200_percent_fits_and_stays_sharp() -> None:
    """The 1920×1080 case again in a process whose Qt scales everything by 2 (a 4K screen at
    200 %: the factor must be set before Qt starts). Its screenshots (3840×2160, ``-x2``)
    show whether anything is blurry or tiny."""
    if os.environ.get("QT_SCALE_FACTOR") == "2":
        pytest.skip("this is the scaled run itself")
    case = f"{__file__}::test_a_priority_call_with_the_longest_item_fits[zh-1920]"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", case],
        env={**os.environ, "QT_SCALE_FACTOR": "2"}, capture_output=True, text=True,
        timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
