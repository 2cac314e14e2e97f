"""The application desk (业务受理): the application of the contact in hand, from its form to
the government API's answer.

``ApplicationDesk`` holds one ``ApplicationInHand`` at a time: the item's form (a
``FormState``) for the contact the agent serves, its context (work order, item, agent) and
the materials (code, name) that go with the submission and on the receipt. A video call
opens its item's form, prefilled with the caller's name (the desk follows the
workstation's ``call_changed``; a call that ends keeps its application for the wrap-up);
a walk-in the counter opens does the same with what its intake collected (the counter
hands it over: ``seat_client.counter.applications``). Releasing a walk-in clears its
application, never a call's: the desk knows which contact its application belongs to.

The linked materials are those the call's pre-review accepted (``follow_review``: the
review desk's sent verdict) or the walk-in's accepted marks at the counter. Values come
from the agent (``edit``, ``confirm``, ``confirm_all``) and from outside: the task
plugins' suggestions (``take_suggestions``) and the kiosk's ID-card read
(``take_id_card``), each marked until the agent confirms it. While the counter opens a
walk-in, the plugins' suggestions belong to that walk-in's intake, not to the
application in hand, so the desk leaves them alone (``hold_suggestions_while``).

The applicant's ID number is checked against the caller's identity where the channel
knows it (``seat_client.acceptance.identity``): the kiosk's ID-card read
(``take_card_read``, and ``take_id_card``), or the masked number the citizen gave when
queuing (the call's offer). A mismatch stops ``submit`` (``SubmitAnswer.mismatch``) until
the agent confirms it (``confirm_identity``); the confirmation, numbers masked, goes with
the submission into the outbox entry and onto the receipt (``Submission.identity_note``):
the outbox entry is the application's own record, kept with it and printed from it, so
the note cannot drift from the application it is about. Changing the applicant's number
after confirming asks again. The receipt also lists the materials the pre-review did
not accept (``to_correct``), and names the item as the catalog does.

One application per work order and form: one the outbox already holds (queued, sending
or accepted) is shown where it stands and not submitted twice. ``submit`` answers with
what stops the submission (the missing list), or builds the ``Submission`` and saves it
in the ``SubmissionOutbox``; the desk then follows the outbox: the progress of the
application in hand, the API's field errors of a returned one mapped onto its form, and
every acceptance of an application this desk saved or showed (the receipt follows).

Events: ``opened`` (``ApplicationInHand | None``: another application, or none, is in
hand), ``progress`` (``OutboxEntry``: the outbox moved the application in hand, already
applied to it), ``save_failed`` (``str``: the outbox could not store the submission),
``accepted`` (``OutboxEntry``: the API accepted one of this desk's applications),
``identity_changed`` (``IdentityMismatch | None``: the caller's identity or the check's
outcome may have changed; the current mismatch, if any).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from seat_client.acceptance.form_state import FormState, MissingItem
from seat_client.acceptance.identity import (
    CallerIdentity,
    IdentityConfirmation,
    IdentityMismatch,
    confirmation_of,
    identity_mismatch,
)
from seat_client.acceptance.outbox import SubmissionOutbox
from seat_client.acceptance.outbox_entries import OutboxEntry, OutboxState, Submission
from seat_client.call.workstation import ActiveCall, Workstation
from seat_client.materials.values import PreReviewVerdict
from seat_client.review.desk import ReviewDesk
from seat_common.catalog import Catalog
from seat_common.events import Event
from seat_common.forms import FormLibrary
from seat_common.tasks import TaskOwner

log = logging.getLogger(__name__)

#: The outbox states in which it holds an application for good (or on its way there).
HELD = frozenset({OutboxState.QUEUED, OutboxState.SENDING, OutboxState.ACCEPTED})


class ContactKind(enum.Enum):
    """Whom the application is for: the citizen on a video call, or one at the counter."""

    CALL = "call"
    WALK_IN = "walk_in"


@dataclass(frozen=True, slots=True)
class ApplicationContext:
    """What an application is for: the contact, its work order and item, and the agent."""

    contact: ContactKind
    work_order_id: str
    item_code: str
    item_name: str = ""
    agent_id: str = ""


@dataclass(eq=False)
class ApplicationInHand:
    """The application of the contact in hand: its context, its form, the materials that go
    with it, and where the outbox has it."""

    context: ApplicationContext
    form: FormState
    #: (code, name) of each material that goes with the submission and on the receipt
    materials: tuple[tuple[str, str], ...] = ()
    #: the outbox's latest word on this application, once it holds it
    entry: OutboxEntry | None = None
    #: whether a submit is taken now: not while it is being saved, nor while the outbox
    #: holds it (until the API returns it or it fails)
    submittable: bool = True
    #: who the channel says is calling, if it knows (kiosk card read, the queue's word)
    caller: CallerIdentity | None = None
    #: the mismatch the agent confirmed, and the record of it
    confirmed: tuple[IdentityMismatch, IdentityConfirmation] | None = None
    #: materials the pre-review did not accept, one line each (name, status, reason)
    to_correct: tuple[str, ...] = ()

    def is_for(self, contact: ContactKind, work_order_id: str) -> bool:
        return self.context.contact is contact and self.context.work_order_id == work_order_id


@dataclass(frozen=True, slots=True)
class SubmitAnswer:
    """The desk's answer to a submit intent: being saved, or what stops it. Neither means
    there was nothing to submit (no form, or the outbox already holds it)."""

    saving: bool = False
    missing: tuple[MissingItem, ...] = ()
    #: the applicant is not the caller, and the agent has not confirmed it yet
    mismatch: IdentityMismatch | None = None


class ApplicationDesk:
    """One agent's applications, contact after contact; see the module docstring."""

    def __init__(
        self,
        outbox: SubmissionOutbox,
        forms: FormLibrary,
        catalog: Catalog,
        workstation: Workstation | None = None,
        *,
        tasks: TaskOwner | None = None,
    ) -> None:
        self.outbox = outbox
        self.forms = forms
        self._catalog = catalog
        self._workstation = workstation
        self._tasks = tasks or TaskOwner("applications")
        self._suggestions_held: Callable[[], bool] = lambda: False
        self.application: ApplicationInHand | None = None
        #: entries this desk saved or showed: their acceptance brings the receipt
        self._mine: set[int] = set()
        self.opened: Event[ApplicationInHand | None] = Event()
        self.progress: Event[OutboxEntry] = Event()
        self.save_failed: Event[str] = Event()
        self.accepted: Event[OutboxEntry] = Event()
        self.identity_changed: Event[IdentityMismatch | None] = Event()
        #: the caller's identity per call work order, kept for a form opened after it
        self._callers: dict[str, CallerIdentity] = {}
        self._unsubscribe = [outbox.changed.connect(self._on_outbox_changed)]
        if workstation is not None:
            self._unsubscribe.append(workstation.call_changed.connect(self._on_call_changed))

    @property
    def form(self) -> FormState | None:
        """The form of the application in hand, if there is one."""
        return self.application.form if self.application is not None else None

    # --- the contact in hand ----------------------------------------------------------

    def open(self, context: ApplicationContext, form_code: str, prefill: Mapping[str, str],
             materials: Sequence[tuple[str, str]] = ()) -> ApplicationInHand | None:
        """Put the form ``form_code`` in hand for ``context``, prefilled from what the
        contact knows (``id_card.name``, ``id_card.id_number``, ``citizen.phone`` or field
        codes), in place of the application in hand. None if there is no such form."""
        schema = self.forms.get(form_code) if form_code else None
        if schema is None:
            self._put_in_hand(None)
            return None
        form = FormState(schema, self.forms.regions)
        form.prefill(prefill)
        application = ApplicationInHand(context, form, tuple(materials),
                                        caller=self._callers.get(context.work_order_id)
                                        if context.contact is ContactKind.CALL else None)
        form.changed.connect(lambda _code: self._forget_outdated_confirmation(application))
        earlier = next((e for e in self.outbox.entries() if e.state in HELD
                        and e.submission.work_order_id == context.work_order_id
                        and e.submission.form == schema.code), None)
        if earlier is not None:
            self._mine.add(earlier.entry_id)
            application.entry = earlier
            application.submittable = False
        self._put_in_hand(application)
        if earlier is not None:
            self._on_outbox_changed(earlier)
        return application

    def release(self, contact: ContactKind) -> None:
        """The contact of that kind is served: its application leaves the desk. A walk-in's
        release leaves a call's application in hand (and the other way round)."""
        if (application := self.application) is not None and (
                application.context.contact is contact):
            self._put_in_hand(None)

    def set_materials(self, contact: ContactKind, work_order_id: str,
                      materials: Sequence[tuple[str, str]],
                      to_correct: Sequence[str] | None = None) -> None:
        """The (code, name) materials that go with that contact's application, if in hand,
        and (when given) the lines of those still to be corrected."""
        application = self.application
        if application is not None and application.is_for(contact, work_order_id):
            application.materials = tuple(materials)
            if to_correct is not None:
                application.to_correct = tuple(to_correct)

    def hold_suggestions_while(self, held: Callable[[], bool]) -> None:
        """Leave the plugins' suggestions alone while ``held()`` (the counter opening a
        walk-in: they belong to its intake's form)."""
        self._suggestions_held = held

    @property
    def agent_id(self) -> str:
        """The agent at this seat, as the hub welcomed them ("" before)."""
        welcome = self._workstation.welcome if self._workstation is not None else None
        return welcome.agent_id if welcome is not None else ""

    def follow_review(self, review: ReviewDesk) -> Callable[[], None]:
        """The materials a call's pre-review accepted go with its application; returns the
        function that stops following."""

        def on_verdict_sent(verdict: PreReviewVerdict) -> None:
            session = review.session
            if session is None:
                return
            names = {m.code: m.name for m in session.checklist}
            reasons = {r.code: r.name for r in session.reasons}
            self.set_materials(ContactKind.CALL, verdict.work_order_id, [
                (v.material_code, names.get(v.material_code, v.material_code))
                for v in verdict.verdicts if v.status == "accepted"], [
                _to_correct_line(names.get(v.material_code, v.material_code), v.status,
                                 reasons.get(v.reason_code, v.reason_code), v.note)
                for v in verdict.verdicts if v.status != "accepted"])

        return review.verdict_sent.connect(on_verdict_sent)

    # --- what the agent and the outside say -----------------------------------------------

    def edit(self, code: str, value: str) -> None:
        if (form := self.form) is not None:
            form.set_value(code, value)

    def confirm(self, code: str) -> None:
        if (form := self.form) is not None:
            form.confirm(code)

    def confirm_all(self) -> None:
        if (form := self.form) is not None:
            form.confirm_all()

    def take_suggestions(self, values: Mapping[str, str]) -> None:
        """The task plugins' suggestions (``PluginHost.form_suggested``), to confirm."""
        if self._suggestions_held():
            return  # a walk-in being opened: its intake's form takes them
        if (form := self.form) is not None:
            form.prefill(values)

    def take_id_card(self, name: str, id_number: str) -> bool:
        """The kiosk's ID-card read, to confirm; False if no application form is open."""
        if (form := self.form) is None:
            return False
        self.take_card_read(id_number)
        form.prefill({"id_card.name": name, "id_card.id_number": id_number})
        return True

    def take_card_read(self, id_number: str) -> None:
        """The kiosk's ID-card reader read this number during the call in hand: the
        caller's identity, whatever the form says."""
        call = self._workstation.call if self._workstation is not None else None
        application = self.application
        work_order_id = (call.work_order_id if call is not None else
                         application.context.work_order_id if application is not None
                         and application.context.contact is ContactKind.CALL else "")
        if work_order_id and id_number.strip():
            self.know_caller(work_order_id, CallerIdentity(id_number.strip(), "kiosk_card"))

    def know_caller(self, work_order_id: str, caller: CallerIdentity) -> None:
        """The channel knows who calls on that call's work order. A card read is not
        replaced by the citizen's masked word."""
        known = self._callers.get(work_order_id)
        if known is not None and known.source == "kiosk_card" and caller.source != "kiosk_card":
            return
        self._callers[work_order_id] = caller
        application = self.application
        if application is not None and application.is_for(ContactKind.CALL, work_order_id):
            application.caller = caller
            self._forget_outdated_confirmation(application)
            self.identity_changed.emit(self.mismatch())

    def mismatch(self) -> IdentityMismatch | None:
        """How the applicant on the form differs from the caller, if they do."""
        application = self.application
        if application is None:
            return None
        field = _applicant_id_field(application.form)
        return identity_mismatch(application.form.value(field) if field else "",
                                 application.caller)

    def _forget_outdated_confirmation(self, application: ApplicationInHand) -> None:
        """A confirmation holds for the mismatch confirmed: another applicant number (even
        the confirmed one typed again later) asks again."""
        if application.confirmed is not None and application is self.application and (
                application.confirmed[0] != self.mismatch()):
            application.confirmed = None

    def identity_confirmed(self) -> bool:
        """Whether the agent confirmed the mismatch as it stands now."""
        application, mismatch = self.application, self.mismatch()
        return (application is not None and mismatch is not None
                and application.confirmed is not None and application.confirmed[0] == mismatch)

    def withdraw_identity_confirmation(self) -> None:
        """The agent takes the confirmation back: a submit is stopped again."""
        if (application := self.application) is not None and application.confirmed:
            application.confirmed = None
            self.identity_changed.emit(self.mismatch())

    def confirm_identity(self) -> IdentityConfirmation | None:
        """The agent confirms the application is for someone other than the caller:
        recorded (masked) with the application. None if there is no mismatch to confirm."""
        application, mismatch = self.application, self.mismatch()
        if application is None or mismatch is None:
            return None
        confirmation = confirmation_of(mismatch, application.context.agent_id or self.agent_id)
        application.confirmed = (mismatch, confirmation)
        self.identity_changed.emit(mismatch)
        return confirmation

    def values(self) -> dict[str, str]:
        """The form's values as they stand (for the task plugins: ``PluginBridge``)."""
        form = self.form
        return dict(form.values) if form is not None else {}

    def submit(self) -> SubmitAnswer:
        """Save the application in the outbox, unless something is missing."""
        application = self.application
        if application is None or not application.submittable:
            return SubmitAnswer()
        missing = application.form.missing()
        if missing:
            return SubmitAnswer(missing=tuple(missing))
        mismatch = self.mismatch()
        if mismatch is not None and not self.identity_confirmed():
            return SubmitAnswer(mismatch=mismatch)
        application.submittable = False
        self._tasks.spawn(self._save(application, self._submission(application)),
                          "save the application", report=False)
        return SubmitAnswer(saving=True)

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        await self._tasks.close()

    # --- inside -------------------------------------------------------------------------

    async def _save(self, application: ApplicationInHand, submission: Submission) -> None:
        try:
            entry = await self.outbox.enqueue(submission)
        except Exception as exc:
            log.exception("the outbox refused an application")
            application.submittable = True
            self.save_failed.emit(str(exc))
            return
        self._mine.add(entry.entry_id)
        self._on_outbox_changed(self.outbox.entry(entry.entry_id) or entry)

    def _submission(self, application: ApplicationInHand) -> Submission:
        form, context = application.form, application.context
        values = form.payload()
        id_field = _applicant_id_field(form)
        name_field = next((f.code for f in form.schema.fields
                           if f.prefill == "id_card.name"), "")
        item = self._catalog.item(context.item_code)
        confirmed = application.confirmed if self.identity_confirmed() else None
        return Submission(
            work_order_id=context.work_order_id, item_code=context.item_code,
            item_name=item.name if item is not None else context.item_name or context.item_code,
            form=form.schema.code,
            values=values, materials=tuple(code for code, _ in application.materials),
            material_names=tuple(name for _, name in application.materials),
            applicant_name=values.get(name_field, ""),
            applicant_id_number=values.get(id_field, ""), agent_id=context.agent_id,
            identity_note=confirmed[1].note() if confirmed is not None else "",
            materials_to_correct=application.to_correct)

    def _on_outbox_changed(self, entry: OutboxEntry) -> None:
        if entry.entry_id not in self._mine:
            return
        if entry.state is OutboxState.ACCEPTED:
            self.accepted.emit(entry)
        application = self.application
        if application is None or (
                entry.submission.work_order_id != application.context.work_order_id):
            return
        application.entry = entry
        if entry.state is OutboxState.RETURNED:
            application.form.apply_server_problems(
                {p.field: p.message for p in entry.field_errors})
            application.submittable = True
        elif entry.state is OutboxState.FAILED:
            application.submittable = True
        self.progress.emit(entry)

    def _on_call_changed(self, call: ActiveCall | None) -> None:
        if call is None:
            return  # the application stays for the wrap-up; the next contact replaces it
        started = call.started
        # Only the call in hand's caller is worth keeping.
        self._callers = {k: v for k, v in self._callers.items() if k == started.work_order_id}
        given = call.offer.citizen.id_number if call.offer is not None else ""
        if given.strip():  # masked by the hub: only its visible characters are compared
            self.know_caller(started.work_order_id, CallerIdentity(given, "queue", masked=True))
        item = self._catalog.item(started.item_code)
        self.open(ApplicationContext(ContactKind.CALL, started.work_order_id,
                                     started.item_code, started.item_name, self.agent_id),
                  item.form if item is not None else "", {"id_card.name": started.peer_name})

    def _put_in_hand(self, application: ApplicationInHand | None) -> None:
        self.application = application
        self.opened.emit(application)


def _applicant_id_field(form: FormState) -> str:
    """The form's applicant ID number field (the one the ID card fills), or ""."""
    return next((f.code for f in form.schema.fields
                 if f.kind == "id_number" and f.prefill == "id_card.id_number"), "")


STATUS_NAMES = {"to_correct": "需补正", "missing": "缺失"}


def _to_correct_line(name: str, status: str, reason: str, note: str) -> str:
    """One material still to be corrected, as the receipt lists it."""
    why = "；".join(t for t in (reason, note) if t)
    return f"{name}（{STATUS_NAMES.get(status, status)}{'：' + why if why else ''}）"
