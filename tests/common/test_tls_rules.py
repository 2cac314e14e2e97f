"""The TLS rules every side shares: what counts as this machine, which addresses may be
plain text, and clear errors for certificates, keys and CA files that cannot be used."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from seat_common import tls
from tests.tls_certs import TestPki


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.255.0.9", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("LOCALHOST.", True),
    ("10.0.0.1", False), ("128.0.0.1", False), ("::2", False), ("hub.dg.gov.cn", False),
    ("localhost.example.com", False), ("127.0.0.1.nip.io", False), ("0177.0.0.1", False),
    ("2130706433", False), ("", False),
])
def test_this_machine_is_loopback_addresses_and_localhost_only(host: str, loopback: bool) -> None:
    assert tls.is_loopback(host) is loopback


@pytest.mark.parametrize("url", [
    "ws://127.0.0.1:8765/ws", "ws://localhost/ws", "ws://[::1]:1/ws", "wss://10.1.2.3/ws",
    "wss://hub.dg.gov.cn/ws",
])
def test_tls_anywhere_and_plain_text_on_loopback_pass(url: str) -> None:
    assert tls.check_url(url, what="hub_url", secure="wss") == url


@pytest.mark.parametrize(("url", "message"), [
    ("ws://10.1.2.3/ws", "ws:// sends everything in clear"),
    ("ws://user@hub.dg.gov.cn/ws", "use wss:// for 'hub.dg.gov.cn'"),
    ("https://hub/ws", "must be a wss://"),
    ("wss:///ws", "must be a wss://"),
    ("127.0.0.1:8765", "must be a wss://"),
])
def test_plain_text_off_the_machine_and_other_schemes_are_refused(url: str, message: str) -> None:
    with pytest.raises(tls.InsecureUrlError, match=message):
        tls.check_url(url, what="hub_url", secure="wss")


def test_the_client_context_verifies_names_and_chains() -> None:
    for context in (tls.client_context(), tls.client_context(None)):
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert tls.client_context_for("ws://127.0.0.1/ws") is None
    assert tls.client_context_for("https://api") is not None


def test_a_ca_file_trusts_only_its_own_cas(tmp_path: Path) -> None:
    pki = TestPki.make(tmp_path)
    context = tls.client_context(pki.ca_file)
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "Seat Test CA"),),)]


def test_unusable_tls_files_are_named_with_the_reason(tmp_path: Path) -> None:
    pki = TestPki.make(tmp_path)
    other = pki.server("other", ["127.0.0.1"])
    encrypted = tmp_path / "encrypted.key"
    encrypted.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret")))
    cases = [
        ((tmp_path / "none.pem", pki.key_file), "cannot read the TLS certificate .*none.pem"),
        ((pki.cert_file, other.key_file), "does not belong to the certificate"),
        ((pki.key_file, pki.key_file), "holds no PEM certificate"),
        ((pki.cert_file, pki.cert_file), "holds no usable PEM private key"),
        ((pki.cert_file, encrypted), "is encrypted; give the server an unencrypted key"),
    ]
    for (cert, key), message in cases:
        with pytest.raises(tls.TlsSetupError, match=message):
            tls.server_context(cert, key)
    assert tls.server_context(pki.cert_file, pki.key_file).minimum_version >= (
        ssl.TLSVersion.TLSv1_2)
    for ca, message in [(tmp_path / "none.pem", "no such file"),
                        (pki.key_file, "holds no PEM certificate"),
                        (tmp_path, "Is a directory")]:
        with pytest.raises(tls.TlsSetupError, match=f"CA file .*{message}"):
            tls.check_ca_file(ca)


def test_only_tls_errors_are_tls_failures() -> None:
    assert tls.tls_failure(ConnectionRefusedError()) is None
    wrapped = OSError("connect")
    wrapped.__cause__ = ssl.SSLError(1, "wrong version number")
    failure = tls.tls_failure(wrapped)
    assert failure is not None and failure.problem is tls.TlsProblem.HANDSHAKE
