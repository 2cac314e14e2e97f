"""企业职工领取养老保险待遇资格认证 by video: stills from the live video beside the ID photo
on file, a face-to-face checklist, and the certification submitted with its evidence.

The evidence (the stills' hashes, the checklist, who certified and when) is kept with the
work order as ``evidence.json`` and sent with the certification, so an auditor can see
what the agent saw.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from seat_client.plugin_api import (
    LookupFailed,
    MaterialSnapshot,
    PanelFactory,
    PluginAction,
    PluginContext,
    TaskPlugin,
    hookimpl,
)

#: The face-to-face checklist (code, what the agent confirms).
CHECKLIST: tuple[tuple[str, str, str], ...] = (
    ("in_person", "领取人本人出镜", "The pensioner is on camera in person"),
    ("matches_photo", "相貌与证件照一致", "The face matches the ID photo on file"),
    ("alive", "按要求眨眼、转头（活体确认）", "Blinks and turns the head on request"),
    ("lucid", "意识清楚，能回答姓名和出生日期", "Lucid: answers name and date of birth"),
    ("no_prompting", "无他人代答或提示", "Nobody answers or prompts for them"),
)
MIN_STILLS = 2


@dataclass
class Certification:
    """One work order's certification in progress."""

    stills: list[MaterialSnapshot] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)
    status: dict[str, Any] = field(default_factory=dict)
    application_no: str = ""
    listeners: list[Callable[[], None]] = field(default_factory=list)

    def changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    def unticked(self) -> list[str]:
        return [label for code, label, _ in CHECKLIST if not self.checks.get(code)]


def id_photos(context: PluginContext) -> list[MaterialSnapshot]:
    """The ID photo on file: the ID-card images of the work order's materials."""
    return [m for m in context.materials if m.material_code == "id_card"]


class PensionCertification(TaskPlugin):
    items = ("SI-PENSION-CERT",)
    title = "养老保险待遇资格认证"
    title_en = "Pension entitlement certification"

    def __init__(self) -> None:
        self.certs: dict[str, Certification] = {}

    def cert(self, context: PluginContext) -> Certification:
        return self.certs.setdefault(context.call.work_order_id, Certification())

    def tick(self, context: PluginContext, code: str, done: bool = True) -> None:
        c = self.cert(context)
        c.checks[code] = done
        c.changed()

    def problems(self, context: PluginContext) -> list[str]:
        c = self.cert(context)
        found = [f"未确认：{label}" for label in c.unticked()]
        if len(c.stills) < MIN_STILLS:
            found.append(f"至少截取 {MIN_STILLS} 张视频截图（现有 {len(c.stills)} 张）")
        return found

    # --- actions ------------------------------------------------------------------------

    async def capture(self, context: PluginContext) -> None:
        c = self.cert(context)
        c.stills.append(await context.capture_still())
        context.notify(f"已截图 {len(c.stills)} 张")
        c.changed()

    async def check_status(self, context: PluginContext) -> None:
        number = context.form_values().get("pensioner_id_number", "")
        if context.id_number_problem(number):
            raise LookupFailed("先在表单中填写领取人身份证号码")
        c = self.cert(context)
        c.status = dict(await context.gov.pension_status(number))
        if c.status.get("status") == "not_a_pensioner":
            context.notify("该证件号码没有领取养老保险待遇记录", "warning")
        c.changed()

    async def submit(self, context: PluginContext) -> None:
        c = self.cert(context)
        problems = self.problems(context)
        if problems:
            raise LookupFailed("；".join(problems))
        evidence = {
            "work_order_id": context.call.work_order_id,
            "stills": [{"sha256": s.sha256, "material_id": s.material_id} for s in c.stills],
            "id_photos": [p.sha256 for p in id_photos(context)],
            "checklist": {code: bool(c.checks.get(code)) for code, _, _ in CHECKLIST},
            "certified_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "channel": context.call.channel,
        }
        context.save_file("evidence.json",
                          json.dumps(evidence, ensure_ascii=False, indent=1).encode())
        values = {k: v for k, v in context.form_values().items() if v}
        answer = await context.gov.submit_application(
            f"{context.call.work_order_id}:pension-cert",
            {"item_code": "SI-PENSION-CERT", "form": "pension_certification",
             "values": values, "materials": [s.sha256 for s in c.stills],
             "work_order_id": context.call.work_order_id,
             "evidence": evidence})
        c.application_no = str(answer["application_no"])
        context.notify(f"认证已提交，编号 {c.application_no}")
        await context.send_to_citizen(
            f"您的养老保险待遇资格认证已通过视频提交，受理编号 {c.application_no}。")
        c.changed()

    # --- hooks --------------------------------------------------------------------------

    @hookimpl
    def form_will_prefill(self, context: PluginContext) -> Mapping[str, str]:
        return {"certification_way": "video"}

    @hookimpl
    def actions_will_list(self, context: PluginContext) -> Sequence[PluginAction]:
        return (
            PluginAction("capture", "截取视频画面", "Capture still", self.capture, "Ctrl+Shift+C"),
            PluginAction("status", "查询认证状态", "Check status", self.check_status,
                         "Ctrl+Shift+L"),
            PluginAction("submit", "提交认证", "Submit certification", self.submit,
                         "Ctrl+Shift+Return"),
        )

    @hookimpl
    def submit_will_check(self, context: PluginContext, values: Mapping[str, str]
                          ) -> Sequence[str]:
        return self.problems(context)

    @hookimpl
    def panel_will_open(self, context: PluginContext) -> PanelFactory:
        def make(ctx: PluginContext, parent: Any) -> Any:
            from plugins.pension_certification.panel import CertificationPanel

            return CertificationPanel(self, ctx, parent)

        return make

    @hookimpl
    def call_did_end(self, context: PluginContext) -> None:
        self.certs.pop(context.call.work_order_id, None)
