"""The hub's ``Error`` replies, cut to the protocol's limits."""

from __future__ import annotations

from seat_common.protocol import Error, ErrorCode


def error_reply(code: ErrorCode, message: str, field: str, of: str) -> Error:
    """An ``Error`` cut to the protocol's limits."""
    return Error(code=code, message=message[:500], field=field[:100], of=of[:64])
