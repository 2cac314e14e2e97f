"""The citizen's consent to a lookup of their electronic licences (电子证照), in the audit
log before the agent looks anything up.

``certificate_consent`` from the agent of a work order (live or in wrap-up) is written to
the audit log (action ``certificate_lookup``, result ``read``: staff about to read
personal data held elsewhere) and answered ``ack``; the workstation looks nothing up
without that ``ack``. A refusal is recorded the same way, so the log shows that the
citizen was asked and said no. An audit log that cannot be written refuses the message
(``internal``), and nothing is looked up.

Where the citizen can answer on their own device, the agent asks it instead
(``certificate_consent_request``, relayed to the citizen of the live call, its reference
kept with the call); the citizen's ``certificate_consent_answer`` is written to the audit
log as the agent's read, the reference forgotten, and only then relayed to the agent.
"""

from __future__ import annotations

from seat_common.protocol import (
    Ack,
    CertificateConsent,
    CertificateConsentAnswer,
    CertificateConsentRequest,
)
from seat_hub.context import HubContext, Refusal
from seat_hub.materials.delivery import other_party
from seat_hub.model import Call
from seat_hub.parties.session import Session
from seat_hub.supervision.audit import record_read


async def on_certificate_consent(ctx: HubContext, session: Session,
                                 message: CertificateConsent) -> None:
    other_party(ctx, session, message.work_order_id)  # refuses anyone not of the work order
    await record_read(ctx, session, "certificate_lookup", message.work_order_id,
                      f"consent={message.consent} ref={message.consent_ref}")
    ctx.log.event("certificate_consent", work_order_id=message.work_order_id,
                  agent_id=session.agent_id, consent=message.consent)
    session.send(Ack(of=CertificateConsent.TYPE, work_order_id=message.work_order_id))


#: Unanswered device consent requests one call may have at once.
MAX_OPEN_REQUESTS = 4


def _live_call(ctx: HubContext, session: Session, work_order_id: str) -> Call:
    """The live call of ``work_order_id`` that ``session`` is a party of."""
    for call in ctx.live.calls.values():
        if call.contact.work_order_id == work_order_id and call.has_party(session):
            return call
    raise Refusal("no_such_work_order", "not a live call of yours", "work_order_id")


async def on_consent_request(ctx: HubContext, session: Session,
                             message: CertificateConsentRequest) -> None:
    """The agent asks the citizen's device: relay it, keep its reference with the call."""
    call = _live_call(ctx, session, message.work_order_id)
    if session is not call.agent.session:
        raise Refusal("not_allowed", "only the agent of the call asks", "work_order_id")
    if call.citizen_session.closing:
        raise Refusal("bad_state", "the citizen is not connected", "work_order_id")
    if len(call.consent_requests) >= MAX_OPEN_REQUESTS:
        raise Refusal("bad_state", "too many unanswered consent requests", "consent_ref")
    call.consent_requests.add(message.consent_ref)
    call.citizen_session.send(message)
    ctx.log.event("certificate_consent_request", work_order_id=message.work_order_id,
                  agent_id=session.agent_id, certificates=len(message.certificates))
    session.send(Ack(of=CertificateConsentRequest.TYPE, work_order_id=message.work_order_id))


async def on_consent_answer(ctx: HubContext, session: Session,
                            message: CertificateConsentAnswer) -> None:
    """The citizen answered on their device: audited as the agent's read, then relayed."""
    call = _live_call(ctx, session, message.work_order_id)
    if session is not call.citizen_session:
        raise Refusal("no_such_work_order", "not a work order of yours", "work_order_id")
    if message.consent_ref not in call.consent_requests:
        raise Refusal("bad_state", "no consent request waits for this answer", "consent_ref")
    call.consent_requests.discard(message.consent_ref)
    consent = "on_device" if message.agreed else "refused_on_device"
    await record_read(ctx, call.agent.session, "certificate_lookup", message.work_order_id,
                      f"consent={consent} ref={message.consent_ref}")
    ctx.log.event("certificate_consent", work_order_id=message.work_order_id,
                  agent_id=call.agent.agent_id, consent=consent)
    call.agent.session.send(message)
