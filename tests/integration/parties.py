"""The people the integration tests put on a real hub, set up once for every test file:
the seats of an agent and a supervisor (``agent_and_supervisor``), an agent's workstation
core logged in (``agent_core``), answering the next citizen (``answer_next``), and a
supervisor's seat wall (``seat_wall``).

Each is an async context manager that closes what it opened, whatever the test did.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from pytestqt.qtbot import QtBot

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workorder_list import WorkOrderListModel
from seat_client.call.workstation import ActiveCall, Workstation
from seat_client.supervision.wall_model import WallModel
from seat_common import catalog, protocol
from tests.integration.conftest import ALL_SKILLS, until
from ui.call.workorder_list_pane import WorkOrderListPane
from ui.devices.seat_devices import SeatDevices
from ui.supervision.wall_session import WallSession
from ui.supervision.wall_window import SeatWallWindow


def agent_and_supervisor(hall: str = "") -> list[SeatSpec]:
    """Agent 0012 (张三, every skill) and supervisor S01 (王督导), in ``hall`` if given."""
    return [SeatSpec("0012", "张三", skills=ALL_SKILLS, hall=hall),
            SeatSpec("S01", "王督导", role="supervisor", hall=hall)]


@asynccontextmanager
async def agent_core(hub: HubProcess, agent_id: str = "0012", *, ready: bool = False,
                     timeout_s: float = 20.0) -> AsyncIterator[Workstation]:
    """Agent ``agent_id``'s workstation core (no window) on ``hub``, logged in, and ready
    if ``ready``; closed after."""
    token = hub.tokens[agent_id]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    workstation = Workstation(link)
    link.start()
    try:
        await until(lambda: link.state is LinkState.CONNECTED, "the agent logs in", timeout_s)
        if ready:
            await workstation.set_ready()
        yield workstation
    finally:
        await workstation.close()


async def answer_next(workstation: Workstation, timeout_s: float = 20.0) -> ActiveCall:
    """The agent accepts the next offer; its call, once started."""
    await until(lambda: workstation.offer is not None, "the offer rings", timeout_s)
    await workstation.accept()
    await until(lambda: workstation.call is not None, "the call starts", timeout_s)
    assert workstation.call is not None
    return workstation.call


@dataclass(frozen=True)
class Wall:
    """A supervisor's seat wall on a real hub: the link, the model, the window, the
    session wiring them, and the work-order list when asked for."""

    link: HubLink
    model: WallModel
    window: SeatWallWindow
    session: WallSession
    orders: WorkOrderListModel | None = None
    orders_pane: WorkOrderListPane | None = None


@asynccontextmanager
async def seat_wall(
    hub: HubProcess,
    qtbot: QtBot,
    supervisor_id: str = "S01",
    *,
    work_orders: bool = False,
    from_hub: bool = False,
    devices: SeatDevices | None = None,
    ca_file: str | Path | None = None,
    synced: bool = True,
) -> AsyncIterator[Wall]:
    """Supervisor ``supervisor_id``'s seat wall at 1366×768, logged in and (if ``synced``)
    showing the hub's snapshot; with ``work_orders`` the work-order list tab too (rows
    from the hub if ``from_hub``). Stopped and closed after."""
    token = hub.tokens[supervisor_id]
    link = HubLink(hub.url, lambda: protocol.Hello(role="supervisor", token=token),
                   ca_file=ca_file)
    model = WallModel()
    orders = WorkOrderListModel(link.send) if work_orders else None
    pane = WorkOrderListPane(orders, from_hub=from_hub) if orders is not None else None
    window = SeatWallWindow(model, catalog.load(), pane)
    qtbot.addWidget(window)
    session = WallSession(link, model, window,
                          (orders, pane) if orders is not None and pane is not None else None,
                          devices=devices)
    window.resize(1366, 768)
    window.show()
    link.start()
    try:
        if synced:
            await until(lambda: model.synced, "the wall snapshot arrives")
        yield Wall(link, model, window, session, orders, pane)
    finally:
        await link.stop()  # first: no hub message starts anything in what closes next
        await session.close()
        await session.tasks.close()
