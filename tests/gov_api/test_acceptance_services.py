"""The composition root's acceptance services: settings in, a working outbox to the API out,
and a restart picks up what the last run left queued."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from sandbox.gov_api_process import GovApiProcess
from seat_client.acceptance.gov_api_client import KeyringGovApiCredentials
from seat_client.acceptance.outbox_entries import OutboxState, Submission
from seat_client.acceptance.services import (
    open_acceptance_services,
    outbox_path,
    store_client_secret,
)
from seat_client.settings import SettingsError, WorkstationSettings

VALUES = {"residence": "local", "pensioner_name": "吴小梅",
          "pensioner_id_number": "11010519491231002X", "mobile": "13800138000",
          "pension_start": "2010-03-01", "certification_way": "video"}


def test_the_api_address_is_checked() -> None:
    with pytest.raises(SettingsError, match="gov_api_url"):
        WorkstationSettings(gov_api_url="ftp://x").checked()


async def test_services_deliver_and_survive_a_restart(tmp_path: Path, api: GovApiProcess) -> None:
    settings = WorkstationSettings(state_dir=str(tmp_path), gov_api_url=api.url,
                                   gov_api_client_id=api.client_id).checked()
    store_client_secret(settings, api.client_secret)
    await api.add_fault(kind="error", status=503)  # the API is down: it stays queued
    services = await open_acceptance_services(settings)
    entry = await services.outbox.enqueue(Submission(
        "WO-desk-1", "SI-PENSION-CERT", "养老认证", "pension_certification", dict(VALUES)))
    def tried_and_queued() -> bool:  # one attempt made and answered 503: queued again
        e = services.outbox.entry(entry.entry_id)
        return e is not None and e.attempts >= 1 and e.state is OutboxState.QUEUED

    deadline = time.monotonic() + 10
    while not tried_and_queued():
        assert time.monotonic() < deadline, services.outbox.entry(entry.entry_id)
        await asyncio.sleep(0.02)
    await services.close()
    assert outbox_path(settings).exists()

    await api.clear_faults()
    services = await open_acceptance_services(settings)
    deadline = time.monotonic() + 10
    while services.outbox.entry(entry.entry_id).state is not OutboxState.ACCEPTED:  # type: ignore[union-attr]
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    await services.close()
    KeyringGovApiCredentials(settings.gov_api_client_id).save_token(None)
