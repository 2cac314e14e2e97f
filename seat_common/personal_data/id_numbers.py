"""Resident ID numbers (居民身份证号码, GB 11643-1999): checked, and the age they tell.

An 18-character number is six digits of region, eight of birth date
(``YYYYMMDD``, characters 7–14), three of sequence (odd for men) and a check
character: ISO 7064 MOD 11-2 over the first 17 digits, ``X`` standing for 10.
``parse`` refuses a number with the wrong length or characters, a wrong check
character, or a birth date that cannot be (not a calendar date, before
``validators.EARLIEST_BIRTH``, or after ``today``), raising ``IdNumberError``
whose ``reason`` says which. ``age_on`` is the age in whole years on a day. The
check character and the birth date are read as the form checks do
(``seat_common.validators``); this module says why a number fails, for a card
read at a kiosk, and how old its holder is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeAlias

from seat_common.validators import EARLIEST_BIRTH, id_birth_date, id_check_character

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


def parse(value: str, today: date) -> ResidentId:
    """Check ``value`` as an 18-character ID number issued to someone born by ``today``."""
    if len(value) != 18:
        raise IdNumberError("length", "an ID number has 18 characters")
    first17, last = value[:17], value[17]
    if not (first17.isascii() and first17.isdigit()) or last not in "0123456789X":
        raise IdNumberError("characters", "an ID number is 17 digits and a digit or X")
    if id_check_character(first17) != last:
        raise IdNumberError("check_digit", "the ID number's check character is wrong")
    birth = id_birth_date(value)
    if birth is None:
        raise IdNumberError("birth_date", "the ID number's birth date is not a date")
    if not EARLIEST_BIRTH <= birth <= today:
        raise IdNumberError("birth_date", "the ID number's birth date cannot be")
    return ResidentId(number=value, region=value[:6], birth_date=birth)


def age_on(birth: date, day: date) -> int:
    """Whole years from ``birth`` to ``day`` (a 29 February birthday counts on 1 March)."""
    years = day.year - birth.year
    return years - 1 if (day.month, day.day) < (birth.month, birth.day) else years
