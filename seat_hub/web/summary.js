// The citizen's summary after the call (本次办理结果), to keep: what the pre-review decided
// for each material and what to fix, the application number and its status, the receipt
// (image, to save), the counter booking, and next steps in plain Chinese; printed (or
// saved as PDF from the print dialog) or saved as a text file.
// It is made from what reached the page: the agent's contact_summary at hang-up (the last
// verdict, applications, bookings; docs/protocol.md), else the last pre_review_verdict,
// and the receipt image the agent sent. app.js calls the hooks on window.seatSummary:
// begin(call_started), verdict(pre_review_verdict), take(contact_summary),
// receipt(image URL), receiptPdf(receipt_pdf), shown(section). Everything is written as
// text, never as HTML. The receipt's PDF (receipt_pdf) is checked where it enters (this
// contact's work order, base64 that decodes, begins %PDF-, at most 180,000 bytes; else
// counted in seatSummaryStats.pdfRefused) and offered as a download (下载回执 PDF).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const STATUS = { accepted: "符合要求", to_correct: "需要补正", missing: "还没有提供" };
  const plain = (full, simple) => (window.seatLargeText ? window.seatLargeText.say(full, simple) : full);
  let catalog = null;      // {items: {code: item}, reasons: {code: name}} from the page's files
  let state = null;        // this contact: {itemCode, itemName, entries, applications, bookings, note, receipt}
  let textUrl = "";
  const MAX_PDF_BYTES = 180000;
  const stats = { shown: false, summaries: 0, steps: [], pdfs: 0, pdfRefused: [] };
  window.seatSummaryStats = stats;

  async function loadCatalog() {
    if (catalog) return catalog;
    const [items, reasons] = await Promise.all([
      fetch("items.json").then((r) => r.json()).catch(() => []),
      fetch("reasons.json").then((r) => r.json()).catch(() => []),
    ]);
    catalog = { items: Object.fromEntries(items.map((i) => [i.code, i])),
                reasons: Object.fromEntries(reasons.map((r) => [r.code, r.name])) };
    return catalog;
  }

  function fresh(workOrderId, itemCode = "", itemName = "") {
    return { workOrderId, itemCode, itemName, entries: null, applications: [], bookings: [], note: "", receipt: "",
             receiptPdf: null, summarized: false, day: new Date() };
  }

  function item() { return (catalog && catalog.items[state.itemCode]) || null; }
  function materialName(code) {
    const found = ((item() && item().materials) || []).find((m) => m.code === code);
    return found ? found.name : code;
  }
  function reasonName(code) { return (catalog && catalog.reasons[code]) || code; }
  function requiredMaterials() {
    return ((item() && item().materials) || []).filter((m) => m.required).map((m) => m.name);
  }

  function list(id, lines) {
    const box = $(id);
    box.replaceChildren();
    for (const line of lines) {
      const li = document.createElement("li");
      if (typeof line === "string") withNumbers(li, line);
      else { withNumbers(li, line.text); if (line.className) li.className = line.className; }
      box.append(li);
    }
  }

  // An application or booking number (SL-20261207-000002, YY-00000001) is never broken
  // over two lines at its hyphens: the citizen reads it out or copies it whole.
  const NUMBER = /([A-Z]{2,}-\d[\d-]*\d)/;
  function withNumbers(li, text) {
    text.split(NUMBER).forEach((part, i) => {
      if (i % 2 === 0) { if (part) li.append(part); return; }
      const number = document.createElement("span");
      number.className = "summary-number";
      number.textContent = part;
      li.append(number);
    });
  }

  function verdictLines() {
    return (state.entries || []).map((e) => {
      const why = e.reason_code ? `，原因：${reasonName(e.reason_code)}` : "";
      const note = e.note ? `（${e.note}）` : "";
      const mark = e.status === "accepted" ? "✓" : "✗";
      return { text: `${mark} ${materialName(e.material_code)}：${STATUS[e.status] || e.status}${why}${note}`,
               className: e.status };
    });
  }

  function applicationLines() {
    return state.applications.map((a) => a.status === "accepted"
      ? `${a.item_name || state.itemName}：已受理，申请编号 ${a.application_no}`
      : `${a.item_name || state.itemName}：已提交，正在等待受理（受理后生成申请编号）`);
  }

  function bookingLines() {
    return state.bookings.map((b) =>
      `${b.day} ${b.start}，${b.hall_name}${b.address ? `（${b.address}）` : ""}，预约号 ${b.booking_no}`);
  }

  // Next steps, in the order the citizen will need them.
  function steps() {
    const out = [];
    const open = (state.entries || []).filter((e) => e.status !== "accepted");
    if (open.length) {
      const names = open.map((e) => materialName(e.material_code)).join("、");
      out.push(plain(`请按上面的预审意见重新准备：${names}。准备好后可再次视频办理，或带到窗口。`,
                     `还要重新准备：${names}。`));
    }
    for (const b of state.bookings) {
      const bring = requiredMaterials();
      out.push(plain(`请于 ${b.day} ${b.start} 到 ${b.hall_name}${b.address ? `（${b.address}）` : ""} 办理，`
                     + `报预约号 ${b.booking_no}${bring.length ? `，带上原件：${bring.join("、")}` : ""}。`,
                     `${b.day} ${b.start} 去 ${b.hall_name}，报预约号 ${b.booking_no}`
                     + `${bring.length ? `，带上：${bring.join("、")}` : ""}。`));
    }
    for (const a of state.applications) {
      out.push(a.status === "accepted"
        ? plain(`您的申请已受理。请记好申请编号 ${a.application_no}，凭它可以查询办理进度。`,
                `申请已受理。记好编号 ${a.application_no}，凭它查进度。`)
        : plain("您的申请已提交，正在等待受理；受理结果会通知您。", "申请已交上去了，等待受理。"));
    }
    if (!out.length) {
      out.push(plain("本次没有需要您再做的事。如还有问题，可以再次视频咨询。", "没有要再做的事了。有问题可以再来问。"));
    }
    return out;
  }

  function asText() {
    const lines = [`东莞视频办 · 本次办理结果`, `${$("summary-item").textContent}`];
    const part = (title, rows) => { if (rows.length) lines.push("", title, ...rows.map((r) => `  ${r}`)); };
    part("申请：", applicationLines());
    part("材料预审结果：", verdictLines().map((l) => l.text));
    part("已为您预约窗口：", bookingLines());
    part("接下来您需要：", steps().map((s, i) => `${i + 1}. ${s}`));
    if (state.note) lines.push("", `工作人员留言：${state.note}`);
    return lines.join("\n") + "\n";
  }

  function render() {
    if (!state) return;
    $("summary-item").textContent = `办理事项：${state.itemName || state.itemCode} · ${state.day.toLocaleDateString("zh-CN")}`;
    const blocks = [["summary-applications", "summary-application-list", applicationLines()],
                    ["summary-verdict", "summary-entries", verdictLines()],
                    ["summary-bookings", "summary-booking-list", bookingLines()]];
    for (const [box, id, lines] of blocks) { list(id, lines); $(box).hidden = !lines.length; }
    const next = steps();
    list("summary-steps", next);
    stats.steps = next;
    $("summary-note").textContent = state.note ? `工作人员留言：${state.note}` : "";
    $("summary-note").hidden = !state.note;
    $("summary-receipt").hidden = !state.receipt && !state.receiptPdf;
    $("summary-receipt-save").hidden = !state.receipt;
    $("summary-receipt-pdf").hidden = !state.receiptPdf;
    if (state.receiptPdf) {
      $("summary-receipt-pdf").href = state.receiptPdf.url;
      $("summary-receipt-pdf").download = `受理回执-${state.receiptPdf.number}.pdf`;
    }
    if (state.receipt) {
      const img = document.createElement("img");
      img.src = state.receipt;
      img.alt = "本次办理的回执";
      $("summary-receipt-image").replaceChildren(img);
      $("summary-receipt-save").href = state.receipt;
      const number = (state.applications.find((a) => a.application_no) || {}).application_no;
      $("summary-receipt-save").download = number ? `受理回执-${number}.png` : "受理回执.png";
    }
    if (textUrl) URL.revokeObjectURL(textUrl);
    textUrl = URL.createObjectURL(new Blob([asText()], { type: "text/plain;charset=utf-8" }));
    $("summary-save").href = textUrl;
  }

  function pdfProblem(m) {
    if (!state || m.work_order_id !== state.workOrderId) return "work_order";
    if (typeof m.application_no !== "string" || !m.application_no || m.application_no.length > 64) return "application_no";
    if (typeof m.pdf !== "string" || m.pdf.length > Math.ceil(MAX_PDF_BYTES / 3) * 4) return "size";
    let head;
    try { head = atob(m.pdf.slice(0, 12)); atob(m.pdf); } catch { return "base64"; }
    return head.startsWith("%PDF-") ? "" : "type";
  }

  const api = {
    begin(started) {
      state = fresh(started.work_order_id, started.item_code, started.item_name);
      loadCatalog().then(render);
    },
    verdict(m) { if (state && !state.summarized) { state.entries = m.entries; render(); } },
    take(m) {
      if (state && m.work_order_id !== state.workOrderId) return;   // another contact's
      if (!state) state = fresh(m.work_order_id, m.item_code);
      Object.assign(state, { entries: m.entries, applications: m.applications || [], bookings: m.bookings || [],
                             note: m.note || "", summarized: true });
      stats.summaries += 1;
      loadCatalog().then(render);
    },
    receipt(url) { if (state) { state.receipt = url; render(); } },
    receiptPdf(m) {
      const problem = pdfProblem(m);
      if (problem) { stats.pdfRefused.push(problem); return; }
      const bytes = Uint8Array.from(atob(m.pdf), (c) => c.charCodeAt(0));
      if (state.receiptPdf) URL.revokeObjectURL(state.receiptPdf.url);
      state.receiptPdf = { number: m.application_no.replace(/[^0-9A-Za-z-]/g, "").slice(0, 64) || "回执",
                           url: URL.createObjectURL(new Blob([bytes], { type: "application/pdf" })) };
      stats.pdfs += 1;
      render();
    },
    // After the call (rating, thanks) the summary shows above them; choosing again hides it.
    shown(section) {
      const visible = Boolean(state) && (section === "rate" || section === "done");
      $("summary").hidden = !visible;
      document.body.classList.toggle("summary-shown", visible);
      stats.shown = visible;
      if (section === "choose") state = null;
      if (visible) render();
      if (visible && section === "rate") { const h = $("summary-title"); h.tabIndex = -1; h.focus(); }
    },
  };
  window.seatSummary = api;

  function start() {
    $("summary-print").addEventListener("click", () => window.print());
    if (window.seatLargeText) window.seatLargeText.changed(() => { if (state) render(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
