// Reused certificates (电子证照), asked on the citizen's own device: the agent sends
// certificate_consent_request naming the certificates; this page asks "工作人员申请调取您的
// 电子证照（居民身份证、户口簿）用于本次办理" with 同意 / 不同意, and answers with
// certificate_consent_answer under the same consent_ref. The hub writes the answer to its
// audit log before the agent sees it; after 不同意 nothing is looked up.
//
// A request is checked where it enters: this call's work order, a consent_ref of 8-64
// characters, 1-8 certificate names of at most 40 characters each; anything else is counted
// in seatConsentStats.refused and not shown. A newer request replaces one not yet answered.
// app.js calls window.seatConsent.ask(m, send, workOrderId) and .callEnded().
"use strict";

(() => {
  const stats = { asked: 0, answered: [], refused: [] };
  window.seatConsentStats = stats;
  let pending = null;   // { request, send }

  const element = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    Object.assign(node, props);
    node.append(...children);
    return node;
  };
  const question = element("p", { id: "consent-question" });
  const detail = element("p", { className: "consent-detail",
    textContent: "同意后，工作人员会从广东省电子证照库查询这些证照，您就不用再拍照上传。您的选择会被记录。" });
  const yes = element("button", { type: "button", id: "consent-yes", className: "primary", textContent: "同意" });
  const no = element("button", { type: "button", id: "consent-no", textContent: "不同意" });
  const box = element("div", { id: "consent-ask", className: "confirm consent", hidden: true },
    question, detail, element("div", { className: "consent-buttons" }, yes, no));
  box.setAttribute("role", "alertdialog");
  box.setAttribute("aria-labelledby", "consent-question");
  box.setAttribute("aria-describedby", "consent-detail");
  detail.id = "consent-detail";
  const said = element("p", { id: "consent-said", className: "latest", hidden: true });
  said.setAttribute("role", "status");

  function place() {
    const side = document.querySelector("#call .call-side");
    const controls = document.querySelector("#call .controls");
    if (!side || !controls) return;
    controls.after(box, said);
  }

  function valid(m, workOrderId) {
    if (m.work_order_id !== workOrderId) return "work_order";
    if (typeof m.consent_ref !== "string" || m.consent_ref.length < 8 || m.consent_ref.length > 64) return "consent_ref";
    const names = m.certificates;
    if (!Array.isArray(names) || names.length < 1 || names.length > 8) return "certificates";
    if (!names.every((n) => typeof n === "string" && n.trim() && n.length <= 40)) return "certificates";
    return "";
  }

  function ask(m, send, workOrderId) {
    const problem = valid(m, workOrderId);
    if (problem) { stats.refused.push(problem); return; }
    pending = { request: m, send };
    stats.asked += 1;
    question.textContent = `工作人员申请调取您的电子证照（${m.certificates.join("、")}）用于本次办理`;
    said.hidden = true;
    box.hidden = false;
    yes.focus();
  }

  function answer(agreed) {
    if (!pending) return;
    const { request, send } = pending;
    pending = null;
    send("certificate_consent_answer", { work_order_id: request.work_order_id,
                                         consent_ref: request.consent_ref, agreed });
    stats.answered.push(agreed);
    box.hidden = true;
    said.textContent = agreed ? "您已同意，工作人员正在查询您的电子证照。"
                              : "您没有同意，工作人员不会查询您的证照。需要时请按提示拍照上传材料。";
    said.hidden = false;
  }

  function callEnded() {
    pending = null;
    box.hidden = true;
    said.hidden = true;
  }

  yes.addEventListener("click", () => answer(true));
  no.addEventListener("click", () => answer(false));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", place);
  else place();
  window.seatConsent = { ask, callEnded };
})();
