"""Builds seat-client_<ver>_amd64.deb and seat-hub_<ver>_amd64.deb (run by scripts/package).

    python packaging/debian/build.py --wheel dist/seat-0.1.0-py3-none-any.whl --out dist \
        --wheelhouse build/wheelhouse

Each package carries Seat's wheel and the wheels of its pinned dependencies (the wheel's
Requires-Dist), which its postinst installs offline into a private virtualenv under
/opt/seat. The dependencies are downloaded once into the wheelhouse with pip and kept while
the pins stay the same; the hub's package leaves out what only the workstation needs (Qt,
qasync, the echo canceller, the sound-server client). Packages are built with dpkg-deb
(owner root, no fakeroot needed) and gzip at its fastest level: wheels are compressed
already, and xz would add a minute for a few percent.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: What Qt needs from Debian for the workstation and the wall (as scripts/setup installs
#: for the tests, less the test tools): xcb and its helpers, EGL/GL, fonts, D-Bus, sound.
CLIENT_DEPENDS = [
    "python3 (>= 3.11)", "python3-venv", "libegl1", "libgl1", "libfontconfig1", "libfreetype6",
    "libx11-6", "libxkbcommon0", "libglib2.0-0", "libdbus-1-3", "libx11-xcb1",
    "libxkbcommon-x11-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0",
    "libxcb-keysyms1", "libxcb-randr0", "libxcb-render0", "libxcb-render-util0",
    "libxcb-shape0", "libxcb-shm0", "libxcb-sync1", "libxcb-util1", "libxcb-xfixes0",
    "libxcb-xkb1", "libpulse0",
]
HUB_DEPENDS = ["python3 (>= 3.11)", "python3-venv", "passwd"]
#: Dependencies only the workstation imports (the hub's import contract forbids Qt).
CLIENT_ONLY = {"pyqt6", "pyqt6-qt6", "qasync", "livekit", "pulsectl"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--wheelhouse", type=Path, required=True)
    args = parser.parse_args()
    wheel: Path = args.wheel.resolve()
    version = wheel.name.split("-")[1]
    requires = requirements(wheel)
    fill_wheelhouse(args.wheelhouse, requires)
    hub_requires = [r for r in requires if r.split("==")[0].lower() not in CLIENT_ONLY]
    with tempfile.TemporaryDirectory(prefix="seat-deb-") as tmp:
        work = Path(tmp)
        client = stage_client(work / "client", wheel, version, args.wheelhouse, requires)
        hub = stage_hub(work / "hub", wheel, version, args.wheelhouse, hub_requires)
        for name, root in (("seat-client", client), ("seat-hub", hub)):
            deb = args.out / f"{name}_{version}_amd64.deb"
            subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "--build",
                            str(root), str(deb)], check=True, stdout=subprocess.DEVNULL)
            print(f"package: {deb} ({deb.stat().st_size // 2**20} MiB)")
    return 0


def requirements(wheel: Path) -> list[str]:
    """The wheel's pinned run-time dependencies (Requires-Dist without an extra)."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode()
    found = [line.split(":", 1)[1].strip() for line in metadata.splitlines()
             if line.startswith("Requires-Dist:")]
    return sorted(r.replace(" ", "") for r in found if "extra" not in r)


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                   check=True, stdout=subprocess.DEVNULL)


def fill_wheelhouse(house: Path, requires: list[str]) -> None:
    """Download the dependencies' wheels (for this machine: CPython 3.11, x86-64 Linux)."""
    stamp = house / ".requirements"
    want = "\n".join(requires) + "\n"
    if stamp.is_file() and stamp.read_text() == want:
        return
    house.mkdir(parents=True, exist_ok=True)
    print("package: downloading the dependencies' wheels into", house, flush=True)
    pip("download", "--quiet", "--only-binary=:all:", "--dest", str(house), *requires)
    stamp.write_text(want)


def pick_wheels(house: Path, requires: list[str], into: Path) -> None:
    """Copy from the wheelhouse the wheels these requirements resolve to (offline)."""
    pip("download", "--quiet", "--no-index", "--find-links", str(house), "--only-binary=:all:",
        "--dest", str(into), *requires)


def put(source: Path, target: Path, mode: int = 0o644, text: dict[str, str] | None = None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        shutil.copyfile(source, target)
    else:
        body = source.read_text()
        for key, value in text.items():
            body = body.replace(f"@{key}@", value)
        target.write_text(body)
    target.chmod(mode)


def stage_common(root: Path, name: str, wheel: Path, version: str, house: Path,
                 requires: list[str], depends: list[str]) -> Path:
    share = root / "usr/share" / name
    pick_wheels(house, requires, share / "wheels")
    shutil.copyfile(wheel, share / "wheels" / wheel.name)
    put(HERE / "venv.sh", share / "venv.sh")
    put(HERE.parents[1] / "docs/deployment.md", root / "usr/share/doc" / name / "deployment.md")
    subs = {"VERSION": version, "DEPENDS": ", ".join(depends), "SIZE": "0"}
    for script in ("postinst", "prerm", "postrm"):
        if (HERE / name / script).exists():
            put(HERE / name / script, root / "DEBIAN" / script, 0o755, subs)
    bin_dir = root / "usr/bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    return bin_dir


def finish_control(root: Path, name: str, version: str, depends: list[str]) -> None:
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) // 1024
    put(HERE / name / "control", root / "DEBIAN/control",
        text={"VERSION": version, "DEPENDS": ", ".join(depends), "SIZE": str(size)})
    for directory in [root, *root.rglob("*")]:
        if directory.is_dir():
            directory.chmod(0o755)


def stage_client(root: Path, wheel: Path, version: str, house: Path,
                 requires: list[str]) -> Path:
    bin_dir = stage_common(root, "seat-client", wheel, version, house, requires, CLIENT_DEPENDS)
    for program in ("seat-client", "seat-wall"):
        os.symlink(f"/opt/seat/client/bin/{program}", bin_dir / program)
        put(HERE / f"{program}.desktop",
            root / "usr/share/applications" / f"{program}.desktop")
    put(HERE / "seat.svg", root / "usr/share/icons/hicolor/scalable/apps/seat.svg")
    put(HERE / "client.toml.example", root / "usr/share/doc/seat-client/client.toml.example")
    finish_control(root, "seat-client", version, CLIENT_DEPENDS)
    return root


def stage_hub(root: Path, wheel: Path, version: str, house: Path, requires: list[str]) -> Path:
    bin_dir = stage_common(root, "seat-hub", wheel, version, house, requires, HUB_DEPENDS)
    (root / "usr/share/seat-hub/requirements.txt").write_text("\n".join(requires) + "\n")
    for program in ("seat-hub", "seat-admin", "seat-report"):
        os.symlink(f"/opt/seat/hub/bin/{program}", bin_dir / program)
    put(HERE / "seat-hub.service", root / "lib/systemd/system/seat-hub.service")
    put(HERE / "hub.toml", root / "etc/seat/hub.toml")
    (root / "DEBIAN").mkdir(parents=True, exist_ok=True)
    (root / "DEBIAN/conffiles").write_text("/etc/seat/hub.toml\n")
    finish_control(root, "seat-hub", version, HUB_DEPENDS)
    return root


if __name__ == "__main__":
    sys.exit(main())
