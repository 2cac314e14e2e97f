"""The statistics report asked of the hub from the seat wall (统计报表).

The wall keeps no ledger: the hub makes the report (``make_report``) and sends it back.
``ReportRequests.make`` sends the request, emits ``progress`` as the hub reports its
stages and as the PDF's chunks arrive, checks each chunk's CRC and the whole file's
SHA-256, and returns the PDF's bytes with the name the hub gave it. A refusal (not a
supervisor, a bad period, another report being made) or a failure raises
``ReportError`` with the hub's code and words; no word from the hub for
``idle_timeout_s`` raises ``TimeoutError``. One report at a time.

Events: ``progress`` (``ReportStatus``).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from seat_client.call.hub_link import HubLink
from seat_common import protocol
from seat_common.events import Event

#: How much of the bar each part takes: the hub's stages, then the PDF arriving.
_STAGE_SHARE = 0.8


class ReportError(RuntimeError):
    """The hub refused or failed the report; ``code`` is the protocol's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ReportStatus:
    """How far a report is: ``fraction`` 0–1 and the stage (``reading``, ``counting``,
    ``writing``, ``receiving``, ``done``), with the work orders read so far."""

    stage: str
    fraction: float
    work_orders: int = 0


@dataclass(frozen=True, slots=True)
class ReportFile:
    """The PDF the hub made."""

    filename: str
    data: bytes
    work_orders: int


@dataclass(eq=False)
class _Pending:
    report_id: int
    done: asyncio.Future[ReportFile]
    woke: asyncio.Event = field(default_factory=asyncio.Event)
    ready: protocol.ReportReady | None = None
    data: bytearray = field(default_factory=bytearray)
    next_seq: int = 0


class ReportRequests:
    """Reports asked of the hub over one ``HubLink``."""

    def __init__(self, link: HubLink, *, idle_timeout_s: float = 60.0) -> None:
        self.link = link
        self.idle_timeout_s = idle_timeout_s
        self.progress: Event[ReportStatus] = Event()
        # Ids high above the material downloads' so the two never share a transfer id.
        self._ids = itertools.count(0x4000_0000)
        self._pending: _Pending | None = None
        self._unsubscribe: list[Callable[[], None]] = [
            link.message.connect(self._on_message), link.binary.connect(self._on_binary)]

    def detach(self) -> None:
        for off in self._unsubscribe:
            off()
        self._unsubscribe = []

    @property
    def busy(self) -> bool:
        return self._pending is not None

    async def make(self, period: protocol.ReportPeriodKind, start: str, end: str = "",
                   by: Sequence[protocol.ReportDimension] = ()) -> ReportFile:
        """Ask for the report of ``period`` (see ``protocol.MakeReport``) and wait for it."""
        if self._pending is not None:
            raise ReportError("bad_state", "已有一份报表正在生成")
        pending = _Pending(next(self._ids), asyncio.get_running_loop().create_future())
        self._pending = pending
        try:
            await self.link.send(protocol.MakeReport(
                report_id=pending.report_id, period=period, start=start, end=end,
                by=tuple(by)))
            while not pending.done.done():
                pending.woke.clear()
                try:
                    # Not wait_for: on Python 3.11 it can swallow a cancel that comes with
                    # the wake-up (gh-86296), and this loop would go on past a close.
                    async with asyncio.timeout(self.idle_timeout_s):
                        await pending.woke.wait()
                except TimeoutError:
                    raise TimeoutError("服务端长时间没有报表进度") from None
            result = pending.done.result()
        finally:
            self._pending = None
        self.progress.emit(ReportStatus("done", 1.0, result.work_orders))
        return result

    def _on_message(self, message: protocol.Message) -> None:
        pending = self._pending
        if pending is None:
            return
        match message:
            case protocol.ReportProgress(report_id=pending.report_id):
                share = message.done / message.total * _STAGE_SHARE
                self.progress.emit(ReportStatus(message.stage, share, message.work_orders))
            case protocol.ReportReady(report_id=pending.report_id):
                pending.ready = message
                self.progress.emit(ReportStatus("receiving", _STAGE_SHARE,
                                                message.work_orders))
            case protocol.Error(of="make_report"):
                self._fail(pending, ReportError(message.code, message.message))
            case _:
                return
        pending.woke.set()

    def _on_binary(self, frame: bytes) -> None:
        pending = self._pending
        if pending is None or pending.ready is None or pending.done.done():
            return
        try:
            chunk = protocol.unpack_chunk(frame)
        except protocol.ProtocolError:
            return
        if chunk.kind != protocol.CHUNK_DOWNLOAD or chunk.transfer_id != pending.report_id:
            return
        ready = pending.ready
        if not chunk.crc_ok or chunk.seq != pending.next_seq:
            self._fail(pending, ReportError("bad_checksum", f"报表数据第 {chunk.seq} 块损坏"))
            return
        pending.data += chunk.data
        pending.next_seq += 1
        if len(pending.data) > ready.byte_size:
            self._fail(pending, ReportError("too_large", "报表数据比声明的多"))
            return
        share = _STAGE_SHARE + (1 - _STAGE_SHARE) * len(pending.data) / ready.byte_size
        self.progress.emit(ReportStatus("receiving", share, ready.work_orders))
        if len(pending.data) == ready.byte_size:
            data = bytes(pending.data)
            if hashlib.sha256(data).hexdigest() != ready.sha256:
                self._fail(pending, ReportError("bad_checksum", "报表文件校验失败"))
                return
            pending.done.set_result(ReportFile(ready.filename, data, ready.work_orders))
        pending.woke.set()

    @staticmethod
    def _fail(pending: _Pending, error: ReportError) -> None:
        if not pending.done.done():
            pending.done.set_exception(error)
        pending.woke.set()
