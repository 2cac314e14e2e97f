"""Messages of materials (document photos): uploads, downloads and pre-review verdicts.
The files themselves travel as binary chunks (``chunks``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from seat_common.protocol.terms import (
    ID_TEXT,
    MAX_TRANSFER_ID,
    CertificateConsentMode,
    ImageMime,
    MaterialSource,
    ProtocolError,
    Role,
    UploadFailure,
)
from seat_common.protocol.values import (
    MaterialInfo,
    VerdictEntry,
)


@dataclass(frozen=True, slots=True)
class UploadStart:
    """Client → hub: a material file of ``byte_size`` bytes follows as binary chunks
    (kind ``CHUNK_UPLOAD``, this ``upload_id``, sequence from 0)."""

    TYPE: ClassVar[str] = "upload_start"
    upload_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})
    work_order_id: str = field(metadata=ID_TEXT)
    filename: str = field(metadata={"max_len": 200, "min_len": 1})
    mime: ImageMime
    byte_size: int = field(metadata={"min": 0, "max": 2**31})
    sha256: str = field(metadata={"max_len": 64, "min_len": 64})
    source: MaterialSource = "citizen_upload"
    material_code: str = field(default="", metadata={"max_len": 64})


@dataclass(frozen=True, slots=True)
class UploadProgress:
    """Hub → uploader and the other party of the call: bytes received so far."""

    TYPE: ClassVar[str] = "upload_progress"
    upload_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})
    work_order_id: str = field(metadata=ID_TEXT)
    filename: str = field(metadata={"max_len": 200, "min_len": 1})
    received_bytes: int = field(metadata={"min": 0, "max": 2**31})
    byte_size: int = field(metadata={"min": 0, "max": 2**31})
    uploader_role: Role


@dataclass(frozen=True, slots=True)
class UploadFailed:
    """Hub → uploader and the other party: the upload was refused or broke off;
    nothing of it was stored."""

    TYPE: ClassVar[str] = "upload_failed"
    upload_id: int = field(metadata={"min": 0, "max": MAX_TRANSFER_ID})
    work_order_id: str = field(metadata={"max_len": 64})
    filename: str = field(metadata={"max_len": 200})
    reason: UploadFailure
    message: str = field(metadata={"max_len": 500})
    uploader_role: Role


@dataclass(frozen=True, slots=True)
class MaterialAdded:
    """Hub → uploader and the other party: a material passed every check and is
    stored with the work order. ``upload_id`` is the uploader's (0 for the other party)."""

    TYPE: ClassVar[str] = "material_added"
    upload_id: int = field(metadata={"min": 0, "max": MAX_TRANSFER_ID})
    material: MaterialInfo


@dataclass(frozen=True, slots=True)
class FetchMaterial:
    """Client → hub: send me this material's file (under the client's ``download_id``)."""

    TYPE: ClassVar[str] = "fetch_material"
    material_id: str = field(metadata=ID_TEXT)
    download_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})


@dataclass(frozen=True, slots=True)
class MaterialDownload:
    """Hub → client: the file follows as binary chunks (kind ``CHUNK_DOWNLOAD``,
    this ``download_id``, sequence from 0) until ``material.byte_size`` bytes."""

    TYPE: ClassVar[str] = "material_download"
    download_id: int = field(metadata={"min": 1, "max": MAX_TRANSFER_ID})
    material: MaterialInfo


@dataclass(frozen=True, slots=True)
class ReviewVerdict:
    """Agent → hub: the pre-review of the work order's materials (材料预审结果)."""

    TYPE: ClassVar[str] = "review_verdict"
    work_order_id: str = field(metadata=ID_TEXT)
    item_code: str = field(metadata=ID_TEXT)
    entries: tuple[VerdictEntry, ...] = field(metadata={"max_items": 50})


@dataclass(frozen=True, slots=True)
class CertificateConsent:
    """Agent → hub: the citizen of this work order was asked whether the agent may look up
    their electronic licences (电子证照) and answered ``consent``. The hub writes it to the
    audit log (``certificate_lookup``) before it answers ``ack``; only then does the agent
    look anything up, quoting ``consent_ref`` to the licence library."""

    TYPE: ClassVar[str] = "certificate_consent"
    work_order_id: str = field(metadata=ID_TEXT)
    consent: CertificateConsentMode
    consent_ref: str = field(metadata={"min_len": 8, "max_len": 64})


@dataclass(frozen=True, slots=True)
class CertificateConsentRequest:
    """Agent → hub → the work order's citizen, in the call: may the agent look up these
    electronic licences (``certificates``, their names: 居民身份证, 户口簿…) for this
    contact? The citizen's device asks (同意 / 不同意) and answers with
    ``certificate_consent_answer`` under the same ``consent_ref``. For a citizen who cannot
    answer on their device (a kiosk, a phone call), the agent records a spoken answer with
    ``certificate_consent`` instead."""

    TYPE: ClassVar[str] = "certificate_consent_request"
    work_order_id: str = field(metadata=ID_TEXT)
    consent_ref: str = field(metadata={"min_len": 8, "max_len": 64})
    certificates: tuple[str, ...] = field(metadata={"max_items": 8})

    def check_across_fields(self) -> None:
        if not self.certificates or not all(name.strip() for name in self.certificates):
            raise ProtocolError("bad_message", "name the certificates asked for",
                                "certificates")


@dataclass(frozen=True, slots=True)
class CertificateConsentAnswer:
    """Citizen → hub → agent: the citizen's own answer to ``certificate_consent_request``.
    The hub writes it to the audit log (``certificate_lookup``) before it tells the agent;
    the agent looks up nothing unless ``agreed``."""

    TYPE: ClassVar[str] = "certificate_consent_answer"
    work_order_id: str = field(metadata=ID_TEXT)
    consent_ref: str = field(metadata={"min_len": 8, "max_len": 64})
    agreed: bool


@dataclass(frozen=True, slots=True)
class PreReviewNotice:
    """Hub → the work order's citizen: the agent's verdict as stored (``revision`` counts
    the verdicts of this work order from 1)."""

    TYPE: ClassVar[str] = "pre_review_verdict"
    work_order_id: str = field(metadata=ID_TEXT)
    item_code: str = field(metadata=ID_TEXT)
    entries: tuple[VerdictEntry, ...] = field(metadata={"max_items": 50})
    revision: int = field(metadata={"min": 1, "max": 10000})
    decided_at: float = field(metadata={"min": 0})
