"""``seat-admin``: the hub's seats file — seats, kiosks, tokens, skills, halls, a CSV of agents.

    seat-admin --seats seats.json list [--json]
    seat-admin --seats seats.json add-agent 0012 --name 张三 --skills 社保业务,医保业务 \
        --hall 市民服务中心
    seat-admin --seats seats.json add-supervisor S01 --name 王班长
    seat-admin --seats seats.json add-kiosk K-SHATIAN-01 --hall 沙田镇 --token-file kiosk.token
    seat-admin --seats seats.json issue-token 0012          # a new token; the old one stops working
    seat-admin --seats seats.json revoke 0012               # no token: cannot log in
    seat-admin --seats seats.json set-skills 0012 social_insurance,tax
    seat-admin --seats seats.json set-hall K-SHATIAN-01 沙田镇便民服务中心
    seat-admin --seats seats.json remove 0012
    seat-admin --seats seats.json import-csv agents.csv [--skip-bad] [--tokens-out tokens.csv]

A new token is printed once on stdout (or written to a new file of mode 0600 with
``--token-file``); the seats file keeps only its SHA-256. Every change is checked as the
hub checks the file (skills against the catalog) and written atomically, mode 0600. The
running hub reads the file again on SIGHUP (``kill -HUP <pid>``, ``systemctl reload
seat-hub``) and closes the connections of revoked tokens and removed seats.

Exit status: 0 done, 1 refused (the message says why in Chinese; nothing was written),
2 a wrong command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO, cast

from seat_common import catalog as catalog_module
from seat_common.version import add_version_flag
from seat_hub.admin.book import MODE_NAMES, AdminError, EntryKind, IssuedToken, SeatsBook, locked
from seat_hub.admin.csv_import import read_agents_csv

_SEPARATORS = str.maketrans({c: "," for c in ";；、|，"})


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="seat-admin",
        description="座席管理：中心座席文件中的坐席、班长、自助终端及其登录令牌。"
        " / Seat administration: the seats, supervisors, kiosks and tokens of the hub's"
        " seats file. 修改后向中心发送 SIGHUP 使其生效 / send the hub SIGHUP to apply.",
    )
    add_version_flag(parser)
    parser.add_argument("--seats", type=Path, required=True,
                        help="座席文件 / the seats file (JSON)")
    parser.add_argument("--catalog", type=Path, default=catalog_module.DEFAULT_PATH,
                        help="事项目录，用于核对技能 / service-item catalog, for the skills")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = commands.add_parser("list", help="列出坐席和自助终端 / list seats and kiosks")
    listing.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")

    agent = commands.add_parser("add-agent", help="新建坐席并发放令牌 / add an agent, with a token")
    agent.add_argument("agent_id", help="工号 / agent id")
    agent.add_argument("--name", required=True, help="姓名 / name")
    agent.add_argument("--skills", required=True,
                       help="技能代码或名称，逗号分隔 / skill codes or names, comma-separated")
    agent.add_argument("--hall", default="", help="所在大厅 / hall")
    agent.add_argument("--mode", default="video", choices=sorted(MODE_NAMES),
                       help="坐席模式 / seat mode (default video)")

    sup = commands.add_parser("add-supervisor", help="新建班长并发放令牌 / add a supervisor")
    sup.add_argument("agent_id", help="工号 / id")
    sup.add_argument("--name", required=True, help="姓名 / name")
    sup.add_argument("--hall", default="", help="所在大厅 / hall")

    kiosk = commands.add_parser("add-kiosk", help="登记自助终端并发放令牌 / add a kiosk device")
    kiosk.add_argument("device_id", help="终端编号 / device id")
    kiosk.add_argument("--hall", required=True, help="所在大厅 / hall it stands in")

    for command in (agent, sup, kiosk):
        _token_file_option(command)

    issue = commands.add_parser(
        "issue-token", help="发放新令牌（旧令牌作废）/ a new token; the old one stops working")
    issue.add_argument("entry_id", help="工号或终端编号 / agent id or device id")
    _kind_options(issue)
    _token_file_option(issue)

    revoke = commands.add_parser("revoke", help="吊销令牌 / revoke the token (no login)")
    revoke.add_argument("entry_id", help="工号或终端编号 / agent id or device id")
    _kind_options(revoke)

    skills = commands.add_parser("set-skills", help="设置坐席技能 / set an agent's skills")
    skills.add_argument("entry_id", help="工号 / agent id")
    skills.add_argument("skills", help="技能，逗号分隔 / skills, comma-separated")

    hall = commands.add_parser("set-hall", help="设置所在大厅 / set the hall")
    hall.add_argument("entry_id", help="工号或终端编号 / agent id or device id")
    hall.add_argument("hall", help="大厅 / hall")
    _kind_options(hall)

    remove = commands.add_parser("remove", help="删除坐席或终端 / remove a seat or kiosk")
    remove.add_argument("entry_id", help="工号或终端编号 / agent id or device id")
    _kind_options(remove)

    imports = commands.add_parser(
        "import-csv", help="从 CSV 导入坐席（UTF-8）/ import agents from a CSV file (UTF-8)")
    imports.add_argument("csv_file", type=Path,
                         help="表头：工号,姓名,技能,大厅,模式 / header: agent_id,name,skills,"
                              "hall,mode")
    imports.add_argument("--skip-bad", action="store_true",
                         help="跳过有误的行，导入其余 / import the good rows, skip the bad ones"
                              " (default: import nothing if any row is bad)")
    imports.add_argument("--tokens-out", type=Path, metavar="FILE",
                         help="令牌写入新文件（权限 0600）而不是屏幕 / write the tokens to a new"
                              " file (mode 0600) instead of stdout")
    return parser.parse_args(argv)


def _kind_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--seat", dest="kind", action="store_const", const="seat",
                       help="指坐席或班长 / a seat")
    group.add_argument("--kiosk", dest="kind", action="store_const", const="kiosk",
                       help="指自助终端 / a kiosk")


def _token_file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--token-file", type=Path, metavar="FILE",
                        help="令牌写入新文件（权限 0600）而不是屏幕 / write the token to a new"
                             " file (mode 0600) instead of stdout")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        try:
            catalog = catalog_module.load(args.catalog)
        except catalog_module.CatalogError as exc:
            raise AdminError(f"事项目录有误：{exc}") from exc
        skills = {code: skill.name for code, skill in catalog.skills.items()}
        if args.command == "list":
            book = SeatsBook.open(args.seats, skills)
            print_list(book, args.json, sys.stdout)
            return 0
        with locked(args.seats):
            return _change(args, SeatsBook.open(args.seats, skills, create=True))
    except AdminError as exc:
        print(f"seat-admin：{exc}", file=sys.stderr)
        return 1


def _change(args: argparse.Namespace, book: SeatsBook) -> int:
    kind = cast(EntryKind | None, getattr(args, "kind", None))
    issued: IssuedToken | None = None
    done: str
    match args.command:
        case "add-agent":
            issued = book.add_seat(args.agent_id, args.name, skills=_split(args.skills),
                                   hall=args.hall, mode=MODE_NAMES[args.mode])
            done = f"已添加坐席 {args.agent_id}（{args.name}）"
        case "add-supervisor":
            issued = book.add_seat(args.agent_id, args.name, role="supervisor", hall=args.hall)
            done = f"已添加班长 {args.agent_id}（{args.name}）"
        case "add-kiosk":
            issued = book.add_kiosk(args.device_id, args.hall)
            done = f"已登记自助终端 {args.device_id}（{args.hall}）"
        case "issue-token":
            _refuse_existing(args.token_file)
            issued = book.issue_token(args.entry_id, kind)
            done = f"已为 {args.entry_id} 发放新令牌，旧令牌已作废"
        case "revoke":
            book.revoke(args.entry_id, kind)
            done = f"已吊销 {args.entry_id} 的登录令牌"
        case "set-skills":
            codes = book.set_skills(args.entry_id, _split(args.skills))
            done = f"{args.entry_id} 的技能：{'、'.join(book.skills[c] for c in codes) or '无'}"
        case "set-hall":
            book.set_hall(args.entry_id, args.hall, kind)
            done = f"{args.entry_id} 的大厅：{args.hall or '（无）'}"
        case "remove":
            found = book.remove(args.entry_id, kind)
            done = f"已删除{'坐席' if found == 'seat' else '自助终端'} {args.entry_id}"
        case "import-csv":
            return _import(args, book)
        case _:  # pragma: no cover - argparse allows only the commands above
            raise AdminError(f"未知命令 {args.command}")
    token_file: Path | None = getattr(args, "token_file", None)
    _refuse_existing(token_file)
    book.save()
    if issued is not None:
        _hand_over(issued, token_file)
    _said(f"{done}。已写入 {book.path}")
    return 0


def _import(args: argparse.Namespace, book: SeatsBook) -> int:
    found = read_agents_csv(args.csv_file, book)
    for bad in found.bad:
        print(f"seat-admin：{args.csv_file} {bad}", file=sys.stderr)
    if found.bad and not args.skip_bad:
        print(f"seat-admin：{len(found.bad)} 行有误，未导入任何坐席"
              "（加 --skip-bad 只导入正确的行）", file=sys.stderr)
        return 1
    if not found.good:
        print("seat-admin：没有可导入的坐席", file=sys.stderr)
        return 1
    _refuse_existing(args.tokens_out)
    book.append_seats(row.entry for row in found.good)
    book.save()
    lines = ["工号,姓名,令牌"] + [
        f"{_csv_cell(row.entry['agent_id'])},{_csv_cell(row.entry['name'])},{row.token}"
        for row in found.good
    ]
    _write_secret(args.tokens_out, "\n".join(lines) + "\n")
    skipped = f"，跳过有误的 {len(found.bad)} 行" if found.bad else ""
    _said(f"已导入 {len(found.good)} 个坐席{skipped}。已写入 {book.path}")
    return 0


def print_list(book: SeatsBook, as_json: bool, out: TextIO) -> None:
    """The seats and kiosks, as a table (or JSON); never a token or its hash."""
    rows: list[dict[str, object]] = []
    for seat in book.seats:
        rows.append({"kind": "seat", "id": seat["agent_id"], "name": seat["name"],
                     "role": seat["role"], "skills": list(seat.get("skills", [])),
                     "hall": seat.get("hall", ""), "mode": seat.get("mode", "video"),
                     "has_token": "token_sha256" in seat})
    for kiosk in book.kiosks:
        rows.append({"kind": "kiosk", "id": kiosk["device_id"], "name": "", "role": "kiosk",
                     "skills": [], "hall": kiosk["hall"], "mode": "",
                     "has_token": "token_sha256" in kiosk})
    if as_json:
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    roles = {"agent": "坐席", "supervisor": "班长", "kiosk": "自助终端"}
    modes = {"video": "视频", "counter": "窗口", "combined": "综合"}
    table = [["类型", "工号/编号", "姓名", "技能", "大厅", "模式", "令牌"]]
    for row in rows:
        skills = cast(list[str], row["skills"])
        table.append([
            roles[str(row["role"])], str(row["id"]), str(row["name"]),
            "、".join(book.skills.get(s, s) for s in skills), str(row["hall"]),
            modes.get(str(row["mode"]), "") if row["role"] == "agent" else "",
            "有效" if row["has_token"] else "无（已吊销）",
        ])
    widths = [max(_width(r[i]) for r in table) for i in range(len(table[0]))]
    for r in table:
        cells = (c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True))
        out.write("  ".join(cells).rstrip() + "\n")
    seats = sum(1 for r in rows if r["kind"] == "seat")
    out.write(f"共 {seats} 个坐席/班长，{len(rows) - seats} 台自助终端\n")


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _split(skills: str) -> list[str]:
    return [s for s in skills.translate(_SEPARATORS).split(",") if s.strip()]


def _csv_cell(value: object) -> str:
    text = str(value)
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def _refuse_existing(path: Path | None) -> None:
    if path is not None and path.exists():
        raise AdminError(f"{path} 已存在：令牌不会覆盖已有文件，请换一个文件名")


def _hand_over(issued: IssuedToken, token_file: Path | None) -> None:
    _write_secret(token_file, issued.token + "\n")
    who = f"{issued.entry_id}（{issued.name}）" if issued.name else issued.entry_id
    _said(f"{who} 的登录令牌只显示这一次，请妥善交给本人；座席文件只保存它的 SHA-256")


def _write_secret(path: Path | None, text: str) -> None:
    """``text`` on stdout, or in a new file only its owner can read."""
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise AdminError(f"无法创建令牌文件 {path}：{exc.strerror or exc}（座席文件已写入，"
                         "请用 issue-token 重新发放）") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    _said(f"令牌已写入 {path}（权限 0600）")


def _said(text: str) -> None:
    """What was done, for the person at the terminal (stdout carries only tokens)."""
    print(text, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
