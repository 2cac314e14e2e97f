"""A load balancer of the tests' own: Debian's HAProxy (package ``haproxy``, installed by
``scripts/setup``) in front of N hubs, in a temporary folder, on a free loopback port,
started and stopped by the test or the benchmark.

It is the "one address" a city puts in front of its hubs: ``mode tcp`` (the websocket, and
TLS if the hubs speak it, pass through untouched; no sticky sessions), round robin over the
backends, and fast health checks so a hub killed with SIGKILL gets no new connection within
about a second: a connect check every 200 ms, down after 2 failures, up after 1 success;
``on-marked-down shutdown-sessions`` cuts what was still open to it; a connection refused by
a dead hub before the checks notice is retried and redispatched to another
(``retries``, ``option redispatch 1``). Timeouts are an hour: a logged-in websocket may stay
quiet (the hub pings every 20 s).

``mode="http"`` makes it a balancer that reads the requests instead: ``mode http`` with
``option forwardfor`` (each request carries ``X-Forwarded-For: <client address>``, which
hubs started with ``--trusted-proxy`` count their limits by), the websocket's upgrade
passing through and the tunnel after it held for ``timeout tunnel`` (an hour). The hubs
must then speak plain ``ws://`` (TLS would end at the balancer). TCP stays the default.

The runtime API (a stats socket with admin level in the rig's folder) drains, disables and
enables a backend and reads the backends' states; nothing needs a reload.

HAProxy runs in the foreground (``-db``), as whoever runs the tests (root in CI, or a
normal user: the port is unprivileged and nothing is written outside the folder); no
systemd.

    rig = LoadBalancerRig.start([hub1_port, hub2_port, hub3_port])
    rig = LoadBalancerRig.start([hub_port], mode="http")   # X-Forwarded-For to the hubs
    url = rig.url("/ws")      # ws://127.0.0.1:PORT/ws
    rig.wait_down("hub2")     # after killing the second hub
    rig.stop()
"""

from __future__ import annotations

import contextlib
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

#: How the balancer passes connections on: ``tcp`` untouched, ``http`` reading each request
#: and naming its client in ``X-Forwarded-For``.
Mode = Literal["tcp", "http"]

#: Seconds to wait for HAProxy to listen after starting it.
START_TIMEOUT_S = 60.0
#: The name of the backend section, and each server's: ``hub1``, ``hub2``, …
BACKEND = "hubs"
#: Debian puts haproxy in /usr/sbin, which a normal user's PATH may not hold.
_SBIN = Path("/usr/sbin/haproxy")


class StartBalancer(Protocol):
    """The ``start_balancer`` fixture: a rig over ``ports`` in ``mode``, stopped after the
    test."""

    def __call__(self, ports: Sequence[int], mode: Mode = "tcp") -> LoadBalancerRig: ...


class LoadBalancerMissing(RuntimeError):
    """Debian's haproxy is not installed."""


class BadBalancerConfig(ValueError):
    """The rig was asked for a balancer it cannot make (no backends, a bad port)."""


def haproxy_program() -> str:
    found = shutil.which("haproxy") or (str(_SBIN) if _SBIN.exists() else None)
    if found is None:
        raise LoadBalancerMissing("haproxy is not installed: ./scripts/setup installs Debian's"
                                  " haproxy package")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def server_name(index: int) -> str:
    """The name of the ``index``-th backend (0-based): ``hub1``, ``hub2``, …"""
    return f"hub{index + 1}"


def check_ports(ports: Sequence[int]) -> list[int]:
    """The backends' ports, checked: at least one, each a TCP port (1–65535)."""
    if not ports:
        raise BadBalancerConfig("a load balancer needs at least one backend (a hub's port)")
    checked = []
    for port in ports:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise BadBalancerConfig(f"a backend's port must be 1–65535, not {port!r}")
        checked.append(port)
    return checked


def max_connections() -> int:
    """How many connections HAProxy may hold: each takes two descriptors (client and
    server side), and a normal user cannot raise the descriptor limit."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 20_000
    return max(64, min(20_000, (soft - 200) // 2))


def _mode_lines(mode: Mode) -> str:
    """The ``defaults`` lines of ``mode`` (see the module's docstring)."""
    if mode == "tcp":
        return "    mode tcp\n"
    if mode == "http":
        # The upgrade passes through by itself (HTX); ``timeout tunnel`` then applies to the
        # websocket instead of the client and server timeouts.
        return ("    mode http\n    option forwardfor\n    timeout http-request 10s\n"
                "    timeout tunnel 1h\n")
    raise BadBalancerConfig(f"a balancer's mode is tcp or http, not {mode!r}")


def config_text(listen_port: int, backend_ports: Sequence[int], socket_path: Path,
                *, host: str = "127.0.0.1", mode: Mode = "tcp") -> str:
    """The haproxy.cfg of a balancer on ``host:listen_port`` over ``backend_ports``, in
    ``mode`` (``tcp`` or ``http``)."""
    ports = check_ports(backend_ports)
    mode_lines = _mode_lines(mode)
    if not 0 < listen_port < 65536:
        raise BadBalancerConfig(f"the balancer's port must be 1–65535, not {listen_port!r}")
    servers = "\n".join(f"    server {server_name(i)} {host}:{port}"
                        for i, port in enumerate(ports))
    return f"""\
global
    maxconn {max_connections()}
    stats socket {socket_path} mode 600 level admin
    log stdout format raw local0 notice

defaults
{mode_lines}    log global
    timeout connect 2s
    timeout client 1h
    timeout server 1h
    timeout check 1s
    retries 3
    option redispatch 1

frontend seat
    bind {host}:{listen_port}
    default_backend {BACKEND}

backend {BACKEND}
    balance roundrobin
    default-server check inter 200 fall 2 rise 1 on-marked-down shutdown-sessions
{servers}
"""


class LoadBalancerRig:
    """One running HAProxy in ``directory``, on ``127.0.0.1:port``, over ``backend_ports``."""

    def __init__(self, directory: Path, port: int, backend_ports: list[int],
                 process: subprocess.Popen[bytes], mode: Mode = "tcp") -> None:
        self.directory = directory
        self.mode = mode
        self.port = port
        self.backend_ports = backend_ports
        self._process = process

    @property
    def socket_path(self) -> Path:
        return self.directory / "admin.sock"

    @property
    def log_path(self) -> Path:
        return self.directory / "haproxy.log"

    @property
    def pid(self) -> int:
        return self._process.pid

    @classmethod
    def start(cls, backend_ports: Sequence[int], *, mode: Mode = "tcp") -> LoadBalancerRig:
        ports = check_ports(backend_ports)
        _mode_lines(mode)  # a bad mode is refused before anything is made
        program = haproxy_program()
        directory = Path(tempfile.mkdtemp(prefix="seat-haproxy-"))
        error = ""
        for _ in range(3):  # another program may take the free port before HAProxy does
            port = _free_port()
            config = directory / "haproxy.cfg"
            config.write_text(config_text(port, ports, directory / "admin.sock", mode=mode),
                              encoding="utf-8")
            checked = subprocess.run([program, "-c", "-q", "-f", str(config)],
                                     capture_output=True, text=True, timeout=60)
            if checked.returncode != 0:
                shutil.rmtree(directory, ignore_errors=True)
                raise BadBalancerConfig(f"haproxy refused its configuration:\n"
                                        f"{checked.stdout}{checked.stderr}")
            with (directory / "haproxy.log").open("ab") as log:
                process = subprocess.Popen([program, "-db", "-f", str(config)],
                                           stdin=subprocess.DEVNULL, stdout=log,
                                           stderr=subprocess.STDOUT, cwd=directory)
            if cls._wait_ready(process, port, directory / "admin.sock"):
                return cls(directory, port, ports, process, mode)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            process.wait(timeout=30)
            error = (directory / "haproxy.log").read_text(errors="replace")
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"haproxy did not start:\n{error}")

    @staticmethod
    def _wait_ready(process: subprocess.Popen[bytes], port: int, admin: Path) -> bool:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            if admin.exists() and _listening(port):
                return True
            time.sleep(0.05)  # polling a condition, with a deadline
        return False

    def url(self, path: str = "/ws", scheme: str = "ws") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    # --- the runtime API -----------------------------------------------------------------

    def command(self, line: str) -> str:
        """One runtime API command (``show stat``, ``disable server hubs/hub2``, …); its
        answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(str(self.socket_path))
            s.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode(errors="replace")

    def states(self) -> dict[str, str]:
        """Each backend server's status as HAProxy sees it: ``UP``, ``DOWN``, ``MAINT``,
        ``DRAIN``, ``UP 1/2`` (going down), …"""
        lines = self.command("show stat").splitlines()
        if not lines or not lines[0].startswith("# "):
            raise RuntimeError(f"haproxy's runtime API answered: {lines[:3]}")
        header = lines[0][2:].split(",")
        states: dict[str, str] = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == BACKEND and row.get("svname", "").startswith("hub"):
                states[row["svname"]] = row["status"]
        return states

    def wait_state(self, name: str, status: str, within: float = 30.0) -> None:
        """Poll until backend ``name``'s status is ``status`` (``UP``, ``DOWN``, …)."""
        deadline = time.monotonic() + within
        while self.states().get(name) != status:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} is {self.states().get(name)!r}, not {status},"
                                   f" after {within} s")
            time.sleep(0.05)  # polling a condition, with a deadline

    def drain(self, name: str) -> None:
        """No new connections to ``name``; those it holds stay."""
        self._admin(f"set server {BACKEND}/{name} state drain")

    def disable(self, name: str) -> None:
        """``name`` in maintenance: no new connections, and those it holds are cut."""
        self._admin(f"set server {BACKEND}/{name} state maint")
        self._admin(f"shutdown sessions server {BACKEND}/{name}")

    def enable(self, name: str) -> None:
        """``name`` back in the rotation (once its health check passes)."""
        self._admin(f"set server {BACKEND}/{name} state ready")

    def _admin(self, line: str) -> None:
        answer = self.command(line).strip()
        if answer:
            raise RuntimeError(f"haproxy refused {line!r}: {answer}")

    # --- the end -------------------------------------------------------------------------

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=30)
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> LoadBalancerRig:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
