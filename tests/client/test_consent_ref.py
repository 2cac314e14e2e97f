"""A consent's reference survives the audit log's masking, so an auditor can follow it.

The audit row of a consent quotes its reference, and the log masks any run of digits
that could be a phone or ID number. A reference that held such a run (the old ungrouped
hex did about once in 170 draws) reached the auditor as ``CS-9f1*******4c…``, matching
no request at the licence library."""

from __future__ import annotations

import re

from seat_client.acceptance.certificate_desk import new_consent_ref
from seat_common.personal_data.pii import mask_text


def test_a_reference_is_never_masked_in_the_audit_log() -> None:
    refs = {new_consent_ref() for _ in range(5000)}
    assert len(refs) == 5000
    for ref in refs:
        assert mask_text(f"consent=on_device ref={ref}") == f"consent=on_device ref={ref}"
        assert re.fullmatch(r"CS-[0-9a-f]{4}(-[0-9a-f]{4}){4}", ref)
        assert 8 <= len(ref) <= 64  # what the wire accepts for consent_ref


def test_the_old_ungrouped_reference_could_be_masked() -> None:
    """Why the grouping: the old form with a phone-like run loses its digits."""
    old = "CS-ab13800138000cdef12"
    assert mask_text(old) != old
