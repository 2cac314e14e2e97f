"""Call recordings in the ledger: which workstation file belongs to which work order.

The recording itself stays on the agent's workstation; the agent reports it
with ``RecordingSaved`` once the call ends. Only the agent who took the
work order may report it (``not_allowed``), for a work order that exists
(``no_such_work_order``) and a call that was answered on it
(``no_such_call``). The ledger keeps one recording per work order, once: the
same report sent again (a retry after a dropped link) is acknowledged, another
recording for it is refused (``bad_state``) and the first one kept. The agent gets
``Ack`` once the row is written; ``work_order_list`` rows then carry ``recording_s``.
"""

from __future__ import annotations

import string

from seat_common.protocol import Ack, RecordingSaved
from seat_hub.context import HubContext, Refusal
from seat_hub.parties.session import Session
from seat_hub.storage.records import RecordingReport


async def on_recording_saved(ctx: HubContext, session: Session, message: RecordingSaved) -> None:
    if not all(c in string.hexdigits for c in message.sha256):
        raise Refusal("bad_message", "sha256 must be 64 hex digits", "sha256")
    work_order = await ctx.ledger.work_order(message.work_order_id)
    if work_order is None:
        raise Refusal("no_such_work_order", "no such work order", "work_order_id")
    if work_order.agent_id != session.agent_id:
        raise Refusal(
            "not_allowed", "only the work order's agent may report its recording", "work_order_id"
        )
    report = RecordingReport(
        work_order_id=message.work_order_id,
        call_id=message.call_id,
        agent_id=session.agent_id,
        duration_s=message.duration_s,
        byte_size=message.byte_size,
        sha256=message.sha256.lower(),
        video_frames=message.video_frames,
        saved_at=ctx.clock(),
    )
    linked = await ctx.ledger.link_recording(report)
    if linked == "no_such_call":
        raise Refusal("no_such_call", "no call of this work order has this id", "call_id")
    if linked == "already_recorded":
        raise Refusal("bad_state", "this work order's recording was already reported; the"
                      " first is kept", "work_order_id")
    ctx.log.event(
        "recording_saved",
        work_order_id=message.work_order_id,
        agent_id=session.agent_id,
        duration_s=round(message.duration_s, 1),
        byte_size=message.byte_size,
    )
    session.send(Ack(of=RecordingSaved.TYPE, work_order_id=message.work_order_id))
