"""The agent's side of a cold transfer and of a hold: hand the current call on, or hold it.

Hold (``hold``): the hub tells both sides (``hold_state``); while the citizen is on hold
the call's own tracks send silence and a dark frame (``CallSession.set_microphone_muted``
and ``set_camera_enabled``: the same tracks, nothing renegotiated), and resuming puts back
what the agent had chosen (their own mute and camera buttons are left as they were).

``TransferDesk`` sits beside the ``Workstation`` on the same hub link. ``transfer``
sends the hub ``transfer`` for the current call (to a named agent, an item's queue or
a theme's), with a note and the agent's form values. The hub's ``transfer_update``s
become ``state`` (``changed``): ringing a named colleague, or given back with the
reason in Chinese (``returned``; the call goes on here). When the call leaves this
seat (``call_ended`` with reason ``transferred``) the workstation ends it without a
wrap-up and ``handed_on`` fires. What a transferred call's offer carries (the first
agent's note, verdicts, materials, chat, form) is ``offer_info``.
"""

from __future__ import annotations

from collections.abc import Iterable

from seat_client.call.workstation import Workstation
from seat_common import protocol
from seat_common.events import Event


class TransferError(Exception):
    """A transfer cannot be sent (no call); the message is Chinese, for the agent."""


def offer_info(offer: protocol.Offer | None) -> protocol.TransferInfo | None:
    """What the first agent handed on with this offer; None for a citizen from the queue."""
    return offer.transfer[0] if offer is not None and offer.transfer else None


class TransferDesk:
    """Transfers of one workstation's calls (see the module's docstring)."""

    def __init__(self, workstation: Workstation) -> None:
        self.workstation = workstation
        #: the latest ``transfer_update`` of the current call (None: no transfer under way)
        self.state: protocol.TransferUpdate | None = None
        self.changed: Event[protocol.TransferUpdate | None] = Event()
        #: the call left this seat: the work order id
        self.handed_on: Event[str] = Event()
        #: the citizen of the current call is on hold (per the hub)
        self.on_hold = False
        self.hold_changed: Event[bool] = Event()
        #: this seat's hand is up (举手), as last sent
        self.hand_raised = False
        #: the other logged-in agents and their states, as the hub last listed them
        #: (``list_agents``), for the transfer and consult dialogs
        self.agents: tuple[protocol.AgentEntry, ...] = ()
        self.agents_listed: Event[tuple[protocol.AgentEntry, ...]] = Event()
        workstation.link.message.connect(self._on_message)

    # --- intents -----------------------------------------------------------------

    async def transfer(
        self,
        to_kind: protocol.TransferTo,
        to: str,
        note: str = "",
        form: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Hand the current call on to ``to`` (an agent id, item code or theme code)."""
        call = self.workstation.call
        if call is None:
            raise TransferError("当前没有通话，无法转接")
        values = tuple(protocol.FormValue(name=k[:64], value=v[:500]) for k, v in form if k)
        await self.workstation.link.send(protocol.Transfer(
            call_id=call.started.call_id, to_kind=to_kind, to=to, note=note[:500],
            form=values[:100]))

    async def list_agents(self) -> None:
        """Ask the hub who is logged in and ready (``agents_listed`` follows)."""
        await self.workstation.link.send(protocol.ListAgents())

    async def raise_hand(self, reason: str) -> None:
        """Ask a supervisor for help (举手) with a short reason; ``lower_hand`` ends it."""
        if not reason.strip():
            raise TransferError("请简要说明需要什么帮助")
        await self.workstation.link.send(protocol.RaiseHand(raised=True, reason=reason[:100]))
        self.hand_raised = True

    async def lower_hand(self) -> None:
        await self.workstation.link.send(protocol.RaiseHand(raised=False))
        self.hand_raised = False

    async def hold(self, on: bool) -> None:
        """Put the citizen of the current call on hold, or take them off it."""
        call = self.workstation.call
        if call is None:
            raise TransferError("当前没有通话")
        await self.workstation.link.send(protocol.Hold(call_id=call.started.call_id, on=on))

    def _apply_hold(self, on: bool) -> None:
        ws = self.workstation
        self.on_hold = on
        if ws.call is not None:
            ws.call.session.set_microphone_muted(on or ws.microphone_muted)
            ws.call.session.set_camera_enabled(not on and ws.camera_enabled)
        self.hold_changed.emit(on)

    def _on_message(self, message: protocol.Message) -> None:
        match message:
            case protocol.AgentList():
                self.agents = message.agents
                self.agents_listed.emit(message.agents)
            case protocol.HoldState():
                call = self.workstation.call
                if call is not None and call.started.call_id == message.call_id:
                    self._apply_hold(message.on)
            case protocol.TransferUpdate():
                call = self.workstation.call
                if call is None or call.work_order_id != message.work_order_id:
                    return
                self.state = None if message.phase in ("returned", "done") else message
                self.changed.emit(message)
            case protocol.CallEnded() if self.on_hold:
                self.on_hold = False
                self.hold_changed.emit(False)
                if message.reason == "transferred":
                    self.state = None
                    self.changed.emit(None)
                    self.handed_on.emit(message.work_order_id)
            case protocol.CallEnded(reason="transferred"):
                self.state = None
                self.changed.emit(None)
                self.handed_on.emit(message.work_order_id)
            case _:
                pass
