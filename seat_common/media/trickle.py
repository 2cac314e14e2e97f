"""Trickled ICE candidates of one peer connection, kept until they can be applied.

A browser or mini-program trickles its candidates (``ice`` messages) as it
gathers them, often before or together with its SDP offer; the hub relays
them in order, so they can reach our side before the offer has been applied.
aiortc's ``addIceCandidate`` matches a candidate to a transceiver of the
remote description; without one it finds nothing and the candidate is gone.
``TrickledCandidates`` keeps what arrives early (up to ``limit``) and applies
it, in order, once the owner says the remote description is set; later ones
are applied at once. Every peer we run (the agent's call session, the
simulated citizen and kiosk) takes remote candidates through it.

A candidate is the browser's ``RTCIceCandidate.candidate`` text
(``candidate:<foundation> <component> <protocol> ...``; an ``a=`` prefix is
tolerated); ``""`` ends the candidates and is not applied. A candidate that
does not parse is counted in ``refused`` with the reason and never fatal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from aiortc import RTCPeerConnection
from aiortc.sdp import candidate_from_sdp

from seat_common import protocol

log = logging.getLogger(__name__)

#: candidates kept before the remote description (a browser gathers a few per interface)
DEFAULT_LIMIT: Final = 64


class TrickledCandidates:
    """The remote candidates of one ``RTCPeerConnection``: kept early, applied once possible.

    ``kept`` counts those that waited for the remote description, ``applied`` those
    handed to the peer connection, ``dropped`` those over ``limit`` while waiting,
    ``refused`` the ones that did not parse (with why).
    """

    def __init__(
        self,
        pc: RTCPeerConnection,
        *,
        limit: int = DEFAULT_LIMIT,
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        self._pc = pc
        self._limit = limit
        self._on_refused = on_refused
        self._waiting: list[protocol.Ice] = []
        self._ready = False
        self.kept = 0
        self.applied = 0
        self.dropped = 0
        self.refused: list[str] = []

    @property
    def waiting(self) -> int:
        """Candidates held until the remote description is set."""
        return len(self._waiting)

    async def add(self, message: protocol.Ice) -> None:
        """Apply ``message``'s candidate now, or keep it until the remote description is set."""
        if not message.candidate:
            return  # end of candidates: aiortc needs no marker
        if not self._ready:
            if len(self._waiting) < self._limit:
                self._waiting.append(message)
                self.kept += 1
            else:
                self.dropped += 1
                log.warning("ICE candidate dropped: %d already wait for the offer", self._limit)
            return
        await self._apply(message)

    async def remote_description_set(self) -> None:
        """The remote description is in place: apply what waited, in arrival order."""
        self._ready = True
        waiting, self._waiting = self._waiting, []
        for message in waiting:
            await self._apply(message)

    async def _apply(self, message: protocol.Ice) -> None:
        text = message.candidate.removeprefix("a=").removeprefix("candidate:")
        try:
            candidate = candidate_from_sdp(text)
            candidate.sdpMid = message.sdp_mid or None
            candidate.sdpMLineIndex = message.sdp_mline_index
            await self._pc.addIceCandidate(candidate)
        except (ValueError, IndexError, AssertionError) as exc:
            why = f"bad ICE candidate {message.candidate[:80]!r}: {exc!r}"
            self.refused.append(why)
            if self._on_refused is not None:
                self._on_refused(why)
            else:
                log.warning("%s", why)
            return
        self.applied += 1


def split_candidates(sdp: str, call_id: str) -> tuple[str, list[protocol.Ice]]:
    """Take the candidates out of ``sdp`` as ``ice`` messages, as a trickling browser sends them.

    aiortc gathers every candidate before it finishes a description; a client that
    wants to trickle (a test of the other side, or one that sends its offer sooner)
    sends the description without ``a=candidate`` and ``a=end-of-candidates`` lines
    and the candidates one ``ice`` message each, then ``""`` to end them.
    """
    kept: list[str] = []
    found: list[tuple[int, str]] = []
    mids: dict[int, str] = {}
    section = -1
    lines = sdp.replace("\r\n", "\n").split("\n")
    for line in lines:
        if line.startswith("m="):
            section += 1
        elif line.startswith("a=mid:") and section >= 0:
            mids[section] = line.removeprefix("a=mid:").strip()
        if line.startswith("a=candidate:") and section >= 0:
            found.append((section, line.removeprefix("a=")))
            continue
        if line.startswith("a=end-of-candidates"):
            continue
        kept.append(line)
    messages = [
        protocol.Ice(call_id, candidate, sdp_mid=mids.get(index, ""), sdp_mline_index=index)
        for index, candidate in found
    ]
    if messages:
        messages.append(protocol.Ice(call_id, "", sdp_mid=messages[0].sdp_mid))
    return "\r\n".join(kept), messages
