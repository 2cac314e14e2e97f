"""Writing the audit log first: a row before what it records, or nothing is done.

``record_first`` appends what a supervisor or an agent is about to do (result
``requested``) and only then lets it happen; when the row cannot be written the action
is refused (``internal``: "the audit log cannot be written") and nothing is done, so
nothing happens that the log does not show. ``audited`` wraps a supervisor action:
the row before, the action, then a second row with what came of it (``ok`` or
``refused:<code>``). Reads of citizens' personal data by staff (the work-order search,
a material's download) get a row before the data leaves the hub (``record_read``).
"""

from __future__ import annotations

from collections.abc import Callable

from seat_common.personal_data.pii import mask_text
from seat_common.protocol import Ack
from seat_hub.context import HubContext, Refusal
from seat_hub.parties.session import Session


async def record_first(ctx: HubContext, session: Session, action: str, target: str,
                       detail: str, result: str = "requested") -> None:
    """Append ``action`` before it is done; refuse it when the row cannot be written."""
    try:
        await ctx.audit.record(at=ctx.clock(), supervisor_id=session.agent_id, action=action,
                               target=target, detail=detail, result=result)
    except Exception as exc:
        ctx.log.event("audit_unwritable", action=action, target=target, error=repr(exc))
        raise Refusal("internal", "the audit log cannot be written, so nothing was done",
                      "") from exc


async def audited(ctx: HubContext, session: Session, action: str, target: str, detail: str,
                  act: Callable[[], None]) -> None:
    """Append the action, do ``act``, append what came of it, then answer (``Ack``, or the
    refusal raised again)."""
    await record_first(ctx, session, action, target, detail)
    result = "ok"
    refusal: Refusal | None = None
    try:
        act()
    except Refusal as exc:
        refusal = exc
        result = f"refused:{exc.code}"
    await ctx.audit.record(at=ctx.clock(), supervisor_id=session.agent_id, action=action,
                           target=target, detail=detail, result=result)
    ctx.log.event("supervisor_action", supervisor=session.agent_id, action=action,
                  target=target, result=result)
    if refusal is not None:
        raise refusal
    session.send(Ack(of=action))


async def record_read(ctx: HubContext, session: Session, action: str, target: str,
                      detail: str) -> None:
    """A member of staff is about to read citizens' personal data: one row first (result
    ``read``), personal data in ``detail`` masked; refused when it cannot be written."""
    if session.role in ("agent", "supervisor"):
        await record_first(ctx, session, action, target, mask_text(detail)[:500], "read")
