"""Online-application coaching (网办辅导): a citizen's screen share and the agent's marks.

The citizen says when sharing starts and stops (``ScreenShare``); the hub keeps it on the
call, logs it and tells the agent. The agent's pointer and drawings (``ShareMark``) go to
the citizen only while the citizen shares, and at most ``MARKS_PER_SECOND`` a second per
call (bursts of ``MARK_BURST``): a mark beyond that is dropped and the agent hears
``rate_limited`` at most once a second. Coordinates were checked by the codec (0..1);
nothing of either message is stored.
"""

from __future__ import annotations

from seat_common.protocol import MARK_BURST, MARKS_PER_SECOND, ScreenShare, ShareMark
from seat_hub.context import HubContext, Refusal
from seat_hub.model import Call
from seat_hub.parties.session import Session


def _call_of(ctx: HubContext, session: Session, call_id: str) -> Call:
    call = ctx.live.calls.get(call_id)
    if call is None or not call.has_party(session):
        raise Refusal("no_such_call", "you are not in a call with this id", "call_id")
    return call


def on_screen_share(ctx: HubContext, session: Session, message: ScreenShare) -> None:
    """The citizen started or stopped sharing: keep it and tell the agent."""
    call = _call_of(ctx, session, message.call_id)
    if session is not call.citizen_session:
        raise Refusal("not_allowed", "only the citizen of the call shares a screen", "call_id")
    if message.sharing and not call.screen_sharing:
        call.mark_tokens, call.mark_counted_at = float(MARK_BURST), ctx.clock()
    call.screen_sharing = message.sharing
    call.agent.session.send(message)
    ctx.log.event("screen_share", call_id=call.call_id, sharing=message.sharing,
                  surface=message.surface)


def on_share_mark(ctx: HubContext, session: Session, message: ShareMark) -> None:
    """The agent points or draws on the shared screen: relay it to the citizen."""
    call = _call_of(ctx, session, message.call_id)
    if session is not call.agent.session:
        raise Refusal("not_allowed", "only the agent of the call marks a shared screen",
                      "call_id")
    if not call.screen_sharing:
        raise Refusal("bad_state", "the citizen is not sharing a screen", "call_id")
    now = ctx.clock()
    elapsed = max(0.0, now - call.mark_counted_at)
    tokens = min(float(MARK_BURST), call.mark_tokens + elapsed * MARKS_PER_SECOND)
    call.mark_counted_at = now
    if tokens < 1.0:
        call.mark_tokens = tokens
        if now - call.mark_warned_at < 1.0:
            return  # dropped; the agent was told less than a second ago
        call.mark_warned_at = now
        raise Refusal("rate_limited", "too many marks on the shared screen", "call_id")
    call.mark_tokens = tokens - 1.0
    call.citizen_session.send(message)
