"""Writes made at most once per key: how a write that arrives twice lands once.

A cluster's ledger writes come from a Redis stream (``seat_hub.cluster.ledger_stream``):
an entry whose hub died after the commit but before its acknowledgement is claimed by
another hub and written again. Keyed by the entry's id, the second write finds its key
already in the store's ``store_once`` table, written in the same transaction as the first,
and is not applied again (its answer, if JSON holds it, is read back).

    with store.once("1733611234567-0"):
        store.ledger.record_offer(...)     # applied once for this key, ever

Every write *queued* inside the block carries the key (the store reads it when the write
is queued, not when it runs); a second write in the same block gets ``<key>#2``, and so on.
This module only carries the key; each store's worker keeps it with the write.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final

#: The longest key a store keeps (a Redis stream id is at most 41 characters).
MAX_KEY_LEN: Final = 200


@dataclass
class _Block:
    key: str
    count: int = 0


_CURRENT: ContextVar[_Block | None] = ContextVar("seat_store_once", default=None)


@contextlib.contextmanager
def written_once(key: str) -> Iterator[None]:
    """Tag every write queued in the block with ``key`` (``ValueError`` for an empty or
    overlong key; blocks do not nest)."""
    if not key or len(key) > MAX_KEY_LEN:
        raise ValueError(f"a once-key is 1 to {MAX_KEY_LEN} characters, not {len(key)}")
    if _CURRENT.get() is not None:
        raise ValueError("once-blocks do not nest")
    token = _CURRENT.set(_Block(key))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def next_key() -> str | None:
    """The key of the write being queued now, or ``None`` outside a once-block."""
    block = _CURRENT.get()
    if block is None:
        return None
    block.count += 1
    return block.key if block.count == 1 else f"{block.key}#{block.count}"
