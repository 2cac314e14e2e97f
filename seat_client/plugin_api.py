"""The task-plugin API, version 1: everything a plugin may see of the workstation.

A task plugin serves one or more catalog items (事项). It is a ``TaskPlugin``
subclass (or instance) named by an entry point in the group
``seat_client.plugins``; the host imports it only when a call or an
appointment for one of its items needs it. Its hooks are methods marked
``@hookimpl`` whose names and arguments must match the specs in
``TaskHooks`` — pluggy checks them when the plugin registers, so a typo
(``call_did_strat``) or an unknown argument refuses the plugin at once,
with a message, instead of silently never running.

Hook names follow ``<subject>_will_<verb>`` (asked before something happens;
the answer shapes it) and ``<subject>_did_<verb>`` (told after). A hook may be
a plain function (run on a worker thread, so one that never returns cannot
freeze the window) or ``async def`` (run on the event loop, cancelled at the
time limit). A plugin whose hook raises or overruns is disabled, the agent
sees why, and the call goes on.

A plugin gets a ``PluginContext``: read-only snapshots of the call, the
citizen, the item and the materials, and ways to act — suggest form values,
annotate a material through the review's undo stack, notify the agent, talk
to the citizen, capture a still from the video, save printouts and evidence,
run a bounded background task, and look things up in the government API
(``context.gov``: typed calls, never a raw HTTP client). It never gets the
main window. Panels are widget factories the UI host calls; plugins may
import PyQt6 for them and nothing else of ours.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Final, Literal, Protocol

import pluggy

from seat_common.documents.pdf_fonts import cjk_font
from seat_common.validators import check_id_number

#: Bumped when a hook spec or a context method changes incompatibly.
API_VERSION: Final = 1
PROJECT: Final = "seat_client"
ENTRY_POINT_GROUP: Final = "seat_client.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

NoticeLevel = Literal["info", "warning", "error"]


# --- read-only snapshots -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallSnapshot:
    """The contact being served: a video call, or a walk-in at the counter."""

    work_order_id: str
    item_code: str
    item_name: str
    channel: str  # web, miniprogram, official_account, kiosk, hotline, or "counter"
    started_at: float
    booking_no: str = ""  # set for a counter intake opened from an appointment


@dataclass(frozen=True, slots=True)
class CitizenSnapshot:
    """Who is served, as far as the workstation may know (ID and phone masked on calls)."""

    name: str
    id_number: str
    phone: str
    hall: str = ""


@dataclass(frozen=True, slots=True)
class MaterialRequirement:
    code: str
    name: str
    required: bool


@dataclass(frozen=True, slots=True)
class ItemSnapshot:
    """The catalog entry of the item being served."""

    code: str
    name: str
    name_en: str
    department: str
    form: str
    completion: str
    materials: tuple[MaterialRequirement, ...]


@dataclass(frozen=True, slots=True)
class MaterialSnapshot:
    """One document image of the work order, on local disk (read it, do not change it)."""

    material_id: str
    material_code: str
    filename: str
    path: Path
    sha256: str
    mime: str
    width: int
    height: int
    source: str
    #: The pre-review mark on its checklist material: accepted, to_correct, missing or "".
    status: str = ""


@dataclass(frozen=True, slots=True)
class CertificateSnapshot:
    """One of the citizen's certificates in the electronic-licence library (电子证照), as
    the citizen agreed to share it in this call: the number masked, ``status`` as of
    today (valid, expired or revoked), ``attached_to`` the checklist material it stands
    for ("" = not attached)."""

    licence_id: str
    kind: str
    name: str
    number: str
    holder_name: str
    issuer: str
    issued_on: str
    #: "" = 长期有效
    expires_on: str
    status: str
    attached_to: str = ""


# --- what a plugin declares ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScenarioOption:
    """One answer to a scenario question, and what it brings with it."""

    value: str
    label: str
    label_en: str = ""
    #: materials this answer adds to the checklist
    materials: tuple[MaterialRequirement, ...] = ()


@dataclass(frozen=True, slots=True)
class ScenarioQuestion:
    """A 情形问答 question; ``form_field`` mirrors the answer into that form field."""

    code: str
    text: str
    text_en: str
    options: tuple[ScenarioOption, ...]
    form_field: str = ""


@dataclass(frozen=True, slots=True)
class ChecklistChoice:
    """Which materials apply for the answers given, and which form variant to fill."""

    materials: tuple[MaterialRequirement, ...]
    form_variant: str = ""


@dataclass(frozen=True, slots=True)
class PluginAction:
    """A button in the plugin panel; ``run`` gets the context and may take a while."""

    code: str
    label: str
    label_en: str
    run: Callable[[PluginContext], Awaitable[None]]
    shortcut: str = ""  # a QKeySequence string, e.g. "Ctrl+Shift+L"


@dataclass(frozen=True, slots=True)
class PluginNotice:
    """Something the agent should see, from or about a plugin."""

    plugin: str
    level: NoticeLevel
    text: str


#: A panel factory: called by the UI host with the context and a parent widget; returns a
#: QWidget. Typed loosely because the core does not import Qt.
PanelFactory = Callable[["PluginContext", Any], Any]


class LookupFailed(Exception):
    """A government-API lookup failed (outage, bad number, refused): tell the agent, go on.

    The host treats it as a warning, not as a broken plugin. ``fields`` carries the
    API's per-field problems (field → code) when it refused the content.
    """

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = dict(fields or {})


class PluginTimeout(Exception):
    """A hook, action or task ran past its time limit."""


# --- the hook specs -----------------------------------------------------------------------


class TaskHooks:
    """The hook specs, declared once. Every argument is passed by name."""

    @hookspec
    def call_did_start(self, context: PluginContext) -> None:
        """A call (or a counter intake) for one of the plugin's items began."""

    @hookspec
    def scenario_will_ask(self, context: PluginContext) -> Sequence[ScenarioQuestion]:
        """The scenario questions (情形问答) to ask for this item."""
        raise NotImplementedError

    @hookspec
    def checklist_will_choose(
        self, context: PluginContext, answers: Mapping[str, str]
    ) -> ChecklistChoice | None:
        """The materials checklist and form variant for the answers so far."""

    @hookspec
    def form_will_prefill(self, context: PluginContext) -> Mapping[str, str]:
        """Values to suggest for the item's form (the agent still confirms them)."""
        raise NotImplementedError

    @hookspec
    def panel_will_open(self, context: PluginContext) -> PanelFactory | None:
        """A side panel for the plugin tab."""

    @hookspec
    def actions_will_list(self, context: PluginContext) -> Sequence[PluginAction]:
        """Buttons (with shortcuts) the agent can press during the call."""
        raise NotImplementedError

    @hookspec
    def submit_will_check(
        self, context: PluginContext, values: Mapping[str, str]
    ) -> Sequence[str]:
        """Problems that should stop the form going to the API (empty = fine)."""
        raise NotImplementedError

    @hookspec
    def appointment_did_open(self, context: PluginContext, appointment: Mapping[str, Any]) -> None:
        """Counter mode: a clerk opened an appointment booked for one of the items."""

    @hookspec
    def call_did_end(self, context: PluginContext) -> None:
        """The call ended (the work order goes to wrap-up)."""


HOOK_NAMES: Final = tuple(n for n in vars(TaskHooks) if "_will_" in n or "_did_" in n)


class TaskPlugin:
    """Base class of a task plugin. Subclasses set the class attributes and add hooks."""

    #: the API version the plugin was written for (must equal ``API_VERSION``)
    api_version: ClassVar[int] = API_VERSION
    #: catalog item codes the plugin serves
    items: ClassVar[tuple[str, ...]] = ()
    #: shown on the plugin tab
    title: ClassVar[str] = ""
    title_en: ClassVar[str] = ""


# --- the government API, as a plugin sees it ----------------------------------------------


class GovLookups(Protocol):
    """Typed government-API calls; each raises ``LookupFailed`` when the API cannot answer."""

    async def unemployment_details(self, id_number: str) -> Mapping[str, Any]: ...
    async def pension_status(self, id_number: str) -> Mapping[str, Any]: ...
    async def halls(self) -> Sequence[Mapping[str, Any]]: ...
    async def slots(self, hall: str, day: str) -> Sequence[Mapping[str, Any]]: ...
    async def book(self, key: str, body: Mapping[str, Any]) -> Mapping[str, Any]: ...
    async def appointment(self, booking_no: str) -> Mapping[str, Any]: ...
    async def register_business(self, key: str, values: Mapping[str, str]) -> Mapping[str, Any]: ...
    async def submit_application(self, key: str, body: Mapping[str, Any]) -> Mapping[str, Any]: ...


class WorkstationPort(Protocol):
    """What the host lends a context for one work order (implemented in ``plugin_host``)."""

    gov: GovLookups | None
    work_dir: Path

    def materials(self) -> tuple[MaterialSnapshot, ...]: ...
    def form_values(self) -> Mapping[str, str]: ...
    def suggest_form_values(self, values: Mapping[str, str]) -> None: ...
    def annotate(self, material_id: str, text: str, x: float, y: float) -> bool: ...
    async def send_text(self, text: str) -> None: ...
    async def send_image(self, png: bytes, filename: str) -> MaterialSnapshot: ...
    async def capture_still(self) -> MaterialSnapshot: ...
    async def certificates(self, reason: str) -> tuple[CertificateSnapshot, ...]: ...


# --- the context --------------------------------------------------------------------------


@dataclass
class _ContextHooks:
    """The host's side of a context: how notices and tasks reach it."""

    notify: Callable[[PluginNotice], None]
    spawn: Callable[[str, Coroutine[Any, Any, Any], float], asyncio.Task[Any]]
    loop: asyncio.AbstractEventLoop
    loop_thread: int = field(default_factory=threading.get_ident)


class PluginContext:
    """One plugin's view of one work order. Safe to use from a sync hook's worker thread:
    anything that changes the workstation is handed to the event loop."""

    def __init__(
        self,
        plugin: str,
        call: CallSnapshot,
        citizen: CitizenSnapshot,
        item: ItemSnapshot,
        port: WorkstationPort,
        host: _ContextHooks,
        *,
        time_limit_s: float,
        answers: dict[str, str] | None = None,
    ) -> None:
        self.api_version = API_VERSION
        self.plugin = plugin
        self.call = call
        self.citizen = citizen
        self.item = item
        self.time_limit_s = time_limit_s
        self._port = port
        self._host = host
        # Scenario answers belong to the work order: every plugin of the contact shares them.
        self._answers: dict[str, str] = {} if answers is None else answers

    # --- snapshots --------------------------------------------------------------------

    @property
    def materials(self) -> tuple[MaterialSnapshot, ...]:
        return self._port.materials()

    @property
    def answers(self) -> Mapping[str, str]:
        """The scenario answers given so far (a copy)."""
        return dict(self._answers)

    def form_values(self) -> Mapping[str, str]:
        """The item form's current values (a copy)."""
        return dict(self._port.form_values())

    @property
    def gov(self) -> GovLookups:
        if self._port.gov is None:
            raise LookupFailed("the government API is not configured on this workstation")
        return self._port.gov

    # --- acting ---------------------------------------------------------------------------

    def suggest_form_values(self, values: Mapping[str, str]) -> None:
        """Prefill form fields; they stay marked as suggestions until the agent confirms."""
        copy = {str(k): str(v) for k, v in values.items()}
        self._on_loop(lambda: self._port.suggest_form_values(copy))

    def annotate(self, material_id: str, text: str, x: float = 40.0, y: float = 40.0) -> None:
        """Add a text note to a material through the review's undo stack (the agent can undo)."""
        self._on_loop(lambda: self._port.annotate(material_id, text, x, y))

    def notify(self, text: str, level: NoticeLevel = "info") -> None:
        notice = PluginNotice(self.plugin, level, text)
        self._on_loop(lambda: self._host.notify(notice))

    def spawn(
        self, coro: Coroutine[Any, Any, Any], *, name: str = "task", timeout_s: float = 30.0
    ) -> asyncio.Task[Any]:
        """Run a background task owned by the host: cancelled at ``timeout_s`` or when the
        call ends; a failure is shown to the agent. Call from the event loop (async code)."""
        return self._host.spawn(name, coro, timeout_s)

    async def send_to_citizen(self, text: str) -> None:
        await self._port.send_text(text)

    async def send_image_to_citizen(self, png: bytes, filename: str) -> MaterialSnapshot:
        """Send an image (a table, a confirmation) to the citizen; it joins the work order."""
        return await self._port.send_image(png, filename)

    async def capture_still(self) -> MaterialSnapshot:
        """A still of the citizen's live video, stored with the work order."""
        return await self._port.capture_still()

    async def ask_for_certificates(self, reason: str) -> tuple[CertificateSnapshot, ...]:
        """The citizen's certificates from the electronic-licence library — only with their
        consent: the agent is asked (``reason`` is shown) to ask the citizen, whose answer
        is recorded at the hub first. Returns at once when the citizen already agreed in
        this call; ``()`` when they refuse or the agent cancels; ``LookupFailed`` (with a
        Chinese message) when the library cannot answer."""
        return await self._port.certificates(reason)

    def save_file(self, filename: str, data: bytes) -> Path:
        """Keep a printout or a piece of evidence with the work order; returns its path."""
        safe = Path(filename).name or "file.bin"
        folder = self._port.work_dir / self.call.work_order_id / self.plugin
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / safe
        path.write_bytes(data)
        return path

    def set_answer(self, code: str, value: str) -> None:
        """Record a scenario answer (the host does this when the agent picks one)."""
        self._answers[code] = value

    # --- helpers for plugins that cannot import the rest of seat_client -------------------

    @staticmethod
    def pdf_font() -> str:
        """The embedded CJK font's name for reportlab ``setFont`` (registered on first use)."""
        return cjk_font()

    @staticmethod
    def id_number_problem(number: str) -> str:
        """Why an ID number is invalid ("" when it is valid): length, date, check digit."""
        return check_id_number(number) or ""

    def _on_loop(self, fn: Callable[[], Any]) -> None:
        if threading.get_ident() == self._host.loop_thread:
            fn()
        else:
            self._host.loop.call_soon_threadsafe(fn)


def matches_masked(full: str, masked: str) -> bool:
    """Whether a full ID number fits its masked form (e.g. ``4419**********123X``)."""
    if len(full) != len(masked):
        return False
    return all(m == "*" or m.upper() == f.upper() for f, m in zip(full, masked, strict=True))
