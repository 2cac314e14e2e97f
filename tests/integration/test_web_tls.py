"""The citizen page over https:// in a real browser: Debian's Chromium trusts the test CA
because it is in the NSS database Chromium on Linux reads (``$HOME/.pki/nssdb``), as a
government PC's browser trusts the city's CA once it is installed.

The honest way: Chromium verifies the chain and the host name itself. Chromium's
``--ignore-certificate-errors-spki-list`` would trust one key whatever the chain and the
name, and Playwright's ``ignore_https_errors`` trusts anything; neither would show that
the hub's certificate holds up in a browser. The control test is the same browser
without the CA: it refuses the page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Error, async_playwright

from sandbox.hub_process import HubProcess, SeatSpec
from tests.integration.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.tls_certs import TestPki

CERTUTIL = shutil.which("certutil")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or CERTUTIL is None,
                                reason="chromium and certutil (libnss3-tools): run scripts/setup")


def home_trusting(home: Path, ca_file: Path | None) -> Path:
    """A home folder whose NSS database trusts ``ca_file`` to issue server certificates."""
    assert CERTUTIL is not None
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run([CERTUTIL, "-N", "-d", f"sql:{nssdb}", "--empty-password"], check=True,
                   capture_output=True, timeout=60)
    if ca_file is not None:
        subprocess.run([CERTUTIL, "-A", "-d", f"sql:{nssdb}", "-n", "Seat Test CA",
                        "-t", "C,,", "-i", str(ca_file)], check=True, capture_output=True,
                       timeout=60)
    return home


@asynccontextmanager
async def chromium(home: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            env={**os.environ, "HOME": str(home)})
        yield browser
        await browser.close()


@pytest.fixture
def pki(tmp_path: Path) -> TestPki:
    return TestPki.make(tmp_path / "pki")


@pytest.fixture
async def tls_hub(pki: TestPki) -> AsyncIterator[HubProcess]:
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))],
                          tls=(pki.cert_file, pki.key_file)) as hub:
        yield hub


async def test_chromium_with_the_city_ca_queues_a_citizen_over_https_and_wss(
    tls_hub: HubProcess, pki: TestPki, tmp_path: Path
) -> None:
    home = home_trusting(tmp_path / "home", pki.ca_file)
    async with chromium(home) as browser:
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        response = await page.goto(f"{tls_hub.page_url}?item=SI-UNEMP-QUERY")
        assert response is not None and response.ok
        assert page.url.startswith("https://127.0.0.1:")
        await page.get_by_role("button", name="开始视频连线").click()
        await page.get_by_text("目前没有工作人员在线").wait_for()  # hello and join went over wss://
        queued = await tls_hub.wait_for_event("queued", within=20)
        assert queued["work_order_id"]
        assert any(e.get("path") == "/" for e in tls_hub.events("http"))
        await page.close()


async def test_chromium_without_the_ca_refuses_the_page(
    tls_hub: HubProcess, tmp_path: Path
) -> None:
    home = home_trusting(tmp_path / "home", None)
    async with chromium(home) as browser:
        page = await browser.new_page()
        with pytest.raises(Error, match="ERR_CERT_AUTHORITY_INVALID"):
            await page.goto(tls_hub.page_url)
        await page.close()
    assert not tls_hub.events("http"), "the browser sent no request to an untrusted hub"
