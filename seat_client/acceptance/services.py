"""Acceptance (业务受理) as the composition root builds it: forms, API client, outbox, receipts.

    desk = await open_acceptance_desk(settings)     # after the agent logged in
    ...                                              # hand desk.forms / desk.outbox to panes
    await desk.close()                               # on shutdown

The outbox file and the receipts live under ``settings.state_path()``;
the API address and client id come from the settings, the client secret
and tokens from the system keyring (``KeyringGovApiCredentials``; store the
secret once with ``store_client_secret``). The outbox worker starts at once
and first delivers whatever an earlier run left queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seat_client.acceptance.gov_api_client import GovApiClient, KeyringGovApiCredentials
from seat_client.acceptance.outbox import SubmissionOutbox
from seat_client.settings import WorkstationSettings
from seat_common.forms import FormLibrary


@dataclass
class AcceptanceDesk:
    """What the form pane, the outbox list and the receipt view are built from."""

    forms: FormLibrary
    client: GovApiClient
    outbox: SubmissionOutbox
    receipts_dir: Path

    async def close(self) -> None:
        await self.outbox.stop()
        await self.client.close()


def outbox_path(settings: WorkstationSettings) -> Path:
    return settings.state_path() / "outbox.sqlite3"


def receipts_dir(settings: WorkstationSettings) -> Path:
    return settings.state_path() / "receipts"


def store_client_secret(settings: WorkstationSettings, secret: str) -> None:
    """Keep the API client secret in the keyring (blocking: call from a thread or at set-up)."""
    KeyringGovApiCredentials(settings.gov_api_client_id).set_client_secret(secret.strip())


async def open_acceptance_desk(
    settings: WorkstationSettings, forms: FormLibrary | None = None
) -> AcceptanceDesk:
    credentials = KeyringGovApiCredentials(settings.gov_api_client_id)
    client = GovApiClient(settings.gov_api_url, credentials)
    outbox = SubmissionOutbox(outbox_path(settings), client)
    await outbox.open()
    outbox.start()
    return AcceptanceDesk(forms or FormLibrary(), client, outbox, receipts_dir(settings))
