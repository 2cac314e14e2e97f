"""The seat's bounded shutdown: a part that never closes is left behind after its bound,
said in the log with where it waits, and the parts after it still close."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from ui.workstation.shutdown import Shutdown


async def _swallows_cancel(entered: asyncio.Event, peer: asyncio.Event) -> None:
    """A close that waits on a peer that does not answer and ignores being cancelled."""
    entered.set()
    while not peer.is_set():
        try:
            await peer.wait()
        except asyncio.CancelledError:
            continue


async def _waits_in_finally(peer: asyncio.Event) -> None:
    """A close whose clean-up, run when cancelled, waits on the peer too."""
    try:
        await peer.wait()
    finally:
        await asyncio.shield(peer.wait())


async def test_a_part_that_never_closes_is_left_behind_and_the_rest_close(
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = Shutdown(step_timeout_s=0.5)
    closed: list[str] = []
    entered = asyncio.Event()
    peer = asyncio.Event()  # answers only once the test is over

    async def closes() -> None:
        closed.append("after")

    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="ui.workstation.shutdown"):
        assert await down.step("before", lambda: closed.append("before")) is True
        assert await down.step("stubborn peer", lambda: _swallows_cancel(entered, peer)) is False
        assert await down.step("finally", lambda: _waits_in_finally(peer)) is False
        assert await down.step("after", closes) is True
    assert len(down.tasks.running()) == 2  # left behind, still waiting on the peer
    peer.set()
    await down.tasks.wait()
    assert entered.is_set()
    # Two bounds, not forever (generous for a loaded machine: each step waits 0.5 s once).
    assert time.monotonic() - started < 30
    assert closed == ["before", "after"]
    assert down.stuck == ["stubborn peer", "finally"]
    said = "\n".join(r.getMessage() for r in caplog.records)
    assert "stubborn peer did not close within" in said
    # Where it waits: the coroutine's own line, down to the future it hangs on.
    assert "in _swallows_cancel" in said and "in _waits_in_finally" in said


async def test_once_the_total_is_spent_each_stuck_part_gets_only_a_short_grace() -> None:
    down = Shutdown(step_timeout_s=5.0, total_s=0.0)
    peer = asyncio.Event()
    started = time.monotonic()
    for name in ("a", "b", "c"):
        assert await down.step(name, lambda: _waits_in_finally(peer)) is False
    # Three stuck parts, 0.5 s each rather than 5 s each (generous: the machine is shared).
    assert time.monotonic() - started < 10
    assert down.stuck == ["a", "b", "c"]
    peer.set()
    await down.tasks.wait()


async def test_a_part_that_fails_is_logged_and_the_next_still_closes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = Shutdown(step_timeout_s=5)
    closed: list[str] = []

    async def fails() -> None:
        raise OSError("the socket is gone")

    def fails_at_once() -> None:
        raise RuntimeError("already closed")

    with caplog.at_level(logging.ERROR, logger="ui.workstation.shutdown"):
        assert await down.step("broken", fails) is True
        assert await down.step("broken at once", fails_at_once) is True
        assert await down.step("window", lambda: closed.append("window") or True) is True
    assert closed == ["window"] and down.stuck == []
    said = [r.getMessage() for r in caplog.records if r.exc_info]
    assert said == ["shutdown: close broken failed", "shutdown: closing broken at once failed"]
