"""The whole agent seat on a real hub and the real government-API sandbox, for layout cases.

``running_seat`` starts a hub (agent 0012 with every skill), the government-API sandbox
(its client secret in the keyring), and the seat exactly as ``seat-client`` assembles it
(``ui.workstation.assembly``), in the case's language and text size and at its window
size. ``call_in`` brings a simulated citizen on a real WebRTC call; ``look`` saves a
screenshot under ``out/layout/`` and returns what ``geometry.layout_problems`` finds.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QApplication, QWidget

from sandbox.citizen import CitizenScript, SimulatedCitizen
from sandbox.gov_api_process import GovApiProcess
from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.acceptance.gov_api_client import KeyringGovApiCredentials
from seat_client.call.hub_link import LinkState
from seat_client.settings import Language, WorkstationSettings
from seat_common import catalog
from seat_common.forms import FORMS_DIR, FieldKind, FormLibrary
from tests.layout.geometry import layout_problems
from ui import i18n
from ui.theme import apply_theme
from ui.workstation.assembly import AssembledSeat, assemble_seat

OUT = Path(__file__).resolve().parents[2] / "out" / "layout"
#: Screenshots of a run at 200 % scaling (``QT_SCALE_FACTOR=2``) are kept apart.
SCALE_SUFFIX = "-x2" if os.environ.get("QT_SCALE_FACTOR") == "2" else ""
ALL_SKILLS = tuple(catalog.load().skills)
#: The catalog's longest item name (基本医疗保险参保人员享受门诊慢特病病种待遇认定).
LONGEST_ITEM = max(catalog.load().items.values(), key=lambda item: len(item.name)).code
#: A long name, as citizens of Xinjiang often have (with the middle dot).
LONG_NAME = "买买提明·阿卜杜热依木"


#: A form with a field of every kind the schemas know (the packaged forms together lack
#: none but the unified social credit code): the individual business form plus one.
EVERY_FIELD_KIND = "every_field_kind"


def forms_with_every_field_kind(folder: Path) -> FormLibrary:
    """The packaged forms and ``EVERY_FIELD_KIND`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in FORMS_DIR.glob("*.json"):
        shutil.copy(path, folder / path.name)
    raw = json.loads((FORMS_DIR / "individual_business.json").read_text(encoding="utf-8"))
    raw["code"] = EVERY_FIELD_KIND
    raw["fields"].append({"code": "employer_uscc", "label": "原单位统一社会信用代码",
                          "label_en": "Former employer's credit code", "kind": "uscc",
                          "required": False})
    kinds = {f["kind"] for f in raw["fields"]}
    assert kinds == set(get_args(FieldKind)), f"kinds missing: {set(get_args(FieldKind)) - kinds}"
    (folder / f"{EVERY_FIELD_KIND}.json").write_text(json.dumps(raw, ensure_ascii=False),
                                                      encoding="utf-8")
    return FormLibrary(folder)


@dataclass(frozen=True)
class Case:
    """How the seat is set up: language, text size, window size."""

    name: str
    language: Language = "zh_CN"
    large_text: bool = False
    size: tuple[int, int] = (1366, 768)


async def until(condition: Callable[[], object], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.05)


@dataclass
class LayoutSeat:
    """A running seat and what serves it."""

    case: Case
    hub: HubProcess
    seat: AssembledSeat

    @property
    def window(self) -> QWidget:
        return self.seat.window

    async def look(self, state: str, widget: QWidget | None = None) -> list[str]:
        """Let the layout settle, save ``<case>-<state>.png``, return the problems."""
        target = widget or self.seat.window
        # Layouts settle on the event loop; never spin a nested Qt loop under qasync.
        for _ in range(4):
            await asyncio.sleep(0.05)
        OUT.mkdir(parents=True, exist_ok=True)
        target.grab().save(str(OUT / f"{self.case.name}{SCALE_SUFFIX}-{state}.png"))
        return layout_problems(target)

    def citizen(self, *, item: str = "", name: str = LONG_NAME, priority: str = "elderly",
                photos: int = 0) -> SimulatedCitizen:
        kinds = ("id_front", "id_back", "household_register", "application", "bank_card",
                 "business_licence")
        script = CitizenScript(
            photos=tuple(f"{kinds[i % len(kinds)]}::{i}" for i in range(photos)),
            photo_width=1600, photo_height=1200, give_up_after_s=120.0)
        code = item or LONGEST_ITEM
        channel = catalog.load().items[code].channels[0]
        return SimulatedCitizen(self.hub.url, code, channel, name,
                                id_number="65010219550101203X", phone="13912345678",
                                hall="乌鲁木齐路便民服务中心", priority=priority,  # type: ignore[arg-type]
                                script=script)


@asynccontextmanager
async def running_seat(case: Case, tmp_path: Path) -> AsyncIterator[LayoutSeat]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    for old in OUT.glob(f"{case.name}{SCALE_SUFFIX}-*.png"):  # this run's screenshots only
        old.unlink()
    translators = i18n.install(app, case.language)
    apply_theme(app, large_text=case.large_text)
    seats = [SeatSpec("0012", "张三", skills=ALL_SKILLS, hall="东莞市民服务中心")]
    try:
        async with HubProcess(seats, workdir=tmp_path / "hub", ring_timeout=60.0) as hub, \
                GovApiProcess(workdir=tmp_path / "gov-api") as gov_api:
            await asyncio.to_thread(KeyringGovApiCredentials(gov_api.client_id)
                                    .set_client_secret, gov_api.client_secret)
            settings = WorkstationSettings(
                hub_url=hub.url, agent_id="0012", language=case.language,
                large_text=case.large_text, state_dir=str(tmp_path / "state"),
                gov_api_url=gov_api.url, gov_api_client_id=gov_api.client_id,
            ).checked()
            seat = await assemble_seat(settings, hub.tokens["0012"], size=case.size,
                                       forms=forms_with_every_field_kind(tmp_path / "forms"))
            await seat.start()
            try:
                await until(lambda: seat.link.state is LinkState.CONNECTED, "the seat logs in")
                yield LayoutSeat(case, hub, seat)
            finally:
                await seat.close()
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
        apply_theme(app, large_text=False)
