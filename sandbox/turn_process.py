"""Start a real coturn ``turnserver`` on loopback, for tests and ``scripts/bench_reach.py``.

    with TurnProcess() as turn:
        hub_args = ["--turn", turn.url, "--turn-secret-file", str(turn.secret_path)]

``TurnProcess`` makes a temporary directory, writes coturn's configuration there
(the TURN REST shared secret: ``use-auth-secret`` with ``static-auth-secret``; the
secret stays off the command line) and the same secret alone in ``secret_path``
for the hub's ``--turn-secret-file``, picks a free port, starts ``turnserver``
listening and relaying on 127.0.0.1 only (``allow-loopback-peers``: coturn refuses
loopback peers without it; no TLS, no DTLS, no CLI), and waits until it answers a
STUN binding request. Its log goes to ``log_path``. On exit it sends SIGTERM, then
SIGKILL, and removes the directory.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Final, Self

__all__ = ["TURNSERVER", "TurnProcess", "TurnStartError"]

TURNSERVER: Final = "turnserver"
_BINDING_REQUEST: Final = 0x0001
_BINDING_SUCCESS: Final = 0x0101
_MAGIC_COOKIE: Final = 0x2112A442


class TurnStartError(RuntimeError):
    """coturn did not come up; the message carries the end of its log."""


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (coturn listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise TurnStartError("no port free for both UDP and TCP")


class TurnProcess:
    """A ``turnserver`` subprocess on 127.0.0.1 with its own secret, port and log."""

    def __init__(
        self,
        *,
        secret: str | None = None,
        realm: str = "seat.test",
        start_timeout: float = 10.0,
    ) -> None:
        self.secret = secret if secret is not None else secrets.token_hex(24)
        self.realm = realm
        self.start_timeout = start_timeout
        self.workdir = Path(tempfile.mkdtemp(prefix="seat-turn-"))
        self.config_path = self.workdir / "turnserver.conf"
        self.secret_path = self.workdir / "turn-secret"
        self.log_path = self.workdir / "turnserver.log"
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The TURN URL over UDP, as the hub's ``--turn`` takes it."""
        return f"turn:127.0.0.1:{self.port}?transport=udp"

    @property
    def stun_url(self) -> str:
        return f"stun:127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            TURNSERVER,
            "-c", str(self.config_path),
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            f"--listening-port={self.port}",
            f"--realm={self.realm}",
            "--use-auth-secret",
            "--allow-loopback-peers",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--no-multicast-peers",
            f"--userdb={self.workdir / 'turndb'}",
            f"--pidfile={self.workdir / 'turnserver.pid'}",
            f"--log-file={self.log_path}",
            "--simple-log",
            "--verbose",  # logs each allocation with its user name
            "--no-stdout-log",
        ]

    def start(self) -> None:
        if shutil.which(TURNSERVER) is None:
            raise TurnStartError("turnserver is not installed (Debian package coturn)")
        self.config_path.write_text(f"static-auth-secret={self.secret}\n", encoding="utf-8")
        self.config_path.chmod(0o600)
        self.secret_path.write_text(self.secret + "\n", encoding="utf-8")
        self.secret_path.chmod(0o600)
        self.port = free_port()
        self._proc = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT, cwd=self.workdir,
        )
        try:
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> int:
        """SIGTERM, wait, then SIGKILL; returns the exit code (0 if never started)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return 0
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def allocations(self, party_id: str) -> int:
        """How many relays coturn allocated for ``party_id`` (user ``"<expiry>:<party_id>"``)."""
        return self._count(party_id, "ALLOCATE processed, success")

    def refusals(self, party_id: str) -> int:
        """How many of ``party_id``'s requests coturn refused as unauthorized."""
        return self._count(party_id, "error 401")

    def _count(self, party_id: str, outcome: str) -> int:
        user = re.compile(rf"user <\d+:{re.escape(party_id)}>")
        return sum(
            1 for line in self.log_text().splitlines() if outcome in line and user.search(line)
        )

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self.cleanup()

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        transaction = os.urandom(12)
        request = (
            _BINDING_REQUEST.to_bytes(2, "big") + (0).to_bytes(2, "big")
            + _MAGIC_COOKIE.to_bytes(4, "big") + transaction
        )
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(0.2)
            while time.monotonic() < deadline:
                if self._proc is None or self._proc.poll() is not None:
                    raise TurnStartError(self._failure("exited"))
                sock.sendto(request, ("127.0.0.1", self.port))
                try:
                    reply = sock.recv(2048)
                except (TimeoutError, ConnectionRefusedError):
                    continue
                kind = int.from_bytes(reply[:2], "big")
                if kind == _BINDING_SUCCESS and reply[8:20] == transaction:
                    return
        raise TurnStartError(self._failure("did not answer STUN in time"))

    def _failure(self, what: str) -> str:
        tail = "\n".join(self.log_text().splitlines()[-20:])
        return f"turnserver {what}; its log ends with:\n{tail}"
