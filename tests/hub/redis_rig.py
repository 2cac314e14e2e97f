"""A Redis server of the tests' own: Debian's ``redis-server`` (installed by
``scripts/setup``) in a temporary folder, listening on a free loopback port, stopped and
removed at the end.

It keeps nothing on disk (no RDB snapshots, no append-only file): a test's live state is
worth nothing after the test. ``crash`` kills it with SIGKILL and ``restart`` starts it
again on the same port, empty, as a Redis without persistence comes back after a crash.

    rig = RedisRig.start()
    url = rig.url(3)          # redis://127.0.0.1:PORT/3
    rig.stop()
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

#: Seconds to wait for the server to answer PING after starting it.
START_TIMEOUT_S = 60.0


class RedisMissing(RuntimeError):
    """Debian's redis-server is not installed."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisRig:
    """One running ``redis-server`` in ``directory``, on ``127.0.0.1:port``."""

    def __init__(self, directory: Path, port: int, process: subprocess.Popen[bytes]) -> None:
        self.directory = directory
        self.port = port
        self._process = process

    @classmethod
    def start(cls) -> RedisRig:
        if shutil.which("redis-server") is None:
            raise RedisMissing("redis-server is not installed: ./scripts/setup installs"
                               " Debian's redis-server package")
        directory = Path(tempfile.mkdtemp(prefix="seat-redis-"))
        error = ""
        for _ in range(3):  # another program may take the free port before the server does
            port = _free_port()
            process = cls._spawn(directory, port)
            if cls._wait_ready(process, port):
                return cls(directory, port, process)
            process.kill()
            process.wait(timeout=30)
            error = (directory / "redis.log").read_text(errors="replace")
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"redis-server did not start:\n{error}")

    @staticmethod
    def _spawn(directory: Path, port: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(port),
             "--dir", str(directory), "--logfile", str(directory / "redis.log"),
             "--save", "", "--appendonly", "no", "--daemonize", "no",
             "--protected-mode", "yes", "--databases", "16"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @staticmethod
    def _wait_ready(process: subprocess.Popen[bytes], port: int) -> bool:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            if _ping(port):
                return True
            time.sleep(0.05)  # polling a condition, with a deadline
        return False

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    @property
    def pid(self) -> int:
        return self._process.pid

    def crash(self) -> None:
        """Kill the server with SIGKILL (its live state gone, as after a machine failure)."""
        self._process.send_signal(signal.SIGKILL)
        self._process.wait(timeout=30)

    def restart(self) -> None:
        """Start the server again on the same port (empty: nothing is persisted)."""
        self._process = self._spawn(self.directory, self.port)
        if not self._wait_ready(self._process, self.port):
            raise RuntimeError("redis-server did not start again on port"
                               f" {self.port}: {(self.directory / 'redis.log').read_text()}")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=30)
        shutil.rmtree(self.directory, ignore_errors=True)
