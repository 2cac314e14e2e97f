"""``seat-admin`` on real seats files: what it writes, what it refuses, what it lists.

Every file it writes loads in the hub's own loader (``load_seats`` with the catalog's
skills), has mode 0600 and holds only hashes; a token printed once logs in through the
registry the hub builds; a refused change or a CSV with a bad row leaves the file as it
was, byte for byte, and names every bad row with its line and reason.
"""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

from seat_common import catalog as catalog_module
from seat_hub.admin.cli import main
from seat_hub.parties.seats import hash_token, load_seats

SKILLS = catalog_module.load().skills.keys()


def admin(capsys: pytest.CaptureFixture[str], seats: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--seats", str(seats), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_agent_gets_a_token_shown_once_and_stored_only_as_its_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seats = tmp_path / "seats.json"
    code, out, err = admin(capsys, seats, "add-agent", "0012", "--name", "张三", "--skills",
                           "社保业务，tax", "--hall", "市民服务中心", "--mode", "综合")
    assert code == 0, err
    token = out.strip()
    assert len(token) >= 32 and "只显示这一次" in err
    text = seats.read_text("utf-8")
    assert token not in text and hash_token(token) in text
    assert stat.S_IMODE(seats.stat().st_mode) == 0o600
    registry = load_seats(seats, SKILLS)
    seat = registry.authenticate("agent", token)
    assert seat is not None and seat.name == "张三" and seat.mode == "combined"
    assert seat.skills == {"social_insurance", "tax"} and seat.hall == "市民服务中心"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_revoking_removes_the_hash_and_a_new_token_replaces_the_old(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seats = tmp_path / "seats.json"
    first = admin(capsys, seats, "add-agent", "0012", "--name", "张三", "--skills", "tax")[1]
    assert admin(capsys, seats, "revoke", "0012")[0] == 0
    entry = json.loads(seats.read_text("utf-8"))["seats"][0]
    assert "token_sha256" not in entry and entry["name"] == "张三"
    assert load_seats(seats, SKILLS).authenticate("agent", first.strip()) is None
    code, _, err = admin(capsys, seats, "revoke", "0012")
    assert code == 1 and "没有有效的登录令牌" in err
    second = admin(capsys, seats, "issue-token", "0012")[1].strip()
    registry = load_seats(seats, SKILLS)
    assert registry.authenticate("agent", second) is not None
    assert registry.authenticate("agent", first.strip()) is None


def test_kiosks_and_supervisors_are_made_and_listed_without_their_tokens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seats = tmp_path / "seats.json"
    token_file = tmp_path / "kiosk.token"
    assert admin(capsys, seats, "add-supervisor", "S01", "--name", "王班长")[0] == 0
    code, out, _ = admin(capsys, seats, "add-kiosk", "K-SHATIAN-01", "--hall", "沙田镇",
                         "--token-file", str(token_file))
    assert code == 0 and out == ""
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = token_file.read_text("utf-8").strip()
    registry = load_seats(seats, SKILLS)
    kiosk = registry.authenticate_kiosk("K-SHATIAN-01", token)
    assert kiosk is not None and kiosk.hall == "沙田镇"
    assert admin(capsys, seats, "add-agent", "0012", "--name", "张三", "--skills", "tax")[0] == 0
    assert admin(capsys, seats, "revoke", "0012")[0] == 0
    assert admin(capsys, seats, "set-hall", "K-SHATIAN-01", "沙田镇便民服务中心")[0] == 0
    code, table, _ = admin(capsys, seats, "list")
    assert code == 0
    lines = table.splitlines()
    assert lines[0].split() == ["类型", "工号/编号", "姓名", "技能", "大厅", "模式", "令牌"]
    assert lines[1].split() == ["班长", "S01", "王班长", "有效"]
    assert lines[2].split() == ["坐席", "0012", "张三", "税务业务", "视频", "无（已吊销）"]
    assert lines[3].split() == ["自助终端", "K-SHATIAN-01", "沙田镇便民服务中心", "有效"]
    assert lines[-1] == "共 2 个坐席/班长，1 台自助终端"
    assert token not in table and hash_token(token) not in table
    listed = json.loads(admin(capsys, seats, "list", "--json")[1])
    assert [(r["id"], r["has_token"]) for r in listed] == [
        ("S01", True), ("0012", False), ("K-SHATIAN-01", True)]
    assert admin(capsys, seats, "remove", "S01")[0] == 0
    assert load_seats(seats, SKILLS).get("S01") is None


def test_a_refused_change_leaves_the_file_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seats = tmp_path / "seats.json"
    admin(capsys, seats, "add-agent", "0012", "--name", "张三", "--skills", "tax")
    before = seats.read_bytes()
    for args, said in [
        (("add-agent", "0012", "--name", "李四", "--skills", "tax"), "已存在"),
        (("add-agent", "0013", "--name", "李四", "--skills", "飞行"), "未知技能：飞行"),
        (("add-agent", "工号1", "--name", "李四", "--skills", "tax"), "工号“工号1”不合规"),
        (("add-agent", "0013", "--name", " ", "--skills", "tax"), "姓名不能为空"),
        (("set-skills", "0012", ""), "至少要有一项技能"),
        (("revoke", "0099"), "没有工号为 0099 的坐席"),
        (("add-kiosk", "K1", "--hall", ""), "大厅不能为空"),
    ]:
        code, out, err = admin(capsys, seats, *args)
        assert (code, out) == (1, ""), args
        assert said in err, (args, err)
        assert seats.read_bytes() == before
    seats.write_text('{"version": 1, "seats": [{"agent_id": "x"}]}', "utf-8")
    code, _, err = admin(capsys, seats, "add-agent", "0013", "--name", "李四", "--skills", "tax")
    assert code == 1 and "座席文件" in err and "有误" in err
    assert "x" in json.loads(seats.read_text("utf-8"))["seats"][0]["agent_id"]
    code, _, err = admin(capsys, tmp_path / "missing.json", "list")
    assert code == 1 and "不存在" in err


GOOD_CSV = """工号,姓名,技能,大厅,模式,角色
0101,欧阳娜娜,社保业务;医保业务,市民服务中心,视频,
0102,"司马,光",tax,沙田镇,窗口,坐席
S02,王班长,,市民服务中心,,班长
"""


def test_a_csv_of_agents_with_a_bom_and_chinese_names_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seats = tmp_path / "seats.json"
    csv_file = tmp_path / "agents.csv"
    csv_file.write_bytes(b"\xef\xbb\xbf" + GOOD_CSV.encode("utf-8"))
    tokens = tmp_path / "tokens.csv"
    code, out, err = admin(capsys, seats, "import-csv", str(csv_file), "--tokens-out",
                           str(tokens))
    assert (code, out) == (0, ""), err
    assert "已导入 3 个坐席" in err
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
    rows = tokens.read_text("utf-8").splitlines()
    assert rows[0] == "工号,姓名,令牌" and rows[2].startswith('0102,"司马,光",')
    registry = load_seats(seats, SKILLS)
    for row, (agent_id, role) in zip(rows[1:], [("0101", "agent"), ("0102", "agent"),
                                                ("S02", "supervisor")], strict=True):
        seat = registry.authenticate(role, row.rsplit(",", 1)[1])  # type: ignore[arg-type]
        assert seat is not None and seat.agent_id == agent_id
    seat = registry.get("0101")
    assert seat is not None and seat.name == "欧阳娜娜"
    assert seat.skills == {"social_insurance", "medical_insurance"}
    second = registry.get("0102")
    assert second is not None and (second.name, second.mode) == ("司马,光", "counter")
    # Without a BOM the same file reads the same; importing it again is refused as duplicates.
    csv_file.write_text(GOOD_CSV, "utf-8")
    code, _, err = admin(capsys, seats, "import-csv", str(csv_file))
    assert code == 1 and "第 2 行：工号 0101 已在座席文件中" in err
    assert "第 4 行：工号 S02 已在座席文件中" in err


def test_every_bad_row_is_named_and_nothing_is_written_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seats = tmp_path / "seats.json"
    admin(capsys, seats, "add-agent", "0012", "--name", "张三", "--skills", "tax")
    before = seats.read_bytes()
    csv_file = tmp_path / "agents.csv"
    csv_file.write_text(
        "agent_id,name,skills,hall,mode\n"
        "0201,李四,tax,沙田镇,video\n"       # line 2: good
        "0012,张三,tax,,\n"                   # 3: already in the file
        "0202,,tax,,\n"                       # 4: no name
        "0203,王五,潜水,,\n"                  # 5: unknown skill
        "0201,李四二,tax,,\n"                 # 6: twice in the list
        "0204,赵六,tax,,飞行\n"               # 7: bad mode
        "02 05,钱七,tax,,\n"                  # 8: bad id
        "\n"                                  # 9: blank: skipped
        "0206,孙八,,,\n",                     # 10: an agent with no skill
        "utf-8")
    code, out, err = admin(capsys, seats, "import-csv", str(csv_file))
    assert (code, out) == (1, "")
    assert seats.read_bytes() == before
    assert re.findall(r"agents\.csv 第 (\d+) 行：", err) == ["3", "4", "5", "6", "7", "8", "10"]
    for said in ("工号 0012 已在座席文件中", "姓名不能为空", "未知技能：潜水",
                 "工号 0201 与第 2 行重复", "模式“飞行”不对", "工号“02 05”不合规",
                 "坐席 0206（孙八）没有技能", "7 行有误，未导入任何坐席"):
        assert said in err, said
    code, out, err = admin(capsys, seats, "import-csv", str(csv_file), "--skip-bad")
    assert code == 0 and "已导入 1 个坐席，跳过有误的 7 行" in err
    assert out.splitlines()[1].startswith("0201,李四,")
    assert sorted(s.agent_id for s in load_seats(seats, SKILLS).all()) == ["0012", "0201"]


def test_a_csv_saved_as_gbk_or_without_the_columns_is_refused_with_how_to_fix_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seats = tmp_path / "seats.json"
    csv_file = tmp_path / "agents.csv"
    csv_file.write_bytes("工号,姓名,技能\n0301,李四,tax\n".encode("gbk"))
    code, _, err = admin(capsys, seats, "import-csv", str(csv_file))
    assert code == 1 and "不是 UTF-8 编码（第 1 行）" in err and "CSV UTF-8" in err
    csv_file.write_text("工号,名字\n0301,李四\n", "utf-8")
    code, _, err = admin(capsys, seats, "import-csv", str(csv_file))
    assert code == 1 and "缺少列：姓名/name、技能/skills" in err
    csv_file.write_text("工号,姓名,技能\n", "utf-8")
    code, _, err = admin(capsys, seats, "import-csv", str(csv_file))
    assert code == 1 and "没有坐席" in err
    assert not seats.exists()


def test_the_help_is_in_chinese_and_english(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for said in ("座席管理", "Seat administration", "import-csv", "从 CSV 导入坐席",
                 "revoke", "吊销令牌"):
        assert said in text
