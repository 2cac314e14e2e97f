"""The period a statistics report covers: a day, a month, a year or any span of days.

``ReportPeriod.parse`` reads what the command line gives (``--day 2026-11-28``,
``--month 2026-11``, ``--year 2026``, ``--from 2026-10-01 --to 2026-12-31``;
``--to`` inclusive) as [start, end) in the hub's local time, refusing what is
not a date or runs backwards with a ``ValueError`` that says so. A period that
has not ended yet when the report is made covers only up to that moment, and
``covered`` says so in the report's words ("本月截至 12月07日 13:05").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, TypeAlias

PeriodKind: TypeAlias = Literal["day", "month", "year", "custom"]

_SPAN_NAME = {"day": "本日", "month": "本月", "year": "本年", "custom": "本期"}


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    """[``start``, ``end``) in Unix time, its kind and its label (``2026年11月``)."""

    kind: PeriodKind
    start: float
    end: float
    label: str

    @classmethod
    def parse(
        cls,
        *,
        day: str | None = None,
        month: str | None = None,
        year: str | None = None,
        from_day: str | None = None,
        to_day: str | None = None,
    ) -> ReportPeriod:
        """The one period given (see the module's docstring)."""
        given = sum(1 for v in (day, month, year, from_day or to_day) if v)
        if given != 1:
            raise ValueError("give one of --day, --month, --year or --from/--to")
        if day:
            start = _date(day, "%Y-%m-%d", "--day", "YYYY-MM-DD")
            return cls("day", start.timestamp(), _plus_days(start, 1), f"{start:%Y年%m月%d日}")
        if month:
            start = _date(month, "%Y-%m", "--month", "YYYY-MM")
            following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return cls("month", start.timestamp(), following.timestamp(), f"{start:%Y年%m月}")
        if year:
            start = _date(year, "%Y", "--year", "YYYY")
            following = start.replace(year=start.year + 1)
            return cls("year", start.timestamp(), following.timestamp(), f"{start:%Y年}")
        if not (from_day and to_day):
            raise ValueError("--from and --to go together")
        first = _date(from_day, "%Y-%m-%d", "--from", "YYYY-MM-DD")
        last = _date(to_day, "%Y-%m-%d", "--to", "YYYY-MM-DD")
        if last < first:
            raise ValueError(f"--to {to_day} is before --from {from_day}")
        label = f"{first:%Y年%m月%d日}至{last:%Y年%m月%d日}"
        return cls("custom", first.timestamp(), _plus_days(last, 1), label)

    def covered_until(self, now: float) -> float:
        """Where the figures stop: the period's end, or ``now`` if it has not come yet."""
        return min(self.end, max(self.start, now))

    def covered(self, now: float) -> str:
        """The span the figures cover, in the report's words."""
        start = dt.datetime.fromtimestamp(self.start)
        until = self.covered_until(now)
        if until >= self.end:
            last = dt.datetime.fromtimestamp(self.end) - dt.timedelta(seconds=1)
            return f"{start:%Y年%m月%d日} 00:00 至 {last:%Y年%m月%d日} 24:00（完整周期）"
        to = dt.datetime.fromtimestamp(until)
        return (
            f"{start:%Y年%m月%d日} 00:00 至 {to:%Y年%m月%d日 %H:%M}"
            f"（{_SPAN_NAME[self.kind]}截至报告生成时，周期未结束）"
        )


def _date(text: str, pattern: str, option: str, shape: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, pattern)
    except ValueError:
        raise ValueError(f"{option} {text!r}: want {shape}") from None


def _plus_days(start: dt.datetime, days: int) -> float:
    # Calendar days, not 86,400 s: a day with a clock change is still one day.
    return dt.datetime.combine(start.date() + dt.timedelta(days=days), dt.time()).timestamp()
