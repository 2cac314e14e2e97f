"""A party held by another hub of the cluster, as the hub running its call sees it.

In a cluster a call's rules run on the hub that holds the agent (the call's home). The
citizen may be connected to another hub; at the home it is a ``RemoteSession``, which the
rules use exactly as a ``Session``: ``send`` does not queue a frame for a websocket but
posts it to the party's signaling stream (``{seat}:to:<party>``), and the hub holding the
party's websocket writes it there. What the party sends comes back the other way: its hub
posts it to the home's agent stream, and the home hands it to ``Hub.receive`` with this
session as its sender.

The posting is handed in (``post``: party, kind, body), so this room does not depend on
how the cluster moves messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from seat_common.protocol import Role
from seat_hub.parties.session import Session

#: Posts one message to a party's stream, in order: the party, its kind, its body.
Post = Callable[[str, str, Mapping[str, Any]], None]


class _NoSink:
    """A remote session has no websocket: its frames are posted (never reached)."""

    async def send(self, message: str | bytes) -> None:
        raise RuntimeError("a remote session's frames are posted, not sent")

    async def close(self, code: int = 1000, reason: str = "") -> None:
        return None


class RemoteSession(Session):
    """The citizen (or kiosk) ``party``, whose websocket another hub holds. ``home`` is the
    party whose stream this hub reads for the call (the agent's): it is named in every
    frame posted, so the party's hub knows where to send what the party says next."""

    def __init__(self, party: str, home: str, role: Role, name: str, post: Post) -> None:
        super().__init__(_NoSink(), f"remote.{party}", "cluster")
        self.party = party
        self.home = home
        self.role = role
        self.name = name
        self._post = post

    def __repr__(self) -> str:
        return f"<RemoteSession {self.party} via {self.home}>"

    def send_encoded(self, frame: str) -> None:
        """Post the frame to the party's stream (dropped once the session is closed)."""
        if self.closing:
            return
        self._post(self.party, "frame", {"frame": frame, "from": self.home})

    def send_binary(self, frame: bytes) -> None:
        """Binary frames (material downloads) do not cross hubs: dropped."""

    async def run_writer(self) -> None:
        """Nothing to write: frames are posted as they are sent."""
