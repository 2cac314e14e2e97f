"""个体工商户设立登记: scenario questions that choose the materials and the form variant,
the form prefilled from them, instant registration by the sandbox (即时办结), and the
business licence as a PDF ready to print at the kiosk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plugins.business_registration.licence import licence_pdf
from seat_client.plugin_api import (
    ChecklistChoice,
    LookupFailed,
    MaterialRequirement,
    PanelFactory,
    PluginAction,
    PluginContext,
    ScenarioOption,
    ScenarioQuestion,
    TaskPlugin,
    hookimpl,
)

ID_CARD = MaterialRequirement("id_card", "经营者身份证", True)
PREMISES = MaterialRequirement("premises_proof", "经营场所证明", True)

QUESTIONS: tuple[ScenarioQuestion, ...] = (
    ScenarioQuestion(
        "operator_type", "由谁经营？", "Who runs the business?",
        (ScenarioOption("individual", "个人经营", "One person"),
         ScenarioOption("family", "家庭经营", "A family", (
             MaterialRequirement("family_member_id", "参与经营的家庭成员身份证", True),
             MaterialRequirement("family_relation", "家庭成员关系证明（户口簿或结婚证）", True)))),
        form_field="operator_type"),
    ScenarioQuestion(
        "premises_tenure", "经营场所是？", "The premises are",
        (ScenarioOption("owned", "自有房产", "Owned", (
             MaterialRequirement("title_certificate", "房产证或不动产权证书", True),)),
         ScenarioOption("rented", "租赁", "Rented", (
             MaterialRequirement("lease", "房屋租赁合同", True),
             MaterialRequirement("landlord_title", "出租方房产证明", True)))),
        form_field="premises_tenure"),
    ScenarioQuestion(
        "licensed_trade", "是否经营需要许可的项目（如食品、药品）？",
        "Does the business need a trade permit (food, medicine)?",
        (ScenarioOption("no", "否", "No"),
         ScenarioOption("yes", "是", "Yes", (
             MaterialRequirement("trade_permit", "相关许可证件或承诺书", True),)))),
)


@dataclass
class Registration:
    """One work order's registration: the licence once the sandbox granted it."""

    licence_no: str = ""
    registered_on: str = ""
    business_name: str = ""
    printout: str = ""
    listeners: list[Callable[[], None]] = field(default_factory=list)

    def changed(self) -> None:
        for listener in list(self.listeners):
            listener()


def choose(answers: Mapping[str, str]) -> ChecklistChoice:
    """The checklist for the answers: the base materials plus each answer's extras."""
    materials = [ID_CARD, PREMISES]
    for q in QUESTIONS:
        option = next((o for o in q.options if o.value == answers.get(q.code)), None)
        if option is not None:
            materials.extend(option.materials)
    variant = "/".join(answers.get(q.code, "?") for q in QUESTIONS[:2])
    return ChecklistChoice(tuple(materials), variant)


class BusinessRegistration(TaskPlugin):
    items = ("BR-INDIVIDUAL-SETUP",)
    title = "个体工商户设立登记"
    title_en = "Individual business registration"

    def __init__(self) -> None:
        self.registrations: dict[str, Registration] = {}

    def registration(self, context: PluginContext) -> Registration:
        return self.registrations.setdefault(context.call.work_order_id, Registration())

    def unanswered(self, context: PluginContext) -> list[str]:
        return [q.text for q in QUESTIONS if q.code not in context.answers]

    async def register(self, context: PluginContext) -> None:
        missing = self.unanswered(context)
        if missing:
            raise LookupFailed("先回答情形问答：" + "；".join(missing))
        values = {k: v for k, v in context.form_values().items() if v}
        r = self.registration(context)
        answer = await context.gov.register_business(
            f"{context.call.work_order_id}:individual-business", values)
        r.licence_no = str(answer["licence_no"])
        r.registered_on = str(answer["registered_on"])
        r.business_name = str(answer.get("business_name") or "")
        data = await asyncio.to_thread(licence_pdf, values, r.licence_no, r.registered_on)
        r.printout = str(context.save_file(f"营业执照-{r.licence_no}.pdf", data))
        context.notify(f"登记成功，统一社会信用代码 {r.licence_no}；营业执照可在自助机打印")
        await context.send_to_citizen(
            f"您的个体工商户已登记成功，统一社会信用代码 {r.licence_no}。"
            "营业执照已生成，可在莞家政务自助机打印。")
        r.changed()

    # --- hooks --------------------------------------------------------------------------

    @hookimpl
    def scenario_will_ask(self, context: PluginContext) -> Sequence[ScenarioQuestion]:
        return QUESTIONS

    @hookimpl
    def checklist_will_choose(self, context: PluginContext, answers: Mapping[str, str]
                              ) -> ChecklistChoice:
        return choose(answers)

    @hookimpl
    def form_will_prefill(self, context: PluginContext) -> Mapping[str, str]:
        name = context.citizen.name  # the hub masks names for agents: never prefill a mask
        values = {"operator_name": name} if name and "*" not in name else {}
        values.update({q.form_field: context.answers[q.code] for q in QUESTIONS
                       if q.form_field and q.code in context.answers})
        return values

    @hookimpl
    def submit_will_check(self, context: PluginContext, values: Mapping[str, str]
                          ) -> Sequence[str]:
        return [f"未回答：{q}" for q in self.unanswered(context)]

    @hookimpl
    def actions_will_list(self, context: PluginContext) -> Sequence[PluginAction]:
        return (PluginAction("register", "提交登记并出照", "Register and issue licence",
                             self.register, "Ctrl+Shift+R"),)

    @hookimpl
    def panel_will_open(self, context: PluginContext) -> PanelFactory:
        def make(ctx: PluginContext, parent: Any) -> Any:
            from plugins.business_registration.panel import RegistrationPanel

            return RegistrationPanel(self, ctx, parent)

        return make

    @hookimpl
    def call_did_end(self, context: PluginContext) -> None:
        self.registrations.pop(context.call.work_order_id, None)
