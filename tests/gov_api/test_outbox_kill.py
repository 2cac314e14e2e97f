"""kill -9 drill: a workstation killed mid-delivery and restarted delivers each application
exactly once — the sandbox's own database shows every key once, none missing — even when the
agents submit every application again after the restart."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sandbox.gov_api_process import GovApiProcess
from seat_client.acceptance.gov_api_client import KeyringGovApiCredentials

COUNT = 30


def drill(outbox: Path, api: GovApiProcess, credentials: KeyringGovApiCredentials,
          enqueue: int = 0) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.gov_api.outbox_drill", "--outbox", str(outbox),
         "--api", api.url, "--client-id", api.client_id,
         "--keyring-service", credentials._service, "--enqueue", str(enqueue)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )


def delivered(api: GovApiProcess) -> int:
    return sum(1 for a in api.applications() if a["body"]["work_order_id"].startswith("WO-kill"))


async def wait_for(condition: object, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_kill_9_mid_delivery_then_restart_delivers_each_exactly_once(
    tmp_path: Path, api: GovApiProcess, credentials: KeyringGovApiCredentials
) -> None:
    outbox = tmp_path / "outbox.sqlite3"
    await api.add_fault(kind="latency", ms=40)
    before = delivered(api)
    first = drill(outbox, api, credentials, enqueue=COUNT)
    assert first.stdout is not None
    assert first.stdout.readline().strip() == b"ready"
    await wait_for(lambda: delivered(api) >= before + 5)
    os.kill(first.pid, signal.SIGKILL)  # mid-delivery: requests are in flight
    assert first.wait(5) == -signal.SIGKILL
    first.stdout.close()
    db = sqlite3.connect(outbox)
    states = dict(db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
    db.close()
    assert sum(states.values()) == COUNT and states.get("accepted", 0) < COUNT

    second = drill(outbox, api, credentials)  # a second crash, later in the run
    await wait_for(lambda: delivered(api) >= before + 15)
    os.kill(second.pid, signal.SIGKILL)
    second.wait(5)
    assert second.stdout is not None
    second.stdout.close()

    await api.clear_faults()
    # The agents, not sure what went through, submit every application again.
    third = drill(outbox, api, credentials, enqueue=COUNT)
    assert await asyncio.to_thread(third.wait, 20) == 0
    assert third.stdout is not None
    third.stdout.close()

    db = sqlite3.connect(outbox)
    ours = dict(db.execute("SELECT idempotency_key, application_no FROM outbox "
                           "WHERE state = 'accepted'").fetchall())
    db.close()
    assert len(ours) == COUNT
    theirs = [a for a in api.applications() if a["idempotency_key"] in ours]
    assert sorted(a["idempotency_key"] for a in theirs) == sorted(ours)  # each exactly once
    assert {a["idempotency_key"]: a["application_no"] for a in theirs} == ours
    assert delivered(api) == before + COUNT  # nothing more: no application twice
