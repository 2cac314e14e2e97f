// The citizen page's large-text and plain mode (大字版), for older citizens on a phone.
// One switch in the header turns it on or off; the choice is remembered on this device
// (localStorage), so the page opens the same way next time. In large mode the page's
// text grows (sizes are in rem, so the browser's own zoom and font-size settings still
// apply on top), every control is at least 56 px tall, and texts marked data-plain say
// the same thing in fewer, plainer words. The agent is told through join_queue.large_text
// (app.js asks window.seatLargeText.on()). Motion follows prefers-reduced-motion in CSS.
"use strict";

(() => {
  const KEY = "seat.largeText";
  const root = document.documentElement;
  const listeners = [];

  function remembered() {
    try { return localStorage.getItem(KEY) === "1"; } catch { return false; }
  }

  function remember(on) {
    try { localStorage.setItem(KEY, on ? "1" : "0"); } catch { /* private mode: this visit only */ }
  }

  // Swap each data-plain element's text with its plain wording, and back.
  function words(on) {
    for (const el of document.querySelectorAll("[data-plain]")) {
      if (el.dataset.full === undefined) el.dataset.full = el.textContent;
      const text = on ? el.dataset.plain : el.dataset.full;
      if (el.textContent !== text) el.textContent = text;
    }
  }

  function apply(on) {
    root.classList.toggle("large-text", on);
    const button = document.getElementById("large-text");
    if (button) {
      button.setAttribute("aria-pressed", String(on));
      button.textContent = on ? "大字版：开" : "大字版";
      button.title = on ? "点一下恢复标准字号" : "点一下把字放大，说明更简单";
    }
    words(on);
    for (const listener of listeners) listener(on);
  }

  const api = {
    on: () => root.classList.contains("large-text"),
    set(on) { remember(on); apply(on); },
    // Plain wording for text set by script: the plain one in large mode.
    say: (full, plain) => (api.on() && plain ? plain : full),
    changed(listener) { listeners.push(listener); },
  };
  window.seatLargeText = api;

  function start() {
    apply(remembered());
    const button = document.getElementById("large-text");
    if (button) button.addEventListener("click", () => api.set(!api.on()));
    // A control used through its label (the hidden photo input): Tab to it shows the label
    // whole, not only the input's one pixel.
    for (const input of document.querySelectorAll("input[type=file]")) {
      input.addEventListener("focus", () => {
        if (input.labels && input.labels[0]) input.labels[0].scrollIntoView({ block: "nearest" });
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
