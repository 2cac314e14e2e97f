"""The outbox against the real sandbox in every fault mode: each application arrives once."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.gov_api_process import GovApiProcess
from seat_client.acceptance.gov_api_client import GovApiClient, KeyringGovApiCredentials
from seat_client.acceptance.outbox import SubmissionOutbox
from seat_client.acceptance.outbox_entries import OutboxState, Submission

VALUES = {"residence": "local", "pensioner_name": "吴小梅",
          "pensioner_id_number": "11010519491231002X", "mobile": "13800138000",
          "pension_start": "2010-03-01", "certification_way": "video"}


def submission(n: int, **values: str) -> Submission:
    return Submission(work_order_id=f"WO-drill-{n}", item_code="SI-PENSION-CERT",
                      item_name="企业职工领取养老保险待遇资格认证", form="pension_certification",
                      values={**VALUES, **values}, materials=("id_card",),
                      material_names=("居民身份证",), applicant_name="吴小梅",
                      applicant_id_number="11010519491231002X", agent_id="0012")


@pytest.fixture
async def outbox(tmp_path: Path, api: GovApiProcess, credentials: KeyringGovApiCredentials
                 ) -> AsyncIterator[SubmissionOutbox]:
    client = GovApiClient(api.url, credentials, timeout_s=1.0)
    box = SubmissionOutbox(tmp_path / "outbox.sqlite3", client, base_s=0.05, cap_s=0.4,
                           rng=random.Random(3))
    await box.open()
    box.start()
    yield box
    await box.stop()
    await client.close()


NUMBERS = itertools.count(1)  # up to a few dozen here; 900 and up are named below


async def deliver_all(outbox: SubmissionOutbox, count: int, within: float = 15.0,
                      **values: str) -> list[Any]:
    """``count`` new applications (work orders not used before), all delivered."""
    entries = [await outbox.enqueue(submission(next(NUMBERS), **values)) for _ in range(count)]
    deadline = time.monotonic() + within
    while True:
        states = [outbox.entry(e.entry_id).state for e in entries]  # type: ignore[union-attr]
        if all(s is OutboxState.ACCEPTED for s in states):
            return [outbox.entry(e.entry_id) for e in entries]
        if time.monotonic() > deadline:
            pytest.fail(f"not all delivered: {states}")
        await asyncio.sleep(0.02)


def exactly_once(api: GovApiProcess, entries: list[Any]) -> None:
    keys = [e.idempotency_key for e in entries]
    rows = [a for a in api.applications() if a["idempotency_key"] in keys]
    assert sorted(r["idempotency_key"] for r in rows) == sorted(keys)
    assert {r["application_no"] for r in rows} == {e.application_no for e in entries}


FAULTS = {
    "latency": {"kind": "latency", "ms": 120},
    "error_500": {"kind": "error", "status": 500, "count": 3},
    "error_503": {"kind": "error", "status": 503, "count": 3, "retry_after": 0},
    "drop_before": {"kind": "drop", "phase": "before", "count": 3},
    "drop_after": {"kind": "drop", "phase": "after", "count": 3},
    "slow_body": {"kind": "slow_body", "ms": 300, "count": 4},
    "flaky_mix": {"kind": "error", "status": 503, "rate": 0.4},
}


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
async def test_every_application_arrives_exactly_once(
    outbox: SubmissionOutbox, api: GovApiProcess, fault: str
) -> None:
    await api.add_fault(**FAULTS[fault])
    entries = await deliver_all(outbox, 6)
    exactly_once(api, entries)
    if fault == "drop_after":
        # The sandbox took those requests but the answers were lost: the retries with the
        # same key got the stored answer, not new applications.
        seen = [r for r in api.requests() if r["path"] == "/v1/applications"
                and r["idempotency_key"] in {e.idempotency_key for e in entries}]
        assert len(seen) >= len(entries) + 3


async def test_a_slow_body_past_the_timeout_is_retried_not_duplicated(
    outbox: SubmissionOutbox, api: GovApiProcess
) -> None:
    await api.add_fault(kind="slow_body", ms=1500, count=2)  # the client gives up after 1 s
    entries = await deliver_all(outbox, 2)
    exactly_once(api, entries)
    assert max(e.attempts for e in entries) >= 2


async def test_429_retry_after_is_waited_out(outbox: SubmissionOutbox,
                                             api: GovApiProcess) -> None:
    await api.add_fault(kind="rate_limit", retry_after=1, count=1)
    started = time.monotonic()
    entries = await deliver_all(outbox, 1)
    assert time.monotonic() - started >= 0.95
    exactly_once(api, entries)


async def test_a_token_expiring_mid_run_is_refreshed(outbox: SubmissionOutbox,
                                                     api: GovApiProcess) -> None:
    client = outbox.api
    assert isinstance(client, GovApiClient)
    first = await deliver_all(outbox, 2)
    fetched = client.tokens_fetched
    await api.add_fault(kind="expire_token", count=1)
    second = await deliver_all(outbox, 2)
    await api.expire_tokens()
    third = await deliver_all(outbox, 2)
    assert client.tokens_fetched == fetched + 2
    exactly_once(api, first + second + third)
    assert all(e.attempts == 1 for e in second + third)  # a refresh is not a failed attempt


async def test_field_errors_reach_the_entry(outbox: SubmissionOutbox) -> None:
    entry = await outbox.enqueue(submission(1, mobile="1380013800"))
    deadline = time.monotonic() + 5
    while (current := outbox.entry(entry.entry_id)) is None or current.state in (
            OutboxState.QUEUED, OutboxState.SENDING):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    assert current.state is OutboxState.RETURNED
    assert [(p.field, p.code) for p in current.field_errors] == [("mobile", "mobile")]


async def test_short_lived_tokens_expire_between_deliveries(
    tmp_path: Path, credentials: KeyringGovApiCredentials
) -> None:
    async with GovApiProcess(token_ttl=1) as short:
        credentials.set_client_secret(short.client_secret)
        client = GovApiClient(short.url, credentials, timeout_s=2.0)
        box = SubmissionOutbox(tmp_path / "short.sqlite3", client, base_s=0.05, cap_s=0.2)
        await box.open()
        box.start()
        try:
            first = await deliver_all(box, 2)
            await asyncio.sleep(1.1)  # the token has expired on the server
            second = await deliver_all(box, 2)
        finally:
            await box.stop()
            await client.close()
        assert client.tokens_fetched == 2
        assert all(e.attempts == 1 for e in first + second)
        exactly_once(short, first + second)


def applications_of(api: GovApiProcess, work_order_id: str) -> list[dict[str, Any]]:
    return [a for a in api.applications() if a["body"]["work_order_id"] == work_order_id]


async def until(outbox: SubmissionOutbox, entry_id: int, state: OutboxState) -> Any:
    deadline = time.monotonic() + 15
    while (entry := outbox.entry(entry_id)) is None or entry.state is not state:
        assert time.monotonic() < deadline, f"never {state}: {entry}"
        await asyncio.sleep(0.02)
    return entry


async def test_a_submit_clicked_again_after_a_500_makes_one_application(
    outbox: SubmissionOutbox, api: GovApiProcess
) -> None:
    await api.add_fault(kind="error", status=500, count=3)
    refused = asyncio.Event()  # the first 500 is in: queued again, to be retried
    outbox.changed.connect(
        lambda e: e.attempts and e.state is OutboxState.QUEUED and refused.set())
    first = await outbox.enqueue(submission(900))
    await asyncio.wait_for(refused.wait(), 15)
    again = await outbox.enqueue(submission(900))  # the agent, seeing the error, clicks again
    assert again.entry_id == first.entry_id
    done = await until(outbox, first.entry_id, OutboxState.ACCEPTED)
    assert [a["application_no"] for a in applications_of(api, "WO-drill-900")] == [
        done.application_no]


async def test_a_400_is_not_retried_and_the_agent_reads_the_servers_message(
    outbox: SubmissionOutbox, api: GovApiProcess
) -> None:
    await api.add_fault(kind="reject", status=400, count=1)
    entry = await outbox.enqueue(submission(901))
    failed = await until(outbox, entry.entry_id, OutboxState.FAILED)
    assert "请求被网关拒绝" in failed.detail and failed.attempts == 1
    sent = [r for r in api.requests() if r["idempotency_key"] == entry.idempotency_key]
    assert [r["status"] for r in sent] == [400]  # asked once, not again and again
    await outbox.enqueue(submission(901))  # sent again by the agent: the same application
    done = await until(outbox, entry.entry_id, OutboxState.ACCEPTED)
    assert [a["application_no"] for a in applications_of(api, "WO-drill-901")] == [
        done.application_no]
