"""Reused certificates in pre-review: the citizen's consent, the lookup, the attachment.

The story, in the order it must happen:

1. The agent asks the citizen in the call whether the workstation may look up their
   certificates in the province's electronic-licence library (电子证照库), and records the
   answer (``look_up(id_number, consent)``).
2. The answer goes to the hub as ``certificate_consent`` with a fresh consent reference;
   the hub writes it to its audit log and answers ``ack``. No ``ack`` (refused, the log
   unwritable, the hub away): nothing is looked up. A refusal is recorded the same way
   and ends there: no lookup.
   Where the citizen can answer on their own device (the web page), the agent asks it
   instead (``ask_on_device``): ``certificate_consent_request`` names the certificates,
   the citizen's 同意 / 不同意 comes back as ``certificate_consent_answer`` once the hub
   has written it to the audit log; 不同意 (or no answer in time) ends there: no lookup.
3. With the consent recorded, the desk asks the library (``e_licences.look_up``, quoting
   the reference) and keeps the answer for the work order in hand (``lookup``; event
   ``looked_up``).
4. ``attach(licence, material_code)`` lets a valid certificate stand for a checklist
   material: its image is fetched from the library and stored at the hub as a material of
   the work order (``source`` ``e_licence``), then the review session marks the material
   accepted, verified at source. An expired or revoked certificate, or any failure on the
   way, attaches nothing; the agent gets the reason in Chinese (``LicenceLookupError`` or
   ``CertificateError``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from seat_client.acceptance.e_licences import LicenceLookupError, licence_image, look_up
from seat_client.acceptance.gov_api_client import GovApiClient
from seat_client.call.hub_link import HubLink, NotConnectedError
from seat_client.materials.transfer import MaterialTransfer, MaterialTransferError
from seat_client.review.certificates import (
    ElectronicLicence,
    VerifiedCertificate,
    check_usable,
)
from seat_client.review.desk import ReviewDesk
from seat_client.review.session import ReviewSession
from seat_common import protocol
from seat_common.events import Event
from seat_common.personal_data.pii import opaque_reference
from seat_common.validators import check_id_number, normalize_id_number


def applicant_id_number(values: Mapping[str, str]) -> str:
    """The first valid ID number among a form's values (``*id_number`` fields), or ""."""
    for code, value in values.items():
        number = normalize_id_number(value)
        if code.endswith("id_number") and number and not check_id_number(number):
            return number
    return ""


@dataclass(frozen=True, slots=True)
class CertificateLookup:
    """What the library held for the citizen of one work order, under one consent."""

    work_order_id: str
    consent_ref: str
    licences: tuple[ElectronicLicence, ...]
    looked_up_at: float


class CertificateDesk:
    """The certificates of the work order under pre-review. Events: ``looked_up``
    (``CertificateLookup | None``: a new answer, or none for a new work order)."""

    def __init__(self, link: HubLink, client: GovApiClient, review: ReviewDesk,
                 transfer: MaterialTransfer, *, reply_timeout_s: float = 30.0,
                 clock: Callable[[], float] = time.time,
                 today: Callable[[], date] = date.today) -> None:
        self._link = link
        self._client = client
        self._review = review
        self._transfer = transfer
        self.reply_timeout_s = reply_timeout_s
        self._clock = clock
        self._today = today
        self._consents: dict[str, asyncio.Future[None]] = {}
        #: consent asked on the citizen's device: the hub's ack, then the answer, by ref
        self._device_asks: dict[str, tuple[asyncio.Future[None], asyncio.Future[bool]]] = {}
        self.lookup: CertificateLookup | None = None
        self.looked_up: Event[CertificateLookup | None] = Event()
        #: a task plugin asks for the certificates: the UI asks the agent to ask the citizen
        self.consent_wanted: Event[str] = Event()
        self._requests: list[asyncio.Future[CertificateLookup | None]] = []
        link.message.connect(self._on_message)
        review.session_changed.connect(self._on_session_changed)

    # --- consent and lookup ---------------------------------------------------------------

    async def look_up(self, id_number: str, consent: protocol.CertificateConsentMode
                      ) -> CertificateLookup | None:
        """Record the citizen's answer at the hub, then (consent given) look up their
        certificates. ``None`` when the citizen refused."""
        session = self._session()
        number = normalize_id_number(id_number)
        if consent != "refused" and check_id_number(number):
            raise LicenceLookupError("身份证号码无效，请核对后再查询电子证照")
        try:
            ref = await self._record_consent(session.work_order_id, consent)
            if consent == "refused":
                self._answer_requests(None)
                return None
        except LicenceLookupError as exc:
            self._answer_requests(exc)
            raise
        return await self._look_up_under(session, number, ref)

    async def ask_on_device(self, id_number: str, certificates: tuple[str, ...],
                            answer_timeout_s: float = 180.0) -> CertificateLookup | None:
        """Ask the citizen's own device (see the module), then, if they agree, look up
        their certificates. ``None`` when they press 不同意."""
        session = self._session()
        number = normalize_id_number(id_number)
        if check_id_number(number):
            raise LicenceLookupError("身份证号码无效，请核对后再查询电子证照")
        ref = opaque_reference("CS-", 10)
        loop = asyncio.get_running_loop()
        acked: asyncio.Future[None] = loop.create_future()
        answered: asyncio.Future[bool] = loop.create_future()
        self._device_asks[ref] = (acked, answered)
        try:
            await self._link.send(protocol.CertificateConsentRequest(
                work_order_id=session.work_order_id, consent_ref=ref,
                certificates=certificates[:8] or ("电子证照",)))
            await asyncio.wait_for(acked, self.reply_timeout_s)
            agreed = await asyncio.wait_for(answered, answer_timeout_s)
        except NotConnectedError as exc:
            raise LicenceLookupError("与服务中心的连接已断开，未能询问群众") from exc
        except TimeoutError as exc:
            raise LicenceLookupError("群众未在设备上答复，未查询证照；可改为口头询问") from exc
        finally:
            self._device_asks.pop(ref, None)
        if not agreed:
            self._answer_requests(None)
            return None
        return await self._look_up_under(session, number, ref)

    async def _look_up_under(self, session: ReviewSession, number: str, ref: str
                             ) -> CertificateLookup:
        """The lookup once the consent under ``ref`` is in the hub's audit log."""
        try:
            licences = await look_up(self._client, number, ref)
            if self._review.session is not session:
                raise LicenceLookupError("查询期间工单已更换，结果未使用")
        except LicenceLookupError as exc:
            self._answer_requests(exc)
            raise
        result = CertificateLookup(session.work_order_id, ref, licences, self._clock())
        self.lookup = result
        self.looked_up.emit(result)
        self._answer_requests(result)
        return result

    async def request(self, reason: str, timeout_s: float = 300.0) -> CertificateLookup | None:
        """A task plugin's request: the lookup the citizen already agreed to, or the agent
        is asked to ask them (``consent_wanted``) and this waits for the answer. ``None``
        when the citizen refuses or the agent cancels; ``LicenceLookupError`` on failure."""
        session = self._session()
        if self.lookup is not None and self.lookup.work_order_id == session.work_order_id:
            return self.lookup
        future: asyncio.Future[CertificateLookup | None] = (
            asyncio.get_running_loop().create_future())
        self._requests.append(future)
        self.consent_wanted.emit(reason)
        try:
            return await asyncio.wait_for(future, timeout_s)
        finally:
            if future in self._requests:
                self._requests.remove(future)

    def cancel_request(self) -> None:
        """The agent closed the consent dialog without an answer."""
        self._answer_requests(None)

    def _answer_requests(self, answer: CertificateLookup | Exception | None) -> None:
        for future in self._requests:
            if not future.done():
                if isinstance(answer, Exception):
                    future.set_exception(LicenceLookupError(str(answer)))
                else:
                    future.set_result(answer)
        self._requests.clear()

    async def _record_consent(self, work_order_id: str,
                              consent: protocol.CertificateConsentMode) -> str:
        ref = opaque_reference("CS-", 10)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._consents[ref] = future
        try:
            await self._link.send(protocol.CertificateConsent(
                work_order_id=work_order_id, consent=consent, consent_ref=ref))
            await asyncio.wait_for(future, self.reply_timeout_s)
        except NotConnectedError as exc:
            raise LicenceLookupError("与服务中心的连接已断开，授权未能记录，未查询证照") from exc
        except TimeoutError as exc:
            raise LicenceLookupError("服务中心未确认授权记录，未查询证照，请稍后重试") from exc
        finally:
            self._consents.pop(ref, None)
        return ref

    def _on_message(self, message: protocol.Message) -> None:
        # One consent is asked at a time: the ack or error answers the oldest waiting.
        match message:
            case protocol.Ack(of="certificate_consent"):
                self._settle(None)
            case protocol.Error(of="certificate_consent"):
                self._settle(LicenceLookupError(
                    f"服务中心拒绝记录授权（{message.code}），未查询证照"))
            case protocol.Ack(of="certificate_consent_request"):
                for acked, _ in self._device_asks.values():
                    if not acked.done():  # one ask at a time: the oldest waiting
                        acked.set_result(None)
                        break
            case protocol.Error(of="certificate_consent_request"):
                for acked, _ in self._device_asks.values():
                    if not acked.done():
                        acked.set_exception(LicenceLookupError(
                            f"未能询问群众（{message.code}）：群众可能已离开通话"))
                        break
            case protocol.CertificateConsentAnswer(consent_ref=ref, agreed=agreed):
                ask = self._device_asks.get(ref)
                if ask is not None and not ask[1].done():
                    ask[1].set_result(agreed)
            case _:
                pass

    def _settle(self, error: Exception | None) -> None:
        for future in self._consents.values():
            if not future.done():
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)
                return

    # --- attaching ------------------------------------------------------------------------

    async def attach(self, licence: ElectronicLicence, material_code: str
                     ) -> VerifiedCertificate:
        """Let ``licence`` stand for ``material_code`` of the checklist (see the module)."""
        session = self._session()
        lookup = self.lookup
        if lookup is None or lookup.work_order_id != session.work_order_id or (
                licence not in lookup.licences):
            raise LicenceLookupError("请先在群众授权后查询其电子证照")
        check_usable(licence, material_code, self._today())
        png = await licence_image(self._client, licence.licence_id, lookup.consent_ref)
        try:
            ref = await self._transfer.upload_bytes(
                session.work_order_id, png, filename=f"电子证照-{licence.name}.png",
                mime="image/png", source="e_licence", material_code=material_code)
        except (MaterialTransferError, NotConnectedError, TimeoutError) as exc:
            raise LicenceLookupError("证照图像未能保存到服务中心，未附加，请稍后重试") from exc
        verified = session.attach_certificate(material_code, licence, lookup.consent_ref,
                                              today=self._today(), now=self._clock())
        session.certificate_image_stored(material_code, ref.material_id)
        return session.certificates.get(material_code, verified)

    async def image(self, licence: ElectronicLicence) -> bytes:
        """The certificate's image, to show the agent (under the lookup's consent)."""
        lookup = self.lookup
        if lookup is None or licence not in lookup.licences:
            raise LicenceLookupError("请先在群众授权后查询其电子证照")
        return await licence_image(self._client, licence.licence_id, lookup.consent_ref)

    def checklist_codes(self) -> tuple[str, ...]:
        session = self._review.session
        return tuple(m.code for m in session.checklist) if session is not None else ()

    # --- internals ------------------------------------------------------------------------

    def _session(self) -> ReviewSession:
        session = self._review.session
        if session is None:
            raise LicenceLookupError("没有正在预审的工单")
        return session

    def _on_session_changed(self, session: ReviewSession | None) -> None:
        if self.lookup is not None and (session is None
                                        or session.work_order_id != self.lookup.work_order_id):
            self.lookup = None
            self.looked_up.emit(None)
