"""How a stand-in kiosk proves itself to the hub: its device id and token.

A kiosk is provisioned in the hub's seats file (``kiosks``: device id, hall,
the token's SHA-256); the kiosk itself keeps the plain token in a file only
it can read, never on its command line (where ``ps`` would show it).
``KioskLogin.from_file`` reads that file; ``hello`` is the first message the
kiosk sends. The simulated kiosk (``sandbox.kiosk``) and the simulated
citizens queueing at a kiosk (``seat-sim --channels kiosk``) both use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seat_common import protocol


class KioskLoginError(ValueError):
    """The token file is missing, unreadable or empty."""


@dataclass(frozen=True, slots=True)
class KioskLogin:
    """A kiosk's device id and plain token."""

    device_id: str
    token: str

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return f"KioskLogin(device_id={self.device_id!r}, token=<hidden>)"

    @classmethod
    def from_file(cls, device_id: str, token_file: Path) -> KioskLogin:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise KioskLoginError(f"cannot read the kiosk token file {token_file}: {exc}") from exc
        if not token:
            raise KioskLoginError(f"the kiosk token file {token_file} is empty")
        return cls(device_id, token)

    def hello(self, name: str = "") -> protocol.Hello:
        return protocol.Hello(role="kiosk", token=self.token, name=name, seat_id=self.device_id)
