"""The workstation's state folder (the outbox with citizens' form values, the material
cache, recordings, pre-review notes) is the agent's account's alone: 0700, made so at
start-up even when an older version left it open."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.layout.harness import Case, running_seat


async def test_the_workstation_state_folder_is_private(tmp_path: Path) -> None:
    state = tmp_path / "state" / "seat"  # WorkstationSettings.state_path()
    state.mkdir(mode=0o755, parents=True)
    state.chmod(0o755)  # as an older version left it
    async with running_seat(Case("zh-1366"), tmp_path):
        assert stat.S_IMODE(state.stat().st_mode) == 0o700
        assert any(state.iterdir()), "the seat keeps its files there"
