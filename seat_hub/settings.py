"""The hub's tunables and its TLS files, from the command line (``seat-hub --ring-timeout ...``).

The abuse limits (``hello_timeout_s`` down to ``login_lockout_max_s``) are sized for
production, where many honest phones can share one carrier-grade NAT address; a
per-address limit of 0 turns that limit off (the load drill ``scripts/bench_hub.py``
does, since all its parties come from 127.0.0.1).
"""

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
    #: Seconds a new connection has to say ``hello`` before it is closed.
    hello_timeout_s: float = 10.0
    #: Open connections from one address at once (0: no limit).
    max_connections_per_address: int = 200
    #: Queue joins from one address a minute, in bursts of as many (0: no limit).
    max_joins_per_minute: int = 60
    #: Citizens waiting at once; the next one is told the service is busy (0: no cap).
    max_queue: int = 500
    #: Failed logins (per address, and per named seat or kiosk) within
    #: ``login_failure_window_s`` before a lockout of ``login_lockout_s``, doubling with
    #: each lockout in a row up to ``login_lockout_max_s``.
    login_failures: int = 10
    login_failure_window_s: float = 300.0
    login_lockout_s: float = 30.0
    login_lockout_max_s: float = 900.0
    #: Seconds a call (or a citizen's queue place) is kept for a party whose link
    #: dropped; a reconnect within it resumes (0: a dropped link ends the call at once).
    resume_grace_s: float = 60.0

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
