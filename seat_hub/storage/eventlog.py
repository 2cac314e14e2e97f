"""The hub's event log: one JSON object per line, personal data masked.

Every connection, login, message received, dispatch decision and error is
one line on a text stream (stderr in the hub), so people and tests can see
what the hub saw. Tokens are never passed in; every string value goes
through ``pii.mask_text`` so ID and phone numbers never reach the log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TextIO

from seat_common.personal_data.pii import mask_text

_MAX_VALUE_CHARS = 300


class EventLog:
    """Writes events to ``stream``; ``clock`` gives the wall time of each line."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.time) -> None:
        self._stream = stream
        self._clock = clock

    def event(self, event: str, **fields: Any) -> None:
        """Log ``event`` with ``fields`` (strings masked and cut to a sane length)."""
        record: dict[str, Any] = {"ts": round(self._clock(), 6), "event": event}
        for key, value in fields.items():
            record[key] = _clean(value)
        try:
            self._stream.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            self._stream.flush()
        except (OSError, ValueError):
            # A closed or broken log stream must not take the hub down.
            pass


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        # Mask before cutting: a cut could leave a number too short to be recognised.
        masked = mask_text(value)
        if len(masked) > _MAX_VALUE_CHARS:
            masked = masked[:_MAX_VALUE_CHARS] + "…"
        return masked
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    return value
