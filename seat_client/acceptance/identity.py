"""The applicant's identity checked against the caller's (申请人身份核对).

The agent types (or confirms) the applicant's ID number on the form; the channel may know
who is actually calling: a kiosk's ID-card read (in clear), or the ID number the citizen
gave when queuing (masked by the hub for agents: only its visible characters can be
compared). ``identity_mismatch`` compares the two, normalised (spaces removed, ``x`` →
``X``); a mismatch must be confirmed by the agent before the application is submitted
(an application for someone else is legitimate, e.g. a son applying for his mother, but
never by accident), and ``IdentityConfirmation`` is what is recorded with it: who
confirmed, when, and the two numbers, masked. Where the channel knows nothing there is
nothing to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from seat_common.personal_data.pii import mask_id_number

#: Where the caller's identity comes from: the kiosk's card reader, or the citizen's word.
CallerSource = Literal["kiosk_card", "queue"]

SOURCE_NAMES: dict[CallerSource, str] = {"kiosk_card": "自助终端读卡",
                                         "queue": "排队时填报"}


def normalize(id_number: str) -> str:
    """The ID number without any blank, its check ``x`` raised to ``X``."""
    return "".join(id_number.split()).upper()


@dataclass(frozen=True, slots=True)
class CallerIdentity:
    """Who the channel says is calling: an ID number and where it comes from; ``masked``
    when only the characters that are not ``*`` are known."""

    id_number: str
    source: CallerSource
    masked: bool = False

    def shown(self) -> str:
        """The caller's number as it may be shown or recorded: masked."""
        return self.id_number if self.masked else mask_id_number(normalize(self.id_number))


@dataclass(frozen=True, slots=True)
class IdentityMismatch:
    """The applicant's number differs from the caller's (both kept for the comparison; show
    and record them only through ``applicant_shown`` / ``caller.shown``)."""

    applicant_id_number: str
    caller: CallerIdentity

    @property
    def applicant_shown(self) -> str:
        return mask_id_number(self.applicant_id_number)


def identity_mismatch(applicant_id_number: str,
                      caller: CallerIdentity | None) -> IdentityMismatch | None:
    """The mismatch between the form's applicant and the caller, or None when they agree,
    when the channel knows no caller, or when the form has no applicant number yet."""
    applicant = normalize(applicant_id_number)
    if caller is None or not applicant or not normalize(caller.id_number):
        return None
    known = normalize(caller.id_number)
    if caller.masked:
        same = len(known) == len(applicant) and all(
            k == "*" or k == a for k, a in zip(known, applicant, strict=True))
    else:
        same = known == applicant
    return None if same else IdentityMismatch(applicant, caller)


@dataclass(frozen=True, slots=True)
class IdentityConfirmation:
    """The agent confirmed an application for someone other than the caller: recorded with
    the application (outbox entry and receipt), numbers masked."""

    agent_id: str
    confirmed_at: datetime
    applicant_shown: str
    caller_shown: str
    source: CallerSource

    def note(self) -> str:
        """One line for the record and the receipt."""
        who = f"坐席工号 {self.agent_id}" if self.agent_id else "坐席"
        return (f"申请人身份证号 {self.applicant_shown} 与来电人（{SOURCE_NAMES[self.source]}）"
                f"{self.caller_shown} 不一致，{who} 于 "
                f"{self.confirmed_at.strftime('%Y-%m-%d %H:%M')} 确认代他人申请")


def confirmation_of(mismatch: IdentityMismatch, agent_id: str,
                    now: datetime | None = None) -> IdentityConfirmation:
    return IdentityConfirmation(agent_id, now or datetime.now(), mismatch.applicant_shown,
                                mismatch.caller.shown(), mismatch.caller.source)
