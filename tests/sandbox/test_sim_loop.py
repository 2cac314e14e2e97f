"""seat-sim's citizens run on uvloop's event loop when it is installed, on asyncio's own
when it is not, and what goes wrong in them comes out as it would from ``asyncio.run``."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
import uvloop

from sandbox.sim_cli import run_citizens

ROOT = Path(__file__).resolve().parents[2]


class _Echo(asyncio.DatagramProtocol):
    def __init__(self, got: asyncio.Queue[bytes]) -> None:
        self.got = got

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self.got.put_nowait(data)


async def _loop_and_a_datagram() -> tuple[type[asyncio.AbstractEventLoop], bytes]:
    """The running loop's type, and a datagram sent to ourselves through it (ICE's path)."""
    loop = asyncio.get_running_loop()
    got: asyncio.Queue[bytes] = asyncio.Queue()
    receiver, _ = await loop.create_datagram_endpoint(lambda: _Echo(got),
                                                      local_addr=("127.0.0.1", 0))
    sender, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, remote_addr=receiver.get_extra_info("sockname"))
    try:
        sender.sendto(b"rtp")
        return type(loop), await asyncio.wait_for(got.get(), 10)
    finally:
        sender.close()
        receiver.close()


def test_the_citizens_run_on_uvloop_when_it_is_installed() -> None:
    kind, data = run_citizens(_loop_and_a_datagram())
    assert issubclass(kind, uvloop.Loop)
    assert data == b"rtp"


def test_without_uvloop_they_run_on_asyncios_own_loop() -> None:
    code = (
        "import asyncio, sys\n"
        "sys.modules['uvloop'] = None  # as if it were not installed: import fails\n"
        "from sandbox.sim_cli import run_citizens\n"
        "async def kind():\n"
        "    return type(asyncio.get_running_loop()).__module__\n"
        "print(run_citizens(kind()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=60).stdout
    assert out.strip() == "asyncio.unix_events"


def test_a_failure_in_the_citizens_comes_out_and_the_loop_is_closed() -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    async def broken() -> None:
        loops.append(asyncio.get_running_loop())
        raise ValueError("bad sdp answer")

    with pytest.raises(ValueError, match="bad sdp answer"):
        run_citizens(broken())
    assert loops and loops[0].is_closed()
