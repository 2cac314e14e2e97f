"""Reading a list of agents from a CSV file (as Excel or WPS saves one) for ``seat-admin``.

The file is UTF-8, with or without a BOM (Excel's "CSV UTF-8"); a file in GBK (Excel's
plain "CSV" on a Chinese Windows) is refused with a message saying how to save it. The
first row names the columns, in Chinese or English:

    工号,姓名,技能,大厅,模式,角色
    0012,张三,社保业务;医保业务,市民服务中心,视频,坐席

工号/agent_id, 姓名/name and 技能/skills are required (技能 may be left empty for a 班长
/supervisor); skills are codes or the catalog's names, separated by ; ； 、 or |. 大厅/
hall, 模式/mode (video, counter, combined or 视频, 窗口, 综合) and 角色/role (agent,
supervisor or 坐席, 班长) may be left out. Every bad row is named by its line number with
its reason, and an agent id already in the seats file or twice in the list is refused.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from seat_hub.admin.book import (
    MODE_NAMES,
    ROLE_NAMES,
    AdminError,
    SeatsBook,
    check_id,
    check_text,
)
from seat_hub.parties.seats import hash_token, new_token

#: column → the headers that name it
COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "agent_id": ("agent_id", "工号"),
    "name": ("name", "姓名"),
    "skills": ("skills", "技能"),
    "hall": ("hall", "大厅", "服务大厅"),
    "mode": ("mode", "模式"),
    "role": ("role", "角色"),
}
REQUIRED: Final = ("agent_id", "name", "skills")
MAX_ROWS: Final = 10_000
_SKILL_SEPARATORS: Final = re.compile(r"[;；、|]")


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that cannot be imported: its line in the file and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.reason}"


@dataclass(frozen=True, slots=True)
class GoodRow:
    """A seat ready to go into the file, and the plain token made for it."""

    line: int
    entry: dict[str, Any]
    token: str


@dataclass
class CsvImport:
    """What a CSV file holds: rows that can be imported and rows that cannot."""

    good: list[GoodRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)


def read_agents_csv(path: Path, book: SeatsBook) -> CsvImport:
    """Check every row of ``path`` against ``book`` (its skills, its seats)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AdminError(f"无法读取 CSV 文件 {path}：{exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AdminError(
            f"CSV 文件 {path} 不是 UTF-8 编码（第 {line} 行）。在 Excel 中请“另存为”"
            "“CSV UTF-8（逗号分隔）”，WPS 中请选择 UTF-8 编码后再导入") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise AdminError(f"CSV 文件 {path} 的第 1 行无法解析：{exc}") from exc
    if header is None:
        raise AdminError(f"CSV 文件 {path} 是空的")
    where = _columns(header)
    found = CsvImport()
    first_line: dict[str, int] = {}
    rows = 0
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            found.bad.append(BadRow(reader.line_num, f"无法解析：{exc}"))
            break
        if row is None:
            break
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise AdminError(f"CSV 文件 {path} 超过 {MAX_ROWS} 行，请分批导入")
        line = reader.line_num
        result = _row(row, where, line, book, first_line)
        if isinstance(result, BadRow):
            found.bad.append(result)
        else:
            found.good.append(result)
            first_line[result.entry["agent_id"]] = line
    if not found.good and not found.bad:
        raise AdminError(f"CSV 文件 {path} 只有表头，没有坐席")
    return found


def _columns(header: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    where: dict[str, int] = {}
    for column, aliases in COLUMNS.items():
        for i, name in enumerate(names):
            if name in aliases:
                where[column] = i
    missing = [COLUMNS[c][1] + "/" + c for c in REQUIRED if c not in where]
    if missing:
        raise AdminError(
            f"CSV 第 1 行（表头）缺少列：{'、'.join(missing)}。表头应为：工号,姓名,技能,大厅,模式"
            f"（或 agent_id,name,skills,hall,mode）；读到的是：{','.join(header)}")
    return where


def _row(row: list[str], where: dict[str, int], line: int, book: SeatsBook,
         first_line: dict[str, int]) -> GoodRow | BadRow:
    def cell(column: str) -> str:
        i = where.get(column)
        return row[i].strip() if i is not None and i < len(row) else ""

    agent_id, name, hall = cell("agent_id"), cell("name"), cell("hall")
    role = ROLE_NAMES.get(cell("role").lower() or "agent")
    mode = MODE_NAMES.get(cell("mode").lower() or "video")
    problem = (check_id(agent_id, "工号") if agent_id else "工号为空") or check_text(
        name, "姓名", required=True) or check_text(hall, "大厅", required=False)
    if problem:
        return BadRow(line, problem)
    if role is None:
        return BadRow(line, f"角色“{cell('role')}”不对：只能是 坐席/agent 或 班长/supervisor")
    if mode is None:
        return BadRow(line, f"模式“{cell('mode')}”不对："
                            "只能是 视频/video、窗口/counter、综合/combined")
    try:
        skills = book.resolve_skills(_SKILL_SEPARATORS.split(cell("skills")))
    except AdminError as exc:
        return BadRow(line, str(exc))
    if role == "agent" and not skills:
        return BadRow(line, f"坐席 {agent_id}（{name}）没有技能")
    if agent_id in first_line:
        return BadRow(line, f"工号 {agent_id} 与第 {first_line[agent_id]} 行重复")
    if book.has_seat(agent_id):
        return BadRow(line, f"工号 {agent_id} 已在座席文件中")
    token = new_token()
    entry = {"agent_id": agent_id, "name": name, "role": role, "skills": list(skills),
             "hall": hall, "mode": mode, "token_sha256": hash_token(token)}
    return GoodRow(line, entry, token)
