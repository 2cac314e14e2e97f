"""The Debian packages, end to end on this machine (root only: it installs them for real).

``scripts/package`` builds ``dist/seat-client_*.deb`` and ``dist/seat-hub_*.deb`` (CI runs
it before pytest, which has no network; here it is up to date and costs nothing). The test
installs both with ``dpkg -i`` (their Debian dependencies are present: scripts/setup put
them here), runs the installed ``seat-client --self-test`` and ``seat-hub --version``,
starts the hub with the unit's own ``ExecStart`` as user ``seat`` (PID 1 is not systemd
here, so systemd itself never runs the unit), makes a seat with the installed
``seat-admin``, logs an agent in over a websocket, upgrades the hub package over itself
(state and edited settings survive), removes it (state and conffile stay), and purges both:
no file, user, group or process of theirs is left.
"""

from __future__ import annotations

import asyncio
import configparser
import fcntl
import os
import pwd
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from seat_common.protocol import Hello, Welcome, decode, encode
from seat_common.version import VERSION

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
CLIENT_DEB = DIST / f"seat-client_{VERSION}_amd64.deb"
HUB_DEB = DIST / f"seat-hub_{VERSION}_amd64.deb"
UNIT = Path("/lib/systemd/system/seat-hub.service")
MADE = [Path("/opt/seat"), Path("/var/lib/seat"), Path("/etc/seat/hub.toml"), UNIT,
        Path("/usr/bin/seat-client"), Path("/usr/bin/seat-hub"), Path("/usr/bin/seat-admin"),
        Path("/usr/share/applications/seat-client.desktop"),
        Path("/usr/share/icons/hicolor/scalable/apps/seat.svg")]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),  # two installs of a few hundred MB on a loaded machine
    pytest.mark.skipif(os.geteuid() != 0 or shutil.which("dpkg") is None,
                       reason="installs Debian packages: root on a Debian machine only"),
]


def run(*args: str | Path, timeout: float = 900, env: dict[str, str] | None = None,
        ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False, cwd="/")
    if ok:
        assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


def installed(package: str) -> bool:
    done = run("dpkg-query", "-W", "-f=${Status}", package, ok=False)
    return "install ok installed" in done.stdout or "config-files" in done.stdout


@pytest.fixture
def debs() -> Iterator[None]:
    """The built packages, this machine free of them before and after (one run at a time)."""
    run(ROOT / "scripts" / "package", "deb")  # up to date: CI built it before pytest
    with open("/run/lock/seat-deb-test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for package in ("seat-client", "seat-hub"):
            if installed(package):
                pytest.fail(f"{package} is installed already: dpkg --purge {package} first")
        assert not any(p.exists() or p.is_symlink() for p in MADE), "leftovers of Seat"
        etc_seat_existed = Path("/etc/seat").exists()
        try:
            yield
        finally:
            run("dpkg", "--purge", "seat-client", "seat-hub", ok=False)
        if not etc_seat_existed:
            assert not Path("/etc/seat").exists()


def test_install_run_upgrade_remove_purge(debs: None, tmp_path: Path) -> None:
    run("dpkg", "-i", CLIENT_DEB, HUB_DEB)

    # The workstation, installed: its self-test, as an agent would run it.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PATH="/usr/bin:/bin", QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"))
    test = run("seat-client", "--self-test", env=env, timeout=300)
    assert test.stdout.strip().splitlines()[-1] == "自检通过：9 项检查全部通过 / self-test passed"
    assert "/opt/seat/client/lib/" in test.stdout  # the catalog read is the installed one
    hub_version = run("seat-hub", "--version", env=env).stdout.strip()
    assert hub_version == f"seat-hub {VERSION} (协议版本 1 / protocol 1)"
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.read("/usr/share/applications/seat-wall.desktop", encoding="utf-8")
    assert desktop["Desktop Entry"]["Name"] == "坐席监控墙"
    # The hub's package needs no Qt.
    assert not list(Path("/opt/seat/hub/lib").glob("python3*/site-packages/PyQt6"))

    # The hub's user, state directory, settings and hardened unit.
    seat = pwd.getpwnam("seat")
    state = Path("/var/lib/seat")
    assert state.stat().st_uid == seat.pw_uid and state.stat().st_mode & 0o777 == 0o700
    conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", "seat-hub").stdout
    assert "/etc/seat/hub.toml" in conffiles
    service = configparser.ConfigParser(interpolation=None, strict=False)
    service.read(UNIT)
    unit = service["Service"]
    for key, value in {"User": "seat", "ProtectSystem": "strict", "NoNewPrivileges": "yes",
                       "PrivateTmp": "yes", "ReadWritePaths": "/var/lib/seat"}.items():
        assert unit[key] == value, key
    exec_start = shlex.split(unit["ExecStart"])
    assert exec_start[:1] == ["/opt/seat/hub/bin/seat-hub"]

    # A seat, made as the hub's user (so the hub can read the file seat-admin writes).
    as_seat = ["setpriv", "--reuid=seat", "--regid=seat", "--init-groups", "--"]
    token = run(*as_seat, "seat-admin", "--seats", "/var/lib/seat/seats.json", "add-agent",
                "0012", "--name", "张三", "--skills", "social_insurance").stdout.strip()
    assert len(token) > 20

    # Any free port (the file is the operator's: edit it as they would).
    toml = Path("/etc/seat/hub.toml")
    toml.write_text(toml.read_text().replace("port = 8765", "port = 0"))
    asyncio.run(_log_in(as_seat + exec_start, token, tmp_path / "hub.log"))
    assert run("pgrep", "-u", "seat", ok=False).returncode == 1  # nothing of seat's still runs
    assert (state / "ledger.sqlite3").exists()

    # An upgrade (the same version over itself runs the same scripts) keeps state and settings.
    run("dpkg", "-i", HUB_DEB)
    assert "port = 0" in toml.read_text()
    assert "0012" in run(*as_seat, "seat-admin", "--seats", "/var/lib/seat/seats.json",
                         "list").stdout
    assert (state / "ledger.sqlite3").exists()

    # Remove keeps state and settings, purge takes everything.
    run("dpkg", "--remove", "seat-hub")
    assert toml.exists() and (state / "seats.json").exists()
    assert not Path("/opt/seat/hub").exists() and not Path("/usr/bin/seat-hub").exists()
    assert Path("/opt/seat/client/bin/seat-client").exists()
    run("dpkg", "--purge", "seat-client", "seat-hub")
    left = [str(p) for p in MADE if p.exists() or p.is_symlink()]
    assert not left, f"left behind: {left}"
    assert run("getent", "passwd", "seat", ok=False).returncode == 2
    assert run("getent", "group", "seat", ok=False).returncode == 2
    assert not installed("seat-client") and not installed("seat-hub")


async def _log_in(command: list[str], token: str, log: Path) -> None:
    """Start the hub as its unit would, log an agent in, stop it (SIGTERM, exit 0)."""
    with log.open("wb") as errors:
        hub = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=errors, cwd="/")
    try:
        assert hub.stdout is not None
        line = (await asyncio.wait_for(hub.stdout.readline(), 120)).decode()
        assert line.startswith("seat-hub listening on ws://0.0.0.0:"), line
        port = int(line.rsplit(":", 1)[1].split("/")[0])
        async with connect(f"ws://127.0.0.1:{port}/ws") as ws:
            await ws.send(encode(Hello(role="agent", token=token, name="")))
            welcome = decode(await asyncio.wait_for(ws.recv(), 60))
            assert isinstance(welcome, Welcome), welcome
        hub.terminate()
        assert await asyncio.wait_for(hub.wait(), 60) == 0
    finally:
        if hub.returncode is None:
            hub.kill()
            await hub.wait()
