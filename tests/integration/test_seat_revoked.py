"""The whole seat, as ``seat-client`` assembles it, when an administrator revokes its token.

``seat-admin revoke`` and SIGHUP close the seat's link: the status bar says in Chinese
that the credentials were revoked (and keeps saying it), the link stays refused and
does not knock again, and the window still fits 1366×768 (a screenshot is saved in
``out/layout/``).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from seat_client.call.hub_link import LinkState
from tests.layout.harness import Case, running_seat, until


async def test_a_revoked_seat_is_told_why_and_stays_logged_out(tmp_path: Path) -> None:
    async with running_seat(Case("zh-revoked"), tmp_path) as layout_seat:
        hub, seat = layout_seat.hub, layout_seat.seat
        revoked = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "seat_hub.admin.cli", "--seats", str(hub.seats_path),
             "revoke", "0012"], capture_output=True, text=True, timeout=60, check=False)
        assert revoked.returncode == 0, revoked.stderr
        assert hub.pid is not None
        os.kill(hub.pid, signal.SIGHUP)
        await until(lambda: seat.link.state is LinkState.REFUSED, "the hub closes the seat")
        assert seat.link.refusal is not None and seat.link.refusal.code == "revoked"
        message = seat.window.status_strip.message
        await until(lambda: message.text() == "您的登录凭据已被吊销，请联系管理员",
                    "the agent is told why")
        assert await layout_seat.look("revoked") == []
        await hub.wait_for_event("seats_reloaded")
        logins = [e for e in hub.events("login") if e.get("agent_id") == "0012"]
        assert len(logins) == 1, "a revoked seat does not log in again"
        assert seat.workstation.presence.state == "offline"
