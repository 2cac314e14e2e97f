"""Who a websocket's client is when a load balancer stands in between (``--trusted-proxy``).

A city's hubs sit behind one balancer (docs/deployment.md), so every TCP connection they
accept comes from the balancer's address. A balancer in HTTP mode says whom it carries in
``X-Forwarded-For`` (HAProxy ``option forwardfor``): each proxy on the way appends the
address it was reached from, so the header reads ``client, proxy1, proxy2`` and the TCP
peer is the last proxy.

The rule (the standard one): only when the TCP peer is within a trusted proxy's network
is the header read at all, and the client is the **rightmost** address in it that is not
itself a trusted proxy. Everything left of that was written by whoever connected to our
outermost proxy, so a client can put anything there (``X-Forwarded-For: 10.9.9.9``); the
leftmost entry is never believed. When every entry is a trusted proxy, the leftmost is the
best we know. The header is read from the right and only as far as the client: what a
client wrote to the left of that is not looked at, so garbage there cannot change whom it
counts as. An entry that is not an IP address among the trusted proxies' own (a
misconfigured proxy) refuses the header: the TCP peer is taken, and the caller logs it.
Without the header the client is the TCP peer. From a peer that is not trusted the header
is ignored: a client cannot leave its own limits by sending one.

Pure values and functions; the server (``server.py``) decides what to count where.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The header a balancer names the client in (HAProxy ``option forwardfor``).
HEADER: Final = "X-Forwarded-For"
#: Entries read from the header's right at most; a longer chain of trusted proxies is
#: refused as malformed (no honest chain in front of a hub is anywhere near this long).
MAX_ENTRIES: Final = 32


class BadProxyNetwork(ValueError):
    """A ``--trusted-proxy`` value that is not a network (the message says why)."""


def proxy_network(text: str) -> IPNetwork:
    """A ``--trusted-proxy`` value: a network in CIDR notation (``10.0.0.0/24``,
    ``fd00::/64``) or one address (``10.0.0.5``, meaning ``/32`` or ``/128``). Host bits set
    (``10.0.0.5/24``) are refused: such a value is more likely a typo than a wish to
    trust the whole network."""
    try:
        return ipaddress.ip_network(text.strip(), strict=True)
    except ValueError as exc:
        raise BadProxyNetwork(
            f"{text!r}: 不是网段（CIDR，如 10.0.0.0/24）/ not a network in CIDR notation,"
            f" e.g. 10.0.0.0/24 ({exc})") from None


def ip_of(text: str) -> IPAddress | None:
    """``text`` as an IP address (an IPv4-mapped IPv6 one as its IPv4 address), or None."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True, slots=True)
class ClientAddress:
    """Whom a connection is counted as: ``address`` (what the per-client limits count and
    the log shows), ``via`` the trusted proxy it came through ("" when it came directly or
    the header was not read), and ``refused_header`` the header's value when it was read
    and refused as malformed ("" otherwise)."""

    address: str
    via: str = ""
    refused_header: str = ""


@dataclass(frozen=True, slots=True)
class TrustedProxies:
    """The networks whose connections may name their client in ``X-Forwarded-For``
    (none by default: every connection is its TCP peer)."""

    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def of(cls, networks: Iterable[IPNetwork]) -> TrustedProxies:
        return cls(tuple(networks))

    def trusts(self, address: str) -> bool:
        """Whether ``address`` (a TCP peer or a header's entry) is a trusted proxy."""
        if not self.networks:
            return False
        ip = ip_of(address)
        return ip is not None and any(ip in network for network in self.networks)

    def client_of(self, peer: str, forwarded: Sequence[str]) -> ClientAddress:
        """The client behind a connection from ``peer`` whose request carried the header
        values ``forwarded`` (every ``X-Forwarded-For`` line, in order)."""
        if not forwarded or not self.trusts(peer):
            return ClientAddress(peer)
        joined = ", ".join(forwarded)
        entries = joined.split(",")
        leftmost = ""
        for entry in reversed(entries[-MAX_ENTRIES:]):
            address = ip_of(entry)
            if address is None:
                break
            leftmost = str(address)
            if not self.trusts(leftmost):
                return ClientAddress(leftmost, via=peer)
        else:
            if len(entries) <= MAX_ENTRIES:  # every entry a trusted proxy
                return ClientAddress(leftmost, via=peer)
        return ClientAddress(peer, refused_header=joined[:200])
