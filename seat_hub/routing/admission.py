"""Who may join the queue on which channel, whether there is room, and what a priority
claim is worth.

- The kiosk channel is for kiosks alone: a session that logged in as a kiosk
  with its device token (``Session.kiosk``) joins on channel ``kiosk`` and
  nowhere else, and its citizen's hall is the hall the kiosk stands in. A
  citizen connection that claims the kiosk channel is refused, so an agent's
  workstation can trust that a ``kiosk`` call's remote assistance, ID-card
  read and face result come from a real kiosk.
- The queue holds at most ``max_queue`` citizens; the next one is told, in
  Chinese, that the service is busy (``Error busy``).
- Priority (elderly, disabled) is the citizen's claim (``claimed``) unless the
  channel can check it: an authenticated kiosk's ID-card read gives the age
  from the ID number, so an elderly claim is ``verified`` at 60 or more and
  ``refused`` below (the contact then waits as ``normal``). An ID number read
  at a kiosk must be one that can exist (check character, birth date).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from seat_common.personal_data import id_numbers
from seat_common.protocol import CitizenInfo, JoinQueue, Priority, PriorityCheck
from seat_hub.context import HubContext, Refusal
from seat_hub.parties.session import Session

#: The age from which a citizen is elderly (老年人权益保障法: sixty and over).
ELDERLY_AGE: Final = 60
#: What a citizen hears when the queue is full.
BUSY_MESSAGE: Final = "当前排队人数较多，请稍后再试。给您带来不便，敬请谅解。"


@dataclass(frozen=True, slots=True)
class Admission:
    """A join the rules let in: the citizen as the hub records them, and the priority."""

    citizen: CitizenInfo
    priority: Priority
    priority_check: PriorityCheck


def admit(ctx: HubContext, session: Session, message: JoinQueue) -> Admission:
    """Check ``message`` from ``session``; raise ``Refusal`` or say how it is admitted."""
    kiosk = session.kiosk
    if message.channel == "kiosk" and kiosk is None:
        raise Refusal(
            "not_allowed",
            "the kiosk channel is only for a kiosk logged in with its device token",
            "channel",
        )
    if kiosk is not None and message.channel != "kiosk":
        raise Refusal("not_allowed", "a kiosk joins on the kiosk channel", "channel")
    limit = ctx.settings.max_queue
    if limit and len(ctx.live.contacts) >= limit:
        ctx.log.event("queue_full", session=session.session_id, waiting=len(ctx.live.contacts))
        raise Refusal("busy", BUSY_MESSAGE, "")
    if kiosk is None:
        return Admission(message.citizen, message.priority, "claimed")
    citizen = replace(message.citizen, hall=kiosk.hall)
    if not citizen.id_number:
        return Admission(citizen, message.priority, "claimed")
    today = date.fromtimestamp(ctx.clock())
    try:
        resident = id_numbers.parse(citizen.id_number, today)
    except id_numbers.IdNumberError as exc:
        raise Refusal(
            "bad_message", f"the ID number read at the kiosk is not valid: {exc}",
            "citizen.id_number",
        ) from None
    if message.priority != "elderly":
        return Admission(citizen, message.priority, "claimed")
    if resident.age_on(today) >= ELDERLY_AGE:
        return Admission(citizen, "elderly", "verified")
    return Admission(citizen, "normal", "refused")
