"""``connections.forwarded``: whom a connection counts as behind trusted proxies. The client
is the rightmost address in ``X-Forwarded-For`` that is not a trusted proxy, never what a
client wrote to the left of it; from an untrusted peer the header is ignored; a header the
proxies themselves garbled falls back to the peer and says so; a bad network is refused."""

from __future__ import annotations

import pytest

from seat_hub.connections.forwarded import (
    MAX_ENTRIES,
    BadProxyNetwork,
    ClientAddress,
    TrustedProxies,
    proxy_network,
)

BALANCERS = TrustedProxies.of([proxy_network("10.0.0.0/24"), proxy_network("fd00::/64")])


@pytest.mark.parametrize(("peer", "header", "client"), [
    # the balancer names its client
    ("10.0.0.5", ["203.0.113.7"], ClientAddress("203.0.113.7", via="10.0.0.5")),
    # a client's forgery is left of what the balancer appended, and is not believed
    ("10.0.0.5", ["10.9.9.9, 203.0.113.7"], ClientAddress("203.0.113.7", via="10.0.0.5")),
    ("10.0.0.5", ["10.9.9.9", "203.0.113.7"], ClientAddress("203.0.113.7", via="10.0.0.5")),
    ("10.0.0.5", ["garbage, 203.0.113.7"], ClientAddress("203.0.113.7", via="10.0.0.5")),
    # two balancers in a row: the client is left of the inner one
    ("10.0.0.5", ["203.0.113.7, 10.0.0.9"], ClientAddress("203.0.113.7", via="10.0.0.5")),
    ("fd00::2", ["2001:db8::7"], ClientAddress("2001:db8::7", via="fd00::2")),
    ("::ffff:10.0.0.5", ["::ffff:203.0.113.7"],
     ClientAddress("203.0.113.7", via="::ffff:10.0.0.5")),
    # only proxies in the chain: the leftmost is the best known
    ("10.0.0.5", ["10.0.0.8, 10.0.0.9"], ClientAddress("10.0.0.8", via="10.0.0.5")),
    # no header, or a peer that is not trusted: the peer, whatever it sent
    ("10.0.0.5", [], ClientAddress("10.0.0.5")),
    ("198.51.100.4", ["10.9.9.9"], ClientAddress("198.51.100.4")),
    ("10.0.1.5", ["10.9.9.9"], ClientAddress("10.0.1.5")),
])
def test_the_client_is_the_rightmost_untrusted_address(
        peer: str, header: list[str], client: ClientAddress) -> None:
    assert BALANCERS.client_of(peer, header) == client


@pytest.mark.parametrize("header", [
    ["203.0.113.7, not-an-address"], [""], ["203.0.113.7:5555"],
    [", ".join(["10.0.0.9"] * (MAX_ENTRIES + 1))],
])
def test_a_header_the_proxies_garbled_falls_back_to_the_peer(header: list[str]) -> None:
    client = BALANCERS.client_of("10.0.0.5", header)
    assert client.address == "10.0.0.5" and client.via == ""
    assert client.refused_header == ", ".join(header)[:200]


def test_nobody_is_trusted_by_default() -> None:
    assert TrustedProxies().client_of("127.0.0.1", ["10.9.9.9"]) == ClientAddress("127.0.0.1")


@pytest.mark.parametrize(("text", "network"), [
    ("10.0.0.0/24", "10.0.0.0/24"), (" 10.0.0.5 ", "10.0.0.5/32"), ("fd00::/64", "fd00::/64"),
])
def test_a_network_or_one_address_is_a_trusted_proxy(text: str, network: str) -> None:
    assert str(proxy_network(text)) == network


@pytest.mark.parametrize("text", ["10.0.0.300/24", "10.0.0.5/24", "10.0.0.0/33", "lb.local", ""])
def test_a_bad_network_is_refused(text: str) -> None:
    with pytest.raises(BadProxyNetwork, match="not a network in CIDR notation"):
        proxy_network(text)
