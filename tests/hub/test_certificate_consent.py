"""The citizen's consent to a lookup of their electronic licences is in the audit log
before the hub answers it, and only the agent of the work order may record it."""

from __future__ import annotations

from collections.abc import Callable

from hubclient import SI, SI_ITEM, Clients, agent_seat, db_rows

from sandbox.hub_process import HubProcess
from seat_common.protocol import (
    Accept,
    Ack,
    CertificateConsent,
    CertificateConsentAnswer,
    CertificateConsentRequest,
    Offer,
)


async def test_a_consent_is_audited_before_its_ack_and_only_for_the_agent_of_the_call(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001", SI), agent_seat("0002", SI)], ring_timeout=5)
    agent = await clients.agent(hub, "0001")
    other = await clients.agent(hub, "0002")
    await agent.ready()
    citizen = await clients.citizen(hub, "吴女士")
    queued = await citizen.join(SI_ITEM, name="吴女士")
    offer = await agent.expect(Offer, within=10)
    await agent.send(Accept(call_id=offer.call_id))
    wo = queued.work_order_id

    # Another agent, not of this call: refused, nothing in the log.
    await other.send(CertificateConsent(work_order_id=wo, consent="spoken",
                                        consent_ref="CS-0000000001"))
    await other.expect_error("no_such_work_order", within=10)
    assert not db_rows(hub.db_path, "SELECT 1 FROM audit_log WHERE action = ?",
                       ("certificate_lookup",))

    for consent, ref in (("spoken", "CS-0000000002"), ("refused", "CS-0000000003")):
        await agent.send(CertificateConsent(work_order_id=wo, consent=consent,  # type: ignore[arg-type]
                                            consent_ref=ref))
        ack = await agent.expect(Ack, lambda a: a.of == "certificate_consent", within=10)
        assert ack.work_order_id == wo
    rows = db_rows(hub.db_path, "SELECT supervisor_id, action, target, detail, result"
                   " FROM audit_log WHERE action = ? ORDER BY seq", ("certificate_lookup",))
    assert [(r["supervisor_id"], r["target"], r["detail"], r["result"]) for r in rows] == [
        ("0001", wo, "consent=spoken ref=CS-0000000002", "read"),
        ("0001", wo, "consent=refused ref=CS-0000000003", "read")]
    # A citizen may not record consent on the agent's behalf.
    await citizen.send(CertificateConsent(work_order_id=wo, consent="spoken",
                                          consent_ref="CS-0000000004"))
    await citizen.expect_error("not_allowed", within=10)


async def test_consent_asked_on_the_citizens_device_is_audited_then_relayed(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001", SI), agent_seat("0002", SI)], ring_timeout=5)
    agent = await clients.agent(hub, "0001")
    other = await clients.agent(hub, "0002")
    await agent.ready()
    citizen = await clients.citizen(hub, "吴女士")
    queued = await citizen.join(SI_ITEM, name="吴女士")
    offer = await agent.expect(Offer, within=10)
    await agent.send(Accept(call_id=offer.call_id))
    wo = queued.work_order_id
    lookups = "SELECT supervisor_id, target, detail, result FROM audit_log WHERE action = ?"

    # The citizen answers before anything was asked: refused, nothing in the log.
    await citizen.send(CertificateConsentAnswer(wo, "CS-device-0001", agreed=True))
    await citizen.expect_error("bad_state", within=10)
    # Another agent may not ask; a citizen may not ask either.
    request = CertificateConsentRequest(wo, "CS-device-0001", ("居民身份证", "户口簿"))
    await other.send(request)
    await other.expect_error("no_such_work_order", within=10)
    await citizen.send(request)
    await citizen.expect_error("not_allowed", within=10)

    await agent.send(request)
    await agent.expect(Ack, lambda a: a.of == "certificate_consent_request", within=10)
    asked = await citizen.expect(CertificateConsentRequest, within=10)
    assert asked == request
    assert not db_rows(hub.db_path, lookups, ("certificate_lookup",)), "asked, not answered"
    # Another reference, or the agent answering for the citizen: refused.
    await citizen.send(CertificateConsentAnswer(wo, "CS-device-9999", agreed=True))
    await citizen.expect_error("bad_state", within=10)
    await agent.send(CertificateConsentAnswer(wo, "CS-device-0001", agreed=True))
    await agent.expect_error("not_allowed", within=10)

    await citizen.send(CertificateConsentAnswer(wo, "CS-device-0001", agreed=True))
    answer = await agent.expect(CertificateConsentAnswer, within=10)
    assert answer.agreed and answer.consent_ref == "CS-device-0001"
    rows = db_rows(hub.db_path, lookups, ("certificate_lookup",))
    assert [(r["supervisor_id"], r["target"], r["detail"], r["result"]) for r in rows] == [
        ("0001", wo, "consent=on_device ref=CS-device-0001", "read")]
    # Answered once: a second answer under the same reference is refused.
    await citizen.send(CertificateConsentAnswer(wo, "CS-device-0001", agreed=False))
    await citizen.expect_error("bad_state", within=10)

    # A refusal on the device is recorded and relayed the same way.
    await agent.send(CertificateConsentRequest(wo, "CS-device-0002", ("居民身份证",)))
    await citizen.expect(CertificateConsentRequest, within=10)
    await citizen.send(CertificateConsentAnswer(wo, "CS-device-0002", agreed=False))
    refused = await agent.expect(CertificateConsentAnswer, within=10)
    assert not refused.agreed
    assert db_rows(hub.db_path, lookups, ("certificate_lookup",))[-1]["detail"] == (
        "consent=refused_on_device ref=CS-device-0002")

    # At most 4 open requests per call.
    for n in range(4):
        await agent.send(CertificateConsentRequest(wo, f"CS-device-100{n}", ("居民身份证",)))
        await agent.expect(Ack, lambda a: a.of == "certificate_consent_request", within=10)
    await agent.send(CertificateConsentRequest(wo, "CS-device-1004", ("居民身份证",)))
    await agent.expect_error("bad_state", within=10)
