// Online-application coaching (网办辅导) on the citizen page: during a call the citizen may
// share a screen, a window or one browser tab with the agent (getDisplayMedia), and sees the
// agent's pointer and short-lived drawings over their own preview of what they share.
//
// - Sharing starts only when the citizen presses "共享屏幕给工作人员看"; a red bar at the top
//   says "正在共享屏幕" with a stop button for as long as it lasts. Stopping there, or with the
//   browser's own stop (the track ends), stops it for both sides: the page takes the track off
//   the call and tells the agent (screen_share, sharing false).
// - View only: nothing of the agent's reaches the shared screen; the agent's marks are drawn
//   on this page only, over the preview.
// - Media: every offer of the page carries a second video section, sendonly and empty (the
//   protocol's "second video m-section is the shared screen"); sharing puts the screen's
//   track on it with replaceTrack, so starting and stopping need no new offer, and a peer made
//   afresh after a dropped link gets the section again with the track (attach).
// - Marks (share_mark) are checked again here where they enter: this call, while sharing, a
//   known kind, 1 point for a pointer, 2-64 for a stroke, none for clear, every coordinate a
//   number within 0..1, and at most 30 a second; anything else is counted and dropped.
//   A pointer fades after 5 s without news, a stroke over 4 s.
// app.js calls the hooks of window.seatShare: callStarted, attach, mark, callEnded.
// Test hooks: window.seatShareStats.
"use strict";

(() => {
  const STROKE_FADE_MS = 4000;
  const POINTER_FADE_MS = 5000;
  const MARKS_PER_SECOND = 30;
  const KINDS = ["pointer", "stroke", "clear"];
  const stats = { supported: false, sharing: false, starts: 0, stops: 0, stoppedBy: "",
                  surface: "", marksShown: 0, marksRefused: [], pointer: null, strokes: 0,
                  failures: [] };
  window.seatShareStats = stats;

  let call = null;          // the call_started message of the call in hand
  let send = null;          // app.js's send(type, fields)
  let transceiver = null;   // the second video section of the current peer
  let track = null;         // the shared screen's video track while sharing
  let strokes = [];         // {points, at}
  let pointerAt = 0;
  let pointerPoint = null;
  let bucket = { tokens: MARKS_PER_SECOND, at: performance.now() };
  let drawing = false;

  const element = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    Object.assign(node, props);
    node.append(...children);
    return node;
  };

  // --- the page's parts: the bar, the button, the preview with its overlay ---
  const stopButton = element("button", { type: "button", id: "share-stop", textContent: "停止共享" });
  const bar = element("div", { id: "share-bar", hidden: true },
    element("span", { className: "share-dot", textContent: "●" }),
    element("span", { id: "share-bar-text", textContent: "正在共享屏幕：工作人员能看到您共享的画面，只能看，不能操作。" }),
    stopButton);
  bar.setAttribute("role", "region");
  bar.setAttribute("aria-label", "屏幕共享");
  const shareButton = element("button", { type: "button", id: "share", hidden: true,
                                          textContent: "共享屏幕给工作人员看" });
  shareButton.setAttribute("aria-describedby", "share-hint");
  const hint = element("p", { id: "share-hint", className: "share-hint", hidden: true });
  hint.setAttribute("role", "status");
  const preview = element("video", { id: "share-preview", autoplay: true, muted: true, playsInline: true });
  preview.setAttribute("aria-label", "您正在共享的画面");
  const canvas = element("canvas", { id: "share-marks" });
  canvas.setAttribute("aria-hidden", "true");
  const pointer = element("div", { id: "share-pointer", hidden: true });
  pointer.setAttribute("aria-hidden", "true");
  const caption = element("p", { className: "share-caption",
                                 textContent: "您共享的画面：工作人员的指示会显示在上面" });
  const view = element("div", { id: "share-view", hidden: true }, preview, canvas, pointer, caption);

  function place() {
    const videos = document.querySelector("#call .videos");
    const controls = document.querySelector("#call .controls");
    if (!videos || !controls) return;
    document.body.prepend(bar);
    videos.prepend(view);
    controls.after(shareButton, hint);
    stats.supported = Boolean(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
  }

  function tell(text) {
    hint.textContent = text;
    hint.hidden = !text;
  }

  // --- sharing ---
  async function start() {
    if (!call || track) return;
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({
        video: { frameRate: { ideal: 10, max: 15 }, width: { max: 1920 }, height: { max: 1080 } },
        audio: false, selfBrowserSurface: "exclude", surfaceSwitching: "include",
      });
    } catch (error) {
      stats.failures.push(error.name || String(error));
      tell(error.name === "NotAllowedError" ? "没有共享：您取消了选择，或浏览器不允许共享屏幕。"
                                            : "无法共享屏幕，您可以在“文字交流”里描述您看到的内容。");
      return;
    }
    const screen = stream.getVideoTracks()[0];
    if (!call || !screen) { for (const t of stream.getTracks()) t.stop(); return; }
    track = screen;
    track.contentHint = "detail";       // text on a form: sharpness over smooth motion
    track.addEventListener("ended", () => stop("browser"));
    stats.surface = track.getSettings().displaySurface || "";
    if (transceiver) await transceiver.sender.replaceTrack(track);
    stats.sharing = true;
    stats.starts += 1;
    preview.srcObject = new MediaStream([track]);
    bar.hidden = view.hidden = false;
    shareButton.hidden = true;
    document.body.classList.add("sharing");
    tell("");
    send("screen_share", { call_id: call.call_id, sharing: true, surface: stats.surface });
    stopButton.focus();
  }

  // Stop sharing: by the bar's button ("page"), the browser's own stop ("browser"), or the
  // end of the call ("call": nobody to tell).
  function stop(by) {
    if (!track) return;
    const ended = track;
    track = null;
    ended.stop();
    if (transceiver) transceiver.sender.replaceTrack(null).catch(() => {});
    if (stats.sharing && call && by !== "call") {
      send("screen_share", { call_id: call.call_id, sharing: false, surface: stats.surface });
    }
    stats.sharing = false;
    stats.stops += 1;
    stats.stoppedBy = by;
    preview.srcObject = null;
    bar.hidden = view.hidden = true;
    shareButton.hidden = !call || !stats.supported;
    document.body.classList.remove("sharing");
    clearMarks();
    if (by !== "call") {
      tell("已停止共享屏幕。");
      shareButton.focus();
    }
  }

  // --- the agent's marks over the preview ---
  function validPoint(p) {
    return Boolean(p) && typeof p === "object" && typeof p.x === "number" && typeof p.y === "number"
      && p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1;
  }

  function refusal(m) {
    if (!call || !m || m.call_id !== call.call_id) return "not_this_call";
    if (!stats.sharing) return "not_sharing";
    if (!KINDS.includes(m.kind)) return "bad_kind";
    const points = m.points;
    if (!Array.isArray(points) || points.length > 64 || !points.every(validPoint)) return "bad_points";
    if ((m.kind === "pointer" && points.length !== 1) || (m.kind === "stroke" && points.length < 2)
        || (m.kind === "clear" && points.length)) return "bad_points";
    const now = performance.now();
    bucket.tokens = Math.min(MARKS_PER_SECOND, bucket.tokens + (now - bucket.at) * MARKS_PER_SECOND / 1000);
    bucket.at = now;
    if (bucket.tokens < 1) return "too_many";
    bucket.tokens -= 1;
    return "";
  }

  function mark(m) {
    const why = refusal(m);
    if (why) {
      if (stats.marksRefused.length < 200) stats.marksRefused.push(why);
      return;
    }
    stats.marksShown += 1;
    if (m.kind === "clear") { clearMarks(); return; }
    if (m.kind === "pointer") {
      pointerPoint = { x: m.points[0].x, y: m.points[0].y };
      pointerAt = performance.now();
    } else {
      strokes.push({ points: m.points.map((p) => ({ x: p.x, y: p.y })), at: performance.now() });
      stats.strokes += 1;
    }
    if (!drawing) { drawing = true; requestAnimationFrame(paint); }
  }

  function clearMarks() {
    strokes = [];
    pointerPoint = null;
    pointer.hidden = true;
    stats.pointer = null;
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
  }

  // Where the shared frame is painted inside the preview (object-fit: contain), in the
  // view's own pixels.
  function frameBox() {
    const width = view.clientWidth, height = view.clientHeight;
    const vw = preview.videoWidth, vh = preview.videoHeight;
    if (!vw || !vh) return { left: 0, top: 0, width, height };
    const scale = Math.min(width / vw, height / vh);
    return { left: (width - vw * scale) / 2, top: (height - vh * scale) / 2, width: vw * scale, height: vh * scale };
  }

  function paint() {
    const now = performance.now();
    strokes = strokes.filter((s) => now - s.at < STROKE_FADE_MS);
    if (pointerPoint && now - pointerAt > POINTER_FADE_MS) { pointerPoint = null; stats.pointer = null; }
    const ratio = window.devicePixelRatio || 1;
    const width = view.clientWidth, height = view.clientHeight;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const box = frameBox();
    const context = canvas.getContext("2d");
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    context.lineCap = context.lineJoin = "round";
    for (const stroke of strokes) {
      context.globalAlpha = Math.max(0, 1 - (now - stroke.at) / STROKE_FADE_MS);
      context.strokeStyle = "#ff5a1f";
      context.lineWidth = 5;
      context.beginPath();
      stroke.points.forEach((p, i) => {
        const x = box.left + p.x * box.width, y = box.top + p.y * box.height;
        if (i) context.lineTo(x, y); else context.moveTo(x, y);
      });
      context.stroke();
    }
    context.globalAlpha = 1;
    if (pointerPoint) {
      const x = box.left + pointerPoint.x * box.width, y = box.top + pointerPoint.y * box.height;
      pointer.style.left = `${x}px`;
      pointer.style.top = `${y}px`;
      pointer.style.opacity = String(Math.min(1, Math.max(0.2, 1 - (now - pointerAt - POINTER_FADE_MS + 1000) / 1000)));
      pointer.hidden = false;
      const rect = view.getBoundingClientRect();
      stats.pointer = { x: rect.left + x, y: rect.top + y };
    } else {
      pointer.hidden = true;
    }
    if (strokes.length || pointerPoint) requestAnimationFrame(paint); else drawing = false;
  }

  // --- hooks for app.js ---
  window.seatShare = {
    // A call started (or came back): sharing becomes possible.
    callStarted(started, sendMessage) {
      if (call && call.call_id !== started.call_id) stop("call");
      call = started;
      send = sendMessage;
      shareButton.hidden = Boolean(track) || !stats.supported;
      // A page reloaded while sharing lost its screen: the agent must not wait for it.
      if (!track) send("screen_share", { call_id: call.call_id, sharing: false, surface: "" });
    },
    // A new peer connection is being offered: its second video section carries the screen
    // out, and in a three-way call a consulted colleague's picture in (transfer.js).
    attach(peer) {
      transceiver = peer.addTransceiver(track || "video", { direction: "sendrecv" });
    },
    mark,
    // The call is over: sharing ends with it (the hub ended it for the agent too).
    callEnded() {
      stop("call");
      call = null;
      transceiver = null;
      shareButton.hidden = true;
      tell("");
    },
  };

  shareButton.addEventListener("click", () => start().catch((e) => stats.failures.push(String(e))));
  stopButton.addEventListener("click", () => stop("page"));
  place();
})();
