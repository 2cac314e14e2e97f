"""Fixtures for whole-system tests: a real hub process and a workstation window offscreen."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright
from PyQt6 import sip
from PyQt6.QtCore import QCoreApplication, QSettings
from PyQt6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sandbox.gov_api_process import GovApiProcess
from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.acceptance.gov_api_client import KeyringGovApiCredentials
from seat_client.acceptance.services import AcceptanceServices, open_acceptance_services
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_client.materials.cache import MaterialCache
from seat_client.materials.transfer import MaterialTransfer
from seat_client.review import session as review
from seat_client.review.desk import ReviewDesk
from seat_client.review.session import ReviewStore
from seat_client.settings import WorkstationSettings
from seat_common import catalog, protocol
from ui import i18n
from ui.review.images import MaterialImages
from ui.review.pane import ReviewPane
from ui.workstation.main_window import MainWindow
from ui.workstation.work_tabs import PreReviewParts

ALL_SKILLS = tuple(catalog.load().skills)


async def until(condition: Callable[[], bool], what: str, timeout_s: float = 20.0) -> None:
    """Wait on the running (qasync) loop until ``condition`` holds; fail naming ``what``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for: {what}")
        await asyncio.sleep(0.02)


@dataclass
class Seat:
    """A logged-in workstation window for agent 0012 on a real hub, with the work tabs."""

    hub: HubProcess
    workstation: Workstation
    window: MainWindow
    pre_review: PreReviewParts


@pytest.fixture
async def hub() -> AsyncIterator[HubProcess]:
    async with HubProcess(
        [SeatSpec("0012", "张三", skills=ALL_SKILLS)], ring_timeout=10.0
    ) as process:
        yield process


@pytest.fixture
def gov_api() -> Iterator[GovApiProcess]:
    """The government-API sandbox, its tokens good for an hour."""
    with GovApiProcess(token_ttl=3600) as process:
        yield process


@pytest.fixture
async def acceptance(gov_api: GovApiProcess,
                     tmp_path: Path) -> AsyncIterator[AcceptanceServices]:
    """The workstation's acceptance services on ``gov_api``, its state in ``tmp_path``, as
    the composition root opens them; closed after, and the API token the keyring kept
    forgotten. The application tabs on them: ``acceptance_rig.application_parts``."""
    credentials = KeyringGovApiCredentials(gov_api.client_id)
    credentials.set_client_secret(gov_api.client_secret)
    settings = replace(WorkstationSettings(), state_dir=str(tmp_path), gov_api_url=gov_api.url,
                       gov_api_client_id=gov_api.client_id)
    services = await open_acceptance_services(settings)
    yield services
    await services.close()
    credentials.save_token(None)


@pytest.fixture
def chinese_ui(qapp: QApplication) -> Iterator[None]:
    """The workstation's default language (Simplified Chinese) for one test."""
    translators = i18n.install(qapp, "zh_CN")
    yield
    for translator in translators:
        QCoreApplication.removeTranslator(translator)


@pytest.fixture
async def seat(hub: HubProcess, qtbot: QtBot, tmp_path: Path, chinese_ui: None
               ) -> AsyncIterator[Seat]:
    token = hub.tokens["0012"]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    workstation = Workstation(link)
    settings = QSettings(str(tmp_path / "workstation.ini"), QSettings.Format.IniFormat)
    transfer = MaterialTransfer(link, MaterialCache(tmp_path / "materials"))
    store = ReviewStore(tmp_path)
    pre_review = PreReviewParts(
        desk=ReviewDesk(workstation, transfer, store, catalog.load(), review.load_reasons()),
        pane=ReviewPane(MaterialImages(), store, agent_id="0012"),
        transfer=transfer,
    )
    window = MainWindow(workstation, settings, tmp_path, pre_review=pre_review)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    transfer.attach()
    link.start()
    await until(lambda: link.state is LinkState.CONNECTED, "the workstation logs in")
    yield Seat(hub, workstation, window, pre_review)
    pre_review.pane.close_pane()
    await transfer.close()
    if not sip.isdeleted(window):  # pytest-qt may have closed it already
        window.close()
    await workstation.close()


#: Debian's Chromium, as the web-page tests drive it (Playwright): a fake camera and
#: microphone, granted without asking, and WebRTC on loopback.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Chromium for one test (the page tests skip themselves when it is not installed)."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()
