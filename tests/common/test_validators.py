"""Validators accept the published good examples, refuse the bad ones, and hold as properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seat_common import validators as v

TODAY = date(2026, 11, 28)

# GB 11643-1999's own examples and widely published ones.
GOOD_IDS = ["11010519491231002X", "440524188001010014", "11010519491231002x"]


@pytest.mark.parametrize("number", GOOD_IDS)
def test_published_id_numbers_are_accepted(number: str) -> None:
    assert v.check_id_number(number, today=TODAY) is None


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("110105194912310021", "id_check_digit"),   # one check digit off
        ("11010519491231002", "id_format"),          # 17 characters
        ("1101051949123100XX", "id_format"),
        ("110105194912310", "id_format"),            # first-generation 15 digits: expired cards
        ("990105194912310029", "id_region"),         # no province 99
        ("440000199001011234", "id_region"),
        ("110105194902300023", "id_birth_date"),     # 30 February
        ("110105203001010011", "id_birth_date"),     # born in the future
    ],
)
def test_bad_id_numbers_say_what_is_wrong(number: str, problem: str) -> None:
    assert v.check_id_number(number, today=TODAY) == problem


ids = st.builds(
    lambda region, born, seq: f"{region}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(["441900", "110105", "440106", "430102", "510104"]),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)


@given(ids)
def test_any_id_with_its_computed_check_digit_is_valid(first17: str) -> None:
    number = first17 + v.id_check_character(first17)
    assert v.check_id_number(number, today=TODAY) is None
    assert v.id_birth_date(number) is not None


@given(ids, st.integers(0, 16), st.integers(1, 9))
def test_changing_any_one_digit_is_caught(first17: str, position: int, delta: int) -> None:
    number = first17 + v.id_check_character(first17)
    changed = str((int(number[position]) + delta) % 10)
    typo = number[:position] + changed + number[position + 1:]
    assert v.check_id_number(typo, today=TODAY) is not None


@given(ids, st.integers(0, 15))
def test_swapping_two_neighbours_is_caught(first17: str, position: int) -> None:
    number = first17 + v.id_check_character(first17)
    a, b = number[position], number[position + 1]
    if a == b:
        return
    swapped = number[:position] + b + a + number[position + 2:]
    assert v.check_id_number(swapped, today=TODAY) is not None


GOOD_USCC = ["91350100M000100Y43",  # GB 32100-2015's example
             "91440300708461136T", "91110000802100433B"]


@pytest.mark.parametrize("code", GOOD_USCC)
def test_published_credit_codes_are_accepted(code: str) -> None:
    assert v.check_uscc(code) is None, v.uscc_check_character(code[:17])


@pytest.mark.parametrize(
    ("code", "problem"),
    [("91350100M000100Y44", "uscc_check_char"), ("91350100M000100Y4", "uscc_format"),
     ("91350100M000100I43", "uscc_format"),  # I is not in the alphabet
     ("913501A0M000100Y43", "uscc_format")],   # the region part is digits
)
def test_bad_credit_codes(code: str, problem: str) -> None:
    assert v.check_uscc(code) == problem


usccs = st.builds(
    lambda head, region, body: head + region + body,
    st.sampled_from(["91", "92", "11", "51", "Y1"]),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(v.USCC_ALPHABET, min_size=9, max_size=9),
)


@given(usccs, st.integers(0, 16), st.integers(1, 30))
def test_credit_code_check_catches_any_single_substitution(first17: str, position: int,
                                                           delta: int) -> None:
    code = first17 + v.uscc_check_character(first17)
    assert v.check_uscc(code) is None
    alphabet = v.USCC_ALPHABET
    new = alphabet[(alphabet.index(code[position]) + delta) % 31]
    typo = code[:position] + new + code[position + 1:]
    assert v.check_uscc(typo) is not None


@pytest.mark.parametrize("number", ["13800138000", "19912345678", "138 0013 8000"])
def test_mobile_good(number: str) -> None:
    assert v.check_mobile(number) is None


def test_digits_from_other_scripts_are_refused() -> None:
    assert v.check_mobile("١٣٨٠٠١٣٨٠٠٠") == "mobile"
    assert v.check_id_number("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", today=TODAY) == "id_format"


@pytest.mark.parametrize("number", ["12800138000", "1380013800", "138001380001", "2380013800a"])
def test_mobile_bad(number: str) -> None:
    assert v.check_mobile(number) == "mobile"


@pytest.mark.parametrize("number", ["0769-22801234", "076922801234", "020-83354088",
                                    "010-65123456", "0769-2280123", "0769-22801234-801"])
def test_landline_good(number: str) -> None:
    assert v.check_landline(number) is None


@pytest.mark.parametrize("number", ["22801234", "769-22801234", "0769-12801234", "0769-228"])
def test_landline_bad(number: str) -> None:
    assert v.check_landline(number) == "landline"


@pytest.mark.parametrize(("code", "good"), [("523000", True), ("100000", True), ("010010", True),
                                            ("52300", False), ("000000", False),
                                            ("923000", False), ("52300a", False)])
def test_postal_codes(code: str, good: bool) -> None:
    assert (v.check_postal_code(code) is None) is good


def test_dates_and_their_rules() -> None:
    assert v.check_date("2026-02-28", today=TODAY) is None
    assert v.check_date("2026-02-29", today=TODAY) == "date_format"
    assert v.check_date("2026/02/28", today=TODAY) == "date_format"
    assert v.check_date("2026-12-01", "not_future", today=TODAY) == "date_in_future"
    assert v.check_date("2026-11-27", "not_past", today=TODAY) == "date_in_past"
    assert v.check_date("2026-11-28", "not_past", today=TODAY) is None


def test_date_ranges() -> None:
    assert v.check_date_range("2026-01-01/2028-12-31", today=TODAY) is None
    assert v.check_date_range("2026-01-01/", today=TODAY) == "range_format"
    assert v.check_date_range("2026-12-31/2026-01-01", today=TODAY) == "range_order"
    assert v.check_date_range("2026-01-01/2046-01-02", max_days=7305,
                              today=TODAY) == "range_too_long"


@given(st.dates(min_value=date(1900, 1, 1)), st.integers(0, 4000))
def test_a_range_is_good_exactly_when_it_is_ordered(start: date, days: int) -> None:
    try:
        end = start + timedelta(days=days)
    except OverflowError:
        return
    assert v.check_date_range(f"{start}/{end}") is None
    if days:
        assert v.check_date_range(f"{end}/{start}") == "range_order"
