"""Call recordings in the ledger: which workstation file belongs to which work order.

The recording itself stays on the agent's workstation; the agent reports it
with ``RecordingSaved`` once the call ends. Only the agent who took the
work order may report it (``not_allowed``), for a work order that exists
(``no_such_work_order``) and a call that was answered on it
(``no_such_call``). The ``recordings`` table keeps one row per work order:
a second report replaces the first. The agent gets ``Ack`` once the row is
written; ``work_order_list`` rows then carry ``recording_s``.
"""

from __future__ import annotations

import sqlite3
import string

from seat_common.protocol import Ack, RecordingSaved
from seat_hub.connections.session import Session
from seat_hub.model import HubContext, Refusal


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
    now = ctx.clock()

    def store(db: sqlite3.Connection) -> bool:
        answered = db.execute(
            "SELECT 1 FROM offers WHERE call_id = ? AND work_order_id = ? AND result = 'accepted'",
            (message.call_id, message.work_order_id),
        ).fetchone()
        if answered is None:
            return False
        with db:
            db.execute(
                "INSERT OR REPLACE INTO recordings (work_order_id, call_id, agent_id, duration_s,"
                " byte_size, sha256, video_frames, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message.work_order_id,
                    message.call_id,
                    session.agent_id,
                    message.duration_s,
                    message.byte_size,
                    message.sha256.lower(),
                    message.video_frames,
                    now,
                ),
            )
        return True

    if not await ctx.ledger.run("recording_saved", store):
        raise Refusal("no_such_call", "no call of this work order has this id", "call_id")
    ctx.log.event(
        "recording_saved",
        work_order_id=message.work_order_id,
        agent_id=session.agent_id,
        duration_s=round(message.duration_s, 1),
        byte_size=message.byte_size,
    )
    session.send(Ack(of=RecordingSaved.TYPE, work_order_id=message.work_order_id))
