"""The wheel stands alone: built by scripts/package, installed into a fresh virtualenv
outside the checkout, it passes ``seat-client --self-test`` and says ``seat-hub --version``
from a folder that is not the checkout, with every Seat module and data file coming from
that virtualenv.

Nothing is downloaded again for the install: the fresh virtualenv sees the project's
.venv site-packages through a .pth file (PyQt6, aiortc and the rest, after its own
site-packages), and our wheel goes in with ``--no-deps``. (The build itself runs in pip's
isolated build environment, as scripts/package always does.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from seat_common.version import VERSION

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 240) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_the_wheel_installed_elsewhere_runs_on_its_own(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(ROOT / "scripts" / "package", "--out", dist, "wheel", cwd=ROOT)
    wheel = dist / f"seat-{VERSION}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "seat_common/resources/i18n/seat_zh_CN.qm" in names
    assert "seat_hub/web/app.js" in names

    venv = tmp_path / "counter-pc"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                    cwd=tmp_path).stdout.strip())
    (site / "project-third-party.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        "--quiet", wheel, cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", SEAT_CLIENT_CONFIG=os.devnull,
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"))

    where = run(python, "-c", """
import importlib.metadata, importlib.resources
import plugins, sandbox, seat_client, seat_common, seat_hub, ui
for m in (plugins, sandbox, seat_client, seat_common, seat_hub, ui):
    print(m.__file__)
print(importlib.resources.files("seat_common.resources") / "catalog.json")
from seat_hub.connections.citizen_page import WEB_DIR
print(WEB_DIR / "index.html")
print(importlib.metadata.distribution("seat").locate_file(""))
""", cwd=elsewhere, env=env).stdout.split()
    assert len(where) == 9
    for path in where:
        assert Path(path).resolve().is_relative_to(venv.resolve()), path
        assert not Path(path).resolve().is_relative_to(ROOT), path
    assert all(Path(p).exists() for p in where)

    # What the agent keeps (settings, outbox, receipts, recordings, window layout) lives in
    # the user's folders, not the install: a package upgrade replaces the install only.
    data = run(python, "-c", """
from seat_client import settings
from seat_client.acceptance.services import outbox_path, receipts_dir
s = settings.load()
for p in (settings.default_path(), s.state_path(), outbox_path(s), receipts_dir(s),
          s.recordings_path(), s.devices_path()):
    print(p)
""", cwd=elsewhere, env=env).stdout.split()
    assert data[0] == str(tmp_path / "config" / "seat" / "workstation.json")
    for path in data[1:]:
        assert Path(path).is_relative_to(tmp_path / "state" / "seat"), path
    installed_before = installed_files(venv)

    hub = run(venv / "bin" / "seat-hub", "--version", cwd=elsewhere, env=env)
    assert hub.stdout.strip() == f"seat-hub {VERSION} (协议版本 1 / protocol 1)"

    test = run(venv / "bin" / "seat-client", "--self-test", cwd=elsewhere, env=env)
    lines = test.stdout.strip().splitlines()
    assert lines[-1] == "自检通过：9 项检查全部通过 / self-test passed", test.stdout
    catalog_line = next(line for line in lines if "事项目录 catalog" in line)
    assert str(venv / "lib") in catalog_line  # the catalog read is the installed one
    assert "[通过] 主窗口 main window: 已打开并关闭" in test.stdout
    assert "'视频办坐席'" in test.stdout  # the installed translation is in use
    assert installed_files(venv) == installed_before  # running wrote nothing into the install


def installed_files(venv: Path) -> set[Path]:
    """Every file of the install but Python's byte-code caches."""
    return {p for p in venv.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
