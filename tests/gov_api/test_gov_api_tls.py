"""The government-API client on TLS: the sandbox serves https:// with a certificate from a
CA made at test time; the client that trusts that CA file talks to it, the one that does
not is refused with a clear message (and sends nothing, not even the client secret)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from sandbox.gov_api_process import GovApiProcess
from seat_client.acceptance.gov_api_client import (
    GovApiClient,
    KeyringGovApiCredentials,
    TransportError,
    UntrustedServer,
)
from seat_common.tls import InsecureUrlError, TlsProblem
from tests.tls_certs import TestPki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return TestPki.make(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_api(pki: TestPki) -> Iterator[GovApiProcess]:
    with GovApiProcess(tls=(pki.cert_file, pki.key_file, pki.ca_file)) as process:
        yield process


@pytest.fixture
def credentials(tls_api: GovApiProcess) -> Iterator[KeyringGovApiCredentials]:
    creds = KeyringGovApiCredentials(tls_api.client_id,
                                     service=f"seat-gov-api-test-{uuid.uuid4()}")
    creds.set_client_secret(tls_api.client_secret)
    yield creds
    creds.save_token(None)


@pytest.fixture
async def clients() -> AsyncIterator[list[GovApiClient]]:
    made: list[GovApiClient] = []
    yield made
    for client in made:
        await client.close()


async def test_the_client_with_the_ca_file_talks_to_the_sandbox_over_https(
    tls_api: GovApiProcess, pki: TestPki, credentials: KeyringGovApiCredentials,
    clients: list[GovApiClient],
) -> None:
    assert tls_api.url.startswith("https://127.0.0.1:")
    client = GovApiClient(tls_api.url, credentials, timeout_s=10.0, ca_file=pki.ca_file)
    clients.append(client)
    halls = await client.halls()
    assert halls and all("code" in h for h in halls)
    assert client.tokens_fetched == 1
    await tls_api.add_fault(kind="latency", ms=1)  # the admin helpers trust the CA too
    await tls_api.clear_faults()


async def test_without_the_ca_file_the_api_certificate_is_refused_before_any_secret_is_sent(
    tls_api: GovApiProcess, credentials: KeyringGovApiCredentials, clients: list[GovApiClient],
) -> None:
    before = len(tls_api.requests())
    client = GovApiClient(tls_api.url, credentials, timeout_s=10.0)  # the system store only
    clients.append(client)
    with pytest.raises(UntrustedServer) as refused:
        await client.halls()
    assert isinstance(refused.value, TransportError) and refused.value.retryable
    assert refused.value.failure.problem is TlsProblem.UNTRUSTED
    assert "政务服务接口的证书未通过验证" in str(refused.value)
    assert "not signed by a trusted CA" in str(refused.value)
    assert len(tls_api.requests()) == before, "nothing reached the API"


async def test_a_certificate_for_another_host_is_refused(
    pki: TestPki, tmp_path: Path, credentials: KeyringGovApiCredentials,
    clients: list[GovApiClient],
) -> None:
    wrong = pki.server("api-wrong", ["api.other.example"])
    async with GovApiProcess(workdir=tmp_path / "api",
                             tls=(wrong.cert_file, wrong.key_file, pki.ca_file)) as api:
        credentials.set_client_secret(api.client_secret)
        client = GovApiClient(api.url, credentials, timeout_s=10.0, ca_file=pki.ca_file)
        clients.append(client)
        with pytest.raises(UntrustedServer) as refused:
            await client.halls()
    assert refused.value.failure.problem is TlsProblem.WRONG_HOST


def test_plain_http_to_another_machine_is_refused(
    credentials: KeyringGovApiCredentials,
) -> None:
    with pytest.raises(InsecureUrlError, match=re.escape("use https:// for 'api.dg.gov.cn'")):
        GovApiClient("http://api.dg.gov.cn", credentials)
