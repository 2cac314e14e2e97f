"""Acceptance's services as the composition root builds them: forms, API client, outbox,
receipts.

    services = await open_acceptance_services(settings, tasks=tasks.child("outbox"))
    desk = ApplicationDesk(services.outbox, services.forms, catalog, workstation)
    ...                                              # hand them to the panes
    await services.close()                           # on shutdown

The outbox file and the receipts live under ``settings.state_path()``;
the API address and client id come from the settings, the client secret
and tokens from the system keyring (``KeyringGovApiCredentials``; store the
secret once with ``store_client_secret``). The outbox worker starts at once
(its tasks under ``tasks``) and first delivers whatever an earlier run left queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seat_client.acceptance.gov_api_client import GovApiClient, KeyringGovApiCredentials
from seat_client.acceptance.outbox import SubmissionOutbox
from seat_client.settings import WorkstationSettings
from seat_common.forms import FormLibrary
from seat_common.tasks import TaskOwner


@dataclass
class AcceptanceServices:
    """What the application desk, the outbox list and the receipt view are built from."""

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


async def open_acceptance_services(
    settings: WorkstationSettings, forms: FormLibrary | None = None, *,
    tasks: TaskOwner | None = None,
) -> AcceptanceServices:
    """The services, with the outbox open and its worker running under ``tasks`` (closed
    with the outbox)."""
    credentials = KeyringGovApiCredentials(settings.gov_api_client_id)
    client = GovApiClient(settings.gov_api_url, credentials, ca_file=settings.ca_path())
    outbox = SubmissionOutbox(outbox_path(settings), client, tasks=tasks)
    await outbox.open()
    outbox.start()
    return AcceptanceServices(forms or FormLibrary(), client, outbox, receipts_dir(settings))
