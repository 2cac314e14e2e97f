"""Reused certificates end to end: a real hub, the real government-API sandbox, a simulated
citizen in a call, the workstation's core. The citizen's consent is audited at the hub
before any lookup; a certificate attached is a material of the work order (source
``e_licence``) and its checklist material is accepted, verified at source; a refusal, an
expired or revoked certificate, or a fault in the sandbox attaches nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.citizen import CitizenReport, CitizenScript, SimulatedCitizen
from sandbox.gov_api.licence_records import DEMO_APPLICANT, EXPIRED_HOLDER
from sandbox.gov_api_process import GovApiProcess
from sandbox.hub_process import HubProcess
from seat_client.acceptance.certificate_desk import CertificateDesk
from seat_client.acceptance.e_licences import LicenceLookupError
from seat_client.acceptance.gov_api_client import GovApiClient, KeyringGovApiCredentials
from seat_client.call.hub_link import HubLink, LinkState
from seat_client.call.workstation import Workstation
from seat_client.materials.cache import MaterialCache
from seat_client.materials.transfer import MaterialTransfer
from seat_client.review import session as review
from seat_client.review.certificates import CertificateError, ElectronicLicence
from seat_client.review.desk import ReviewDesk
from seat_client.review.session import ReviewStore
from seat_common import catalog, protocol
from tests.hub.hubclient import db_rows
from tests.integration.conftest import until

ITEM = "EM-STARTUP-GRANT"  # 居民身份证 + 营业执照


@pytest.fixture
def gov_api() -> Iterator[GovApiProcess]:
    with GovApiProcess(token_ttl=3600) as process:
        yield process


@dataclass
class InCall:
    hub: HubProcess
    api: GovApiProcess
    review: ReviewDesk
    certificates: CertificateDesk
    work_order_id: str
    workstation: Workstation
    citizen: asyncio.Task[object]
    person: SimulatedCitizen | None = None

    def citizen_report(self) -> CitizenReport:
        assert self.person is not None
        return self.person.report

    async def finish(self) -> None:
        """Hang up and let the citizen go (in the test: its loop runs the citizen)."""
        await self.workstation.hang_up()
        await asyncio.wait_for(self.citizen, 30)

    def audit(self) -> list[dict[str, object]]:
        return db_rows(self.hub.db_path, "SELECT supervisor_id, target, detail, result"
                       " FROM audit_log WHERE action = 'certificate_lookup' ORDER BY seq")

    def e_licence_materials(self) -> list[str]:
        session = self.review.session
        assert session is not None
        return [m for m, ref in session.materials.items() if ref.source == "e_licence"]


@pytest.fixture
async def in_call(hub: HubProcess, gov_api: GovApiProcess, tmp_path: Path,
                  request: pytest.FixtureRequest
                  ) -> AsyncIterator[InCall]:
    token = hub.tokens["0012"]
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=token))
    workstation = Workstation(link)
    transfer = MaterialTransfer(link, MaterialCache(tmp_path / "materials"))
    desk = ReviewDesk(workstation, transfer, ReviewStore(tmp_path), catalog.load(),
                      review.load_reasons())
    desk.material_added.connect(lambda ref: desk.session and desk.session.add_material(ref))
    credentials = KeyringGovApiCredentials(gov_api.client_id,
                                           service=f"seat-gov-api-test-{tmp_path.name}")
    credentials.set_client_secret(gov_api.client_secret)
    client = GovApiClient(gov_api.url, credentials, timeout_s=5.0)
    certificates = CertificateDesk(link, client, desk, transfer, reply_timeout_s=10.0)
    transfer.attach()
    link.start()
    await until(lambda: link.state is LinkState.CONNECTED, "the workstation logs in")
    # The citizen's answer on their device, if asked there (a test may say otherwise).
    script = CitizenScript(certificate_consent=getattr(request, "param", True))
    citizen = SimulatedCitizen(hub.url, ITEM, "web", "陈小梅", script=script)
    run = asyncio.get_running_loop().create_task(citizen.run())
    await workstation.set_ready()
    await until(lambda: workstation.offer is not None, "the offer")
    await workstation.accept()
    await until(lambda: desk.session is not None, "the pre-review opens with the call")
    assert desk.session is not None
    yield InCall(hub, gov_api, desk, certificates, desk.session.work_order_id, workstation,
                 run, citizen)
    await client.close()
    credentials.save_token(None)
    await transfer.close()
    await workstation.close()


async def test_a_lookup_with_consent_is_audited_and_attaches_a_material(in_call: InCall
                                                                        ) -> None:
    found = await in_call.certificates.look_up(DEMO_APPLICANT, "spoken")
    assert found is not None and found.work_order_id == in_call.work_order_id
    # Audited at the hub first, under the reference the library saw.
    (row,) = in_call.audit()
    assert (row["supervisor_id"], row["target"], row["result"]) == (
        "0012", in_call.work_order_id, "read")
    assert row["detail"] == f"consent=spoken ref={found.consent_ref}"
    assert [e["consent_ref"] for e in in_call.api.events("e_licence_lookup")] == [
        found.consent_ref]
    id_card = next(lic for lic in found.licences if lic.kind == "id_card")
    verified = await in_call.certificates.attach(id_card, "id_card")
    session = in_call.review.session
    assert session is not None
    mark = session.marks["id_card"]
    assert mark.status == "accepted" and "校验来源：电子证照库" in mark.note
    assert session.unmarked() == ("business_licence",)
    await until(lambda: bool(in_call.e_licence_materials()),
                "the certificate's image comes back as a material of the work order")
    (material_id,) = in_call.e_licence_materials()
    assert verified.material_id == material_id
    assert session.assignments[material_id] == "id_card"
    session.mark("business_licence", "missing")
    verdict = session.build_verdict("0012")
    entry = next(v for v in verdict.verdicts if v.material_code == "id_card")
    assert (entry.status, entry.material_ids) == ("accepted", (material_id,))
    await in_call.finish()


async def test_a_refused_consent_looks_nothing_up_and_attaches_nothing(in_call: InCall
                                                                      ) -> None:
    assert await in_call.certificates.look_up(DEMO_APPLICANT, "refused") is None
    (row,) = in_call.audit()
    assert str(row["detail"]).startswith("consent=refused ref=CS-")
    assert in_call.api.events("e_licence_lookup") == []
    assert in_call.certificates.lookup is None
    session = in_call.review.session
    assert session is not None and session.certificates == {}
    assert session.unmarked() == ("id_card", "business_licence")
    made_up = ElectronicLicence("EL-1", "id_card", "居民身份证", DEMO_APPLICANT, "陈小梅",
                                "东莞市公安局", "2021-03-15", "2041-03-15", "valid")
    with pytest.raises(LicenceLookupError, match="请先在群众授权后查询"):
        await in_call.certificates.attach(made_up, "id_card")
    await in_call.finish()


async def test_an_expired_or_revoked_certificate_does_not_satisfy(in_call: InCall) -> None:
    found = await in_call.certificates.look_up(EXPIRED_HOLDER, "spoken")
    assert found is not None
    by_kind = {lic.kind: lic for lic in found.licences}
    with pytest.raises(CertificateError, match="居民身份证已过期，不能作为此材料"):
        await in_call.certificates.attach(by_kind["id_card"], "id_card")
    with pytest.raises(CertificateError, match="营业执照已撤销"):
        await in_call.certificates.attach(by_kind["business_licence"], "business_licence")
    with pytest.raises(CertificateError, match="不能作为此材料"):  # the wrong kind
        await in_call.certificates.attach(by_kind["household_register"], "id_card")
    session = in_call.review.session
    assert session is not None and session.certificates == {}
    assert session.unmarked() == ("id_card", "business_licence")
    assert in_call.api.events("e_licence_image") == []
    await in_call.finish()


async def test_a_sandbox_fault_is_a_clear_message_and_attaches_nothing(in_call: InCall
                                                                       ) -> None:
    await in_call.api.add_fault(kind="error", status=503, path_prefix="/v1/e-licences/",
                                count=1)
    with pytest.raises(LicenceLookupError, match="电子证照库暂时无法使用（HTTP 503）"):
        await in_call.certificates.look_up(DEMO_APPLICANT, "spoken")
    assert in_call.certificates.lookup is None
    found = await in_call.certificates.look_up(DEMO_APPLICANT, "spoken")
    assert found is not None
    await in_call.api.add_fault(kind="drop", phase="before", path_prefix="/v1/e-licences/images",
                                count=1)
    id_card = next(lic for lic in found.licences if lic.kind == "id_card")
    with pytest.raises(LicenceLookupError, match="连接电子证照库失败"):
        await in_call.certificates.attach(id_card, "id_card")
    session = in_call.review.session
    assert session is not None and session.certificates == {}
    assert session.marks["id_card"].status == ""
    assert in_call.e_licence_materials() == []
    # Each lookup asked was audited, the failed one too.
    assert len(in_call.audit()) == 2
    await in_call.finish()


async def test_a_plugin_asks_for_certificates_only_through_the_citizens_consent(
        in_call: InCall, tmp_path: Path) -> None:
    from seat_client.plugin_api import LookupFailed
    from seat_client.plugin_host.host import PluginHost
    from seat_client.plugin_host.port import WorkstationPluginPort

    port = WorkstationPluginPort(
        PluginHost(catalog.load()), in_call.workstation, None, in_call.work_order_id,
        tmp_path, desk=in_call.review, certificates=in_call.certificates)
    asked: list[str] = []
    in_call.certificates.consent_wanted.connect(asked.append)
    # The agent cancels the dialog: nothing looked up, nothing given.
    ask = asyncio.get_running_loop().create_task(port.certificates("核对营业执照"))
    await until(lambda: asked == ["核对营业执照"], "the agent is asked to ask the citizen")
    in_call.certificates.cancel_request()
    assert await ask == ()
    assert in_call.audit() == [] and in_call.api.events("e_licence_lookup") == []
    # The citizen agrees: the plugin gets the certificates, numbers masked.
    ask = asyncio.get_running_loop().create_task(port.certificates("核对营业执照"))
    await until(lambda: len(asked) == 2, "asked again")
    await in_call.certificates.look_up(EXPIRED_HOLDER, "spoken")
    found = await ask
    by_kind = {c.kind: c for c in found}
    assert by_kind["id_card"].status == "expired" and EXPIRED_HOLDER not in by_kind[
        "id_card"].number
    assert by_kind["business_licence"].status == "revoked"
    assert len(in_call.audit()) == 1
    # Asked again in the same call: the same answer, no second consent.
    assert await port.certificates("再次核对") == found and len(asked) == 2
    # A failing library is a LookupFailed in Chinese.
    in_call.certificates.lookup = None
    await in_call.api.add_fault(kind="error", status=503, path_prefix="/v1/e-licences/",
                                count=1)
    ask = asyncio.get_running_loop().create_task(port.certificates("核对"))
    await until(lambda: len(asked) == 3, "asked a third time")
    with pytest.raises(LicenceLookupError):
        await in_call.certificates.look_up(EXPIRED_HOLDER, "spoken")
    with pytest.raises(LookupFailed, match="暂时无法使用"):
        await ask
    await in_call.finish()


async def test_consent_given_on_the_citizens_device_is_audited_and_the_lookup_follows(
        in_call: InCall) -> None:
    found = await in_call.certificates.ask_on_device(DEMO_APPLICANT, ("居民身份证", "营业执照"))
    assert found is not None and found.work_order_id == in_call.work_order_id
    (row,) = in_call.audit()
    assert (row["supervisor_id"], row["detail"]) == (
        "0012", f"consent=on_device ref={found.consent_ref}")
    assert [e["consent_ref"] for e in in_call.api.events("e_licence_lookup")] == [
        found.consent_ref]
    assert in_call.citizen_report().consent_requests == ["居民身份证、营业执照"]
    await in_call.finish()


@pytest.mark.parametrize("in_call", [False], indirect=True)
async def test_consent_refused_on_the_citizens_device_looks_nothing_up(in_call: InCall
                                                                      ) -> None:
    assert await in_call.certificates.ask_on_device(DEMO_APPLICANT, ("居民身份证",)) is None
    (row,) = in_call.audit()
    assert str(row["detail"]).startswith("consent=refused_on_device ref=CS-")
    assert in_call.api.events("e_licence_lookup") == []
    assert in_call.certificates.lookup is None
    await in_call.finish()


@pytest.mark.parametrize("in_call", [None], indirect=True)
async def test_no_answer_on_the_device_looks_nothing_up_and_says_so(in_call: InCall) -> None:
    with pytest.raises(LicenceLookupError, match="群众未在设备上答复"):
        await in_call.certificates.ask_on_device(DEMO_APPLICANT, ("居民身份证",),
                                                 answer_timeout_s=1.0)
    assert in_call.audit() == [] and in_call.api.events("e_licence_lookup") == []
    await in_call.finish()
