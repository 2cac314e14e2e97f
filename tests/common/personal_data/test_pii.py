"""Personal data is masked the same way in every list, log and wall."""

from __future__ import annotations

from seat_common.personal_data.pii import mask_id_number, mask_name, mask_phone, mask_text


def test_id_number_keeps_region_and_last_four() -> None:
    assert mask_id_number("44190019900101123X") == "4419**********123X"


def test_phone_keeps_prefix_and_last_four() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("0769-2222") == "*******22"


def test_name_keeps_the_surname_only() -> None:
    assert mask_name("吴小梅") == "吴**"
    assert mask_name("吴") == "吴"


def test_numbers_inside_log_text_are_masked() -> None:
    line = "citizen 441900199001011234 phone 13800138000 joined"
    masked = mask_text(line)
    assert "441900199001011234" not in masked and "13800138000" not in masked
    assert "4419**********1234" in masked and "138****8000" in masked
