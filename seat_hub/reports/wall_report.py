"""The statistics report made for the seat wall (统计报表): the hub has the ledger, the wall
has not, so a supervisor asks the hub and gets the PDF back over the link.

``ReportDesk.on_make_report`` checks the period (``periods.ReportPeriod``), writes
the audit row first (``supervision.audit.record_first``: no row, no report), then
runs the report as a task of the hub's: the work orders read on the ledger's worker
thread, counted and written to a PDF in a thread (never on the event loop), with a
``report_progress`` at each stage, and a second audit row says what came of it (``ok``,
``failed``, ``cancelled``). The PDF goes back as ``report_ready`` and download
chunks (kind 2) carrying the ``report_id``, paced by what the supervisor has read. One
report is made at a time (it is CPU work on a shared machine): a second asks again later
(``rate_limited``). A report that fails is told to the supervisor as ``error``
``internal`` (``of`` ``make_report``).
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from pathlib import Path
from typing import Final

from seat_common.protocol import (
    CHUNK_BYTES,
    CHUNK_DOWNLOAD,
    Error,
    MakeReport,
    ReportProgress,
    ReportReady,
    ReportStage,
    pack_chunk,
)
from seat_hub.context import HubContext, Refusal
from seat_hub.parties.session import Session
from seat_hub.reports.cli import DEFAULT_BY, assemble
from seat_hub.reports.contact_figures import ContactFigures, Dimension
from seat_hub.reports.periods import ReportPeriod
from seat_hub.reports.stats_report import ReportText, write_report
from seat_hub.supervision.audit import record_first

#: Binary bytes queued for the supervisor before the hub waits for them to be read.
_AHEAD_BYTES: Final = 2 * 1024 * 1024
_STAGES: Final[tuple[ReportStage, ...]] = ("reading", "counting", "writing")


def period_of(message: MakeReport) -> ReportPeriod:
    """The period asked for; ``Refusal`` (``bad_message``, ``start``) if it is no date."""
    try:
        if message.period == "custom":
            return ReportPeriod.parse(from_day=message.start, to_day=message.end)
        return ReportPeriod.parse(**{message.period: message.start})
    except ValueError as exc:
        raise Refusal("bad_message", f"报表周期有误：{exc}", "start") from exc


class ReportDesk:
    """Makes reports for supervisors, one at a time, as tasks of the hub's."""

    def __init__(self, ctx: HubContext) -> None:
        self.ctx = ctx
        self._running: asyncio.Task[None] | None = None

    async def on_make_report(self, session: Session, message: MakeReport) -> None:
        period = period_of(message)
        if self._running is not None and not self._running.done():
            raise Refusal("rate_limited", "另一份报表正在生成，请稍候再试", "report_id")
        by: tuple[Dimension, ...] = message.by or (
            (*DEFAULT_BY, "month") if period.kind == "year" else DEFAULT_BY)
        await record_first(self.ctx, session, "make_report", period.label[:64],
                            f"by={','.join(by)}", "requested")
        self._running = self.ctx.tasks.spawn(
            self._make(session, message.report_id, period, by), "make_report", report=False)

    async def _make(self, session: Session, report_id: int, period: ReportPeriod,
                    by: tuple[Dimension, ...]) -> None:
        ctx = self.ctx
        result = "ok"
        try:
            await self._run(session, report_id, period, by)
        except asyncio.CancelledError:
            result = "cancelled"
            raise
        except Exception as exc:
            result = "failed"
            ctx.log.event("internal_error", where="make_report", error=repr(exc))
            session.send(Error(code="internal", message="报表生成失败，请稍后重试",
                               field="report_id", of="make_report"))
        finally:
            # What came of it, after the row written before it.
            try:
                await ctx.audit.record(at=ctx.clock(), supervisor_id=session.agent_id,
                                       action="make_report", target=period.label[:64],
                                       detail=f"by={','.join(by)}", result=result)
            except Exception as exc:
                ctx.log.event("audit_unwritable", action="make_report", error=repr(exc))

    async def _run(self, session: Session, report_id: int, period: ReportPeriod,
                   by: tuple[Dimension, ...]) -> None:
        ctx = self.ctx
        now = ctx.clock()

        def progress(stage: ReportStage, work_orders: int = 0) -> None:
            session.send(ReportProgress(report_id=report_id, stage=stage,
                                        done=_STAGES.index(stage), total=len(_STAGES),
                                        work_orders=work_orders))

        progress("reading")
        work_orders = await ctx.ledger.work_orders_queued(period.start, period.covered_until(now))
        progress("counting", len(work_orders))
        agents = [s for s in ctx.seats.all() if s.role == "agent"]
        figures, text = await asyncio.to_thread(
            assemble, work_orders, ctx.catalog, period, now, dimensions=by,
            agent_names={s.agent_id: s.name for s in agents},
            agent_halls={s.agent_id: s.hall for s in agents})
        progress("writing", len(work_orders))
        data = await asyncio.to_thread(_pdf, figures, text)
        filename = f"统计报表-{period.label}.pdf"[:200]
        session.send(ReportReady(report_id=report_id, filename=filename, byte_size=len(data),
                                 sha256=hashlib.sha256(data).hexdigest(),
                                 work_orders=len(work_orders)))
        for seq, start in enumerate(range(0, len(data), CHUNK_BYTES)):
            if session.closing:
                return
            session.send_binary(pack_chunk(CHUNK_DOWNLOAD, report_id, seq,
                                           data[start:start + CHUNK_BYTES]))
            await session.wait_for_room(_AHEAD_BYTES)
        ctx.log.event("report_made", supervisor=session.agent_id, period=period.label,
                      work_orders=len(work_orders), byte_size=len(data))


def _pdf(figures: ContactFigures, text: ReportText) -> bytes:
    """The PDF's bytes (written to a private temporary file, read, and removed)."""
    with tempfile.TemporaryDirectory(prefix="seat-report-") as folder:
        path = Path(folder) / "report.pdf"
        write_report(figures, text, path)
        return path.read_bytes()
