"""TLS for every side: the hub's certificate, what the clients trust, and where plain text may go.

- ``server_context(cert, key)``: the hub's (and the sandbox API's) TLS context from PEM
  files, with a clear ``TlsSetupError`` naming the file when one is missing, unreadable,
  not PEM, encrypted, or when the key does not belong to the certificate.
- ``client_context(ca_file)``: verifies the server's certificate chain and host name
  against the system store, or, when a CA file is given, against that file only
  (a government intranet's own CA: trusting the public CAs as well would let any of
  them vouch for the intranet hub).
- ``check_url``: plain ``ws://`` and ``http://`` only to this machine (127.0.0.0/8,
  ``::1``, ``localhost``); anything that leaves the machine must be ``wss://`` or
  ``https://``, because agent tokens and the government-API secret travel on it.
- ``tls_failure(exc)``: why a handshake failed, as a ``TlsFailure`` the UIs put in
  their own words (not trusted, wrong host, expired, not TLS at all).
"""

from __future__ import annotations

import enum
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

#: Names that always mean this machine (besides loopback addresses).
LOOPBACK_NAMES: Final = frozenset({"localhost"})
#: Secure scheme → the plain one allowed only on loopback.
PLAIN_OF: Final = {"wss": "ws", "https": "http"}


class TlsSetupError(ValueError):
    """A certificate, key or CA file cannot be used; the message names the file and why."""


class InsecureUrlError(ValueError):
    """A plain-text address (``ws://``, ``http://``) that leaves this machine, or no address."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: 127.0.0.0/8, ``::1`` or ``localhost``."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, what: str, secure: str) -> str:
    """``url`` itself, if its scheme is ``secure`` or the plain one to loopback; else raises.

    ``secure`` is ``"wss"`` (the hub) or ``"https"`` (the government API); ``what``
    names the setting in the message.
    """
    plain = PLAIN_OF[secure]
    parts = urlsplit(url)
    if parts.scheme not in (secure, plain) or not parts.hostname:
        raise InsecureUrlError(
            f"{what} must be a {secure}:// (or, on this machine, {plain}://) address,"
            f" not {url!r}")
    if parts.scheme == plain and not is_loopback(parts.hostname):
        raise InsecureUrlError(
            f"{what}: {plain}:// sends everything in clear, so it is only for this machine"
            f" (127.0.0.1, ::1, localhost); use {secure}:// for {parts.hostname!r}"
            f" (不允许以明文 {plain}:// 连接本机以外的地址，请使用 {secure}://)")
    return url


def is_secure(url: str) -> bool:
    """Whether ``url`` is ``wss://`` or ``https://``."""
    return urlsplit(url).scheme in PLAIN_OF


def client_context(ca_file: str | Path | None = None) -> ssl.SSLContext:
    """A client context that verifies the chain and the host name (TLS 1.2 or newer).

    Without ``ca_file``: the system's trust store. With it: only the CAs in that PEM file.
    """
    try:
        if ca_file:
            context = ssl.create_default_context(cafile=str(ca_file))
        else:
            context = ssl.create_default_context()
    except FileNotFoundError as exc:
        raise TlsSetupError(f"CA file {ca_file}: no such file") from exc
    except ssl.SSLError as exc:
        raise TlsSetupError(f"CA file {ca_file}: holds no PEM certificate ({_reason(exc)})"
                            ) from exc
    except OSError as exc:
        raise TlsSetupError(f"CA file {ca_file}: {_reason(exc)}") from exc
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def client_context_for(url: str, ca_file: str | Path | None = None) -> ssl.SSLContext | None:
    """The context to connect to ``url`` with: ``None`` for plain ``ws://``/``http://``."""
    return client_context(ca_file) if is_secure(url) else None


def check_ca_file(ca_file: str | Path) -> None:
    """Raise ``TlsSetupError`` if ``ca_file`` is not a readable PEM file of CA certificates."""
    client_context(ca_file)


def server_context(cert_file: str | Path, key_file: str | Path) -> ssl.SSLContext:
    """The server's context from a PEM certificate (chain) and its unencrypted PEM key."""
    for what, path in (("certificate", cert_file), ("key", key_file)):
        try:
            with open(path, "rb") as f:
                f.read(1)
        except OSError as exc:
            raise TlsSetupError(f"cannot read the TLS {what} {path}: {_reason(exc)}") from exc
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(cert_file), str(key_file), password=_no_password)
    except _EncryptedKey as exc:
        raise TlsSetupError(
            f"the TLS key {key_file} is encrypted; give the server an unencrypted key"
            " (readable only by the service's user)") from exc
    except ssl.SSLError as exc:
        if "KEY_VALUES_MISMATCH" in str(exc) or "key values mismatch" in str(exc):
            raise TlsSetupError(
                f"the TLS key {key_file} does not belong to the certificate {cert_file}"
            ) from exc
        if not _holds_certificate(cert_file):
            raise TlsSetupError(
                f"the TLS certificate {cert_file} holds no PEM certificate") from exc
        raise TlsSetupError(f"the TLS key {key_file} holds no usable PEM private key") from exc
    return context


class TlsProblem(enum.Enum):
    """Why a TLS handshake failed, in the terms a user can act on."""

    UNTRUSTED = "untrusted"  # not signed by a CA we trust (wrong or missing CA file)
    WRONG_HOST = "wrong_host"  # a certificate for another name or address
    EXPIRED = "expired"  # expired or not yet valid (or this PC's clock is wrong)
    HANDSHAKE = "handshake"  # not TLS at all, or no common protocol


@dataclass(frozen=True, slots=True)
class TlsFailure:
    """A failed handshake: the problem and OpenSSL's own words."""

    problem: TlsProblem
    detail: str

    def __str__(self) -> str:
        return f"{_PROBLEM_TEXT[self.problem]}: {self.detail}"


_PROBLEM_TEXT: Final = {
    TlsProblem.UNTRUSTED: "the server's certificate is not signed by a trusted CA"
                          " (check the CA file)",
    TlsProblem.WRONG_HOST: "the server's certificate is for another host name or address",
    TlsProblem.EXPIRED: "the server's certificate has expired or is not valid yet",
    TlsProblem.HANDSHAKE: "no secure connection could be set up with the server",
}
# OpenSSL's X509_V_ERR_* codes, by what the user can do about them.
_WRONG_HOST_CODES: Final = frozenset({62, 63, 64})
_EXPIRED_CODES: Final = frozenset({9, 10})


def tls_failure(exc: BaseException) -> TlsFailure | None:
    """The TLS failure behind ``exc`` (it or its causes), or ``None`` if it is not one."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        # aiohttp's errors are ssl errors too, with the real one as an attribute.
        inner = getattr(seen, "certificate_error", None) or getattr(seen, "os_error", None)
        if isinstance(inner, ssl.SSLError):
            seen = inner
        if isinstance(seen, ssl.SSLCertVerificationError):
            code = getattr(seen, "verify_code", None)
            detail = str(getattr(seen, "verify_message", None) or _reason(seen))
            if code in _WRONG_HOST_CODES:
                return TlsFailure(TlsProblem.WRONG_HOST, detail)
            if code in _EXPIRED_CODES:
                return TlsFailure(TlsProblem.EXPIRED, detail)
            return TlsFailure(TlsProblem.UNTRUSTED, detail)
        if isinstance(seen, ssl.SSLError):
            return TlsFailure(TlsProblem.HANDSHAKE, _reason(seen))
        seen = seen.__cause__ or seen.__context__
    return None


class _EncryptedKey(Exception):
    pass


def _no_password() -> bytes:
    # Called only for an encrypted key; without this OpenSSL would prompt on the terminal.
    raise _EncryptedKey


def _holds_certificate(path: str | Path) -> bool:
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=str(path))
    except (ssl.SSLError, OSError):
        return False
    return True


def _reason(exc: OSError) -> str:
    if isinstance(exc, ssl.SSLError):
        return str(getattr(exc, "reason", None) or exc)
    return exc.strerror or str(exc)
