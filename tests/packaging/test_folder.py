"""The workstation frozen by PyInstaller (packaging/windows/seat-client.spec, the Windows
build's own spec) stands alone: ``scripts/package folder`` builds ``dist/seat-client/`` (CI
builds it before pytest, which has no network; here it is up to date), and the frozen
program passes its ``--self-test`` offscreen with every data file read from the folder.

This runs on Linux: it shows the spec collects what the workstation needs (data, the
plugins' entry points, Qt's plugins and translations, av's and aiortc's native libraries);
the Windows build itself (build.ps1, the Inno Setup installer) is not run here.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from seat_common.version import VERSION

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "dist" / "seat-client"

pytestmark = pytest.mark.slow


def run(*args: str | Path, env: dict[str, str] | None = None,
        timeout: float = 900) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False, cwd="/")
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_the_frozen_workstation_passes_its_self_test(tmp_path: Path) -> None:
    run(ROOT / "scripts" / "package", "folder")
    program = FOLDER / "seat-client"
    internal = FOLDER / "_internal"
    # What the spec must have gathered.
    assert (internal / "seat_common/resources/catalog.json").is_file()
    assert (internal / "seat_common/resources/i18n/seat_zh_CN.qm").is_file()
    assert list(internal.glob("seat-*.dist-info/entry_points.txt"))
    assert list(internal.glob("PyQt6/Qt6/plugins/platforms/libqoffscreen.so"))
    assert list(internal.glob("PyQt6/Qt6/translations/qtbase_zh_CN.qm"))
    assert list(internal.glob("av.libs/libavcodec*"))  # av's own FFmpeg
    assert list(internal.glob("av/*.so")) and list(internal.glob("pylibsrtp/_binding*.so"))
    assert (internal / "livekit/rtc/resources/liblivekit_ffi.so").is_file()  # echo canceller

    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(PATH="/usr/bin:/bin", QT_QPA_PLATFORM="offscreen", SEAT_CLIENT_CONFIG=os.devnull,
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"))
    assert run(program, "--version", env=env).stdout.startswith(f"seat-client {VERSION} ")
    test = run(program, "--self-test", env=env, timeout=300)
    lines = test.stdout.strip().splitlines()
    assert lines[-1] == "自检通过：9 项检查全部通过 / self-test passed", test.stdout
    catalog = next(line for line in lines if "事项目录 catalog" in line)
    assert str(internal) in catalog  # read from the folder, not from a checkout or a venv
    assert "4 个插件 plugins" in test.stdout  # found through the frozen entry points
    assert "'视频办坐席'" in test.stdout  # the frozen translation is in use
