"""Which ICE candidates our WebRTC peers offer: the host addresses, and the STUN/TURN
servers and relay-only policy the hub hands out at login (``IceConfig``).

WORKAROUND: aioice 0.13 (under aiortc) offers every interface address
except 127.0.0.1 and has no option to choose (``aioice.ice.get_host_addresses``).
A deployment that must keep media on given interfaces — the demo, the
tests and the benchmarks here, which must stay on loopback — sets
``SEAT_ICE_HOST_ADDRESSES`` (comma-separated, e.g. ``127.0.0.1``) and every
peer connection we create then offers exactly those. Unset, aioice's own
choice stands, as in production.

``IceConfig`` is what a ``Welcome`` says: its ``rtc_configuration()`` is the one
place an aiortc peer gets its ``RTCConfiguration`` from, and ``check_gathered`` turns
a relay-only peer that got no relay (TURN refused its credentials) into a clear error.
The host restriction above still applies under relay-only: aioice allocates the relay
from those addresses.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer
from aiortc.rtcconfiguration import RTCIceTransportPolicy
from aiortc.rtcicetransport import parse_stun_turn_uri

from seat_common import protocol

ENV: Final = "SEAT_ICE_HOST_ADDRESSES"
_ORIGINAL: Final = aioice.ice.get_host_addresses


class IcePolicyError(ValueError):
    """``SEAT_ICE_HOST_ADDRESSES`` holds something that is not an IP address."""


def parse_addresses(text: str) -> tuple[str, ...]:
    """``"127.0.0.1, ::1"`` → ``("127.0.0.1", "::1")``; raises on anything else."""
    addresses = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            addresses.append(str(ipaddress.ip_address(part)))
        except ValueError as exc:
            raise IcePolicyError(f"{ENV}: {part!r} is not an IP address") from exc
    return tuple(addresses)


def restrict_host_addresses(addresses: Sequence[str]) -> None:
    """Offer only ``addresses`` as host candidates (empty: aioice's default again)."""
    chosen = tuple(addresses)
    if not chosen:
        aioice.ice.get_host_addresses = _ORIGINAL
        return

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [
            a for a in chosen
            if (use_ipv4 and ipaddress.ip_address(a).version == 4)
            or (use_ipv6 and ipaddress.ip_address(a).version == 6)
        ]

    aioice.ice.get_host_addresses = host_addresses


def apply_from_environment() -> tuple[str, ...]:
    """Apply ``SEAT_ICE_HOST_ADDRESSES`` if set; returns the addresses in force."""
    addresses = parse_addresses(os.environ.get(ENV, ""))
    if addresses:
        restrict_host_addresses(addresses)
    return addresses


# --- the ICE servers and policy the hub hands out at login -----------------------------


class IceConfigError(ValueError):
    """The hub's ICE configuration cannot be used by our peers, or the relay-only policy
    left a peer without a relay; the message says which."""


@dataclass(frozen=True, slots=True)
class IceConfig:
    """The STUN/TURN servers and policy a party's WebRTC peers use (from ``Welcome``).

    The default (no servers, policy ``all``) is what a peer does without a hub that
    hands out servers: host candidates only, as on one LAN.
    """

    servers: tuple[protocol.IceServer, ...] = ()
    policy: protocol.IcePolicy = "all"

    @classmethod
    def from_welcome(cls, welcome: protocol.Welcome | None) -> IceConfig:
        """The configuration a welcome carries, checked for aiortc (``IceConfigError``)."""
        if welcome is None:
            return cls()
        config = cls(welcome.ice_servers, welcome.ice_policy)
        config.rtc_configuration()
        return config

    @property
    def relay_only(self) -> bool:
        return self.policy == "relay"

    def rtc_configuration(self) -> RTCConfiguration:
        """aiortc's configuration; raises ``IceConfigError`` for a URL aiortc cannot use.

        aiortc takes the first STUN and the first usable TURN server (UDP or TCP) and
        ignores the rest; relay-only is its own ``iceTransportPolicy`` (aiortc 1.16).
        """
        servers = []
        for server in self.servers:
            try:
                parse_stun_turn_uri(server.url)
            except ValueError as exc:
                raise IceConfigError(f"ICE server {server.url!r}: {exc}") from exc
            if server.is_turn:
                servers.append(RTCIceServer(server.url, server.username, server.credential))
            else:
                servers.append(RTCIceServer(server.url))
        if self.relay_only and not any(s.is_turn for s in self.servers):
            raise IceConfigError("relay-only ICE without a TURN server")
        policy = RTCIceTransportPolicy.RELAY if self.relay_only else RTCIceTransportPolicy.ALL
        return RTCConfiguration(iceServers=servers, iceTransportPolicy=policy)

    def peer_configuration(self) -> tuple[RTCConfiguration, str]:
        """aiortc's configuration and ""; or, when the servers are unusable, one that
        gathers no candidate at all (no address leaves) and why, for the peer to fail."""
        try:
            return self.rtc_configuration(), ""
        except IceConfigError as exc:
            return RTCConfiguration(
                iceServers=[], iceTransportPolicy=RTCIceTransportPolicy.RELAY
            ), str(exc)

    def check_gathered(self, sdp: str) -> None:
        """Raise ``IceConfigError`` if a relay-only peer gathered no relay candidate.

        aioice logs a refused TURN allocation (wrong or expired credentials, relay
        down) and gathers on without it: under relay-only the SDP then offers no
        candidate at all and the call could only wait. Saying so now lets it fail.
        """
        if not self.relay_only:
            return
        kinds = set(_CANDIDATE_TYPE.findall(sdp))
        if "relay" not in kinds:
            raise IceConfigError(
                "no TURN relay: the relay refused this party's credentials or cannot be reached"
            )
        if kinds - {"relay"}:
            raise IceConfigError(f"relay-only ICE offered {sorted(kinds - {'relay'})} candidates")


#: The candidate type of each ``a=candidate`` line in an SDP.
_CANDIDATE_TYPE: Final = re.compile(r"^a=candidate:.* typ (\w+)", re.MULTILINE)


def candidate_types(sdp: str) -> set[str]:
    """The candidate types (``host``, ``srflx``, ``relay``...) an SDP offers."""
    return set(_CANDIDATE_TYPE.findall(sdp))
