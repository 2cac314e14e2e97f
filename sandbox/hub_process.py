"""Start a real ``seat-hub`` process on a free port, for tests, the demo and benchmarks.

    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))],
                          ring_timeout=0.5) as hub:
        ws = await websockets.connect(hub.url)
        token = hub.tokens["0012"]

``HubProcess`` writes a seats file with freshly generated tokens, starts the
hub (``python -m seat_hub.cli``) with a new SQLite ledger on port 0, waits
for its ``seat-hub listening on ws://…`` line (``wss://`` when started with
``tls=(cert_file, key_file)``) and exposes ``url``, ``page_url`` (the citizen page),
``tokens``, ``db_path``, ``seats_path`` and ``log_path`` (the hub's stderr:
one JSON event per line, see ``events()``).

Kiosks are provisioned too (``kiosks``, by default ``DEFAULT_KIOSK`` in 沙田镇):
``kiosk_login(device_id)`` gives a stand-in kiosk its credentials and
``kiosk_token_file(device_id)`` writes its token to a file of mode 0600 for a
kiosk process (``python -m sandbox.kiosk --device-id … --token-file …``).

The hub's abuse limits are its defaults (``seat-hub --help``), which leave
room for the many parties a test or the demo runs from 127.0.0.1; a test of
the limits passes its own through ``extra_args``. On exit it sends SIGTERM, then
SIGKILL after ``stop_timeout``. It works as an ``async with`` or a plain
``with`` (``start()`` / ``stop()`` are synchronous).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

from sandbox.device_login import KioskLogin
from sandbox.processes import read_listening_line
from seat_hub.parties.seats import KioskSpec, SeatSpec, new_token, write_seats_file

__all__ = ["DEFAULT_KIOSK", "HubProcess", "HubStartError", "KioskSpec", "SeatSpec"]

#: The kiosk a launched hub knows unless told otherwise.
DEFAULT_KIOSK: Final = KioskSpec("K-SHATIAN-01", "沙田镇")

_LISTENING: Final = re.compile(r"^seat-hub listening on (wss?://\S+)$")

Event = dict[str, Any]


class HubStartError(RuntimeError):
    """The hub process did not come up; the message carries the end of its log."""


class HubProcess:
    """A ``seat-hub`` subprocess with its own seats file, tokens and ledger."""

    def __init__(
        self,
        seats: Sequence[SeatSpec],
        *,
        workdir: Path | None = None,
        ring_timeout: float = 15.0,
        max_missed: int = 3,
        catalog: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        start_timeout: float = 10.0,
        stop_timeout: float = 5.0,
        extra_args: Sequence[str] = (),
        tls: tuple[Path, Path] | None = None,
        kiosks: Sequence[KioskSpec] = (DEFAULT_KIOSK,),
    ) -> None:
        self.seats = tuple(seats)
        self.kiosks = tuple(kiosks)
        #: the hub's certificate and key files (PEM): it serves wss:// and https://
        self.tls = tls
        self.ring_timeout = ring_timeout
        self.max_missed = max_missed
        self.catalog = catalog
        self.host = host
        self.port = port
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.extra_args = tuple(extra_args)
        self._own_workdir = workdir is None
        self.workdir = Path(tempfile.mkdtemp(prefix="seat-hub-")) if workdir is None else workdir
        self.seats_path = self.workdir / "seats.json"
        self.db_path = self.workdir / "ledger.sqlite3"
        self.log_path = self.workdir / "hub.log"
        #: agent id → plain login token (only the SHA-256 is in the seats file).
        self.tokens: dict[str, str] = {}
        #: device id → plain kiosk token.
        self.kiosk_tokens: dict[str, str] = {}
        self.url = ""
        self.returncode: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    # --- lifecycle -----------------------------------------------------------

    def command(self) -> list[str]:
        cmd = [
            sys.executable,
            "-m",
            "seat_hub.cli",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--seats",
            str(self.seats_path),
            "--db",
            str(self.db_path),
            "--ring-timeout",
            str(self.ring_timeout),
            "--max-missed",
            str(self.max_missed),
        ]
        if self.catalog is not None:
            cmd += ["--catalog", str(self.catalog)]
        if self.tls is not None:
            cmd += ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])]
        return cmd + list(self.extra_args)

    def start(self) -> None:
        """Write the seats file, start the hub and wait until it listens.

        After ``stop`` it can start again: the same seats, tokens and ledger, a
        hub restart as in production (give a fixed ``port`` to keep the address).
        """
        if self._proc is not None:
            raise RuntimeError("this hub is already started")
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.tokens and not self.kiosk_tokens:  # a restart keeps seats, tokens, ledger
            self.tokens = {spec.agent_id: new_token() for spec in self.seats}
            self.kiosk_tokens = {kiosk.device_id: new_token() for kiosk in self.kiosks}
            write_seats_file(
                self.seats_path, self.seats, self.tokens, self.kiosks, self.kiosk_tokens
            )
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=self.workdir,
            )
        try:
            self.url = self._read_listening_line()
        except BaseException:
            self._kill()
            raise

    def stop(self) -> int:
        """SIGTERM, wait up to ``stop_timeout``, then SIGKILL; returns the exit code."""
        proc = self._proc
        if proc is None:
            return self.returncode if self.returncode is not None else 0
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        self.returncode = proc.returncode
        self._proc = None
        return proc.returncode

    def cleanup(self) -> None:
        """Remove the work directory if this object made it."""
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def kiosk_login(self, device_id: str = DEFAULT_KIOSK.device_id) -> KioskLogin:
        """The credentials of provisioned kiosk ``device_id``."""
        return KioskLogin(device_id, self.kiosk_tokens[device_id])

    def kiosk_token_file(self, device_id: str = DEFAULT_KIOSK.device_id) -> Path:
        """A file (mode 0600) holding kiosk ``device_id``'s token, for a kiosk process."""
        path = self.workdir / f"kiosk-{device_id}.token"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(self.kiosk_tokens[device_id] + "\n")
        return path

    @property
    def page_url(self) -> str:
        """The citizen page's address: ``http(s)://HOST:PORT/`` beside ``url``."""
        scheme, _, rest = self.url.partition("://")
        return f"{'https' if scheme == 'wss' else 'http'}://{rest.removesuffix('/ws')}/"

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

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

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)
        self.cleanup()

    # --- what the hub logged -------------------------------------------------

    def events(self, name: str | None = None) -> list[Event]:
        """The hub's JSON log events so far (only those called ``name`` if given)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        found: list[Event] = []
        for line in text.splitlines():
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict) and (name is None or event.get("event") == name):
                    found.append(event)
        return found

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    async def wait_for_event(
        self, name: str, where: Callable[[Event], bool] = lambda e: True, within: float = 5.0
    ) -> Event:
        """The first logged event ``name`` matching ``where``, waiting up to ``within`` seconds."""
        deadline = time.monotonic() + within
        while True:
            for event in self.events(name):
                if where(event):
                    return event
            if time.monotonic() > deadline:
                raise TimeoutError(f"the hub logged no matching {name!r} event in {within} s")
            await asyncio.sleep(0.02)

    # --- internals --------------------------------------------------------------

    def _read_listening_line(self) -> str:
        assert self._proc is not None
        return read_listening_line(
            self._proc,
            _LISTENING,
            self.start_timeout,
            lambda why: HubStartError(self._failure(why)),
        )

    def _failure(self, what: str) -> str:
        tail = "\n".join(self.log_text().splitlines()[-20:])
        return f"seat-hub {what}; its log ends with:\n{tail}"

    def crash(self) -> None:
        """SIGKILL, as a power cut or the kernel's OOM killer would: nothing is cleaned up.
        ``start`` brings it back on the same ledger."""
        self._kill()

    def _kill(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()
        self._proc = None
