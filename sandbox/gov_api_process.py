"""Start a real ``seat-gov-api`` process on a free port, for tests, the demo and benchmarks.

    async with GovApiProcess(token_ttl=60) as api:
        api.url, api.client_id, api.client_secret
        await api.add_fault(kind="error", status=503, count=2)
        api.applications()   # straight from the sandbox's SQLite file

Like ``HubProcess``: a work directory with the secret file and the database,
``python -m sandbox.gov_api.cli`` on port 0, wait for the listening line,
SIGTERM then SIGKILL on stop. The admin helpers talk to ``/admin/*``.
With ``tls=(cert_file, key_file, ca_file)`` it serves ``https://`` and the
admin helpers trust the CA file.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import aiohttp

from sandbox.processes import read_listening_line
from seat_common import tls as tls_mod

_LISTENING: Final = re.compile(r"^seat-gov-api listening on (https?://\S+)$")


class GovApiStartError(RuntimeError):
    """The sandbox did not come up; the message carries the end of its log."""


class GovApiProcess:
    """A ``seat-gov-api`` subprocess with its own client credentials and database."""

    def __init__(
        self,
        *,
        workdir: Path | None = None,
        client_id: str = "seat-dongguan",
        token_ttl: float = 3600.0,
        review_after: float = 2.0,
        faults: Sequence[str] = (),
        start_timeout: float = 10.0,
        stop_timeout: float = 5.0,
        tls: tuple[Path, Path, Path] | None = None,
    ) -> None:
        self.client_id = client_id
        #: certificate, key and the CA file that signed them: serve https://
        self.tls = tls
        self.client_secret = secrets.token_urlsafe(24)
        self.token_ttl = token_ttl
        self.review_after = review_after
        self.faults = tuple(faults)
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self._own_workdir = workdir is None
        self.workdir = Path(tempfile.mkdtemp(prefix="seat-gov-")) if workdir is None else workdir
        self.db_path = self.workdir / "gov-api.sqlite3"
        self.secret_path = self.workdir / "client-secret"
        self.log_path = self.workdir / "gov-api.log"
        self.url = ""
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "sandbox.gov_api.cli", "--port", str(self.port),
               "--db", str(self.db_path), "--client-id", self.client_id,
               "--client-secret-file", str(self.secret_path),
               "--token-ttl", str(self.token_ttl), "--review-after", str(self.review_after)]
        for fault in self.faults:
            cmd += ["--fault", fault]
        if self.tls is not None:
            cmd += ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])]
        return cmd

    def start(self) -> None:
        """Start (or restart on the same port, database and secret) and wait until it listens."""
        if self._proc is not None:
            raise RuntimeError("already started")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.secret_path.write_text(self.client_secret, encoding="utf-8")
        self.secret_path.chmod(0o600)
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=log, cwd=self.workdir)
        try:
            self.url = self._read_listening_line()
            self.port = int(self.url.rsplit(":", 1)[1])
        except BaseException:
            self.kill()
            raise

    def stop(self) -> int:
        proc = self._proc
        if proc is None:
            return 0
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        self._proc = None
        return proc.returncode

    def kill(self) -> None:
        proc = self._proc
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        self._proc = None

    def cleanup(self) -> None:
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
        self.cleanup()

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await asyncio.to_thread(self.stop)
        self.cleanup()

    # --- admin helpers ---------------------------------------------------------------

    async def admin(self, method: str, path: str, body: Any = None) -> Any:
        context = True if self.tls is None else tls_mod.client_context(self.tls[2])
        async with aiohttp.ClientSession() as session, session.request(
            method, self.url + path, json=body, ssl=context
        ) as response:
            answer = await response.json()
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status} {answer}")
            return answer

    async def add_fault(self, **fault: Any) -> None:
        await self.admin("POST", "/admin/faults", fault)

    async def clear_faults(self) -> None:
        await self.admin("DELETE", "/admin/faults")

    async def expire_tokens(self) -> None:
        await self.admin("POST", "/admin/tokens/expire")

    async def decide(self, number: str, status: str, reason: str = "") -> None:
        await self.admin("POST", f"/admin/applications/{number}/status",
                         {"status": status, "reason": reason})

    def applications(self) -> list[dict[str, Any]]:
        """Every application row in the sandbox's database (read-only), oldest first."""
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        try:
            rows = db.execute("SELECT * FROM applications ORDER BY rowid").fetchall()
        finally:
            db.close()
        return [dict(r) | {"body": json.loads(r["body"])} for r in rows]

    def requests(self) -> list[dict[str, Any]]:
        """The sandbox's request log so far (one JSON object per request)."""
        return self.events("request")

    def events(self, name: str) -> list[dict[str, Any]]:
        """The sandbox's log lines of one ``event`` so far (e.g. ``e_licence_lookup``)."""
        out = []
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        for line in text.splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("event") == name:
                out.append(event)
        return out

    # --- internals ---------------------------------------------------------------------

    def _read_listening_line(self) -> str:
        assert self._proc is not None
        return read_listening_line(
            self._proc,
            _LISTENING,
            self.start_timeout,
            lambda why: GovApiStartError(self._failure(why)),
        )

    def _failure(self, what: str) -> str:
        try:
            tail = "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])
        except FileNotFoundError:
            tail = ""
        return f"seat-gov-api {what}; its log ends with:\n{tail}"
