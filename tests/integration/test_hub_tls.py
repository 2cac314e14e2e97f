"""The hub on TLS, with a CA and certificates made at test time: the workstation's hub link
and the simulated citizens verify the hub's certificate, and refuse it clearly when it is
not from the CA they trust, is for another host or has expired; a hub given a bad
certificate or key does not start.

Real processes on loopback: ``seat-hub`` (through ``HubProcess``), ``seat-sim``; the hub
link runs on the workstation's own event loop (qasync).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PyQt6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from sandbox.hub_process import HubProcess, HubStartError, SeatSpec
from seat_client.call.hub_link import FullJitterBackoff, HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_common import protocol
from seat_common.tls import TlsProblem
from tests.integration.conftest import until
from tests.integration.parties import seat_wall
from tests.tls_certs import TestPki
from ui.workstation.main_window import MainWindow

SHOTS = Path(__file__).resolve().parents[2] / "out" / "tls"
BIN = Path(sys.executable).parent


@pytest.fixture
def pki(tmp_path: Path) -> TestPki:
    return TestPki.make(tmp_path / "pki")


@pytest.fixture
async def tls_hub(pki: TestPki) -> AsyncIterator[HubProcess]:
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",)),
                           SeatSpec("S01", "王督导", role="supervisor")],
                          tls=(pki.cert_file, pki.key_file)) as hub:
        yield hub


def agent_link(hub: HubProcess, ca_file: Path | None) -> HubLink:
    token = hub.tokens["0012"]
    return HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token), ca_file=ca_file,
                   backoff=FullJitterBackoff(base_s=0.1, cap_s=0.5))


async def test_the_agent_logs_in_to_a_tls_hub_that_its_ca_file_vouches_for(
    tls_hub: HubProcess, pki: TestPki
) -> None:
    assert tls_hub.url.startswith("wss://127.0.0.1:")
    assert tls_hub.page_url.startswith("https://127.0.0.1:")
    assert tls_hub.events("listening")[0]["tls"] is True
    link = agent_link(tls_hub, pki.ca_file)
    link.start()
    try:
        await until(lambda: link.state is LinkState.CONNECTED, "the agent logs in over wss://")
        assert link.tls_failure is None
        await tls_hub.wait_for_event("login", lambda e: e.get("agent_id") == "0012")
    finally:
        await link.stop()


async def test_without_the_ca_file_the_hub_certificate_is_refused_with_the_reason(
    tls_hub: HubProcess,
) -> None:
    link = agent_link(tls_hub, None)  # the system's trust store: our test CA is not in it
    link.start()
    try:
        await until(lambda: link.state is LinkState.UNTRUSTED, "the certificate is refused")
        failure = link.tls_failure
        assert failure is not None and failure.problem is TlsProblem.UNTRUSTED
        assert "not signed by a trusted CA" in str(failure)
        assert "unable to get local issuer certificate" in failure.detail
        # It keeps trying (a fixed certificate gets through without a restart), never logs in.
        await until(lambda: link.state is LinkState.CONNECTING, "it tries again")
        await until(lambda: link.state is LinkState.UNTRUSTED, "and is refused again")
    finally:
        await link.stop()
    assert not tls_hub.events("connected"), "no token was sent to a hub the agent cannot trust"


async def test_the_agent_reads_in_chinese_why_the_hub_certificate_was_refused(
    tls_hub: HubProcess, qtbot: QtBot, tmp_path: Path, chinese_ui: None
) -> None:
    workstation = Workstation(agent_link(tls_hub, None))
    window = MainWindow(workstation, QSettings(str(tmp_path / "w.ini"),
                                               QSettings.Format.IniFormat), tmp_path)
    qtbot.addWidget(window)
    window.show()
    workstation.link.start()
    try:
        await until(lambda: workstation.link.state is LinkState.UNTRUSTED, "refused")
        strip = window.status_strip
        await until(lambda: "证书未通过验证" in strip.connection.text(), "the light says so")
        assert "不是受信任的证书颁发机构签发的" in strip.message.text()
        assert "ca_file" in strip.message.text()
        assert "unable to get local issuer certificate" in strip.connection.toolTip()
        SHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SHOTS / "untrusted-hub-zh_CN.png"))
    finally:
        window.close()
        await workstation.close()


@pytest.mark.parametrize("trusted", [True, False])
async def test_the_seat_wall_syncs_over_wss_with_the_ca_file_and_says_why_not_without(
    tls_hub: HubProcess, pki: TestPki, qtbot: QtBot, trusted: bool, chinese_ui: None
) -> None:
    async with seat_wall(tls_hub, qtbot, work_orders=True, synced=False,
                         ca_file=pki.ca_file if trusted else None) as wall:
        window, model = wall.window, wall.model
        if trusted:
            await until(lambda: model.synced, "the wall arrives over wss://")
            assert [s.agent_id for s in window.grid.seats()] == ["0012"]
        else:
            await until(lambda: "证书" in window.result.text(), "the status bar says why")
            assert window.result.text() == (
                "服务端证书不是受信任的证书颁发机构签发的（请检查 ca_file 设置）")
            assert not model.synced


@pytest.mark.parametrize(("names", "expired", "problem", "words"), [
    (("other.example", "10.9.8.7"), False, TlsProblem.WRONG_HOST, "IP address mismatch"),
    (("127.0.0.1", "localhost"), True, TlsProblem.EXPIRED, "certificate has expired"),
])
async def test_a_certificate_for_another_host_or_out_of_date_is_refused(
    pki: TestPki, names: tuple[str, ...], expired: bool, problem: TlsProblem, words: str
) -> None:
    wrong = pki.server("wrong", names, expired=expired)
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))],
                          tls=(wrong.cert_file, wrong.key_file)) as hub:
        link = agent_link(hub, pki.ca_file)  # the right CA, the wrong certificate
        link.start()
        try:
            await until(lambda: link.state is LinkState.UNTRUSTED, "the certificate is refused")
        finally:
            await link.stop()
        assert link.tls_failure is not None and link.tls_failure.problem is problem
        assert words in link.tls_failure.detail
        assert not hub.events("connected")


def bad_hub(tmp_path: Path, cert: Path, key: Path) -> str:
    """What a hub started with ``cert`` and ``key`` said as it refused to start."""
    hub = HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))],
                     workdir=tmp_path / "hub", tls=(cert, key))
    with pytest.raises(HubStartError, match="exited with code 2") as refused:
        hub.start()
    hub.stop()
    return str(refused.value)


def test_a_hub_with_a_missing_or_wrong_certificate_or_key_does_not_start(
    pki: TestPki, tmp_path: Path
) -> None:
    other = pki.server("other", ["127.0.0.1"])
    missing = tmp_path / "missing.pem"
    assert f"cannot read the TLS certificate {missing}: No such file" in bad_hub(
        tmp_path, missing, pki.key_file)
    unreadable = tmp_path / "folder.key"
    unreadable.mkdir()
    assert f"cannot read the TLS key {unreadable}: Is a directory" in bad_hub(
        tmp_path, pki.cert_file, unreadable)
    assert f"the TLS key {other.key_file} does not belong to the certificate" in bad_hub(
        tmp_path, pki.cert_file, other.key_file)
    assert f"the TLS certificate {pki.key_file} holds no PEM certificate" in bad_hub(
        tmp_path, pki.key_file, pki.key_file)
    half = subprocess.run(
        [sys.executable, "-m", "seat_hub.cli", "--seats", "s.json", "--db", "d.sqlite3",
         "--tls-cert", str(pki.cert_file)], capture_output=True, text=True, timeout=60)
    assert half.returncode == 2 and "--tls-cert and --tls-key go together" in half.stderr


def run_sim(hub: HubProcess, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "seat-sim"), "--hub", hub.url, "--citizens", "1", "--channels", "web",
         "--items", "SI-UNEMP-QUERY", "--leave-after", "0.5", "--give-up", "60", *extra],
        capture_output=True, text=True, timeout=120)


async def test_simulated_citizens_queue_on_a_tls_hub_with_the_ca_and_not_without(
    tls_hub: HubProcess, pki: TestPki
) -> None:
    trusted = run_sim(tls_hub, "--ca-file", str(pki.ca_file))
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    assert '"ended_by": "left_queue"' in trusted.stdout
    await tls_hub.wait_for_event("queued")
    refused = run_sim(tls_hub)
    assert refused.returncode == 1
    assert "cannot reach the hub: the server's certificate is not signed by a trusted CA" in (
        refused.stdout)


@pytest.mark.parametrize("command", [
    ["seat-sim", "--citizens", "1"],
    ["seat-wall", "--supervisor-id", "S01"],
    ["python", "-m", "sandbox.kiosk", "--printer-dir", "out", "--device-id", "K-SHATIAN-01",
     "--token-file", "{token_file}"],
])
def test_plain_ws_to_another_machine_is_refused_before_anything_connects(
    command: list[str], tmp_path: Path
) -> None:
    token_file = tmp_path / "kiosk.token"
    token_file.write_text("a-kiosk-token\n")
    command = [part.format(token_file=token_file) for part in command]
    program = [sys.executable, *command[1:]] if command[0] == "python" else [
        str(BIN / command[0]), *command[1:]]
    refused = subprocess.run([*program, "--hub", "ws://10.20.30.40:8765/ws"],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "ws:// sends everything in clear, so it is only for this machine" in refused.stderr
    assert "use wss:// for '10.20.30.40'" in refused.stderr
