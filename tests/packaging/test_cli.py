"""Every program says its version (one source), and the workstation's --print-config and
--self-test tell an administrator what a counter PC runs with and whether it holds up."""

from __future__ import annotations

import configparser
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seat_common.protocol import VERSION as PROTOCOL_VERSION
from seat_common.version import VERSION

ROOT = Path(__file__).resolve().parents[2]


def console_scripts() -> dict[str, str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = config["options.entry_points"]["console_scripts"].strip().splitlines()
    pairs = (line.split("=") for line in lines)
    return {name.strip(): target.strip() for name, target in pairs}


@pytest.mark.parametrize("name", sorted(console_scripts()))
def test_every_program_says_its_version(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    module, _, function = console_scripts()[name].partition(":")
    main = getattr(importlib.import_module(module), function)
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == (
        f"{name} {VERSION} (协议版本 {PROTOCOL_VERSION} / protocol {PROTOCOL_VERSION})")


def test_the_wheels_take_their_version_from_the_same_place() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    assert config["metadata"]["version"] == "attr: seat_common.version.VERSION"


def seat_client(*args: str, machine: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEAT_CLIENT_CONFIG": str(machine),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state")}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from ui.workstation.app import main; sys.exit(main())",
         *args],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False)


def test_print_config_says_where_each_value_came_from(tmp_path: Path) -> None:
    machine = tmp_path / "client.toml"
    machine.write_text('hub_url = "wss://hub.dg.gov.cn/ws"\nhall = "东城大厅"\n', encoding="utf-8")
    done = seat_client("--print-config", "--lang", "en", machine=machine, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f'hub_url = "wss://hub.dg.gov.cn/ws"    # {machine}' in done.stdout
    assert 'hall = "东城大厅"' in done.stdout
    assert 'language = "en"    # 命令行 command line' in done.stdout
    assert f"全机配置 machine-wide: {machine} (已读取 read)" in done.stdout
    assert f"state: {tmp_path / 'state' / 'seat'}" in done.stdout


def test_print_config_refuses_a_bad_machine_file_naming_file_and_key(tmp_path: Path) -> None:
    machine = tmp_path / "client.toml"
    machine.write_text('ice_policy = "sometimes"\n', encoding="utf-8")
    done = seat_client("--print-config", machine=machine, tmp_path=tmp_path)
    assert done.returncode == 2
    assert f"{machine}：ice_policy: 应为 hub / relay 之一，而不是 'sometimes'" in done.stderr


@pytest.mark.slow
def test_the_self_test_names_the_check_that_failed(tmp_path: Path) -> None:
    machine = tmp_path / "client.toml"
    machine.write_text('hub_url = "ws://hub.dg.gov.cn/ws"\n', encoding="utf-8")
    done = seat_client("--self-test", machine=machine, tmp_path=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"[失败] 设置 settings: SettingsError: {machine}：hub_url:" in done.stdout
    # The rest still ran: a broken machine file hides nothing else.
    assert "[通过] 事项目录 catalog:" in done.stdout
    assert "[通过] 主窗口 main window: 已打开并关闭" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "自检失败 / self-test failed: 设置 settings"
    assert not (tmp_path / "state").exists()  # nothing of the agent's data touched


def test_the_seat_wall_reads_the_machine_file_under_its_options(tmp_path: Path) -> None:
    from ui.supervision.wall_app import parse_args

    machine = tmp_path / "client.toml"
    machine.write_text('hub_url = "wss://hub.dg.gov.cn/ws"\nhall = "东城大厅"\n'
                       'devices = "synthetic"\n', encoding="utf-8")
    args = parse_args(["--machine-config", str(machine), "--lang", "en"])
    assert (args.hub, args.hall, args.devices, args.lang) == (
        "wss://hub.dg.gov.cn/ws", "东城大厅", "synthetic", "en")
    args = parse_args(["--machine-config", str(machine), "--hub", "ws://127.0.0.1:1/ws"])
    assert args.hub == "ws://127.0.0.1:1/ws"


def test_the_seat_wall_names_a_wrong_key_of_the_machine_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from ui.supervision.wall_app import parse_args

    machine = tmp_path / "client.toml"
    machine.write_text('devices = "camera"\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        parse_args(["--machine-config", str(machine)])
    assert exited.value.code == 2
    assert f"{machine}：devices: 应为 real / synthetic 之一" in capsys.readouterr().err


def test_the_seat_wall_starts_filtered_to_its_own_hall(qtbot: object) -> None:
    from seat_client.call.workorder_list import WorkOrderListModel
    from seat_client.supervision.wall_model import WallModel
    from seat_common import catalog
    from ui.call.workorder_list_pane import WorkOrderListPane
    from ui.supervision.wall_window import SeatWallWindow

    async def send(_message: object) -> None:
        return None

    model = WallModel()
    window = SeatWallWindow(model, catalog.load(), WorkOrderListPane(WorkOrderListModel(send)))
    window.show_home_hall("东城大厅")
    assert window.hall_filter.currentData() == "东城大厅"
    assert model.filters.halls == frozenset({"东城大厅"})
    window.hall_filter.setCurrentIndex(0)  # "All" again
    assert model.filters.halls == frozenset()
    window.close()
