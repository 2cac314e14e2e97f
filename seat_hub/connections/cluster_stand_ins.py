"""The stand-ins a cluster's hub makes for the citizens of the offers it rings, and their
end when an offer is never answered.

To ring a seat it holds, the agent's hub stands the contact's citizen in as a
``RemoteSession`` (``cluster_mail.HubMail.ring``), kept in the floor's ``remotes`` (citizen
party → stand-in) so that what the citizen says in the call finds its session here. An
answered offer's stand-in is the call's citizen from then on and stays (a departure,
``gone``, ends it). An offer that ends any other way (declined, rung out, withdrawn, the
agent gone) leaves nothing here that needs its stand-in: ``drop_unanswered`` drops it, so a
hub ringing offers all day does not keep one per offer. The floor runs it after every
message, stream delivery and departure it handles: every way an offer ends is one of those.
"""

from __future__ import annotations

from seat_hub.context import HubContext
from seat_hub.parties.remote_session import RemoteSession


class OfferStandIns:
    """The stand-ins made for offers rung here and not yet answered or over. ``remotes``
    is the floor's map (citizen party → stand-in), shared, not copied."""

    def __init__(self, ctx: HubContext, remotes: dict[str, RemoteSession]) -> None:
        self.ctx = ctx
        self._remotes = remotes
        #: call id of an offer rung here → the stand-in made for it
        self._offered: dict[str, RemoteSession] = {}

    def rung(self, call_id: str, remote: RemoteSession) -> None:
        """``remote`` was made to ring the offer ``call_id`` here."""
        self._offered[call_id] = remote

    def drop_unanswered(self) -> None:
        """Forget the offers that ended; the stand-in of one that ended unanswered leaves
        ``remotes`` unless something here still uses it (a call, or a call's wrap-up)."""
        if not self._offered:
            return  # most messages: nothing rung here is waiting for its end
        live = self.ctx.live
        ringing = {agent.offer.call_id for agent in live.agents.values()
                   if agent.offer is not None}
        for call_id in [c for c in self._offered if c not in ringing]:
            remote = self._offered.pop(call_id)
            if call_id in live.calls or self._remotes.get(remote.party) is not remote:
                continue  # answered (the call's citizen now), or replaced or gone already
            if remote.session_id in live.call_of_session or any(
                    ended.citizen_session is remote for ended in live.ended.values()):
                continue
            del self._remotes[remote.party]
            self.ctx.log.event("cluster_stand_in_dropped", party=remote.party,
                               call_id=call_id)
