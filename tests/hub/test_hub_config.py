"""``seat-hub --config FILE``: TOML keys map to the options, each checked where it enters, a
wrong one named with its file in Chinese; the command line wins over the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from seat_hub.cli import parse_args


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_sets_options_and_the_command_line_wins(tmp_path: Path) -> None:
    path = config(tmp_path, """
host = "0.0.0.0"
port = 9000
seats = "/var/lib/seat/seats.json"
db = "/var/lib/seat/ledger.sqlite3"
ring_timeout = 20
record_calls = false
stun = ["stun:stun.example.gov.cn:3478"]
queue_wrap_up_limit = ["social_insurance=60"]
ice_policy = "all"
""")
    args = parse_args(["--config", str(path)])
    assert (args.host, args.port, args.ring_timeout) == ("0.0.0.0", 9000, 20.0)
    assert args.seats == Path("/var/lib/seat/seats.json")
    assert args.db.path == Path("/var/lib/seat/ledger.sqlite3")
    assert args.record_calls is False
    assert args.ice.stun_urls == ("stun:stun.example.gov.cn:3478",)
    assert args.queue_wrap_up_limits == (("social_insurance", 60.0),)
    assert args.ice.policy == "all"
    args = parse_args(["--config", str(path), "--port", "0", "--record-calls", "--db", "x.db"])
    assert (args.port, args.record_calls, args.db.path) == (0, True, Path("x.db"))
    assert args.max_queue == 500  # neither: the default


@pytest.mark.parametrize(("text", "said"), [
    ("prot = 1", "prot：未知的设置项"),
    ('port = "8765"', "port 应为整数，而不是 '8765'"),
    ("port = true", "port 应为整数"),
    ('ring_timeout = "fast"', "ring_timeout 应为数字"),
    ('record_calls = "yes"', "record_calls 应为 true 或 false"),
    ('stun = "stun:a"', "stun 应为字符串列表"),
    ("catalog = 3", "catalog 应为非空字符串"),
    ('ice_policy = "turn"', "ice_policy 应为 all / relay 之一"),
    ("ring_timeout = 900", "ring_timeout 的值不在允许的范围内：--ring-timeout must be in (0, 600]"),
    ("port = 70000", "port 的值不在允许的范围内"),
    ('stun = ["http://x"]', "stun 的值不在允许的范围内"),
    ("port = [", "不是有效的 TOML"),
])
def test_a_wrong_key_names_the_file_and_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, said: str
) -> None:
    path = config(tmp_path, 'seats = "s.json"\ndb = "l.db"\n' + text + "\n")
    with pytest.raises(SystemExit) as exited:
        parse_args(["--config", str(path)])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert f"配置文件有误 / bad config: {path}" in error or f"{path}" in error, error
    assert said in error, error


def test_a_missing_file_and_missing_seats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--config", str(tmp_path / "nowhere.toml")])
    assert f"配置文件不存在 / config file not found: {tmp_path / 'nowhere.toml'}" in (
        capsys.readouterr().err)
    with pytest.raises(SystemExit):
        parse_args(["--config", str(config(tmp_path, 'db = "l.db"\n'))])
    assert "--seats 必须给出" in capsys.readouterr().err


def test_trusted_proxies_from_the_file_and_the_command_line(tmp_path: Path) -> None:
    path = config(tmp_path, 'seats = "s.json"\ndb = "l.db"\n'
                            'trusted_proxy = ["10.0.0.0/24", "fd00::/64"]\n')
    args = parse_args(["--config", str(path), "--trusted-proxy", "192.0.2.7"])
    assert [str(n) for n in args.trusted_proxies.networks] == [
        "10.0.0.0/24", "fd00::/64", "192.0.2.7/32"]
    assert parse_args(["--seats", "s.json", "--db", "l.db"]).trusted_proxies.networks == ()


def test_a_bad_trusted_proxy_is_refused_naming_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(["--seats", "s.json", "--db", "l.db", "--trusted-proxy", "10.0.0.300/8"])
    assert exited.value.code == 2
    assert "--trusted-proxy '10.0.0.300/8': 不是网段" in capsys.readouterr().err
    path = config(tmp_path, 'seats = "s.json"\ndb = "l.db"\ntrusted_proxy = ["10.0.0.5/24"]\n')
    with pytest.raises(SystemExit) as exited:
        parse_args(["--config", str(path)])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert f"{path}：trusted_proxy 的值不在允许的范围内" in error, error
    assert "not a network in CIDR notation" in error, error
