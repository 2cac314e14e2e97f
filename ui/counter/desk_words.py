"""What the walk-in intake pane tells the clerk when a step fails: an appointment that
cannot be looked up or opened, and a document-camera image that cannot be used.

Plain functions of the core's failure values, in the clerk's words. They stay in the
``CounterDeskPane`` translation context, where they were translated before they left
the pane.
"""

from __future__ import annotations

from PyQt6.QtCore import QCoreApplication

from seat_client.counter.walk_in import CaptureError, LookupProblem, WalkInFailure

translate = QCoreApplication.translate


def lookup_failure_text(failure: WalkInFailure) -> str:
    """Why the walk-in did not open, and what the clerk can do."""
    text = {
        LookupProblem.BAD_NUMBER: translate(
            "CounterDeskPane",
            "“%1” is not an appointment number: it is YY and 8 digits, e.g. YY-00000042."),
        LookupProblem.NOT_FOUND: translate(
            "CounterDeskPane",
            "No appointment %1. Check the number with the citizen, or serve them "
            "without an appointment."),
        LookupProblem.UNREACHABLE: translate(
            "CounterDeskPane",
            "The government service system cannot be reached right now. Try again "
            "shortly, or serve the citizen without an appointment."),
        LookupProblem.REFUSED: translate(
            "CounterDeskPane",
            "The government service system refused this workstation's credentials. "
            "Please call IT support."),
        LookupProblem.FAILED: translate("CounterDeskPane", "Could not open the walk-in: %1"),
        LookupProblem.HUB: translate("CounterDeskPane", "The hub did not take the walk-in: %1"),
    }[failure.problem]
    worded = failure.problem in (LookupProblem.FAILED, LookupProblem.HUB)
    return text.replace("%1", failure.detail if worded else failure.booking_no)


def capture_problem_text(exc: CaptureError) -> str:
    """Why the document camera's newest image was not taken."""
    if exc.reason == "nothing_new":
        return translate("CounterDeskPane",
                         "The document camera has no new image yet: scan the document first.")
    if exc.reason == "no_camera":
        return translate("CounterDeskPane", "No document camera folder is set up for this seat")
    why = {
        "still_writing": translate("CounterDeskPane",
                                   "the camera is still saving it, press F8 again"),
        "too_large": translate("CounterDeskPane", "the file is too large"),
        "too_many_pixels": translate("CounterDeskPane", "the image has too many pixels"),
        "not_an_image": translate("CounterDeskPane",
                                  "it is not a JPEG or PNG image, or it is damaged"),
        "truncated": translate("CounterDeskPane", "the image is cut off"),
        "bad_metadata": translate("CounterDeskPane", "the image's metadata is malformed"),
    }.get(exc.reason, str(exc))
    return (translate("CounterDeskPane", "The document camera's image %1 cannot be used: %2")
            .replace("%1", exc.filename).replace("%2", why))
