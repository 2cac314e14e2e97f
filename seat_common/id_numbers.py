"""Resident ID numbers (居民身份证号码, GB 11643-1999): checked, and the age they tell.

An 18-character number is six digits of region, eight of birth date
(``YYYYMMDD``, characters 7–14), three of sequence (odd for men) and a check
character: ISO 7064 MOD 11-2 over the first 17 digits, ``X`` standing for 10.
``parse`` refuses a number with the wrong length or characters, a wrong check
character, or a birth date that cannot be (not a calendar date, before 1900,
or after ``today``), raising ``IdNumberError`` whose ``reason`` says which.
``age_on`` is the age in whole years on a day. Pure stdlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal, TypeAlias

_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK: Final = "10X98765432"
#: The earliest birth year taken as real (the oldest living people were born after it).
EARLIEST_BIRTH_YEAR: Final = 1900

IdNumberProblem: TypeAlias = Literal["length", "characters", "check_digit", "birth_date"]


class IdNumberError(ValueError):
    """Not a resident ID number that can exist; ``reason`` says what is wrong."""

    def __init__(self, reason: IdNumberProblem, message: str) -> None:
        super().__init__(message)
        self.reason: IdNumberProblem = reason


@dataclass(frozen=True, slots=True)
class ResidentId:
    """What a checked ID number says."""

    number: str
    region: str
    birth_date: date

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


def check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("the first 17 characters of an ID number are digits")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def parse(value: str, today: date) -> ResidentId:
    """Check ``value`` as an 18-character ID number issued to someone born by ``today``."""
    if len(value) != 18:
        raise IdNumberError("length", "an ID number has 18 characters")
    first17, last = value[:17], value[17]
    if not (first17.isascii() and first17.isdigit()) or last not in "0123456789X":
        raise IdNumberError("characters", "an ID number is 17 digits and a digit or X")
    if check_character(first17) != last:
        raise IdNumberError("check_digit", "the ID number's check character is wrong")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError("birth_date", "the ID number's birth date is not a date") from None
    if birth.year < EARLIEST_BIRTH_YEAR or birth > today:
        raise IdNumberError("birth_date", "the ID number's birth date cannot be")
    return ResidentId(number=value, region=value[:6], birth_date=birth)


def age_on(birth: date, day: date) -> int:
    """Whole years from ``birth`` to ``day`` (a 29 February birthday counts on 1 March)."""
    years = day.year - birth.year
    return years - 1 if (day.month, day.day) < (birth.month, birth.day) else years
