"""失业保险个人明细查询: check who is calling, look up their unemployment-insurance record,
show it as a table the agent can send to the citizen, and print it as a PDF.

Flow: the agent reads the ID number from the citizen's card (or the kiosk's card reader)
into the panel; the identity check wants a valid number that matches the masked number
the citizen gave when queueing; only then does the lookup run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from plugins._printing import table_pdf
from seat_client.plugin_api import (
    LookupFailed,
    PanelFactory,
    PluginAction,
    PluginContext,
    TaskPlugin,
    hookimpl,
    matches_masked,
)

STATUS_ZH = {"paying": "正常缴费", "receiving_benefit": "领取失业保险金", "not_insured": "未参保"}


@dataclass
class QueryState:
    """One work order's query: the ID number typed, whether it checked out, the answer."""

    id_number: str = ""
    verified: bool = False
    problem: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    printout: str = ""
    listeners: list[Callable[[], None]] = field(default_factory=list)

    def changed(self) -> None:
        for listener in list(self.listeners):
            listener()


def table_rows(details: dict[str, Any]) -> list[tuple[str, str]]:
    """The lookup as (label, value) rows, for the panel, the chat and the printout."""
    if not details:
        return []
    return [
        ("参保状态", STATUS_ZH.get(str(details.get("status")), str(details.get("status")))),
        ("累计缴费月数", str(details.get("months_paid", 0))),
        ("参保起始", str(details.get("insured_since") or "—")),
        ("剩余可领月数", str(details.get("benefit_months_left", 0))),
        ("参保单位", str(details.get("employer") or "—")),
    ]


class UnemploymentQuery(TaskPlugin):
    items = ("SI-UNEMP-QUERY",)
    title = "失业保险个人明细查询"
    title_en = "Unemployment insurance details"

    def __init__(self) -> None:
        self.states: dict[str, QueryState] = {}

    def state(self, context: PluginContext) -> QueryState:
        return self.states.setdefault(context.call.work_order_id, QueryState())

    # --- what the agent does ------------------------------------------------------------

    def enter_id_number(self, context: PluginContext, number: str) -> QueryState:
        """The identity check: a valid ID number that fits the masked one given in the queue."""
        s = self.state(context)
        s.id_number = number.strip().upper()
        problem = context.id_number_problem(s.id_number)
        masked = context.citizen.id_number
        if problem:
            s.problem = f"身份证号码无效（{problem}）"
        elif masked and not matches_masked(s.id_number, masked):
            s.problem = "与来电登记的证件号码不符"
        else:
            s.problem = ""
        s.verified = not s.problem
        s.details = {}
        s.changed()
        return s

    async def lookup(self, context: PluginContext) -> None:
        s = self.state(context)
        if not s.verified:
            raise LookupFailed("先核验身份：输入并核对身份证号码")
        s.details = dict(await context.gov.unemployment_details(s.id_number))
        context.notify("已查询失业保险个人明细")
        s.changed()

    async def send_table(self, context: PluginContext) -> None:
        s = self.state(context)
        if not s.details:
            raise LookupFailed("还没有查询结果可发送")
        lines = [f"{context.item.name}（{context.citizen.name}）"]
        lines += [f"{k}：{v}" for k, v in table_rows(s.details)]
        await context.send_to_citizen("\n".join(lines))
        context.notify("明细已发送给群众")

    async def print_pdf(self, context: PluginContext) -> None:
        s = self.state(context)
        if not s.details:
            raise LookupFailed("还没有查询结果可打印")
        masked = s.id_number[:4] + "*" * 10 + s.id_number[-4:]
        data = await asyncio.to_thread(  # PDF work stays off the event loop
            table_pdf, "失业保险个人明细", "东莞市人力资源和社会保障局 · 视频办",
            [("姓名", context.citizen.name), ("身份证号码", masked),
             ("工单号", context.call.work_order_id)],
            header=("项目", "内容"), rows=table_rows(s.details),
            footer="本明细仅供参考，以社保经办机构记录为准。")
        s.printout = str(context.save_file("失业保险个人明细.pdf", data))
        context.notify(f"已生成打印件：{s.printout}")
        s.changed()

    # --- hooks --------------------------------------------------------------------------

    @hookimpl
    def actions_will_list(self, context: PluginContext) -> Sequence[PluginAction]:
        return (
            PluginAction("lookup", "查询明细", "Look up", self.lookup, "Ctrl+Shift+L"),
            PluginAction("send", "发送给群众", "Send to citizen", self.send_table, "Ctrl+Shift+S"),
            PluginAction("print", "打印PDF", "Print PDF", self.print_pdf, "Ctrl+Shift+P"),
        )

    @hookimpl
    def panel_will_open(self, context: PluginContext) -> PanelFactory:
        def make(ctx: PluginContext, parent: Any) -> Any:
            from plugins.unemployment_query.panel import QueryPanel

            return QueryPanel(self, ctx, parent)

        return make

    @hookimpl
    def call_did_end(self, context: PluginContext) -> None:
        self.states.pop(context.call.work_order_id, None)
