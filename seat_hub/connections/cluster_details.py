"""What the hub ringing a seat needs to know of a contact that joined on another hub.

The shared queue's contact hash holds what dispatch decides on (skill, priority, time); the
offer a single hub sends also names the item, the channel, the media, the citizen as they
told it (masked for the agent), whether the priority was checked and large text. The
citizen's hub writes these to ``{seat}:details:<wo>`` (JSON) before the contact joins the
queue, so they are there when the offer reaches the agent's hub, which reads them back
here, checked field by field where they enter.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Final, get_args

from seat_common.catalog import ServiceItem
from seat_common.protocol import (
    Channel,
    CitizenInfo,
    MediaKind,
    Priority,
    PriorityCheck,
    Role,
)
from seat_hub.model import Contact
from seat_hub.parties.session import Session

#: How long a contact's details are kept (a day: longer than any wait).
DETAILS_TTL_S: Final = 86_400

_CITIZEN_FIELDS = frozenset(CitizenInfo.__dataclass_fields__)


class BadDetails(ValueError):
    """Details read from Redis that are not what a hub writes."""


@dataclass(frozen=True, slots=True)
class ContactDetails:
    """A waiting contact as its hub describes it to the others."""

    work_order_id: str
    item_code: str
    channel: Channel
    priority: Priority
    media: MediaKind
    citizen: CitizenInfo
    queued_at: float
    priority_check: PriorityCheck
    large_text: bool
    #: the citizen's party, role and display name (their stand-in at the agent's hub)
    party: str
    role: Role
    name: str

    @classmethod
    def of(cls, contact: Contact, party: str) -> ContactDetails:
        role = contact.session.role if contact.session.role in ("citizen", "kiosk") else "citizen"
        return cls(contact.work_order_id, contact.item.code, contact.channel, contact.priority,
                   contact.media, contact.citizen, contact.queued_at, contact.priority_check,
                   contact.large_text, party, role, contact.session.name)

    def encode(self) -> str:
        values = asdict(self)
        return json.dumps(values, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def decode(cls, raw: object, work_order_id: str) -> ContactDetails:
        """Details as read (``BadDetails`` naming what is wrong, or that they are gone)."""
        if raw is None:
            raise BadDetails(f"{work_order_id}: no details in Redis")
        if not isinstance(raw, str) or len(raw) > 16_384:
            raise BadDetails(f"{work_order_id}: details are not text of bounded size")
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise BadDetails(f"{work_order_id}: details are not JSON: {exc}") from None
        if not isinstance(value, dict):
            raise BadDetails(f"{work_order_id}: details are not an object")
        citizen = value.get("citizen")
        if not isinstance(citizen, dict) or not set(citizen) <= _CITIZEN_FIELDS \
                or not all(isinstance(v, str) and len(v) <= 200 for v in citizen.values()):
            raise BadDetails(f"{work_order_id}: citizen is {str(citizen)[:100]!r}")
        queued_at = value.get("queued_at")
        if isinstance(queued_at, bool) or not isinstance(queued_at, int | float):
            raise BadDetails(f"{work_order_id}: queued_at is {queued_at!r}")
        details = cls(
            work_order_id=_text(value, "work_order_id", work_order_id),
            item_code=_text(value, "item_code", work_order_id),
            channel=_one_of(value, "channel", get_args(Channel), work_order_id),
            priority=_one_of(value, "priority", get_args(Priority), work_order_id),
            media=_one_of(value, "media", get_args(MediaKind), work_order_id),
            citizen=CitizenInfo(**citizen),
            queued_at=float(queued_at),
            priority_check=_one_of(value, "priority_check", get_args(PriorityCheck),
                                   work_order_id),
            large_text=value.get("large_text") is True,
            party=_text(value, "party", work_order_id),
            role=_one_of(value, "role", ("citizen", "kiosk"), work_order_id),
            name=_text(value, "name", work_order_id, empty=True),
        )
        if details.work_order_id != work_order_id:
            raise BadDetails(f"{work_order_id}: details of {details.work_order_id}")
        return details

    def contact(self, item: ServiceItem, session: Session) -> Contact:
        """The contact as the agent's hub holds it while it rings and is served there."""
        return Contact(
            work_order_id=self.work_order_id, item=item, channel=self.channel,
            priority=self.priority, media=self.media, citizen=self.citizen, session=session,
            queued_at=self.queued_at, seq=0, priority_check=self.priority_check,
            large_text=self.large_text,
        )


def _text(value: dict[str, Any], name: str, work_order_id: str, *, empty: bool = False) -> str:
    text = value.get(name)
    if not isinstance(text, str) or len(text) > 200 or (not text and not empty):
        raise BadDetails(f"{work_order_id}: {name} is {str(text)[:60]!r}")
    return text


def _one_of(value: dict[str, Any], name: str, allowed: tuple[Any, ...],
            work_order_id: str) -> Any:
    text = value.get(name)
    if text not in allowed:
        raise BadDetails(f"{work_order_id}: {name} is {str(text)[:60]!r}, not one of"
                         f" {', '.join(map(str, allowed))}")
    return text
