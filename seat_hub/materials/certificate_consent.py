"""The citizen's consent to a lookup of their electronic licences (电子证照), in the audit
log before the agent looks anything up.

``certificate_consent`` from the agent of a work order (live or in wrap-up) is written to
the audit log (action ``certificate_lookup``, result ``read``: staff about to read
personal data held elsewhere) and answered ``ack``; the workstation looks nothing up
without that ``ack``. A refusal is recorded the same way, so the log shows that the
citizen was asked and said no. An audit log that cannot be written refuses the message
(``internal``), and nothing is looked up.
"""

from __future__ import annotations

from seat_common.protocol import Ack, CertificateConsent
from seat_hub.context import HubContext
from seat_hub.materials.delivery import other_party
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
