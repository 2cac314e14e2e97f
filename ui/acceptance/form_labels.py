"""Words for the form pane and the outbox: validation messages, outbox states, field labels.

The core speaks problem codes (``seat_common.validators.ProblemCode``) and
outbox states; people read these translated sentences. Schema field labels
are data in both languages, picked by the UI's locale.
"""

from __future__ import annotations

from PyQt6.QtCore import QCoreApplication, QLocale

from seat_client.acceptance.outbox_entries import OutboxState
from seat_common.forms import FieldOption, FormField, FormSchema

translate = QCoreApplication.translate


def english() -> bool:
    return QLocale().language() == QLocale.Language.English


def field_label(field: FormField) -> str:
    return field.label_en if english() else field.label


def option_label(option: FieldOption) -> str:
    return option.label_en if english() else option.label


def form_title(schema: FormSchema) -> str:
    return schema.title_en if english() else schema.title


def problem_label(code: str, server_message: str = "") -> str:
    """The message shown under a field for a problem code."""
    labels = {
        "required": translate("forms", "Required"),
        "too_long": translate("forms", "Too long"),
        "id_format": translate(
            "forms", "An ID number has 18 characters: 17 digits, then a digit or X"),
        "id_region": translate("forms", "The ID number's region code does not exist"),
        "id_birth_date": translate("forms", "The ID number's birth date is not a valid date"),
        "id_check_digit": translate(
            "forms", "The ID number's check digit is wrong: check each digit with the citizen"),
        "uscc_format": translate(
            "forms", "A credit code has 18 digits or capitals (no I, O, Z, S, V)"),
        "uscc_check_char": translate("forms", "The credit code's check character is wrong"),
        "mobile": translate("forms", "A mobile number has 11 digits and starts with 1"),
        "landline": translate("forms", "Area code and number, e.g. 0769-22801234"),
        "postal_code": translate("forms", "A postal code has 6 digits"),
        "date_format": translate("forms", "Choose a date"),
        "date_in_future": translate("forms", "The date cannot be after today"),
        "date_in_past": translate("forms", "The date cannot be before today"),
        "range_format": translate("forms", "Choose both the start and the end date"),
        "range_order": translate("forms", "The end date is before the start date"),
        "range_too_long": translate("forms", "The period is longer than allowed"),
        "not_an_option": translate("forms", "Choose one of the options"),
        "integer": translate("forms", "A whole number"),
        "out_of_range": translate("forms", "The number is outside the allowed range"),
        "region": translate("forms", "Choose the province, city and district"),
        "unconfirmed_prefill": translate("forms", "Prefilled: confirm with the citizen"),
    }
    if code in labels:
        return labels[code]
    return server_message or translate("forms", "The government API returned this field")


def outbox_state_label(state: OutboxState) -> str:
    return {
        OutboxState.QUEUED: translate("forms", "Queued"),
        OutboxState.SENDING: translate("forms", "Sending"),
        OutboxState.ACCEPTED: translate("forms", "Accepted"),
        OutboxState.RETURNED: translate("forms", "Returned for correction"),
        OutboxState.FAILED: translate("forms", "Failed"),
    }[state]


#: Badge colours (with the words always shown beside them, for colour-blind staff).
OUTBOX_COLOURS: dict[OutboxState, str] = {
    OutboxState.QUEUED: "#6e7781",
    OutboxState.SENDING: "#0969da",
    OutboxState.ACCEPTED: "#1a7f37",
    OutboxState.RETURNED: "#bf8700",
    OutboxState.FAILED: "#cf222e",
}
