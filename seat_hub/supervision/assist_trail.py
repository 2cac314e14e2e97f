"""The remote-assist trail in the hub's audit log: what an agent did on a citizen's kiosk.

The workstation sends each entry as it happens (``assist_trail``) and again until it hears
``assist_trail_saved``; the entry's id is the row's key (``AuditTrail.record_once``), so
an entry sent twice (the answer was lost with the link) is written once. The row names the
agent the hub logged in (never one the message claims), the work order (or call), the
event and, in ``detail``, the control session, who acted and when the workstation saw it,
personal data masked. An entry that cannot be written is refused (``internal``) and stays
queued on the workstation.
"""

from __future__ import annotations

from datetime import datetime

from seat_common.personal_data.pii import mask_text
from seat_common.protocol import AssistTrail, AssistTrailSaved
from seat_hub.context import HubContext, Refusal
from seat_hub.parties.session import Session


async def on_assist_trail(ctx: HubContext, session: Session, message: AssistTrail) -> None:
    seen_at = datetime.fromtimestamp(message.at).isoformat(timespec="milliseconds")
    detail = (f"control session {message.control_session or '-'}, by {message.by or '-'},"
              f" at {seen_at} on the workstation, call {message.call_id or '-'}")
    if message.detail:
        detail += f": {message.detail}"
    try:
        written = await ctx.audit.record_once(
            f"assist:{session.agent_id}:{message.entry_id}", at=ctx.clock(),
            supervisor_id=session.agent_id, action=f"assist_{message.event}",
            target=message.work_order_id or message.call_id, detail=mask_text(detail)[:500],
            result="ok")
    except Exception as exc:
        ctx.log.event("audit_unwritable", action="assist_trail", error=repr(exc))
        raise Refusal("internal", "the audit log cannot be written; send the entry again",
                      "") from exc
    ctx.log.event("assist_trail", agent_id=session.agent_id, assist_event=message.event,
                  work_order_id=message.work_order_id, written=written)
    session.send(AssistTrailSaved(entry_id=message.entry_id))
