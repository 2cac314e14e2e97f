"""The hub's tunables and its TLS files, from the command line (``seat-hub --ring-timeout ...``)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from seat_common import tls


@dataclass(frozen=True, slots=True)
class HubSettings:
    """Tunables from the command line."""

    ring_timeout_s: float = 15.0
    max_missed: int = 3
    default_handle_s: float = 180.0
    #: Seconds of wrap-up allowed, per skill (the queue an item's calls wait in);
    #: ``wrap_up_limit_s`` for the rest. 0: no limit.
    wrap_up_limit_s: float = 0.0
    wrap_up_limits: tuple[tuple[str, float], ...] = ()
    #: Calls are recorded by the agent's workstation (``call_started.recorded``).
    record_calls: bool = True

    def wrap_up_limit_for(self, skill: str) -> float:
        """The wrap-up time limit of calls from ``skill``'s queue (0: none)."""
        for name, limit in self.wrap_up_limits:
            if name == skill:
                return limit
        return self.wrap_up_limit_s


@dataclass(frozen=True, slots=True)
class HubTls:
    """The hub's certificate (PEM, the chain after it) and its unencrypted PEM key.

    With them the hub serves ``wss://`` and the citizen page over ``https://`` on the
    same port; ``context`` raises ``tls.TlsSetupError`` naming the file that is wrong.
    """

    cert_file: Path
    key_file: Path

    def context(self) -> ssl.SSLContext:
        return tls.server_context(self.cert_file, self.key_file)
