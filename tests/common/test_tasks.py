"""The task owner: it keeps, names and cancels background work and reports what fails."""

from __future__ import annotations

import asyncio

import pytest

from seat_common.tasks import TaskFailure, TaskOwner


async def test_a_failing_task_is_reported_with_its_name_to_the_owner_and_its_parents() -> None:
    root = TaskOwner("seat")
    part = root.child("review")
    seen_root: list[TaskFailure] = []
    seen_part: list[TaskFailure] = []
    root.failed.connect(seen_root.append)
    part.failed.connect(seen_part.append)

    async def broken() -> None:
        raise ValueError("no such material")

    task = part.spawn(broken(), "send the verdict")
    await asyncio.gather(task, return_exceptions=True)
    await asyncio.sleep(0)  # done callbacks run on the next turn
    assert [f.name for f in seen_part] == ["send the verdict"]
    assert [f.name for f in seen_root] == ["send the verdict"]
    assert isinstance(seen_root[0].error, ValueError)
    assert not part.busy


async def test_a_quiet_task_is_logged_but_not_reported(caplog: pytest.LogCaptureFixture) -> None:
    owner = TaskOwner("seat")
    seen: list[TaskFailure] = []
    owner.failed.connect(seen.append)

    async def broken() -> None:
        raise RuntimeError("hub gone")

    await asyncio.gather(owner.spawn(broken(), "subscribe", report=False),
                         return_exceptions=True)
    await asyncio.sleep(0)
    assert seen == []
    assert "subscribe failed" in caplog.text


async def test_close_cancels_what_still_runs_in_the_whole_tree_and_refuses_new_work() -> None:
    root = TaskOwner()
    child = root.child("outbox")
    started = asyncio.Event()
    cancelled: list[str] = []

    async def forever(name: str) -> None:
        try:
            started.set()
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.append(name)
            raise

    root.spawn(forever("root"), "root work")
    child.spawn(forever("child"), "child work")
    await started.wait()
    await asyncio.sleep(0)
    assert root.busy and child.busy
    await root.close()
    assert sorted(cancelled) == ["child", "root"]
    assert not root.busy and not child.busy
    coro = forever("late")
    with pytest.raises(RuntimeError):
        child.spawn(coro, "too late")


async def test_busy_changes_once_when_work_starts_and_once_when_it_all_ends() -> None:
    owner = TaskOwner()
    changes: list[bool] = []
    owner.busy_changed.connect(changes.append)
    gate = asyncio.Event()
    first = owner.spawn(gate.wait(), "a")
    second = owner.spawn(gate.wait(), "b")
    assert [t.get_name() for t in owner.running("b")] == ["b"]
    gate.set()
    await asyncio.gather(first, second)
    await asyncio.sleep(0)
    assert changes == [True, False]
    await owner.wait()
