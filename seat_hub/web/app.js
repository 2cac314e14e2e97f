// The citizen page of Seat's web channel: queue for an item, a WebRTC call with
// an agent through the browser's own WebRTC, chat, and the rating afterwards.
// It speaks protocol v1 (docs/protocol.md) over the hub's websocket at /ws.
// Test hooks: window.seatStats counts what a person would see happen.
"use strict";

const PROTOCOL_VERSION = 1;
const params = new URLSearchParams(location.search);
const preferredCodec = (params.get("codec") || "").toUpperCase();   // "H264" or "VP8"
const stats = { state: "choose", remoteFrames: 0, chatsSent: 0, chatsReceived: 0,
                codec: "", workOrderId: "", rated: false, errors: [] };
window.seatStats = stats;

const $ = (id) => document.getElementById(id);
const ERROR_TEXT = {
  no_such_item: "该事项暂不支持视频办理，请选择其他事项。",
  not_allowed: "该事项暂不支持在网页上视频办理。",
  already_queued: "您已在排队中。",
  rate_limited: "操作太频繁，请稍后再试。",
  too_large: "内容太长了。",
};

let ws = null;
let pc = null;
let localStream = null;
let call = null;          // the call_started message
let workOrderId = "";

function show(section) {
  for (const id of ["choose", "queue", "call", "rate", "done"]) $(id).hidden = id !== section;
  stats.state = section;
  const heading = $(section).querySelector("h2");
  if (heading) { heading.tabIndex = -1; heading.focus(); }
}

function say(text) { $("status").textContent = text; }

function send(type, fields = {}) {
  if (!ws || ws.readyState !== WebSocket.OPEN) { say("与服务端的连接已断开，请刷新页面重试。"); return; }
  ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type, ...fields }));
}

async function loadItems() {
  const response = await fetch("items.json");
  const items = await response.json();
  const select = $("item");
  select.replaceChildren();
  let group = null;
  for (const item of items) {
    if (!group || group.label !== item.theme_name) {
      group = document.createElement("optgroup");
      group.label = item.theme_name;
      select.append(group);
    }
    const option = document.createElement("option");
    option.value = item.code;
    option.textContent = item.name;
    group.append(option);
  }
  const wanted = params.get("item");
  if (wanted) select.value = wanted;
}

function connect() {
  return new Promise((resolve, reject) => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${scheme}://${location.host}/ws`);
    ws.onopen = () => { send("hello", { role: "citizen", name: $("name").value.trim().slice(0, 40) }); };
    ws.onerror = () => reject(new Error("websocket"));
    ws.onclose = () => { if (stats.state === "queue" || stats.state === "call") say("连接已断开，请刷新页面重新排队。"); };
    ws.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (!message || message.v !== PROTOCOL_VERSION) return;
      if (message.type === "welcome") resolve();
      handle(message).catch((error) => { stats.errors.push(String(error)); say("出现问题：" + error); });
    };
  });
}

async function handle(m) {
  switch (m.type) {
    case "queued":
      workOrderId = stats.workOrderId = m.work_order_id;
      showPosition(m.position, m.expected_wait_s);
      show("queue");
      break;
    case "queue_position":
      showPosition(m.position, m.expected_wait_s);
      break;
    case "call_started":
      call = m;
      await startCall(m);
      break;
    case "sdp":
      if (pc && call && m.call_id === call.call_id && m.sdp_type === "answer") {
        await pc.setRemoteDescription({ type: "answer", sdp: m.sdp });
      }
      break;
    case "ice":
      if (pc && call && m.call_id === call.call_id && m.candidate) {
        await pc.addIceCandidate({ candidate: m.candidate, sdpMid: m.sdp_mid || null,
                                   sdpMLineIndex: m.sdp_mline_index });
      }
      break;
    case "chat_message":
      addChat(m);
      break;
    case "call_ended":
      endCall(m.ended_by === "agent" ? "工作人员已结束通话。" : "通话已结束。");
      break;
    case "ack":
      if (m.of === "rate") { stats.rated = true; show("done"); }
      if (m.of === "leave_queue") show("choose");
      break;
    case "error":
      stats.errors.push(m.code);
      say(ERROR_TEXT[m.code] || m.message);
      break;
  }
}

function showPosition(position, waitSeconds) {
  $("position").textContent = position <= 1 ? "下一位就是您" : `前面还有 ${position - 1} 人`;
  const minutes = Math.max(1, Math.round(waitSeconds / 60));
  $("wait").textContent = `预计等待约 ${minutes} 分钟，请保持本页面打开。`;
}

async function startCall(started) {
  show("call");
  say("");
  $("messages").replaceChildren();
  pc = new RTCPeerConnection({ iceServers: [] });
  pc.ontrack = (event) => {
    if (event.track.kind !== "video") return;
    const remote = $("remote");
    remote.srcObject = event.streams[0] || new MediaStream([event.track]);
    const count = () => { stats.remoteFrames += 1; remote.requestVideoFrameCallback(count); };
    remote.requestVideoFrameCallback(count);
  };
  const wantVideo = started.media === "video" && !$("audio-only").checked;
  try {
    localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: wantVideo });
  } catch (error) {
    say("无法打开摄像头或麦克风，将只接收工作人员的画面。");
    localStream = new MediaStream();
  }
  $("local").srcObject = localStream;
  for (const track of localStream.getTracks()) pc.addTrack(track, localStream);
  if (!localStream.getAudioTracks().length) pc.addTransceiver("audio", { direction: "recvonly" });
  if (!localStream.getVideoTracks().length) pc.addTransceiver("video", { direction: "recvonly" });
  preferCodec();
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc, 2000);
  send("sdp", { call_id: started.call_id, sdp_type: "offer", sdp: pc.localDescription.sdp });
  // Candidates found so far are in the offer; trickle only the late ones.
  pc.onicecandidate = (event) => {
    const c = event.candidate;
    send("ice", { call_id: started.call_id, candidate: c ? c.candidate : "",
                  sdp_mid: c && c.sdpMid ? c.sdpMid : "", sdp_mline_index: c && c.sdpMLineIndex ? c.sdpMLineIndex : 0 });
  };
  pc.onconnectionstatechange = () => {
    if (pc && pc.connectionState === "connected") reportCodec();
  };
}

function preferCodec() {
  if (!preferredCodec || !RTCRtpReceiver.getCapabilities) return;
  const codecs = RTCRtpReceiver.getCapabilities("video").codecs;
  const first = codecs.filter((c) => c.mimeType.toUpperCase() === `VIDEO/${preferredCodec}`);
  const rest = codecs.filter((c) => c.mimeType.toUpperCase() !== `VIDEO/${preferredCodec}`);
  for (const transceiver of pc.getTransceivers()) {
    if (transceiver.receiver.track.kind === "video" && first.length) {
      transceiver.setCodecPreferences([...first, ...rest]);
    }
  }
}

async function reportCodec() {
  const report = await pc.getStats();
  report.forEach((entry) => {
    if (entry.type === "codec" && entry.mimeType.startsWith("video/")) stats.codec = entry.mimeType;
  });
}

// aiortc answers once it has the whole offer, so gather candidates first (bounded wait).
function gathered(peer, timeoutMs) {
  if (peer.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (peer.iceGatheringState === "complete") resolve(); };
    peer.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, timeoutMs);
  });
}

function endCall(text) {
  if (pc) { pc.close(); pc = null; }
  if (localStream) { for (const track of localStream.getTracks()) track.stop(); localStream = null; }
  call = null;
  say(text);
  show("rate");
}

function addChat(m) {
  const mine = m.sender_role === "citizen";
  if (mine) stats.chatsSent += 1; else stats.chatsReceived += 1;
  const item = document.createElement("li");
  item.className = mine ? "me" : "agent";
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = mine ? "我" : (m.sender_name || "工作人员");
  const text = document.createElement("span");
  text.textContent = m.text;      // text, never HTML
  item.append(who, text);
  $("messages").append(item);
  item.scrollIntoView({ block: "nearest" });
}

function buildScores() {
  for (let score = 1; score <= 10; score += 1) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio"; input.name = "score"; input.value = String(score);
    input.setAttribute("aria-label", `${score} 分`);
    if (score === 10) input.checked = true;
    const face = document.createElement("span");
    face.textContent = String(score);
    label.append(input, face);
    $("scores").append(label);
  }
}

$("join-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  $("join").disabled = true;
  try {
    if (!ws || ws.readyState !== WebSocket.OPEN) await connect();
    const priority = document.querySelector("input[name=priority]:checked").value;
    send("join_queue", {
      item_code: $("item").value, channel: "web", priority,
      media: $("audio-only").checked ? "audio" : "video",
      citizen: { name: $("name").value.trim().slice(0, 40), id_number: "",
                 phone: $("phone").value.trim().slice(0, 11), hall: "" },
    });
  } catch {
    say("无法连接服务端，请稍后再试。");
  } finally {
    $("join").disabled = false;
  }
});
$("leave").addEventListener("click", () => send("leave_queue"));
$("hangup").addEventListener("click", () => { if (call) send("hangup", { call_id: call.call_id }); });
$("mute").addEventListener("click", (event) => toggle(event.target, "audio"));
$("camera").addEventListener("click", (event) => toggle(event.target, "video"));
$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("chat-input").value.trim();
  if (!text || !call) return;
  send("chat", { call_id: call.call_id, text: text.slice(0, 2000) });
  $("chat-input").value = "";
});
$("rate-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const score = Number(document.querySelector("input[name=score]:checked").value);
  send("rate", { work_order_id: workOrderId, score, comment: $("comment").value.trim().slice(0, 500) });
});
$("again").addEventListener("click", () => { say(""); show("choose"); });

function toggle(button, kind) {
  if (!localStream) return;
  const off = button.getAttribute("aria-pressed") !== "true";
  for (const track of localStream.getTracks()) if (track.kind === kind) track.enabled = !off;
  button.setAttribute("aria-pressed", String(off));
}

buildScores();
loadItems().catch(() => say("事项列表加载失败，请刷新页面。"));
