"""A third-party plugin, packaged outside this repository, is found through its entry point,
imported only when an item it serves needs it, and runs with the same context as ours."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from seat_client import plugin_api as api
from seat_client.plugin_host.host import PluginHost
from seat_client.plugin_host.port import CounterPort
from seat_common import catalog

PLUGIN = textwrap.dedent('''
    """An elderly-allowance helper a town could ship on its own."""
    from seat_client.plugin_api import ChecklistChoice, MaterialRequirement, ScenarioOption, \\
        ScenarioQuestion, TaskPlugin, hookimpl

    IMPORTED = True

    class AgedAllowance(TaskPlugin):
        items = ("EC-AGED-ALLOWANCE",)
        title = "高龄津贴助手"

        @hookimpl
        def scenario_will_ask(self, context):
            return (ScenarioQuestion("proxy", "是否由他人代办？", "By a proxy?", (
                ScenarioOption("no", "本人"),
                ScenarioOption("yes", "代办", materials=(
                    MaterialRequirement("proxy_id", "代办人身份证", True),)))),)

        @hookimpl
        def checklist_will_choose(self, context, answers):
            base = (MaterialRequirement("id_card", "老人身份证", True),)
            extra = tuple(m for q in self_questions() for o in q.options
                          if answers.get(q.code) == o.value for m in o.materials)
            return ChecklistChoice(base + extra)

        @hookimpl
        def form_will_prefill(self, context):
            return {"request": "申领高龄老人生活津贴（" + context.item.name + "）"}

    def self_questions():
        return AgedAllowance().scenario_will_ask(None)
''')


@pytest.fixture
def third_party(tmp_path: Path) -> Iterator[Path]:
    """The package and its dist-info (what pip would write) on sys.path."""
    site = tmp_path / "site"
    (site / "seat_town_plugin").mkdir(parents=True)
    (site / "seat_town_plugin" / "__init__.py").write_text(PLUGIN, encoding="utf-8")
    info = site / "seat_town_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: seat-town-plugin\n"
                                   "Version: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[seat_client.plugins]\naged_allowance = seat_town_plugin:AgedAllowance\n",
        encoding="utf-8")
    sys.path.insert(0, str(site))
    yield site
    sys.path.remove(str(site))
    sys.modules.pop("seat_town_plugin", None)


async def test_a_third_party_plugin_is_found_imported_lazily_and_run(
    third_party: Path, tmp_path: Path
) -> None:
    host = PluginHost(catalog.load())
    assert "aged_allowance" in host.discovered()
    assert {"unemployment_query", "pension_certification", "business_registration",
            "proxy_booking"} <= set(host.discovered()), "the built-ins come the same way"
    assert "seat_town_plugin" not in sys.modules, "discovery imports nothing"
    suggested: dict[str, str] = {}
    host.form_suggested.connect(suggested.update)
    sessions = await host.open_appointment(
        {"booking_no": "YY-9", "item_code": "EC-AGED-ALLOWANCE", "name": "陈伯",
         "work_order_id": "wo-9"}, CounterPort(host, tmp_path))
    assert "seat_town_plugin" in sys.modules
    assert [s.name for s in sessions] == ["aged_allowance"]
    assert suggested == {"request": "申领高龄老人生活津贴（高龄老人生活津贴申领）"}
    await host.answer("aged_allowance", "proxy", "yes")
    checklist = sessions[0].checklist
    assert checklist is not None
    assert [m.code for m in checklist.materials] == ["id_card", "proxy_id"]
    assert host.disabled == {}
    await host.close()


async def test_a_plugin_that_cannot_be_imported_is_reported_not_fatal(
    third_party: Path, tmp_path: Path
) -> None:
    (third_party / "seat_town_plugin" / "__init__.py").write_text("raise ImportError('gone')")
    host = PluginHost(catalog.load())
    notices: list[api.PluginNotice] = []
    host.notice.connect(notices.append)
    assert host.plugins_for("SI-UNEMP-QUERY") == ["unemployment_query"]
    assert "gone" in host.disabled["aged_allowance"]
    assert notices and notices[0].level == "error"
