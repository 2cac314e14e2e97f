"""Reused certificates (复用证明材料): a certificate from the province's electronic-licence
library (电子证照库) standing for a checklist material instead of a photo of it.

``ElectronicLicence`` is one certificate as the library answered (checked where it came
in: ``seat_client.acceptance.e_licences``); ``VerifiedCertificate`` is one attached to a
checklist material of a ``ReviewSession`` (with the citizen's consent reference and the
material id of its image at the hub). Which materials a kind of certificate can stand
for is ``SATISFIES``; only a valid certificate, on the day it is attached, can.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal

from seat_common.personal_data.pii import mask_id_number

LicenceStatus = Literal["valid", "expired", "revoked"]
LICENCE_STATUSES: Final[tuple[LicenceStatus, ...]] = ("valid", "expired", "revoked")

#: The source the checklist names for a material verified in the library.
VERIFIED_SOURCE: Final = "电子证照库"

#: The checklist material codes (catalog ``Material.code``) each kind of licence can stand for.
SATISFIES: Final[dict[str, tuple[str, ...]]] = {
    "id_card": ("id_card",),
    "household_register": ("household_register",),
    "business_licence": ("business_licence",),
    "marriage_certificate": ("marriage_certificate",),
    "property_certificate": ("title_certificate", "purchase_contract", "address_proof"),
    "social_security_card": (),
}

_STATUS_ZH: Final[dict[LicenceStatus, str]] = {
    "valid": "有效", "expired": "已过期", "revoked": "已撤销"}


class CertificateError(ValueError):
    """A certificate that cannot stand for the material (expired, revoked, another kind)."""


@dataclass(frozen=True, slots=True)
class ElectronicLicence:
    """One certificate the library holds; ``expires_on`` "" = 长期有效 (ISO dates)."""

    licence_id: str
    kind: str
    name: str
    number: str
    holder_name: str
    issuer: str
    issued_on: str
    expires_on: str
    status: LicenceStatus

    def status_on(self, today: date) -> LicenceStatus:
        """The library's status, and expired on our side too once the expiry date passed."""
        if self.status == "valid" and self.expires_on and date.fromisoformat(
                self.expires_on) < today:
            return "expired"
        return self.status

    def status_text(self, today: date) -> str:
        return _STATUS_ZH[self.status_on(today)]

    def masked_number(self) -> str:
        if self.kind == "id_card":
            return mask_id_number(self.number)
        n = self.number
        return n if len(n) <= 8 else n[:4] + "*" * (len(n) - 8) + n[-4:]

    def to_json(self) -> dict[str, str]:
        return {"licence_id": self.licence_id, "kind": self.kind, "name": self.name,
                "number": self.number, "holder_name": self.holder_name, "issuer": self.issuer,
                "issued_on": self.issued_on, "expires_on": self.expires_on,
                "status": self.status}


def materials_for(licence: ElectronicLicence, checklist_codes: tuple[str, ...]) -> tuple[str, ...]:
    """The checklist materials this licence can stand for, in checklist order."""
    fits = SATISFIES.get(licence.kind, ())
    return tuple(code for code in checklist_codes if code in fits)


def check_usable(licence: ElectronicLicence, material_code: str, today: date) -> None:
    """Raise ``CertificateError`` (in Chinese) unless the licence can stand for the material."""
    status = licence.status_on(today)
    if status != "valid":
        raise CertificateError(f"{licence.name}{_STATUS_ZH[status]}，不能作为此材料，"
                               "请群众提供有效证件")
    if material_code not in SATISFIES.get(licence.kind, ()):
        raise CertificateError(f"{licence.name}不能作为此材料")


@dataclass(frozen=True, slots=True)
class VerifiedCertificate:
    """A certificate attached to one checklist material."""

    material_code: str
    licence: ElectronicLicence
    consent_ref: str
    verified_at: float
    #: the certificate's image as a material of the work order ("" until the hub stored it)
    material_id: str = ""

    def note(self) -> str:
        """What the verdict and the checklist say about it."""
        return (f"校验来源：{VERIFIED_SOURCE}（{self.licence.name} {self.licence.masked_number()}，"
                f"有效期至{self.licence.expires_on or '长期'}）")

    def to_json(self) -> dict[str, Any]:
        return {"material_code": self.material_code, "licence": self.licence.to_json(),
                "consent_ref": self.consent_ref, "verified_at": self.verified_at,
                "material_id": self.material_id}


def verified_from_json(raw: dict[str, Any]) -> VerifiedCertificate:
    """Back from ``VerifiedCertificate.to_json`` (a stored review); raises on bad data."""
    lic = dict(raw["licence"])
    status = lic["status"]
    if status not in LICENCE_STATUSES:
        raise ValueError(f"unknown licence status {status!r}")
    licence = ElectronicLicence(
        str(lic["licence_id"]), str(lic["kind"]), str(lic["name"]), str(lic["number"]),
        str(lic["holder_name"]), str(lic["issuer"]), str(lic["issued_on"]),
        str(lic["expires_on"]), status)
    return VerifiedCertificate(str(raw["material_code"]), licence, str(raw["consent_ref"]),
                               float(raw["verified_at"]), str(raw.get("material_id", "")))
