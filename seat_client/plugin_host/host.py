"""The task-plugin host: finds plugins by entry point, loads them when an item needs them,
checks their hooks against the specs, runs each hook under a time limit, and disables a
plugin that raises or hangs — with a notice — while the call goes on.

``PluginHost`` is UI-free. For each contact (a video call or a counter intake) it opens a
``PluginSession`` per plugin serving the item: the plugin's context, its scenario
questions and answers, the materials checklist, its actions and panel factory.

Events: ``sessions_changed`` (the open sessions, a tuple — empty when the contact ends),
``session_updated`` (one session whose questions, checklist or busy state changed),
``notice`` (``PluginNotice``), ``form_suggested`` (field → value suggestions, for the
form pane).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import inspect
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pluggy

from seat_client import plugin_api as api
from seat_client.materials.values import MaterialRef
from seat_client.plugin_host.gov_lookups import GovApiLookups as GovApiLookups
from seat_common.catalog import Catalog, ServiceItem
from seat_common.events import Event
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)

EntryPointSource = Callable[[], Iterable[importlib.metadata.EntryPoint]]


def installed_entry_points() -> list[importlib.metadata.EntryPoint]:
    return list(importlib.metadata.entry_points(group=api.ENTRY_POINT_GROUP))


class PluginRefused(Exception):
    """A plugin could not be loaded or registered: wrong version, bad hooks, import error."""


@dataclass
class PluginSession:
    """One plugin's part in one contact."""

    name: str
    plugin: api.TaskPlugin
    context: api.PluginContext
    questions: tuple[api.ScenarioQuestion, ...] = ()
    checklist: api.ChecklistChoice | None = None
    actions: tuple[api.PluginAction, ...] = ()
    panel: api.PanelFactory | None = None
    busy: str = ""  # the running action's code
    disabled: str = ""  # why the plugin stopped, if it did


@dataclass
class _Loaded:
    plugin: api.TaskPlugin
    items: frozenset[str]


def material_snapshot(ref: MaterialRef, status: str = "") -> api.MaterialSnapshot:
    return api.MaterialSnapshot(
        material_id=ref.material_id, material_code=ref.material_code, filename=ref.filename,
        path=ref.path, sha256=ref.sha256, mime=ref.mime, width=ref.width, height=ref.height,
        source=ref.source, status=status)


def item_snapshot(item: ServiceItem) -> api.ItemSnapshot:
    return api.ItemSnapshot(
        code=item.code, name=item.name, name_en=item.name_en, department=item.department,
        form=item.form, completion=item.completion,
        materials=tuple(api.MaterialRequirement(m.code, m.name, m.required)
                        for m in item.materials))


class PluginHost:
    """All task plugins of one workstation, and their sessions for the current contact."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        entry_points: EntryPointSource = installed_entry_points,
        hook_time_limit_s: float = 3.0,
        action_time_limit_s: float = 30.0,
        tasks: TaskOwner | None = None,
    ) -> None:
        self.catalog = catalog
        self.hook_time_limit_s = hook_time_limit_s
        self.action_time_limit_s = action_time_limit_s
        self._entry_points = entry_points
        self._pm = pluggy.PluginManager(api.PROJECT)
        self._pm.add_hookspecs(api.TaskHooks)
        self._found: dict[str, importlib.metadata.EntryPoint] | None = None
        self._loaded: dict[str, _Loaded] = {}
        #: plugins that were refused or disabled, and why
        self.disabled: dict[str, str] = {}
        self.sessions: tuple[PluginSession, ...] = ()
        self.sessions_changed: Event[tuple[PluginSession, ...]] = Event()
        self.session_updated: Event[PluginSession] = Event()
        self.notice: Event[api.PluginNotice] = Event()
        self.form_suggested: Event[dict[str, str]] = Event()
        self._tasks = tasks or TaskOwner("plugins")
        #: the tasks plugins spawned for the contact in hand; cancelled when it closes
        self._contact_tasks: TaskOwner | None = None

    # --- discovery and registration ---------------------------------------------------------

    def discovered(self) -> list[str]:
        """Entry-point names of installed plugins (nothing is imported)."""
        if self._found is None:
            self._found = {}
            for ep in self._entry_points():
                self._found.setdefault(ep.name, ep)
        return sorted(self._found)

    def loaded(self) -> list[str]:
        return sorted(self._loaded)

    def register(self, name: str, plugin: object) -> None:
        """Check and register a plugin object (or class); raises ``PluginRefused``."""
        if isinstance(plugin, type):
            try:
                plugin = plugin()
            except Exception as exc:
                raise PluginRefused(f"plugin {name}: cannot be created: {exc}") from exc
        if not isinstance(plugin, api.TaskPlugin):
            raise PluginRefused(f"plugin {name}: not a plugin_api.TaskPlugin")
        if plugin.api_version != api.API_VERSION:
            raise PluginRefused(f"plugin {name}: written for plugin API {plugin.api_version}, "
                                f"this workstation has {api.API_VERSION}")
        items = frozenset(plugin.items)
        unknown = sorted(i for i in items if self.catalog.item(i) is None)
        if not items or unknown:
            raise PluginRefused(f"plugin {name}: serves no item, or items not in the catalog: "
                                f"{', '.join(unknown)}")
        try:
            self._pm.register(plugin, name=name)
            self._pm.check_pending()  # a hook name that matches no spec
        except (pluggy.PluginValidationError, ValueError) as exc:
            if self._pm.is_registered(plugin):
                self._pm.unregister(plugin)
            raise PluginRefused(f"plugin {name}: {exc}") from exc
        self._loaded[name] = _Loaded(plugin, items)

    def load_all(self) -> None:
        """Import every discovered plugin not loaded yet (refusals become notices)."""
        for name in self.discovered():
            if name in self._loaded or name in self.disabled:
                continue
            assert self._found is not None
            try:
                try:
                    obj = self._found[name].load()
                except Exception as exc:
                    raise PluginRefused(f"plugin {name}: cannot be imported: {exc}") from exc
                self.register(name, obj)
            except PluginRefused as exc:
                self._refuse(name, str(exc))

    def plugins_for(self, item_code: str) -> list[str]:
        """The plugins serving an item; loads the installed ones the first time it is asked."""
        self.load_all()
        return [n for n, p in sorted(self._loaded.items()) if item_code in p.items]

    # --- contacts -----------------------------------------------------------------------

    async def open_contact(
        self, call: api.CallSnapshot, citizen: api.CitizenSnapshot, port: api.WorkstationPort
    ) -> tuple[PluginSession, ...]:
        """Open the sessions of a new call or counter intake and run their opening hooks."""
        await self.close_contact()
        item = self.catalog.item(call.item_code)
        if item is None:
            return ()
        self._contact_tasks = self._tasks.child(f"contact {call.work_order_id}")
        loop = asyncio.get_running_loop()
        hooks = api._ContextHooks(notify=self._emit_notice, spawn=self._spawn, loop=loop,
                                  loop_thread=threading.get_ident())
        sessions = []
        answers: dict[str, str] = {}
        for name in self.plugins_for(item.code):
            ctx = api.PluginContext(name, call, citizen, item_snapshot(item), port, hooks,
                                    time_limit_s=self.hook_time_limit_s, answers=answers)
            sessions.append(PluginSession(name, self._loaded[name].plugin, ctx))
        self.sessions = tuple(sessions)
        for s in self.sessions:
            await self._call(s, "call_did_start")
            s.questions = tuple(await self._call(s, "scenario_will_ask") or ())
            await self._choose(s)
            prefill = await self._call(s, "form_will_prefill")
            if prefill:
                self.form_suggested.emit({str(k): str(v) for k, v in dict(prefill).items()})
            s.actions = tuple(await self._call(s, "actions_will_list") or ())
            s.panel = await self._call(s, "panel_will_open")
        self.sessions_changed.emit(self.sessions)
        return self.sessions

    async def open_appointment(
        self, appointment: Mapping[str, Any], port: api.WorkstationPort
    ) -> tuple[PluginSession, ...]:
        """Counter mode: open a walk-in intake from an appointment and its linked data."""
        item = self.catalog.item(str(appointment.get("item_code", "")))
        booking_no = str(appointment.get("booking_no", ""))
        call = api.CallSnapshot(
            work_order_id=str(appointment.get("work_order_id") or f"counter-{booking_no}"),
            item_code=item.code if item else "", item_name=item.name if item else "",
            channel="counter", started_at=time.time(), booking_no=booking_no)
        citizen = api.CitizenSnapshot(str(appointment.get("name", "")),
                                      str(appointment.get("id_number", "")),
                                      str(appointment.get("mobile", "")),
                                      str(appointment.get("hall", "")))
        sessions = await self.open_contact(call, citizen, port)
        links = appointment.get("links") or {}
        answers = dict(links.get("scenario_answers") or {})
        form = links.get("form") or {}
        for s in sessions:
            for code, value in answers.items():
                s.context.set_answer(str(code), str(value))
            await self._choose(s)
            await self._call(s, "appointment_did_open", appointment=dict(appointment))
        if form.get("values"):
            self.form_suggested.emit({str(k): str(v) for k, v in form["values"].items()})
        return sessions

    async def close_contact(self) -> None:
        sessions, self.sessions = self.sessions, ()
        for s in sessions:
            await self._call(s, "call_did_end")
        contact_tasks, self._contact_tasks = self._contact_tasks, None
        if contact_tasks is not None:
            await contact_tasks.close()
        if sessions:
            self.sessions_changed.emit(())

    async def answer(self, plugin: str, question: str, value: str) -> None:
        """The agent answered a scenario question: re-choose the checklist and form variant."""
        for s in self.sessions:
            if s.name != plugin or s.disabled:
                continue
            s.context.set_answer(question, value)
            q = next((q for q in s.questions if q.code == question), None)
            if q is not None and q.form_field:
                self.form_suggested.emit({q.form_field: value})
            await self._choose(s)
            self.session_updated.emit(s)

    async def run_action(self, plugin: str, code: str) -> None:
        """Run one of a plugin's actions under the action time limit."""
        s = next((s for s in self.sessions if s.name == plugin and not s.disabled), None)
        action = next((a for a in s.actions if a.code == code), None) if s else None
        if s is None or action is None or s.busy:
            return
        s.busy = code
        self.session_updated.emit(s)
        try:
            await asyncio.wait_for(action.run(s.context), self.action_time_limit_s)
        except api.LookupFailed as exc:
            self._emit_notice(api.PluginNotice(plugin, "warning", str(exc)))
        except TimeoutError:
            self._disable(s, f"action {code} did not finish within "
                             f"{self.action_time_limit_s:g} s")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("plugin %s action %s failed", plugin, code)
            self._disable(s, f"action {code} failed: {type(exc).__name__}: {exc}")
        finally:
            s.busy = ""
            self.session_updated.emit(s)

    async def check_submit(self, values: Mapping[str, str]) -> list[str]:
        """Every open plugin's problems with the form about to be submitted."""
        problems: list[str] = []
        for s in self.sessions:
            found = await self._call(s, "submit_will_check", values=dict(values))
            problems.extend(str(p) for p in (found or ()))
        return problems

    def fail(self, plugin: str, why: str) -> None:
        """Disable a plugin from outside the host (its panel factory raised in the UI)."""
        s = next((s for s in self.sessions if s.name == plugin), None)
        if s is not None:
            self._disable(s, why)
        else:
            self._refuse(plugin, why)

    async def close(self) -> None:
        await self.close_contact()
        await self._tasks.close()

    # --- guarded calls ------------------------------------------------------------------

    async def _choose(self, s: PluginSession) -> None:
        # Quick answers run several choices at once, each in its own thread: one made for
        # answers that have changed since is stale, and the newest choice is still coming.
        answers = dict(s.context.answers)
        choice = await self._call(s, "checklist_will_choose", answers=answers)
        if choice is not None and dict(s.context.answers) == answers:
            s.checklist = choice

    async def _call(self, s: PluginSession, hook: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation of ``hook``; None if it has none or failed."""
        if s.disabled:
            return None
        impl = next((i for i in getattr(self._pm.hook, hook).get_hookimpls()
                     if i.plugin_name == s.name), None)
        if impl is None:
            return None
        args = {"context": s.context, **kwargs}
        call_args = {a: args[a] for a in impl.argnames}
        limit = self.hook_time_limit_s
        try:
            if inspect.iscoroutinefunction(impl.function):
                return await asyncio.wait_for(impl.function(**call_args), limit)
            return await asyncio.wait_for(_in_daemon_thread(impl.function, call_args), limit)
        except TimeoutError:
            self._disable(s, f"{hook} did not answer within {limit:g} s")
        except api.LookupFailed as exc:
            self._emit_notice(api.PluginNotice(s.name, "warning", str(exc)))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("plugin %s failed in %s", s.name, hook)
            self._disable(s, f"{hook} failed: {type(exc).__name__}: {exc}")
        return None

    def _disable(self, s: PluginSession, why: str) -> None:
        s.disabled = why
        self._refuse(s.name, why)
        self.session_updated.emit(s)

    def _refuse(self, name: str, why: str) -> None:
        self.disabled[name] = why
        loaded = self._loaded.pop(name, None)
        if loaded is not None and self._pm.is_registered(loaded.plugin):
            self._pm.unregister(loaded.plugin)
        log.warning("plugin %s disabled: %s", name, why)
        self._emit_notice(api.PluginNotice(name, "error", why))

    def _emit_notice(self, notice: api.PluginNotice) -> None:
        self.notice.emit(notice)

    def _spawn(self, name: str, coro: Coroutine[Any, Any, Any], timeout_s: float
               ) -> asyncio.Task[Any]:
        async def bounded() -> Any:
            try:
                return await asyncio.wait_for(coro, timeout_s)
            except api.LookupFailed as exc:
                self._emit_notice(api.PluginNotice(name, "warning", str(exc)))
            except TimeoutError:
                self._emit_notice(api.PluginNotice(name, "warning",
                                                   f"task {name} stopped after {timeout_s:g} s"))
            except Exception as exc:
                log.exception("plugin task %s failed", name)
                self._emit_notice(api.PluginNotice(name, "error", f"task {name} failed: {exc}"))
            return None

        owner = self._contact_tasks or self._tasks
        return owner.spawn(bounded(), f"plugin:{name}")


def _in_daemon_thread(fn: Callable[..., Any], kwargs: dict[str, Any]) -> asyncio.Future[Any]:
    """Run a sync hook on its own daemon thread: one that never returns is abandoned at the
    time limit and cannot keep the process alive at exit (an executor's threads would)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def run() -> None:
        try:
            value = fn(**kwargs)
        except BaseException as exc:
            result: tuple[bool, Any] = (False, exc)
        else:
            result = (True, value)
        with contextlib.suppress(RuntimeError):  # the loop closed while the hook ran
            loop.call_soon_threadsafe(settle, *result)

    threading.Thread(target=run, name="plugin-hook", daemon=True).start()
    return future
