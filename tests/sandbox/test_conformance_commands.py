"""The client teams' two commands as real processes: ``seat-hub --sandbox`` starts a hub
with demo seats, prints a working agent token and has the conformance agent answer a
simulated citizen with a passing report; ``seat-conformance`` checks a client against a
hub of one's own, exits 0 on a pass, and refuses a wrong token or option clearly.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.hub_process import HubProcess, SeatSpec
from seat_common import catalog
from seat_common.protocol import Hello, Welcome, decode, encode

SCRIPT = CitizenScript(chat_lines=("你好",), photos=("id_front",), photo_width=1600,
                       photo_height=1200, rating_score=8, trickle="early")


async def read_until(stream: asyncio.StreamReader, pattern: str, seen: list[str],
                     within: float = 60.0) -> re.Match[str]:
    """Read lines into ``seen`` until one matches ``pattern``."""
    async with asyncio.timeout(within):
        while True:
            raw = await stream.readline()
            if not raw:
                pytest.fail(f"the process ended before {pattern!r}; it printed {seen}")
            line = raw.decode("utf-8").rstrip("\n")
            seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found


async def test_seat_hub_sandbox_answers_a_citizen_and_prints_a_working_agent_token() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "seat_hub.cli", "--sandbox", "--port", "0",
        stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    seen: list[str] = []
    try:
        url = (await read_until(process.stdout, r"^Seat sandbox hub: (ws://\S+)$", seen))[1]
        token = (await read_until(process.stdout, r"^agent token \(seat 0012, 张三\): (\S+)$",
                                  seen))[1]
        await read_until(process.stdout, r"^conformance agent .* answers every call", seen)
        async with connect(url, compression=None) as ws:  # the printed token logs in
            await ws.send(encode(Hello(role="agent", token=token)))
            assert isinstance(decode(await ws.recv()), Welcome)
        citizen = SimulatedCitizen(url, "SI-UNEMP-QUERY", "web", "吴小梅", script=SCRIPT)
        report = await asyncio.wait_for(citizen.run(), 90)
        assert report.errors == [], report.errors
        await read_until(process.stdout, r"^Result: PASSED$", seen)
        assert any(line.startswith("PASS      upload") for line in seen), seen
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    skills = tuple(catalog.load().skills)
    async with HubProcess([SeatSpec("C01", "一致性测试坐席", skills=skills)]) as process:
        yield process


async def conformance(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox.conformance.cli", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def test_seat_conformance_passes_a_good_client_and_writes_its_report(
    hub: HubProcess, tmp_path: Path
) -> None:
    token_file = tmp_path / "agent.token"
    token_file.write_text(hub.tokens["C01"] + "\n", encoding="utf-8")
    out = tmp_path / "report.json"
    process = await conformance("--hub", hub.url, "--role", "citizen", "--agent-token-file",
                                str(token_file), "--require", "chat,upload,rating",
                                "--json", str(out))
    assert process.stdout is not None
    seen: list[str] = []
    await read_until(process.stdout, r"^seat-conformance: logged in as agent C01", seen)
    # The client: seat-sim, trickling its candidates before its offer.
    sim = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox.sim_cli", "--hub", hub.url, "--citizens", "1",
        "--items", "SI-UNEMP-QUERY", "--channels", "miniprogram", "--chat", "你好",
        "--photo", "id_front", "--rate", "8", "--trickle", "early", "--expect-call",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    sim_out, sim_err = await asyncio.wait_for(sim.communicate(), 120)
    assert sim.returncode == 0, sim_err.decode("utf-8")
    assert json.loads(sim_out.decode("utf-8").splitlines()[0])["candidates_trickled"] >= 1
    stdout, _ = await asyncio.wait_for(process.communicate(), 60)
    text = "\n".join(seen) + stdout.decode("utf-8")
    assert process.returncode == 0, text
    assert "Result: PASSED" in text
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved[0]["passed"] is True
    assert {s["step"] for s in saved[0]["steps"] if s["outcome"] == "PASS"} >= {
        "hello", "offer/answer", "trickle", "media both ways", "upload", "rating"}


async def test_seat_conformance_refuses_a_wrong_token_and_a_wrong_option(
    hub: HubProcess,
) -> None:
    process = await conformance("--hub", hub.url, "--role", "citizen", "--agent-token", "nope")
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert "refused the conformance agent's login (bad_token" in stderr.decode("utf-8")
    process = await conformance("--hub", hub.url, "--role", "citizen", "--agent-token", "x",
                                "--require", "dancing")
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert "'dancing' is not one of chat, rating, resume, upload" in stderr.decode("utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox.sim_cli", "--hub", hub.url, "--trickle", "sideways",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2 and "--trickle: invalid choice" in stderr.decode("utf-8")
