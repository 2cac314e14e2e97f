"""The kiosk's printer: documents the agent pushes arrive as PDFs in a folder.

``KioskPrinter.accept`` takes ``print_chunk`` messages in any order,
reassembles each job, checks it (every chunk agrees on name, size, count
and digest; the size matches; the SHA-256 matches; it starts with
``%PDF-``) and writes it atomically (a temporary file, then
``os.replace``) as ``<folder>/<name>``, made unique if the name is taken.
The file write runs in a thread. Printing the kiosk's own form (the 打印
button) goes through ``print_pdf`` the same way. Open jobs are bounded.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from seat_common.protocol import assist as wire

MAX_OPEN_JOBS: Final = 4


@dataclass
class _Job:
    name: str
    total: int
    size: int
    sha256: str
    chunks: dict[int, bytes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Printed:
    """A document the printer put out."""

    job: str
    name: str
    path: Path
    size: int


class KioskPrinter:
    """Writes checked PDFs into ``folder``; ``printed`` lists what came out."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.printed: list[Printed] = []
        self._jobs: dict[str, _Job] = {}

    async def accept(self, chunk: wire.PrintChunk) -> wire.PrintResult | None:
        """Take one chunk; the job's result once it is complete or broken, else None."""
        job = self._jobs.get(chunk.job)
        if job is None:
            if len(self._jobs) >= MAX_OPEN_JOBS:
                return wire.PrintResult(chunk.job, chunk.name, False, "too many open print jobs")
            job = self._jobs[chunk.job] = _Job(chunk.name, chunk.total, chunk.size, chunk.sha256)
        if (chunk.name, chunk.total, chunk.size, chunk.sha256) != (
            job.name, job.total, job.size, job.sha256
        ):
            del self._jobs[chunk.job]
            return wire.PrintResult(chunk.job, job.name, False, "chunks of one job disagree")
        job.chunks[chunk.index] = base64.b64decode(chunk.data)
        if len(job.chunks) < job.total:
            return None
        del self._jobs[chunk.job]
        document = b"".join(job.chunks[i] for i in range(job.total))
        if len(document) != job.size:
            return wire.PrintResult(chunk.job, job.name, False, "size does not match")
        if hashlib.sha256(document).hexdigest() != job.sha256:
            return wire.PrintResult(chunk.job, job.name, False, "sha256 does not match")
        return await self.print_pdf(document, job.name, job=chunk.job)

    async def print_pdf(
        self, document: bytes, name: str, *, job: str = "local"
    ) -> wire.PrintResult:
        if not document.startswith(b"%PDF-"):
            return wire.PrintResult(job, name, False, "not a PDF document")
        if len(document) > wire.MAX_PRINT_BYTES:
            return wire.PrintResult(job, name, False, "document too large")
        safe = Path(name).name or "document.pdf"
        path = await asyncio.to_thread(self._write, document, safe)
        self.printed.append(Printed(job, name, path, len(document)))
        return wire.PrintResult(job, name, True)

    def _write(self, document: bytes, name: str) -> Path:
        stem, suffix = Path(name).stem, Path(name).suffix or ".pdf"
        target = self.folder / f"{stem}{suffix}"
        counter = 1
        while target.exists():
            counter += 1
            target = self.folder / f"{stem}-{counter}{suffix}"
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".printing-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(document)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return target


def application_form_pdf(values: dict[str, str]) -> bytes:
    """The kiosk's own printout of its application form (ID number masked), as a PDF.

    CPU work: call it in a thread.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from seat_common.documents import pdf_fonts
    from seat_common.personal_data import pii

    font = pdf_fonts.cjk_font()
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    page.setFont(font, 20)
    page.drawCentredString(width / 2, height - 80, "自助终端申请表")
    page.setFont(font, 12)
    rows = (
        ("办理事项", values.get("item_name", "")),
        ("姓名", values.get("name", "")),
        ("身份证号", pii.mask_id_number(values.get("id_number", ""))),
        ("手机号码", pii.mask_phone(values.get("phone", ""))),
        ("办理地点", values.get("hall", "")),
    )
    y = height - 140
    for label, value in rows:
        page.drawString(80, y, f"{label}：{value}")
        y -= 28
    page.showPage()
    page.save()
    return out.getvalue()
