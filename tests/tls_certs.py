"""A test CA and server certificates made at test time (the ``cryptography`` package).

    pki = TestPki.make(tmp_path)            # a CA, and a server certificate for 127.0.0.1,
    pki.ca_file, pki.cert_file, pki.key_file  # ::1 and localhost, signed by it (PEM files)
    other = pki.server("wrong", ["other.example"])   # another name, same CA
    pki.self_signed("self")                   # a certificate no CA signed

Nothing is kept between runs; every key is fresh (EC P-256: quick to make).
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOOPBACK_NAMES = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class ServerCert:
    cert_file: Path
    key_file: Path


@dataclass(frozen=True)
class TestPki:
    """A CA on disk and the server certificate it signed for loopback."""

    folder: Path
    ca_file: Path
    cert_file: Path
    key_file: Path
    _ca_key: ec.EllipticCurvePrivateKey
    _ca_cert: x509.Certificate

    __test__ = False  # not a pytest test class

    @classmethod
    def make(cls, folder: Path, ca_name: str = "Seat Test CA") -> TestPki:
        folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_name)])
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256())
        )
        ca_file = folder / "ca.pem"
        ca_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        server = _issue(folder, "server", LOOPBACK_NAMES, key, cert)
        return cls(folder, ca_file, server.cert_file, server.key_file, key, cert)

    def server(self, stem: str, names: Sequence[str], *, expired: bool = False) -> ServerCert:
        """Another server certificate from this CA, for ``names`` (DNS names or addresses)."""
        return _issue(self.folder, stem, names, self._ca_key, self._ca_cert, expired=expired)

    def self_signed(self, stem: str) -> ServerCert:
        """A certificate for loopback that no CA signed (its own issuer)."""
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
        cert = _leaf(name, name, key, key, LOOPBACK_NAMES, expired=False)
        return _write(self.folder, stem, cert, key)


def _issue(folder: Path, stem: str, names: Sequence[str], ca_key: ec.EllipticCurvePrivateKey,
           ca_cert: x509.Certificate, *, expired: bool = False) -> ServerCert:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    cert = _leaf(subject, ca_cert.subject, key, ca_key, names, expired=expired,
                 issuer_key_id=ca_cert.extensions.get_extension_for_class(
                     x509.SubjectKeyIdentifier).value)
    return _write(folder, stem, cert, key)


def _leaf(subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey,
          signer: ec.EllipticCurvePrivateKey, names: Sequence[str], *, expired: bool,
          issuer_key_id: x509.SubjectKeyIdentifier | None = None) -> x509.Certificate:
    now = _now()
    start, end = ((now - datetime.timedelta(days=10), now - datetime.timedelta(days=1))
                  if expired else (now - datetime.timedelta(hours=1),
                                   now + datetime.timedelta(days=30)))
    alt: list[x509.GeneralName] = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(issuer).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
    )
    if issuer_key_id is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_key_id),
            critical=False)
    return builder.sign(signer, hashes.SHA256())


def _write(folder: Path, stem: str, cert: x509.Certificate,
           key: ec.EllipticCurvePrivateKey) -> ServerCert:
    cert_file = folder / f"{stem}.pem"
    key_file = folder / f"{stem}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    key_file.chmod(0o600)
    return ServerCert(cert_file, key_file)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
