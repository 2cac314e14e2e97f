"""What holds citizens' personal data is the owner's alone: the hub's ledger (with its WAL)
and material store, the workstation's state folder; made so under the usual umask, and
put back so when found open."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from hubclient import SI_ITEM, Clients, agent_seat, wait_for_rows

from sandbox.hub_process import HubProcess
from seat_common.personal_data.private_files import private_dir, private_file


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_folders_and_files_are_made_private_and_put_back_so(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = private_dir(tmp_path / "state" / "inner")
        made = private_file(folder / "outbox.sqlite3")
    finally:
        os.umask(old)
    assert mode(folder) == 0o700 and mode(made) == 0o600
    opened = tmp_path / "open"
    opened.mkdir(mode=0o755)
    (opened / "ledger.sqlite3").write_text("已有的内容")
    (opened / "ledger.sqlite3").chmod(0o644)
    private_dir(opened)
    private_file(opened / "ledger.sqlite3")
    assert mode(opened) == 0o700 and mode(opened / "ledger.sqlite3") == 0o600
    assert (opened / "ledger.sqlite3").read_text() == "已有的内容"  # nothing else touched


async def test_the_hubs_ledger_and_material_store_are_private(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001")])
    queued = await (await clients.citizen(hub, "吴小梅")).join(SI_ITEM)
    await wait_for_rows(hub.db_path, "SELECT id FROM work_orders WHERE id = ?",
                        (queued.work_order_id,), lambda rows: len(rows) == 1)
    wal = hub.db_path.with_name(hub.db_path.name + "-wal")  # written to: the WAL exists
    assert mode(hub.db_path) == 0o600 and mode(wal) == 0o600
    assert mode(hub.db_path.parent / "materials") == 0o700
