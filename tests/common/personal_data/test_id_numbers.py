"""Resident ID numbers: the check character and birth date are checked, the age read."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seat_common.personal_data.id_numbers import IdNumberError, age_on, parse
from seat_common.validators import id_check_character as check_character

TODAY = date(2026, 12, 7)


def number(first17: str) -> str:
    return first17 + check_character(first17)


def test_a_good_number_gives_region_birth_date_and_age() -> None:
    resident = parse("11010519491231002X", TODAY)  # the standard's own example
    assert resident.region == "110105"
    assert resident.birth_date == date(1949, 12, 31)
    assert resident.age_on(TODAY) == 76
    assert parse(number("44190019661208123"), TODAY).age_on(TODAY) == 59  # tomorrow 60
    assert parse(number("44190019661207123"), TODAY).age_on(TODAY) == 60  # today


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("11010519491231002", "length"),
        ("11010519491231002XX", "length"),
        ("1101051949123100x2", "characters"),
        ("11010519491231002x", "characters"),  # a lower-case x is not the check character
        ("１１０１０５１９４９１２３１００２X", "characters"),  # full-width digits
        ("110105194912310021", "check_digit"),
        (number("44190019500230123"), "birth_date"),  # 30 February
        (number("44190019501301123"), "birth_date"),  # month 13
        (number("44190018491231123"), "birth_date"),  # before 1850
        (number("44190020270101123"), "birth_date"),  # not born yet
    ],
)
def test_a_number_that_cannot_exist_is_refused_naming_why(value: str, reason: str) -> None:
    with pytest.raises(IdNumberError) as raised:
        parse(value, TODAY)
    assert raised.value.reason == reason


@given(st.text(max_size=24))
def test_any_text_is_parsed_or_refused_with_a_reason(value: str) -> None:
    try:
        resident = parse(value, TODAY)
    except IdNumberError as exc:
        assert exc.reason in ("length", "characters", "check_digit", "birth_date")
    else:
        assert resident.birth_date <= TODAY


@given(st.from_regex(r"[0-9]{17}", fullmatch=True), st.integers(0, 16), st.integers(1, 9))
def test_one_mistyped_digit_never_keeps_the_check_character(
    first17: str, at: int, change: int
) -> None:
    good = number(first17)
    typo = str((int(good[at]) + change) % 10)
    mistyped = good[:at] + typo + good[at + 1 :]
    assert check_character(mistyped[:17]) != mistyped[17]


def test_age_counts_whole_years_and_leap_day_birthdays() -> None:
    assert age_on(date(1960, 2, 29), date(2020, 2, 28)) == 59
    assert age_on(date(1960, 2, 29), date(2020, 2, 29)) == 60
    assert age_on(date(1960, 2, 29), date(2021, 2, 28)) == 60
    assert age_on(date(1960, 2, 29), date(2021, 3, 1)) == 61
