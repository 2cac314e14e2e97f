"""Helpers of bus17's cluster tests (presence, sweeper, bus, ledger stream, lock): a
decoding Redis client and a wait on a condition with a generous deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

#: How long a condition may take on a loaded two-core machine.
GENEROUS_S = 60.0


def client(url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(url, decode_responses=True, socket_timeout=90)


async def until(condition: Callable[[], Awaitable[bool] | bool], what: str,
                within_s: float = GENEROUS_S) -> None:
    """Wait until ``condition()`` holds (polling it), failing with ``what`` at the deadline."""
    deadline = time.monotonic() + within_s
    while True:
        value = condition()
        if not isinstance(value, bool):
            value = await value
        if value:
            return
        assert time.monotonic() < deadline, f"timed out waiting: {what}"
        await asyncio.sleep(0.02)  # polling a condition, with a deadline
