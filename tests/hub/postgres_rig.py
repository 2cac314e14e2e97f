"""A PostgreSQL server of the tests' own: ``initdb`` and ``pg_ctl`` into a temporary folder,
listening on a free loopback port, stopped and removed at the end.

The binaries are Debian's (``/usr/lib/postgresql/<version>/bin``, package ``postgresql``,
installed by ``scripts/setup``). PostgreSQL refuses to run as root, and CI runs the tests
as root: then the server runs as the ``postgres`` user Debian creates (``runuser``), in a
folder owned by it, outside pytest's private temporary folders (which that user cannot
enter). Durability is off (``fsync=off``): a test server that loses its data in a power
cut loses nothing of value, and the tests run faster on a busy machine. A rig the tests
stop at once (``crash``) and start again (``restart``) waits for its commits to reach the
WAL (``crash_safe``): else the server itself forgets commits it acknowledged.

    rig = PostgresRig.start()
    url = rig.new_database()     # postgresql://postgres@127.0.0.1:PORT/seat_1
    rig.stop()
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

#: The superuser initdb makes; trusted from loopback only (``--auth=trust`` on a server that
#: listens on 127.0.0.1 and a socket in its own folder).
SUPERUSER = "postgres"


class PostgresMissing(RuntimeError):
    """Debian's PostgreSQL is not installed."""


def bin_dir() -> Path:
    """The newest installed PostgreSQL's programs."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parent.parent.name))
    if not found:
        raise PostgresMissing("PostgreSQL is not installed: ./scripts/setup installs Debian's"
                              " postgresql package (initdb, pg_ctl)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresRig:
    """One running PostgreSQL server in ``directory``, on ``127.0.0.1:port``."""

    def __init__(self, directory: Path, port: int, as_user: list[str], options: str) -> None:
        self.directory = directory
        self.port = port
        self._as_user = as_user
        self._options = options
        self._databases = 0

    @classmethod
    def start(cls, *, crash_safe: bool = False) -> PostgresRig:
        """``crash_safe``: a commit is acknowledged only once its WAL is written
        (``synchronous_commit=on``), so ``crash`` loses no acknowledged commit."""
        programs = bin_dir()
        directory = Path(tempfile.mkdtemp(prefix="seat-postgres-"))
        as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(directory, SUPERUSER, SUPERUSER)
            as_user = ["runuser", "-u", SUPERUSER, "--"]
        data = directory / "data"
        subprocess.run(
            [*as_user, str(programs / "initdb"), "-D", str(data), "-U", SUPERUSER,
             "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=True, capture_output=True, timeout=120)
        error = ""
        for _ in range(3):  # another program may take the free port before the server does
            port = _free_port()
            options = (f"-c listen_addresses=127.0.0.1 -c port={port}"
                       f" -c unix_socket_directories={directory} -c fsync=off"
                       f" -c synchronous_commit={'on' if crash_safe else 'off'}"
                       " -c full_page_writes=off"
                       " -c max_connections=100 -c shared_buffers=32MB")
            started = subprocess.run(
                [*as_user, str(programs / "pg_ctl"), "-D", str(data), "-l",
                 str(directory / "server.log"), "-w", "-t", "120", "-o", options, "start"],
                capture_output=True, text=True, timeout=180)
            if started.returncode == 0:
                return cls(directory, port, as_user, options)
            error = started.stdout + started.stderr + (directory / "server.log").read_text()
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start:\n{error}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new, empty database; its URL."""
        self._databases += 1
        name = f"seat_{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def crash(self) -> None:
        """Stop the server at once (``pg_ctl stop -m immediate``: every connection cut, no
        clean shutdown), keeping its data for ``restart``."""
        self._ctl("-m", "immediate", "-w", "stop")

    def restart(self) -> None:
        """Start the stopped server again on the same port, with the same data."""
        self._ctl("-l", str(self.directory / "server.log"), "-w", "-t", "120",
                  "-o", self._options, "start")

    def _ctl(self, *args: str) -> None:
        done = subprocess.run(
            [*self._as_user, str(bin_dir() / "pg_ctl"), "-D", str(self.directory / "data"),
             *args], capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl {args[-1]} failed: {done.stdout}{done.stderr}")

    def stop(self) -> None:
        subprocess.run(
            [*self._as_user, str(bin_dir() / "pg_ctl"), "-D", str(self.directory / "data"),
             "-m", "immediate", "-w", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(self.directory, ignore_errors=True)
