"""The ICE configuration the hub hands every party at login: STUN and TURN servers, TURN
credentials that expire, and the relay-only policy.

TURN credentials follow the TURN REST scheme that coturn checks with
``use-auth-secret`` / ``static-auth-secret``: the user name is
``"<expiry unix time>:<party id>"`` and the password is
``base64(HMAC-SHA1(secret, user name))``. The hub and coturn share only the secret;
coturn refuses a user name whose time has passed, so a credential that leaks is
worth nothing after ``ttl_s``. The party id is the seat (agent, supervisor) or the
connection's session id (citizen, kiosk), so coturn's log says whose relay it was.

``IceSettings.load`` checks every setting where it enters (the hub's command line):
a URL that is not ``stun:``/``turn:``, TURN without a readable secret file, a
relay-only policy with no TURN server: ``IceSettingsError`` with a clear message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from seat_common.protocol import ICE_URL, IcePolicy, IceServer

#: Longest TURN credential lifetime we hand out (coturn accepts any; a day is the
#: TURN REST draft's own example, and a shift's workstation logs in again by then).
MAX_TTL_S: Final = 7 * 24 * 3600
DEFAULT_TTL_S: Final = 24 * 3600
_URL: Final = re.compile(ICE_URL.regex)


class IceSettingsError(ValueError):
    """An ICE setting of the hub is wrong; the message says which and why."""


def turn_rest_credentials(secret: bytes, party_id: str, expires_at: int) -> tuple[str, str]:
    """The TURN REST user name and password for ``party_id`` until ``expires_at``."""
    username = f"{expires_at}:{party_id}"
    digest = hmac.new(secret, username.encode("utf-8"), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True, slots=True)
class IceSettings:
    """The hub's ICE settings: server URLs, the shared TURN secret, credential lifetime
    and policy. The default (no servers, policy ``all``) hands out nothing, as before."""

    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    turn_secret: bytes = b""
    ttl_s: int = DEFAULT_TTL_S
    policy: IcePolicy = "all"

    @classmethod
    def load(
        cls,
        *,
        stun_urls: Sequence[str] = (),
        turn_urls: Sequence[str] = (),
        turn_secret_file: Path | None = None,
        ttl_s: int = DEFAULT_TTL_S,
        policy: str = "all",
    ) -> IceSettings:
        """Check the settings as given on the command line and read the secret file."""
        for url in stun_urls:
            if not url.startswith("stun") or not _URL.fullmatch(url):
                raise IceSettingsError(f"--stun {url!r}: want stun:HOST[:PORT]")
        for url in turn_urls:
            if not url.startswith("turn") or not _URL.fullmatch(url):
                raise IceSettingsError(
                    f"--turn {url!r}: want turn:HOST[:PORT][?transport=udp|tcp] or turns:..."
                )
        if policy not in ("all", "relay"):
            raise IceSettingsError(f"--ice-policy {policy!r}: want all or relay")
        if not 60 <= ttl_s <= MAX_TTL_S:
            raise IceSettingsError(f"--turn-ttl {ttl_s}: want 60..{MAX_TTL_S} seconds")
        if policy == "relay" and not turn_urls:
            raise IceSettingsError("--ice-policy relay needs at least one --turn server")
        secret = b""
        if turn_urls:
            if turn_secret_file is None:
                raise IceSettingsError("--turn needs --turn-secret-file (coturn's auth secret)")
            secret = _read_secret(turn_secret_file)
        elif turn_secret_file is not None:
            raise IceSettingsError("--turn-secret-file without any --turn server")
        return cls(
            stun_urls=tuple(stun_urls),
            turn_urls=tuple(turn_urls),
            turn_secret=secret,
            ttl_s=ttl_s,
            policy="relay" if policy == "relay" else "all",
        )

    def servers_for(self, party_id: str, now: float) -> tuple[IceServer, ...]:
        """The servers for one party, its TURN credentials valid for ``ttl_s`` from ``now``."""
        servers = [IceServer(url) for url in self.stun_urls]
        if self.turn_urls:
            username, credential = turn_rest_credentials(
                self.turn_secret, party_id, int(now) + self.ttl_s
            )
            servers += [IceServer(url, username, credential) for url in self.turn_urls]
        return tuple(servers)


class IceDesk:
    """Hands out ``IceSettings`` per party at login, with the hub's clock."""

    def __init__(self, settings: IceSettings, clock: Callable[[], float]) -> None:
        self.settings = settings
        self._clock = clock

    @property
    def policy(self) -> IcePolicy:
        return self.settings.policy

    def servers_for(self, party_id: str) -> tuple[IceServer, ...]:
        return self.settings.servers_for(party_id, self._clock())


def _read_secret(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IceSettingsError(f"--turn-secret-file {path}: cannot read it: {exc}") from exc
    secret = text.strip()
    if not secret:
        raise IceSettingsError(f"--turn-secret-file {path}: the file is empty")
    if any(c.isspace() for c in secret):
        raise IceSettingsError(f"--turn-secret-file {path}: the secret holds white space")
    return secret.encode("utf-8")
