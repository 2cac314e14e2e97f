"""The outbox keeps every application on disk first, retries what can be retried, and never
sends a new key for an old application."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from seat_client.acceptance.gov_api_client import (
    Application,
    BadAnswer,
    FieldErrors,
    FieldProblem,
    GovApiError,
    IdempotencyConflict,
    NotFound,
    RateLimited,
    TransportError,
    Unauthorized,
    Unavailable,
)
from seat_client.acceptance.outbox import SubmissionOutbox, backoff_delay
from seat_client.acceptance.outbox_entries import (
    OutboxEntry,
    OutboxState,
    Submission,
    idempotency_key,
)
from seat_common.tasks import TaskOwner


def submission(n: int = 1) -> Submission:
    return Submission(work_order_id=f"WO-{n}", item_code="SI-PENSION-CERT",
                      item_name="养老认证", form="pension_certification",
                      values={"pensioner_name": "吴小梅"}, materials=("id_card",),
                      material_names=("居民身份证",), applicant_name="吴小梅",
                      applicant_id_number="11010519491231002X", agent_id="0012")


class ScriptedApi:
    """A test ``ApplicationsApi``: answers (or raises) from a script, records every call."""

    def __init__(self, *script: Exception | None) -> None:
        self.script = list(script)
        self.calls: list[tuple[str, float]] = []
        self.numbers: dict[str, str] = {}

    async def submit_application(self, key: str, body: dict[str, Any]) -> Application:
        self.calls.append((key, time.monotonic()))
        step = self.script.pop(0) if self.script else None
        if step is not None:
            raise step
        number = self.numbers.setdefault(key, f"SL-20261128-{len(self.numbers) + 1:06d}")
        return Application(number, body["item_code"], "received", "", "2026-11-28T00:00:00Z")

    async def application(self, number: str) -> Application:
        return Application(number, "SI-PENSION-CERT", "returned", "材料不清晰",
                           "2026-11-28T00:00:00Z")


async def until_state(outbox: SubmissionOutbox, entry_id: int, state: OutboxState,
                      within: float = 5.0) -> OutboxEntry:
    deadline = time.monotonic() + within
    while True:
        entry = outbox.entry(entry_id)
        if entry is not None and entry.state is state:
            return entry
        if time.monotonic() > deadline:
            pytest.fail(f"entry {entry_id} never became {state}: {entry}")
        await asyncio.sleep(0.01)


async def make(path: Path, api: ScriptedApi, **kw: Any) -> SubmissionOutbox:
    outbox = SubmissionOutbox(path, api, base_s=0.02, cap_s=0.2, rng=random.Random(4), **kw)
    await outbox.open()
    return outbox


async def test_enqueue_is_on_disk_before_anything_is_sent(tmp_path: Path) -> None:
    api = ScriptedApi()
    outbox = await make(tmp_path / "outbox.sqlite3", api)
    entry = await outbox.enqueue(submission())
    # Another connection (another process after a crash) sees it, committed.
    db = sqlite3.connect(tmp_path / "outbox.sqlite3")
    row = db.execute("SELECT idempotency_key, state FROM outbox").fetchone()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    assert row == (entry.idempotency_key, "queued")
    assert api.calls == []  # no worker yet: nothing on the wire
    await outbox.stop()


async def test_transient_failures_are_retried_with_the_same_key(tmp_path: Path) -> None:
    api = ScriptedApi(TransportError("dropped"), Unavailable(503, None), None)
    outbox = await make(tmp_path / "o.sqlite3", api)
    states: list[OutboxState] = []
    outbox.changed.connect(lambda e: states.append(e.state))
    outbox.start()
    entry = await outbox.enqueue(submission())
    done = await until_state(outbox, entry.entry_id, OutboxState.ACCEPTED)
    await outbox.stop()
    assert {key for key, _ in api.calls} == {entry.idempotency_key}
    assert len(api.calls) == 3 and done.attempts == 3
    assert done.application_no == "SL-20261128-000001"
    assert states[:3] == [OutboxState.QUEUED, OutboxState.SENDING, OutboxState.QUEUED]


async def test_retry_after_is_honoured(tmp_path: Path) -> None:
    api = ScriptedApi(RateLimited(0.3), None)
    outbox = await make(tmp_path / "o.sqlite3", api)
    outbox.start()
    entry = await outbox.enqueue(submission())
    await until_state(outbox, entry.entry_id, OutboxState.ACCEPTED)
    await outbox.stop()
    assert api.calls[1][1] - api.calls[0][1] >= 0.29


async def test_field_errors_return_the_application_for_correction(tmp_path: Path) -> None:
    problem = FieldProblem("mobile", "mobile", "手机号码应为以1开头的11位数字")
    api = ScriptedApi(FieldErrors("申请表有误", (problem,)))
    outbox = await make(tmp_path / "o.sqlite3", api)
    outbox.start()
    entry = await outbox.enqueue(submission())
    returned = await until_state(outbox, entry.entry_id, OutboxState.RETURNED)
    await outbox.stop()
    assert returned.field_errors == (problem,)
    reopened = await make(tmp_path / "o.sqlite3", ScriptedApi())
    again = reopened.entry(entry.entry_id)
    assert again is not None and again.field_errors == (problem,)  # survives a restart
    await reopened.stop()


async def test_a_conflicting_key_fails_and_can_be_sent_again(tmp_path: Path) -> None:
    api = ScriptedApi(IdempotencyConflict("reused"), None)
    outbox = await make(tmp_path / "o.sqlite3", api)
    outbox.start()
    entry = await outbox.enqueue(submission())
    failed = await until_state(outbox, entry.entry_id, OutboxState.FAILED)
    assert "reused" in failed.detail
    await outbox.retry(entry.entry_id)
    await until_state(outbox, entry.entry_id, OutboxState.ACCEPTED)
    await outbox.stop()


async def test_entries_caught_sending_by_a_crash_are_queued_again(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    outbox = await make(path, ScriptedApi())
    entry = await outbox.enqueue(submission())
    await outbox.stop()
    db = sqlite3.connect(path)
    db.execute("UPDATE outbox SET state = 'sending'")
    db.commit()
    db.close()
    api = ScriptedApi()
    reopened = await make(path, api)
    assert reopened.counts()[OutboxState.QUEUED] == 1
    reopened.start()
    await until_state(reopened, entry.entry_id, OutboxState.ACCEPTED)
    await reopened.stop()
    assert [key for key, _ in api.calls] == [entry.idempotency_key]


async def test_the_same_application_submitted_again_is_one_entry_with_one_key(
    tmp_path: Path,
) -> None:
    api = ScriptedApi(Unavailable(500, None), None)
    outbox = await make(tmp_path / "o.sqlite3", api)
    outbox.start()
    first = await outbox.enqueue(submission())
    again = await asyncio.gather(outbox.enqueue(submission()), outbox.enqueue(submission()))
    done = await until_state(outbox, first.entry_id, OutboxState.ACCEPTED)
    assert {e.entry_id for e in again} == {first.entry_id} and len(outbox.entries()) == 1
    assert again[0].idempotency_key == first.idempotency_key == idempotency_key(submission())
    assert await outbox.enqueue(submission()) == done  # after it was accepted, too
    assert [key for key, _ in api.calls] == [first.idempotency_key] * 2  # the 500, then once
    await outbox.stop()
    # A corrected form is another revision: another key, another entry.
    changed = replace(submission(), values={"pensioner_name": "吴晓梅"})
    assert idempotency_key(changed) != first.idempotency_key
    assert idempotency_key(replace(submission(), materials=())) != first.idempotency_key
    assert idempotency_key(submission(2)) != first.idempotency_key  # another work order
    # The key is the application's, not this workstation's: the same after a restart.
    reopened = await make(tmp_path / "o.sqlite3", ScriptedApi())
    assert (await reopened.enqueue(submission())).entry_id == first.entry_id
    await reopened.stop()


@pytest.mark.parametrize("answer", [
    GovApiError("HTTP 400: 请求被网关拒绝"), Unauthorized("client credentials refused"),
    NotFound("没有这个接口"), BadAnswer("an application answer without 'status'"),
], ids=["400", "401", "404", "bad_answer"])
async def test_an_answer_retrying_cannot_change_fails_at_once_with_its_message(
    tmp_path: Path, answer: GovApiError
) -> None:
    api = ScriptedApi(answer, None)
    outbox = await make(tmp_path / "o.sqlite3", api)
    outbox.start()
    entry = await outbox.enqueue(submission())
    failed = await until_state(outbox, entry.entry_id, OutboxState.FAILED)
    assert str(answer) in failed.detail and failed.attempts == 1 and len(api.calls) == 1
    # Submitted again (the cause fixed), it is the same application with the same key.
    again = await outbox.enqueue(submission())
    assert again.entry_id == entry.entry_id
    done = await until_state(outbox, entry.entry_id, OutboxState.ACCEPTED)
    assert [key for key, _ in api.calls] == [entry.idempotency_key] * 2 and done.attempts == 2
    await outbox.stop()


async def test_status_poll_sees_a_later_return(tmp_path: Path) -> None:
    outbox = await make(tmp_path / "o.sqlite3", ScriptedApi())
    outbox.start()
    entry = await outbox.enqueue(submission())
    await until_state(outbox, entry.entry_id, OutboxState.ACCEPTED)
    await outbox.refresh_statuses()
    returned = await until_state(outbox, entry.entry_id, OutboxState.RETURNED)
    assert returned.detail == "材料不清晰"
    await outbox.stop()


async def test_the_worker_and_each_delivery_run_under_the_outboxs_owner(tmp_path: Path) -> None:
    class HangingApi(ScriptedApi):
        async def submit_application(self, key: str, body: dict[str, Any]) -> Application:
            self.calls.append((key, time.monotonic()))
            await asyncio.Event().wait()  # the API never answers
            raise AssertionError

    owner = TaskOwner("outbox")
    outbox = await make(tmp_path / "o.sqlite3", HangingApi(), tasks=owner)
    outbox.start()
    entry = await outbox.enqueue(submission())
    await until_state(outbox, entry.entry_id, OutboxState.SENDING)
    names = sorted(task.get_name() for task in owner.running())
    assert names == [f"deliver application {entry.entry_id}", "outbox worker"]
    await outbox.stop()  # cancels the delivery under way: it goes again on the next start
    assert not owner.busy
    with pytest.raises(RuntimeError, match="closed"):
        outbox.start()


def test_backoff_is_full_jitter_under_a_growing_cap() -> None:
    rng = random.Random(1)
    for attempts in range(1, 12):
        ceiling = min(10.0, 0.5 * 2 ** (attempts - 1))
        delays = [backoff_delay(attempts, rng, base_s=0.5, cap_s=10.0) for _ in range(50)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # spread over the whole range, not a fixed step
    assert backoff_delay(1, rng, base_s=0.5, cap_s=10.0, retry_after=7.0) >= 7.0
