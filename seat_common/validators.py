"""Checks for the values Chinese government forms ask for, each returning a problem code.

Every check takes the text as typed and returns ``None`` when it is good or
a ``ProblemCode`` saying what is wrong; the UI turns codes into translated
messages, the sandbox into Chinese ones (``MESSAGES_ZH``). Pure stdlib, so
the sandbox validates submissions with exactly the rules the form uses.

- Resident ID number (GB 11643-1999): 6-digit region code, birth date,
  3-digit sequence, ISO 7064 MOD 11-2 check character.
- Unified social credit code (GB 32100-2015): 18 characters from a
  31-character alphabet, the last a MOD 31 check character.
- Mobile numbers, landlines (with area code and extension), postal codes,
  ISO dates and date ranges (``start/end``, the ISO 8601 interval form).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final, Literal

ProblemCode = Literal[
    "required",
    "too_long",
    "id_format",
    "id_region",
    "id_birth_date",
    "id_check_digit",
    "uscc_format",
    "uscc_check_char",
    "mobile",
    "landline",
    "postal_code",
    "date_format",
    "date_in_future",
    "date_in_past",
    "range_format",
    "range_order",
    "range_too_long",
    "not_an_option",
    "integer",
    "out_of_range",
    "region",
    "unconfirmed_prefill",
    "server",
]

#: Chinese messages for each problem (the sandbox's answers; the UI translates its own).
MESSAGES_ZH: Final[dict[str, str]] = {
    "required": "必填项，请填写",
    "too_long": "内容过长",
    "id_format": "身份证号码应为18位，前17位为数字，最后一位为数字或X",
    "id_region": "身份证号码的地区代码不存在",
    "id_birth_date": "身份证号码中的出生日期无效",
    "id_check_digit": "身份证号码校验位不正确，请核对",
    "uscc_format": "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）",
    "uscc_check_char": "统一社会信用代码校验码不正确，请核对",
    "mobile": "手机号码应为以1开头的11位数字",
    "landline": "固定电话格式应为“区号-号码”，如 0769-22801234",
    "postal_code": "邮政编码应为6位数字",
    "date_format": "日期格式应为 年-月-日，如 2026-01-31",
    "date_in_future": "日期不能晚于今天",
    "date_in_past": "日期不能早于今天",
    "range_format": "请填写起止日期",
    "range_order": "结束日期不能早于开始日期",
    "range_too_long": "起止日期跨度超出允许范围",
    "not_an_option": "请从列表中选择",
    "integer": "请填写整数",
    "out_of_range": "数值超出允许范围",
    "region": "请选择省、市、区县",
    "unconfirmed_prefill": "预填内容尚未确认",
    "server": "政务服务接口退回此项",
}

# --- resident ID number (GB 11643-1999) ------------------------------------------

#: Province-level region codes (GB/T 2260), the first two digits of an ID number.
#: 83 is the code of residence permits for Taiwan residents.
PROVINCE_CODES: Final = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
     "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
     "63", "64", "65", "71", "81", "82", "83"}
)
_ID_WEIGHTS: Final = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK: Final = "10X98765432"
_ID_SHAPE: Final = re.compile(r"^\d{17}[\dX]$", re.ASCII)
EARLIEST_BIRTH: Final = date(1850, 1, 1)  # the standard's own example was born in 1880


def id_check_character(first17: str) -> str:
    """The check character (``0``–``9`` or ``X``) for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    """Trimmed, with a lower-case check ``x`` raised to ``X``."""
    return value.strip().upper()


def id_birth_date(value: str) -> date | None:
    """The birth date an 18-character ID number carries, or ``None`` if it is no date."""
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def check_id_number(value: str, *, today: date | None = None) -> ProblemCode | None:
    v = normalize_id_number(value)
    if not _ID_SHAPE.match(v):
        return "id_format"
    if v[:2] not in PROVINCE_CODES or v[2:6] == "0000":
        return "id_region"
    born = id_birth_date(v)
    if born is None or not EARLIEST_BIRTH <= born <= (today or date.today()):
        return "id_birth_date"
    if id_check_character(v[:17]) != v[17]:
        return "id_check_digit"
    return None


# --- unified social credit code (GB 32100-2015) ----------------------------------

USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE: Final = re.compile(
    rf"^[{USCC_ALPHABET}]{{2}}\d{{6}}[{USCC_ALPHABET}]{{10}}$", re.ASCII
)


def uscc_check_character(first17: str) -> str:
    """The check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise ValueError("need 17 characters of the credit-code alphabet")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(value: str) -> ProblemCode | None:
    v = value.strip().upper()
    if not _USCC_SHAPE.match(v):
        return "uscc_format"
    if uscc_check_character(v[:17]) != v[17]:
        return "uscc_check_char"
    return None


# --- telephone numbers and postal codes ------------------------------------------

_MOBILE: Final = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
# Area code 010/02x (3 digits) or 0xxx (4 digits); local number 7–8 digits not
# starting with 0 or 1; an optional extension.
_LANDLINE: Final = re.compile(
    r"^(0(10|2\d|[3-9]\d{2}))-?([2-9]\d{6,7})(-\d{1,6})?$", re.ASCII
)
_POSTAL: Final = re.compile(r"^[0-8]\d{5}$", re.ASCII)


def check_mobile(value: str) -> ProblemCode | None:
    return None if _MOBILE.match(value.strip().replace(" ", "")) else "mobile"


def check_landline(value: str) -> ProblemCode | None:
    return None if _LANDLINE.match(value.strip().replace(" ", "")) else "landline"


def check_postal_code(value: str) -> ProblemCode | None:
    v = value.strip()
    return None if _POSTAL.match(v) and v != "000000" else "postal_code"


# --- dates ------------------------------------------------------------------------

DateRule = Literal["any", "not_future", "not_past"]
_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def parse_date(value: str) -> date | None:
    """An ISO ``YYYY-MM-DD`` date, or ``None``."""
    v = value.strip()
    if not _ISO_DATE.match(v):
        return None
    try:
        return date.fromisoformat(v)
    except ValueError:
        return None


def check_date(value: str, rule: DateRule = "any", *, today: date | None = None) -> (
    ProblemCode | None
):
    d = parse_date(value)
    if d is None or d.year < 1900:
        return "date_format"
    now = today or date.today()
    if rule == "not_future" and d > now:
        return "date_in_future"
    if rule == "not_past" and d < now:
        return "date_in_past"
    return None


def split_range(value: str) -> tuple[str, str]:
    """``"2026-01-01/2026-12-31"`` → the two halves (empty strings where missing)."""
    start, _, end = value.partition("/")
    return start.strip(), end.strip()


def check_date_range(
    value: str, rule: DateRule = "any", *, max_days: int | None = None, today: date | None = None
) -> ProblemCode | None:
    start, end = split_range(value)
    if not start or not end:
        return "range_format"
    for half in (start, end):
        problem = check_date(half, "any")
        if problem:
            return problem
    d0, d1 = parse_date(start), parse_date(end)
    assert d0 is not None and d1 is not None
    if d1 < d0:
        return "range_order"
    now = today or date.today()
    if rule == "not_past" and d0 < now:
        return "date_in_past"
    if rule == "not_future" and d1 > now:
        return "date_in_future"
    if max_days is not None and (d1 - d0).days > max_days:
        return "range_too_long"
    return None
