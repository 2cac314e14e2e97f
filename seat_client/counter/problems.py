"""What can go wrong at the counter, in the terms the clerk acts on.

``normalise_booking_no`` checks the appointment number the clerk typed; ``classify``
turns an exception from a lookup, the government API or the hub into a
``LookupProblem``; ``WalkInFailure`` is what the walk-in desk tells the pane;
``CaptureError`` says why the document camera's newest image cannot be taken.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from seat_client.acceptance.gov_api_client import (
    NotFound,
    TransportError,
    Unauthorized,
    Unavailable,
)
from seat_client.credentials import CredentialsError

#: The government API's appointment numbers: ``YY-`` and eight digits (e.g. ``YY-00000042``).
BOOKING_NO: Final = re.compile(r"(?:YY)?-?(\d{8})")


class BookingNumberError(ValueError):
    """What the clerk typed is not an appointment number."""


def normalise_booking_no(text: str) -> str:
    """``" yy－00000042 "`` → ``"YY-00000042"``; raises ``BookingNumberError``.

    Full-width characters (a Chinese input method) and spaces are forgiven, and the
    ``YY-`` prefix may be left out; anything else is refused before it reaches a URL.
    """
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    compact = compact.replace("—", "-").replace("–", "-")
    found = BOOKING_NO.fullmatch(compact)
    if found is None:
        raise BookingNumberError(text)
    return f"YY-{found.group(1)}"


class LookupProblem(enum.Enum):
    """Why an appointment could not be opened, in the terms the clerk acts on."""

    BAD_NUMBER = "bad_number"      # retype it
    NOT_FOUND = "not_found"        # check the number with the citizen
    UNREACHABLE = "unreachable"    # try again shortly, or serve without the appointment
    REFUSED = "refused"            # this workstation's credentials: call support
    HUB = "hub"                    # the hub refused or did not answer: its words say why
    FAILED = "failed"              # anything else, with the detail


class HubProblem(Exception):
    """The hub refused the walk-in's work order, or did not answer."""


def classify(exc: BaseException) -> LookupProblem:
    """The problem behind ``exc`` (``LookupFailed`` carries the API error as its cause)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, HubProblem):
            return LookupProblem.HUB
        if isinstance(seen, BookingNumberError):
            return LookupProblem.BAD_NUMBER
        if isinstance(seen, NotFound):
            return LookupProblem.NOT_FOUND
        if isinstance(seen, (TransportError, Unavailable)):
            return LookupProblem.UNREACHABLE
        if isinstance(seen, (Unauthorized, CredentialsError)):
            return LookupProblem.REFUSED
        seen = seen.__cause__
    return LookupProblem.FAILED


@dataclass(frozen=True, slots=True)
class WalkInFailure:
    """A lookup, walk-in start or capture that did not work."""

    problem: LookupProblem
    detail: str
    booking_no: str = ""


class CaptureError(Exception):
    """The document camera has nothing new, or its newest image is unusable."""

    def __init__(self, reason: str, message: str, filename: str = "") -> None:
        super().__init__(message)
        #: "no_walk_in", "no_camera", "nothing_new", "still_writing", "unreadable", or an
        #: ``ImageRefused`` reason (a protocol ``UploadFailure`` code)
        self.reason = reason
        self.filename = filename
