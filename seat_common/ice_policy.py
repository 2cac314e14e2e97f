"""Which local addresses our WebRTC peers offer as ICE host candidates.

WORKAROUND: aioice 0.13 (under aiortc) offers every interface address
except 127.0.0.1 and has no option to choose (``aioice.ice.get_host_addresses``).
A deployment that must keep media on given interfaces — the demo, the
tests and the benchmarks here, which must stay on loopback — sets
``SEAT_ICE_HOST_ADDRESSES`` (comma-separated, e.g. ``127.0.0.1``) and every
peer connection we create then offers exactly those. Unset, aioice's own
choice stands, as in production.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Sequence
from typing import Final

import aioice.ice

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
