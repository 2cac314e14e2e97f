"""Display names for wire codes (channels, priorities, states, outcomes), translated, the
clock text of durations, and the label every pane uses (``PlainLabel``).

The wire speaks codes (``"miniprogram"``, ``"on_call"``); people read
these labels. One place, so every pane says the same words.
"""

from __future__ import annotations

import html
from typing import Any

from PyQt6.QtCore import QCoreApplication, QLocale, Qt
from PyQt6.QtWidgets import QLabel

from seat_common import protocol
from seat_common.catalog import ServiceItem
from seat_common.tls import TlsFailure, TlsProblem

translate = QCoreApplication.translate


class PlainLabel(QLabel):
    """A ``QLabel`` that shows its text as it is, never as rich text.

    A plain ``QLabel`` guesses: text that looks like HTML is rendered as HTML. Much of
    what the panes show comes from outside (a caller's name, a material's file name, the
    name on a kiosk's card read, a plugin's answer from the government API), and markup
    in it must show as the characters typed, not as formatting, links or images. Every
    label in ``ui`` is one of these; the two that colour a dot of our own say
    ``Qt.TextFormat.RichText`` themselves.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setTextFormat(Qt.TextFormat.PlainText)


def plain_tip(text: str) -> str:
    """A tool tip that shows ``text`` as it is: tool tips guess rich text as labels do, so
    outside text goes in escaped, inside a paragraph that keeps its line breaks."""
    if not text:
        return ""
    return f'<p style="white-space:pre-wrap">{html.escape(text)}</p>'


def channel_label(channel: str) -> str:
    return {
        "web": translate("labels", "Web portal"),
        "miniprogram": translate("labels", "i莞家 mini-program"),
        "official_account": translate("labels", "Official account"),
        "kiosk": translate("labels", "Kiosk"),
        "hotline": translate("labels", "Hotline"),
        "counter": translate("labels", "At the counter"),
    }.get(channel, channel)


def item_short_label(item: ServiceItem | None, name: str) -> str:
    """What a narrow column calls an item: its short name, or in English its English name."""
    if item is None:
        return name
    english = QLocale().language() == QLocale.Language.English
    return item.name_en if english else item.short_name


def channel_short_label(channel: str) -> str:
    """A few characters, for narrow columns."""
    return {
        "web": translate("labels", "Web"),
        "miniprogram": translate("labels", "Mini-program"),
        "official_account": translate("labels", "WeChat"),
        "kiosk": translate("labels", "Kiosk"),
        "hotline": translate("labels", "Hotline"),
        "counter": translate("labels", "Counter"),
    }.get(channel, channel)


def priority_label(
    priority: protocol.Priority, check: protocol.PriorityCheck = "claimed"
) -> str:
    """The priority as the agent should take it: the citizen's word (自称) or checked by
    the hub (a kiosk's ID-card read); an elderly claim the ID refuted says so."""
    if priority == "normal":
        return translate("labels", "Not elderly (ID checked)") if check == "refused" else ""
    verified = check == "verified"
    if priority == "elderly":
        return (translate("labels", "Elderly (ID checked)") if verified
                else translate("labels", "Elderly (self-declared)"))
    return (translate("labels", "Disabled (checked)") if verified
            else translate("labels", "Disabled (self-declared)"))


def needs_label(priority: protocol.Priority, check: protocol.PriorityCheck = "claimed",
                large_text: bool = False) -> str:
    """The priority (``priority_label``) and, when the citizen chose it on their page or
    kiosk, large text (大字版: speak plainly and slowly), joined for one cell or badge."""
    parts = [priority_label(priority, check)]
    if large_text:
        parts.append(translate("labels", "Large text"))
    return " · ".join(p for p in parts if p)


def material_source_label(source: str) -> str:
    """Where a material image came from, in words (never its file name)."""
    return {
        "citizen_upload": translate("labels", "Sent by the citizen"),
        "video_still": translate("labels", "Still from the video"),
        "document_camera": translate("labels", "Document camera"),
        "agent_annotated": translate("labels", "Annotated copy"),
        "e_licence": translate("labels", "Electronic licence library"),
    }.get(source, source)


def state_label(state: protocol.AgentState) -> str:
    return {
        "offline": translate("labels", "Offline"),
        "ready": translate("labels", "Ready"),
        "ringing": translate("labels", "Ringing"),
        "on_call": translate("labels", "On call"),
        "wrap_up": translate("labels", "Wrap-up"),
        "away": translate("labels", "Away"),
        "counter": translate("labels", "Counter"),
    }[state]


def away_reason_label(reason: protocol.AwayReason) -> str:
    return {
        "": "",
        "break": translate("labels", "Break"),
        "meeting": translate("labels", "Meeting"),
        "training": translate("labels", "Training"),
        "missed_offers": translate("labels", "Missed calls"),
        "other": translate("labels", "Other"),
    }[reason]


def mode_label(mode: protocol.SeatMode) -> str:
    return {
        "video": translate("labels", "Video"),
        "counter": translate("labels", "Counter"),
        "combined": translate("labels", "Combined"),
    }[mode]


def outcome_label(outcome: protocol.Outcome) -> str:
    return {
        "resolved": translate("labels", "Question answered"),
        "guided": translate("labels", "Guided through the form"),
        "pre_reviewed": translate("labels", "Materials pre-reviewed"),
        "accepted": translate("labels", "Application accepted"),
        "booked": translate("labels", "Counter appointment booked"),
        "transferred": translate("labels", "Transferred"),
        "unresolved": translate("labels", "Unresolved"),
        "dropped": translate("labels", "Call dropped"),
        "abandoned": translate("labels", "Abandoned"),
    }[outcome]


#: State colours chosen to stay apart for red-green colour blindness; a label
#: always goes with the colour.
STATE_COLOURS: dict[protocol.AgentState, str] = {
    "offline": "#6e7781",
    "ready": "#1a7f37",
    "ringing": "#bf8700",
    "on_call": "#0969da",
    "wrap_up": "#8250df",
    "away": "#57606a",
    "counter": "#0a7ea4",
}


def tls_failure_label(failure: TlsFailure | None) -> str:
    """Why the hub's certificate was refused, in words an agent can pass on to support."""
    problem = TlsProblem.HANDSHAKE if failure is None else failure.problem
    return {
        TlsProblem.UNTRUSTED: translate(
            "labels", "The hub's certificate is not from a trusted CA (check the ca_file setting)"),
        TlsProblem.WRONG_HOST: translate(
            "labels", "The hub's certificate is for another address"),
        TlsProblem.EXPIRED: translate(
            "labels", "The hub's certificate has expired or is not valid yet (check the clock)"),
        TlsProblem.HANDSHAKE: translate("labels", "No secure connection to the hub"),
    }[problem]


def clock_text(seconds: float) -> str:
    """m:ss under an hour, h:mm:ss after."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
