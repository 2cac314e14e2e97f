"""References the logs and audit rows quote survive their masking, so they can be followed.

Sessions, calls, consults, watches, materials and consents get random references, and the
hub's log and audit rows mask any run of digits that could be a phone or ID number. An
ungrouped hex reference held such a run about once in 300 draws and reached the log or the
auditor as ``S-18990****111b35fc`` or ``CS-ab138****8000cdef12``, matching nothing (a test
that followed a session through the log failed that way, and one that followed a consent
through the audit rows).
"""

from __future__ import annotations

import re

from seat_common.personal_data.pii import mask_text, opaque_reference


def test_a_reference_is_never_masked() -> None:
    refs = {opaque_reference("S-") for _ in range(5000)}
    assert len(refs) == 5000
    for ref in refs:
        assert mask_text(f"link_lost session={ref}") == f"link_lost session={ref}"
        assert re.fullmatch(r"S-[0-9a-f]{4}(-[0-9a-f]{4}){3}", ref)


def test_the_prefix_and_length_are_the_callers() -> None:
    consent = opaque_reference("CS-", 10)
    assert re.fullmatch(r"CS-[0-9a-f]{4}(-[0-9a-f]{4}){4}", consent)
    assert 8 <= len(consent) <= 64  # what the wire accepts for consent_ref
    assert re.fullmatch(r"w-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}", opaque_reference("w-", 6))


def test_an_ungrouped_reference_could_be_masked() -> None:
    """Why the grouping: the old form with a phone-like run lost its digits."""
    for old in ("S-18990155111b35fc", "CS-ab13800138000cdef12"):
        assert mask_text(old) != old
