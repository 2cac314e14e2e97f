"""Where the queue and the calls are shared: this hub alone, or a cluster's hubs.

``Hub.receive`` hands every message to its ``Floor`` with the rule that handles it
(``route``); ``Hub.disconnected`` hands every departure the same way. A single hub's floor
(``HallFloor``) just runs the rule: its live state is its own. A cluster's hub
(``cluster_floor.ClusterFloor``, chosen by the composition root) runs the shared queue's
step around the rule, relays what a party says to the hub its call lives on, or refuses
what a cluster does not do yet. The rules themselves do not know which floor they run on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from seat_common.protocol import Message, Role
from seat_hub.model import Contact
from seat_hub.parties.session import Session


class Floor(Protocol):
    """What the front desk asks of the place the live state is shared in."""

    async def handle(self, session: Session, message: Message,
                     route: Callable[[], Awaitable[None]]) -> None:
        """Handle ``message`` from a logged-in ``session``; ``route`` runs the hub's rule
        for it (a ``Refusal`` raised here is answered as the rule's would be)."""
        ...

    def departed(self, session: Session, dropped: bool, clean_up: Callable[[], None]) -> None:
        """``session`` closed; ``clean_up`` is what the hub's rules undo for it."""
        ...


class FloorHub(Protocol):
    """What a shared floor asks of the hub it serves (``front_desk.Hub`` has it all)."""

    stopping: bool

    async def receive(self, session: Session, message: Message) -> None: ...

    def settle(self) -> None: ...

    def disconnected(self, session: Session, *, dropped: bool = False) -> None: ...

    def knows_resume_token(self, token: str) -> bool: ...

    def adopt_place(self, contact_for: Callable[[Session], Contact], *, role: Role, name: str,
                    resume_key: str) -> Contact: ...

    def adopt_caller(self, *, role: Role, name: str, resume_key: str) -> None: ...


class HallFloor:
    """One hall's hub: the live state is this process's, the rules are all there is."""

    async def handle(self, session: Session, message: Message,
                     route: Callable[[], Awaitable[None]]) -> None:
        await route()

    def departed(self, session: Session, dropped: bool, clean_up: Callable[[], None]) -> None:
        clean_up()
