"""The plugin host: plugins are checked when they register, run under a time limit, and a
plugin that raises or hangs in any hook is switched off with a notice while the others —
and the contact — go on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from seat_client import plugin_api as api
from seat_client.plugin_host.host import PluginHost, PluginRefused
from seat_client.plugin_host.port import CounterPort
from seat_common import catalog

ITEM = "BR-INDIVIDUAL-SETUP"


class Recorder(api.TaskPlugin):
    """A well-behaved plugin that records which hooks ran."""

    items = (ITEM,)

    def __init__(self) -> None:
        self.ran: list[str] = []

    @api.hookimpl
    def call_did_start(self, context: api.PluginContext) -> None:
        self.ran.append("call_did_start")

    @api.hookimpl
    def scenario_will_ask(self, context: api.PluginContext) -> Sequence[api.ScenarioQuestion]:
        self.ran.append("scenario_will_ask")
        return (api.ScenarioQuestion("q", "Q?", "Q?", (api.ScenarioOption("a", "A"),)),)

    @api.hookimpl
    def checklist_will_choose(self, context: api.PluginContext, answers: Mapping[str, str]
                              ) -> api.ChecklistChoice:
        self.ran.append("checklist_will_choose")
        return api.ChecklistChoice((api.MaterialRequirement("id_card", "ID", True),), "v")

    @api.hookimpl
    def form_will_prefill(self, context: api.PluginContext) -> Mapping[str, str]:
        self.ran.append("form_will_prefill")
        return {"business_scope": "小吃"}

    @api.hookimpl
    def panel_will_open(self, context: api.PluginContext) -> api.PanelFactory | None:
        self.ran.append("panel_will_open")
        return None

    @api.hookimpl
    def actions_will_list(self, context: api.PluginContext) -> Sequence[api.PluginAction]:
        self.ran.append("actions_will_list")
        return ()

    @api.hookimpl
    def submit_will_check(self, context: api.PluginContext, values: Mapping[str, str]
                          ) -> Sequence[str]:
        self.ran.append("submit_will_check")
        return ("recorder wants more",)

    @api.hookimpl
    def appointment_did_open(self, context: api.PluginContext,
                             appointment: Mapping[str, Any]) -> None:
        self.ran.append("appointment_did_open")

    @api.hookimpl
    def call_did_end(self, context: api.PluginContext) -> None:
        self.ran.append("call_did_end")


def misbehaving(hook: str, how: str) -> api.TaskPlugin:
    """A plugin whose ``hook`` raises, blocks its thread, or awaits forever."""

    def sync_impl(self: Any, context: api.PluginContext, **_: Any) -> Any:
        if how == "raise":
            raise RuntimeError(f"boom in {hook}")
        time.sleep(2.0)  # a blocking hang: its worker thread is abandoned at the limit

    async def async_impl(self: Any, context: api.PluginContext, **_: Any) -> Any:
        await asyncio.sleep(3600)

    impl = async_impl if how == "async_hang" else sync_impl
    extra = {"checklist_will_choose": "answers", "submit_will_check": "values",
             "appointment_did_open": "appointment"}.get(hook)
    # pluggy reads the argument names: give the impl exactly the spec's names.
    if extra is None:
        if how == "async_hang":
            async def f(self: Any, context: api.PluginContext) -> Any:
                return await impl(self, context)
        else:
            def f(self: Any, context: api.PluginContext) -> Any:  # type: ignore[misc]
                return impl(self, context)
    else:
        ns: dict[str, Any] = {"impl": impl}
        kw = "async " if how == "async_hang" else ""
        aw = "await " if how == "async_hang" else ""
        exec(f"{kw}def f(self, context, {extra}):\n    return {aw}impl(self, context)", ns)
        f = ns["f"]
    cls = type("Bad", (api.TaskPlugin,), {"items": (ITEM,), hook: api.hookimpl(f)})
    return cls()  # type: ignore[no-any-return]


def make_host(*plugins: tuple[str, object], limit: float = 0.3) -> PluginHost:
    host = PluginHost(catalog.load(), entry_points=list, hook_time_limit_s=limit)
    for name, plugin in plugins:
        host.register(name, plugin)
    return host


APPOINTMENT = {"booking_no": "YY-1", "item_code": ITEM, "name": "吴小梅",
               "id_number": "11010519491231002X", "mobile": "13800138000",
               "work_order_id": "wo-1", "links": {"scenario_answers": {"q": "a"},
                                                  "form": {"code": "x", "values": {"a": "1"}}}}


async def drive(host: PluginHost, tmp_path: Path) -> tuple[list[str], list[api.PluginNotice]]:
    """Every hook once: open an intake from an appointment, check a submit, close."""
    notices: list[api.PluginNotice] = []
    host.notice.connect(notices.append)
    port = CounterPort(host, tmp_path)
    await host.open_appointment(APPOINTMENT, port)
    problems = await host.check_submit({"a": "1"})
    await host.close_contact()
    return problems, notices


async def test_every_hook_runs_for_a_good_plugin(tmp_path: Path) -> None:
    good = Recorder()
    host = make_host(("good", good))
    suggested: list[dict[str, str]] = []
    host.form_suggested.connect(suggested.append)
    problems, notices = await drive(host, tmp_path)
    assert set(good.ran) == set(api.HOOK_NAMES)
    assert problems == ["recorder wants more"]
    assert {"business_scope": "小吃"} in suggested and {"a": "1"} in suggested
    assert notices == [] and host.disabled == {}


@pytest.mark.parametrize("how", ["raise", "sync_hang", "async_hang"])
@pytest.mark.parametrize("hook", api.HOOK_NAMES)
async def test_a_plugin_that_fails_in_a_hook_is_switched_off_and_the_rest_goes_on(
    hook: str, how: str, tmp_path: Path
) -> None:
    good = Recorder()
    host = make_host(("bad", misbehaving(hook, how)), ("good", good))
    started = time.monotonic()
    problems, notices = await drive(host, tmp_path)
    assert time.monotonic() - started < 2.0, "a hang costs the time limit, not the hang"
    assert "bad" in host.disabled and hook in host.disabled["bad"]
    assert [n for n in notices if n.plugin == "bad" and n.level == "error"]
    assert set(good.ran) == set(api.HOOK_NAMES), "the good plugin still ran every hook"
    assert problems == ["recorder wants more"]
    # switched off for good: the next contact does not call it again
    assert host.plugins_for(ITEM) == ["good"]


def test_hooks_are_checked_against_their_specs_when_a_plugin_registers() -> None:
    class Typo(api.TaskPlugin):
        items = (ITEM,)

        @api.hookimpl
        def call_did_strat(self, context: api.PluginContext) -> None: ...

    class WrongArgs(api.TaskPlugin):
        items = (ITEM,)

        @api.hookimpl
        def submit_will_check(self, context: api.PluginContext, form: Any) -> None: ...

    class Future(api.TaskPlugin):
        items = (ITEM,)
        api_version = 99

    class NoItem(api.TaskPlugin):
        items = ("NOT-IN-CATALOG",)

    host = make_host()
    for name, plugin, why in [("typo", Typo, "call_did_strat"), ("args", WrongArgs, "form"),
                              ("future", Future, "API 99"), ("none", NoItem, "NOT-IN-CATALOG"),
                              ("junk", object(), "TaskPlugin")]:
        with pytest.raises(PluginRefused, match=why):
            host.register(name, plugin)
    assert host.loaded() == []


async def test_an_action_that_fails_is_a_notice_or_a_switch_off(tmp_path: Path) -> None:
    class Actions(api.TaskPlugin):
        items = (ITEM,)

        async def lookup_fails(self, context: api.PluginContext) -> None:
            raise api.LookupFailed("API down")

        async def hangs(self, context: api.PluginContext) -> None:
            await asyncio.sleep(3600)

        @api.hookimpl
        def actions_will_list(self, context: api.PluginContext) -> Sequence[api.PluginAction]:
            return (api.PluginAction("a", "A", "A", self.lookup_fails),
                    api.PluginAction("b", "B", "B", self.hangs))

    host = PluginHost(catalog.load(), entry_points=list, action_time_limit_s=0.3)
    host.register("acts", Actions)
    notices: list[api.PluginNotice] = []
    host.notice.connect(notices.append)
    await host.open_appointment(APPOINTMENT, CounterPort(host, tmp_path))
    await host.run_action("acts", "a")
    assert notices[-1].level == "warning" and "API down" in notices[-1].text
    assert host.disabled == {}, "a failed lookup is not a broken plugin"
    await host.run_action("acts", "b")
    assert "acts" in host.disabled and notices[-1].level == "error"
    await host.close()


async def test_spawned_tasks_are_bounded_and_owned(tmp_path: Path) -> None:
    contexts: list[api.PluginContext] = []

    class Spawner(api.TaskPlugin):
        items = (ITEM,)

        @api.hookimpl
        async def call_did_start(self, context: api.PluginContext) -> None:
            contexts.append(context)

    host = make_host(("spawner", Spawner()))
    notices: list[api.PluginNotice] = []
    host.notice.connect(notices.append)
    await host.open_appointment(APPOINTMENT, CounterPort(host, tmp_path))
    task = contexts[0].spawn(asyncio.sleep(3600), name="slow", timeout_s=0.1)
    await asyncio.wait_for(task, 2)
    assert "stopped after" in notices[-1].text
    assert contexts[0].save_file("../../x.pdf", b"%PDF").parent == \
        tmp_path / "wo-1" / "spawner", "a plugin cannot write outside its work-order folder"
    await host.close()


def test_masked_id_numbers_match_only_their_full_number() -> None:
    assert api.matches_masked("11010519491231002X", "1101**********002X")
    assert not api.matches_masked("11010519491231002X", "1101**********0021")
    assert not api.matches_masked("1101", "1101**********002X")


async def test_a_checklist_chosen_for_older_answers_never_replaces_the_newest(
        tmp_path: Path) -> None:
    """Quick answers run several choices at once; the one for older answers may end last."""
    first_may_end = asyncio.Event()

    class Slow(api.TaskPlugin):
        items = (ITEM,)

        @api.hookimpl
        async def checklist_will_choose(self, context: api.PluginContext,
                                        answers: Mapping[str, str]) -> api.ChecklistChoice:
            if dict(answers) == {"q": "z"}:
                await first_may_end.wait()  # the choice for the older answers ends last
            elif "r" in answers:
                first_may_end.set()
            variant = "/".join(f"{k}={v}" for k, v in sorted(answers.items()))
            return api.ChecklistChoice((api.MaterialRequirement("id_card", "ID", True),), variant)

    host = make_host(("slow", Slow()), limit=10)
    await host.open_appointment(APPOINTMENT, CounterPort(host, tmp_path))
    await asyncio.gather(host.answer("slow", "q", "z"), host.answer("slow", "r", "b"))
    (session,) = host.sessions
    assert session.checklist is not None and session.checklist.form_variant == "q=z/r=b"
    await host.close()
