"""Fixtures: a real ``seat-gov-api`` process for the module, reset per test, and a client
whose secret and token live in the real keyring (scripts/with-keyring)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from sandbox.gov_api_process import GovApiProcess
from seat_client.acceptance.gov_api_client import GovApiClient, KeyringGovApiCredentials


@pytest.fixture(scope="module")
def gov_api() -> Iterator[GovApiProcess]:
    with GovApiProcess(token_ttl=3600, review_after=0.3) as process:
        yield process


@pytest.fixture
async def api(gov_api: GovApiProcess) -> AsyncIterator[GovApiProcess]:
    """The module's sandbox with no faults left over from another test."""
    await gov_api.clear_faults()
    yield gov_api
    await gov_api.clear_faults()


@pytest.fixture
def credentials(gov_api: GovApiProcess) -> Iterator[KeyringGovApiCredentials]:
    creds = KeyringGovApiCredentials(gov_api.client_id, service=f"seat-gov-api-test-{uuid.uuid4()}")
    creds.set_client_secret(gov_api.client_secret)
    yield creds
    creds.save_token(None)


@pytest.fixture
async def client(api: GovApiProcess, credentials: KeyringGovApiCredentials
                 ) -> AsyncIterator[GovApiClient]:
    c = GovApiClient(api.url, credentials, timeout_s=5.0)
    yield c
    await c.close()
