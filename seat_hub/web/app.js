// The citizen page of Seat's web channel: queue for an item, a WebRTC call with
// an agent through the browser's own WebRTC, chat, and the rating afterwards.
// It speaks protocol v1 (docs/protocol.md) over the hub's websocket at /ws.
// The agent and the citizen tell each other what their camera and microphone do
// (media_state): the page says so over the agent's video, and tells the agent when the
// citizen turns theirs off or on.
// The hub's welcome says which STUN/TURN servers the call may use and whether only TURN
// relays may carry it (ice_policy "relay": no address of this device is offered); the page
// checks that configuration before it queues, and ends a relay-only call that got no relay.
// A dropped link or a reloaded page comes back to the same queue place or call: the hub's
// welcome carries a resume token, kept in sessionStorage (this tab only) while queued or in
// a call and given back as hello.resume; the hub keeps the place for its grace period. The
// call's media then come back by a fresh offer from a new peer connection (the agent's
// side, aiortc, has no ICE restart), also when the hub says the agent's link is back.
// Test hooks: window.seatStats counts what a person would see happen.
"use strict";

const PROTOCOL_VERSION = 1;
const params = new URLSearchParams(location.search);
const preferredCodec = (params.get("codec") || "").toUpperCase();   // "H264" or "VP8"
// The entry the citizen came by: ?channel=oa is the official account (公众号) menu's link.
// The hub refuses the page for any other value, so this never guesses.
const pageChannel = params.get("channel") || "web";
const channel = { web: "web", oa: "official_account" }[pageChannel];
const stats = { state: "choose", itemsShown: 0, badItemLink: false, invalidFields: [], agentsOnDuty: -1,
                mediaRefused: false, remoteFrames: 0, chatsSent: 0, chatsReceived: 0,
                codec: "", workOrderId: "", rated: false, unchosenRatings: 0, errors: [],
                uploaded: 0, uploadFailures: [], verdictRevision: 0, annotatedImages: 0, receipts: 0,
                recordingNotice: false, noticeBeforeMedia: false,
                agentCamera: "", agentMicrophone: "", mediaStatesSent: 0,
                icePolicy: "", offerSdp: "", candidatesSent: [],
                linkDrops: 0, resumes: 0, mediaRenewals: 0, resumeRefused: false, said: [] };
window.seatStats = stats;

const $ = (id) => document.getElementById(id);
const ERROR_TEXT = {
  no_such_item: "该事项暂不支持视频办理，请选择其他事项。",
  not_allowed: "该事项暂不支持在网页上视频办理。",
  already_queued: "您已在排队中。",
  rate_limited: "操作太频繁，请稍后再试。",
  busy: "当前排队人数较多，请稍后再试。给您带来不便，敬请谅解。",
  too_large: "内容太长了。",
  resume_refused: "网络中断时间过长，之前的排队或通话已结束，请重新排队。",
};
const RESUME_KEY = "seat.resume";
const RECONNECTING = "网络中断，正在重新连接…";
const AGENT_CAMERA_TEXT = {
  off: "坐席摄像头已关闭，您仍可与坐席语音通话",
  unavailable: "坐席摄像头暂不可用，您仍可与坐席语音通话",
};

let ws = null;
let pc = null;
let iceConfig = { iceServers: [], iceTransportPolicy: "all" };  // from the hub's welcome
let callFailure = "";     // why this page ended the call itself, kept past call_ended
let localStream = null;
let cameraWanted = false;  // the citizen asked for video (not "audio only")
let call = null;          // the call_started message
let workOrderId = "";
let items = [];           // from items.json: code, name, theme_name, materials
let reasons = {};         // reason code -> Chinese name, from reasons.json
let nextTransferId = 1;
let leaving = false;          // the page closes the link on purpose: no reconnect
let reconnectDelay = 500;     // ms, doubling to 8 s
const uploads = new Map();    // upload_id -> {row, bar}
const downloads = new Map();  // download_id -> {material, parts, received}
const CHUNK_BYTES = 256 * 1024;
const UPLOAD_FAILURE_TEXT = {
  too_large: "文件太大（不超过 20 MB）", too_many_pixels: "图片像素过大", not_an_image: "不是 JPG 或 PNG 图片",
  truncated: "图片不完整", bad_metadata: "图片信息异常", bad_checksum: "传输出错，请重试",
  timeout: "上传超时，请重试", disconnected: "连接中断", quota: "本次上传的材料已达上限",
  not_answered: "坐席接听后才能上传材料",
};

function show(section) {
  for (const id of ["choose", "queue", "call", "rate", "done"]) $(id).hidden = id !== section;
  // Materials stay reachable during the call and while the agent wraps it up.
  $("materials").hidden = !(section === "call" || section === "rate");
  stats.state = section;
  const heading = $(section).querySelector("h2");
  if (heading) { heading.tabIndex = -1; heading.focus(); }
  window.seatSummary?.shown(section);   // summary.js: the after-call summary
}

// The status line: red for what went wrong (the default), calm ("info") for news such as
// 正在为您转接… or 通话已结束, so red keeps meaning a problem.
function say(text, tone = "alert") {
  $("status").textContent = text;
  $("status").classList.toggle("info", tone === "info");
  if (text && stats.said.length < 100) stats.said.push(text);
}

function send(type, fields = {}) {
  if (!ws || ws.readyState !== WebSocket.OPEN) {
    say(resumeToken() ? RECONNECTING : "与服务端的连接已断开，请刷新页面重试。");
    return;
  }
  ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type, ...fields }));
}

async function loadItems() {
  const response = await fetch(`items.json?channel=${encodeURIComponent(pageChannel)}`);
  items = await response.json();
  fetch("reasons.json").then((r) => r.json()).then((list) => {
    for (const reason of list) reasons[reason.code] = reason.name;
  }).catch(() => {});
  const wanted = params.get("item");
  const known = items.some((i) => i.code === wanted);
  fillItems("", known ? wanted : "");
  if (wanted && !known) {
    $("item-notice").textContent = "链接中的事项暂不能在网上视频办理或已调整，请在下面的列表中选择要办理的事项。";
    $("item-notice").hidden = false;
    stats.badItemLink = true;
  }
  itemChosen();
}

// What the citizen typed matches an item's name, or the first letters of its pinyin
// (items.json gives "initials", one letter per character of the name).
function matches(item, query) {
  if (!query) return true;
  const q = query.toLowerCase().replace(/\s+/g, "");
  return item.name.includes(query.trim()) || item.theme_name.includes(query.trim())
    || (/^[a-z]+$/.test(q) && (item.initials || "").includes(q));
}

// The select: "请选择办理事项" first, then the matching items grouped by theme.
function fillItems(query, chosen) {
  const select = $("item");
  select.replaceChildren();
  const none = document.createElement("option");
  none.value = "";
  none.textContent = "请选择办理事项";
  select.append(none);
  let group = null;
  let shown = 0;
  for (const item of items) {
    if (!matches(item, query) && item.code !== chosen) continue;
    if (!group || group.label !== item.theme_name) {
      group = document.createElement("optgroup");
      group.label = item.theme_name;
      select.append(group);
    }
    const option = document.createElement("option");
    option.value = item.code;
    option.textContent = item.name;
    group.append(option);
    shown += 1;
  }
  select.value = chosen || "";
  stats.itemsShown = shown;
  $("item-count").textContent = !query ? `共 ${items.length} 个事项`
    : shown ? `找到 ${shown} 个事项，请在下面的列表中选择` : "没有找到相符的事项，请换个说法或清空后从列表中选择";
}

// The big button works only once an item is chosen.
function itemChosen() {
  const chosen = Boolean($("item").value);
  $("join").disabled = !chosen;
  $("join-hint").hidden = chosen;
  if (chosen) fieldError("item", "");
}

function fieldError(id, text) {
  const box = $(`${id}-error`);
  box.textContent = text;
  box.hidden = !text;
  if (text) $(id).setAttribute("aria-invalid", "true"); else $(id).removeAttribute("aria-invalid");
}

function resumeToken() { return sessionStorage.getItem(RESUME_KEY) || ""; }
function forgetResume() { sessionStorage.removeItem(RESUME_KEY); }

function connect(resume = "") {
  return new Promise((resolve, reject) => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = ws = new WebSocket(`${scheme}://${location.host}/ws`);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      const hello = { role: "citizen", name: $("name").value.trim().slice(0, 40) };
      if (resume) hello.resume = resume;
      send("hello", hello);
    };
    ws.onerror = () => reject(new Error("websocket"));
    ws.onclose = () => linkClosed(socket);
    ws.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) { receiveChunk(event.data); return; }
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (!message || message.v !== PROTOCOL_VERSION) return;
      if (message.type === "welcome") {
        try {
          iceConfig = iceFromWelcome(message);
        } catch (error) {
          stats.errors.push("bad_ice_config");
          ws.close();
          reject(error);
          return;
        }
        stats.icePolicy = iceConfig.iceTransportPolicy;
        if (typeof message.resume_token === "string" && message.resume_token) {
          sessionStorage.setItem(RESUME_KEY, message.resume_token);
        }
        if (resume) { stats.resumes += 1; reconnectDelay = 500; say(""); }
        resolve();
      }
      handle(message).catch((error) => { stats.errors.push(String(error)); say("出现问题：" + error); });
    };
  });
}

// The link ended. Queued or in a call (and not leaving, not refused): come back with the
// resume token, with backoff; the hub gives the place back within its grace period.
function linkClosed(socket) {
  if (socket !== ws) return;   // an old socket; a newer one is in use
  const waiting = stats.state === "queue" || stats.state === "call";
  if (leaving || !waiting || !resumeToken() || stats.resumeRefused) {
    if (waiting && !stats.resumeRefused) say("连接已断开，请刷新页面重新排队。");
    return;
  }
  stats.linkDrops += 1;
  say(RECONNECTING);
  setTimeout(() => {
    connect(resumeToken()).catch(() => {});   // a failed try closes: linkClosed again
  }, reconnectDelay);
  reconnectDelay = Math.min(8000, reconnectDelay * 2);
}

// The RTCPeerConnection configuration from a welcome, checked as protocol v1 says
// (docs/protocol.md, IceServer); anything else is refused with "bad_ice_config".
const ICE_URL = /^(?:stuns?:(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?|turns?:(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?(?:\?transport=(?:udp|tcp))?)$/;
function iceFromWelcome(welcome) {
  const servers = welcome.ice_servers === undefined ? [] : welcome.ice_servers;
  const policy = welcome.ice_policy === undefined ? "all" : welcome.ice_policy;
  const bad = () => new Error("bad_ice_config");
  if (!Array.isArray(servers) || servers.length > 16 || !["all", "relay"].includes(policy)) throw bad();
  const iceServers = servers.map((server) => {
    if (!server || typeof server.url !== "string" || !ICE_URL.test(server.url)) throw bad();
    if (!server.url.startsWith("turn")) return { urls: server.url };
    if (typeof server.username !== "string" || typeof server.credential !== "string"
        || !server.username || !server.credential) throw bad();
    return { urls: server.url, username: server.username, credential: server.credential };
  });
  if (policy === "relay" && !iceServers.some((s) => s.urls.startsWith("turn"))) throw bad();
  return { iceServers, iceTransportPolicy: policy };
}

async function handle(m) {
  switch (m.type) {
    case "queued":
      workOrderId = stats.workOrderId = m.work_order_id;
      showPosition(m.position, m.expected_wait_s, m.agents_on_duty);
      show("queue");
      break;
    case "queue_position":
      showPosition(m.position, m.expected_wait_s, m.agents_on_duty);
      break;
    case "call_started":
      if (call && call.call_id === m.call_id && localStream) {
        await renewMedia();   // back on a new link: the same call, media made afresh
      } else {
        transferBeforeCall(m);   // transfer.js: a call handed on to the next agent
        call = m;
        await startCall(m);
      }
      break;
    case "transfer_update":
      transferUpdate(m);       // transfer.js
      break;
    case "hold_state":
      holdState(m);            // transfer.js
      break;
    case "party_update":
      partyUpdate(m);          // transfer.js: a supervisor or colleague joins the call or leaves
      break;
    case "peer_link":
      if (!call || m.call_id !== call.call_id) break;
      if (m.up) {
        say("工作人员已重新连接，正在恢复视频…", "info");
        await renewMedia();
      } else {
        say("工作人员网络中断，正在等待重新连接…");
      }
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
    case "media_state":
      if (call && m.call_id === call.call_id) showAgentMedia(m.camera, m.microphone);
      break;
    case "share_mark":
      window.seatShare.mark(m);   // checked again there
      break;
    case "certificate_consent_request":
      window.seatConsent?.ask(m, send, workOrderId);   // consent.js: checked there
      break;
    case "call_ended":
      forgetResume();
      endCall(callFailure || (m.ended_by === "agent" ? "工作人员已结束通话。" : "通话已结束。"),
              callFailure ? "alert" : "info");
      break;
    case "ack":
      if (m.of === "rate") { stats.rated = true; show("done"); }
      if (m.of === "leave_queue") { forgetResume(); show("choose"); }
      transferLeft(m);   // a hang-up while waiting in a transfer (transfer.js)
      break;
    case "upload_progress":
      if (m.uploader_role === "citizen") showUploadProgress(m.upload_id, m.received_bytes, m.byte_size);
      break;
    case "upload_failed":
      if (m.uploader_role === "citizen") uploadFailed(m.upload_id, m.reason, m.message);
      break;
    case "material_added":
      materialAdded(m);
      break;
    case "material_download":
      downloads.set(m.download_id, { material: m.material, parts: [], received: 0 });
      break;
    case "pre_review_verdict":
      showVerdict(m);
      window.seatSummary?.verdict(m);
      break;
    case "contact_summary":
      window.seatSummary?.take(m);
      break;
    case "receipt_pdf":
      window.seatSummary?.receiptPdf(m);   // checked there
      break;
    case "error":
      stats.errors.push(m.code);
      if (transferQuiet(m)) break;  // transfer.js: late words about the first agent's call
      if (m.code === "resume_refused") {
        stats.resumeRefused = true;
        forgetResume();
        window.seatShare.callEnded();
        if (pc) { pc.close(); pc = null; }
        if (localStream) { for (const track of localStream.getTracks()) track.stop(); localStream = null; }
        call = null;
        show("choose");
      }
      say(ERROR_TEXT[m.code] || m.message);
      break;
  }
}

// Nobody who could take the call is logged in (agents_on_duty 0): say so, and no estimate.
// An older hub leaves agents_on_duty out (-1): its estimate is shown as before.
function showPosition(position, waitSeconds, onDuty = -1) {
  const nobody = onDuty === 0;
  stats.agentsOnDuty = onDuty;
  $("queue-title").textContent = nobody ? "正在排队" : "正在为您接通";
  $("nobody").hidden = !nobody;
  $("position").textContent = position <= 1 ? (nobody ? "您排在第 1 位" : "下一位就是您") : `前面还有 ${position - 1} 人`;
  const minutes = Math.max(1, Math.round(waitSeconds / 60));
  $("wait").textContent = nobody ? "" : `预计等待约 ${minutes} 分钟，请保持本页面打开。`;
}

async function startCall(started) {
  window.seatSummary?.begin(started);
  document.body.classList.add("in-call");
  show("call");
  showChecklist(started.item_code);
  say("");
  $("messages").replaceChildren();
  showAgentMedia("on", "on");   // until the agent says otherwise
  // A recorded call says so before any camera or microphone opens.
  $("recording-notice").hidden = !started.recorded;
  stats.recordingNotice = Boolean(started.recorded);
  window.seatShare.callStarted(started, send);
  pc = newPeer();
  const wantVideo = cameraWanted = started.media === "video" && !$("audio-only").checked;
  stats.noticeBeforeMedia = stats.recordingNotice && !$("recording-notice").hidden;
  localStream = await openMedia(wantVideo);
  $("local").srcObject = localStream;
  sendMediaState();
  await offerCall(started);
}

// The camera and microphone, or whichever of them the browser allows; what is missing is
// explained over the call (how to allow it, that the agent cannot see or hear, chat works).
async function openMedia(wantVideo) {
  const tries = wantVideo ? [{ audio: true, video: true }, { audio: true }, { video: true }] : [{ audio: true }];
  let stream = null;
  for (const constraints of tries) {
    try { stream = await navigator.mediaDevices.getUserMedia(constraints); break; } catch { /* next */ }
  }
  stream = stream || new MediaStream();
  const noMic = !stream.getAudioTracks().length;
  const noCamera = wantVideo && !stream.getVideoTracks().length;
  stats.mediaRefused = noMic || noCamera;
  const what = noMic && noCamera ? "摄像头和麦克风没有打开：工作人员看不到您，也听不到您的声音。"
    : noMic ? "麦克风没有打开：工作人员听不到您的声音。"
    : noCamera ? "摄像头没有打开：工作人员看不到您的画面，但能听到您的声音。" : "";
  $("media-help-what").textContent = what;
  $("media-help").hidden = !what;
  return stream;
}

// The citizen allowed the camera or microphone after all: the call goes on with them.
async function retryMedia() {
  if (!call) return;
  const stream = await openMedia(cameraWanted);
  if (!call) { for (const track of stream.getTracks()) track.stop(); return; }
  if (localStream) for (const track of localStream.getTracks()) track.stop();
  localStream = stream;
  $("local").srcObject = localStream;
  for (const id of ["mute", "camera"]) setToggle($(id), false);
  await renewMedia();
}

// The citizen is back on a new link, or the agent is: a new peer connection offers afresh.
async function renewMedia() {
  if (!call || !localStream) return;
  if (pc) { pc.close(); pc = null; }
  stats.mediaRenewals += 1;
  pc = newPeer();
  sendMediaState();
  await offerCall(call);
}

function newPeer() {
  const peer = new RTCPeerConnection(iceConfig);
  peer.ontrack = (event) => {
    if (event.track.kind !== "video") return;
    if (threeWayTrack(peer, event)) return;   // a consulted colleague's picture (transfer.js)
    const remote = $("remote");
    remote.srcObject = event.streams[0] || new MediaStream([event.track]);
    const count = () => { stats.remoteFrames += 1; remote.requestVideoFrameCallback(count); };
    remote.requestVideoFrameCallback(count);
  };
  return peer;
}

async function offerCall(started) {
  for (const track of localStream.getTracks()) pc.addTrack(track, localStream);
  if (!localStream.getAudioTracks().length) pc.addTransceiver("audio", { direction: "recvonly" });
  if (!localStream.getVideoTracks().length) pc.addTransceiver("video", { direction: "recvonly" });
  window.seatShare.attach(pc);   // the second video section: a shared screen (share.js)
  preferCodec();
  const relayOnly = iceConfig.iceTransportPolicy === "relay";
  const gathering = pc;
  const trickle = (event) => {
    if (pc !== gathering) return;  // a peer closed meanwhile (a transfer): its call is over
    const c = event.candidate;
    if (c) stats.candidatesSent.push(c.candidate);
    send("ice", { call_id: started.call_id, candidate: c ? c.candidate : "",
                  sdp_mid: c && c.sdpMid ? c.sdpMid : "", sdp_mline_index: c && c.sdpMLineIndex ? c.sdpMLineIndex : 0 });
  };
  // The offer goes at once and every candidate follows as it is found (the agent keeps
  // those that come before it has applied the offer). Relay-only waits for gathering
  // (bounded) to see whether the relay gave it a candidate at all.
  if (!relayOnly) pc.onicecandidate = trickle;
  await pc.setLocalDescription(await pc.createOffer());
  if (relayOnly) await gathered(pc, 2000);
  const offer = pc.localDescription.sdp;
  if (relayOnly && !/ typ relay/.test(offer)) {
    // The relay refused us or cannot be reached: nothing else may carry the call.
    stats.errors.push("no_relay");
    send("hangup", { call_id: started.call_id });
    callFailure = "无法连接视频中继服务，本次通话未能接通，请稍后重新排队。";
    say(callFailure);
    return;
  }
  stats.offerSdp = offer;
  send("sdp", { call_id: started.call_id, sdp_type: "offer", sdp: offer });
  // Relay-only: candidates found so far are in the offer; trickle only the late ones.
  if (relayOnly) pc.onicecandidate = trickle;
  const peer = pc;
  pc.onconnectionstatechange = () => {
    if (pc === peer && pc.connectionState === "connected") reportCodec();
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

// Relay-only: wait for gathering (bounded) so the offer shows whether a relay came.
function gathered(peer, timeoutMs) {
  if (peer.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (peer.iceGatheringState === "complete") resolve(); };
    peer.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, timeoutMs);
  });
}

function endCall(text, tone = "alert") {
  callFailure = "";
  window.seatShare.callEnded();
  window.seatConsent?.callEnded();
  document.body.classList.remove("in-call");
  $("hangup-confirm").hidden = true;
  $("media-help").hidden = true;
  $("latest-verdict").hidden = true;
  $("local").hidden = false;
  $("local-off").hidden = true;
  $("mute").disabled = $("camera").disabled = false;
  for (const id of ["mute", "camera"]) setToggle($(id), false);
  showAgentMedia("on", "on");
  if (pc) { pc.close(); pc = null; }
  if (localStream) { for (const track of localStream.getTracks()) track.stop(); localStream = null; }
  call = null;
  say(text, tone);
  clearScores();
  show("rate");
}

// The agent's camera is off or missing: say so over their video (the call goes on by voice).
function showAgentMedia(camera, microphone) {
  const notice = $("agent-camera-off");
  const text = AGENT_CAMERA_TEXT[camera] || "";
  if (notice.textContent !== text) notice.textContent = text;
  notice.hidden = !text;
  $("agent-muted").hidden = microphone !== "muted";
  stats.agentCamera = camera;
  stats.agentMicrophone = microphone;
}

// Tell the agent what the citizen's camera and microphone do now.
function sendMediaState() {
  if (!call || !localStream) return;
  const state = (kind, offWord) => {
    const tracks = localStream.getTracks().filter((t) => t.kind === kind);
    if (!tracks.length) return kind === "video" && !cameraWanted ? "off" : "unavailable";
    return tracks.some((t) => t.enabled) ? "on" : offWord;
  };
  const camera = state("video", "off");
  // Nothing to mute or turn off without that device: the button says so by being unusable.
  $("mute").disabled = !localStream.getAudioTracks().length;
  $("camera").disabled = !localStream.getVideoTracks().length;
  // The citizen's own small picture: hidden with a plain line while their camera is not on.
  $("local").hidden = camera !== "on";
  $("local-off").hidden = camera === "on";
  send("media_state", { call_id: call.call_id, camera, microphone: state("audio", "muted") });
  stats.mediaStatesSent += 1;
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

// --- materials: upload with progress, the verdict, the agent's annotated images ---

function showChecklist(itemCode) {
  const item = items.find((i) => i.code === itemCode);
  const list = $("checklist");
  list.replaceChildren();
  for (const material of (item && item.materials) || []) {
    const li = document.createElement("li");
    li.textContent = material.name + (material.required ? "" : "（如有）");
    list.append(li);
  }
  $("checklist-intro").hidden = !list.children.length;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i += 1) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(kind, id, seq, data) {   // protocol.CHUNK_HEADER ">2sBBIIII"
  const frame = new Uint8Array(20 + data.length);
  const view = new DataView(frame.buffer);
  frame[0] = 0x53; frame[1] = 0x4d; frame[2] = 1; frame[3] = kind;
  view.setUint32(4, id); view.setUint32(8, seq); view.setUint32(12, data.length);
  view.setUint32(16, crc32(data));
  frame.set(data, 20);
  return frame;
}

async function uploadFile(file) {
  if (!call && !workOrderId) return;
  const id = nextTransferId++;
  const row = document.createElement("li");
  const name = document.createElement("span");
  name.textContent = file.name + " ";
  const bar = document.createElement("progress");
  bar.max = Math.max(1, file.size); bar.value = 0;
  bar.setAttribute("aria-label", `${file.name} 上传进度`);
  row.append(name, bar);
  $("uploads").append(row);
  uploads.set(id, { row, bar });
  if (!["image/jpeg", "image/png"].includes(file.type)) { uploadFailed(id, "not_an_image", ""); return; }
  if (file.size > 20 * 1024 * 1024) { uploadFailed(id, "too_large", ""); return; }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  send("upload_start", { upload_id: id, work_order_id: workOrderId, filename: file.name.slice(0, 200) || "photo.jpg",
                         mime: file.type, byte_size: bytes.length, sha256,
                         source: "citizen_upload", material_code: "" });
  for (let seq = 0, at = 0; at < bytes.length; seq += 1, at += CHUNK_BYTES) {
    while (ws.bufferedAmount > 2 * CHUNK_BYTES) await new Promise((r) => setTimeout(r, 20));
    if (!uploads.has(id)) return;   // refused meanwhile
    ws.send(chunk(1, id, seq, bytes.subarray(at, at + CHUNK_BYTES)));
  }
}

function showUploadProgress(id, received, total) {
  const upload = uploads.get(id);
  if (upload) { upload.bar.max = Math.max(1, total); upload.bar.value = received; }
}

function uploadFailed(id, reason, message) {
  const upload = uploads.get(id);
  stats.uploadFailures.push(reason);
  if (!upload) return;
  uploads.delete(id);
  upload.bar.remove();
  const why = document.createElement("span");
  why.className = "failed";
  why.textContent = "未上传：" + (UPLOAD_FAILURE_TEXT[reason] || message || reason);
  upload.row.append(why);
}

function materialAdded(m) {
  const upload = uploads.get(m.upload_id);
  if (m.upload_id && upload) {
    uploads.delete(m.upload_id);
    upload.bar.value = upload.bar.max;
    const ok = document.createElement("span");
    ok.textContent = " ✓ 已上传";
    upload.row.append(ok);
    stats.uploaded += 1;
  } else if (m.material.source === "agent_annotated") {
    const id = nextTransferId++;
    send("fetch_material", { material_id: m.material.material_id, download_id: id });
  }
}

function receiveChunk(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < 20 || view.getUint8(0) !== 0x53 || view.getUint8(1) !== 0x4d || view.getUint8(3) !== 2) return;
  const download = downloads.get(view.getUint32(4));
  if (!download) return;
  const data = new Uint8Array(buffer, 20, view.getUint32(12));
  if (crc32(data) !== view.getUint32(16)) { downloads.delete(view.getUint32(4)); return; }
  download.parts.push(data.slice());
  download.received += data.length;
  if (download.received >= download.material.byte_size) {
    downloads.delete(view.getUint32(4));
    const type = download.material.mime;
    const img = document.createElement("img");
    img.src = URL.createObjectURL(new Blob(download.parts, { type }));
    if (download.material.material_code === "receipt") {
      img.alt = "受理回执";
      $("receipt-images").replaceChildren(img);
      $("receipt").hidden = false;
      stats.receipts += 1;
      window.seatSummary?.receipt(img.src);
    } else {
      img.alt = "工作人员标注的材料图片";
      $("annotated").append(img);
      $("verdict").hidden = false;
      stats.annotatedImages += 1;
    }
  }
}

const STATUS_TEXT = { accepted: "符合要求", to_correct: "需要补正", missing: "尚未提供" };

function showVerdict(m) {
  const item = items.find((i) => i.code === m.item_code);
  const names = Object.fromEntries(((item && item.materials) || []).map((x) => [x.code, x.name]));
  const list = $("verdict-entries");
  list.replaceChildren();
  for (const entry of m.entries) {
    const li = document.createElement("li");
    li.className = entry.status;
    const reason = entry.reason_code ? `：${reasons[entry.reason_code] || entry.reason_code}` : "";
    const note = entry.note ? `（${entry.note}）` : "";
    li.textContent = `${names[entry.material_code] || entry.material_code} — ${STATUS_TEXT[entry.status] || entry.status}${reason}${note}`;
    list.append(li);
  }
  $("verdict").hidden = false;
  stats.verdictRevision = m.revision;
  const open = m.entries.filter((e) => e.status !== "accepted").length;
  const latest = $("latest-verdict");
  latest.textContent = open ? `工作人员发来预审意见：${open} 项材料需要补正或补交。`
    : "工作人员发来预审意见：材料均符合要求。";
  const details = document.createElement("a");
  details.href = "#verdict";
  details.textContent = "查看详情";
  latest.append(" ", details);
  latest.className = open ? "latest to-fix" : "latest";
  latest.hidden = false;
  say("");
}

function buildScores() {
  for (let score = 1; score <= 10; score += 1) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio"; input.name = "score"; input.value = String(score);
    input.setAttribute("aria-label", `${score} 分`);
    const face = document.createElement("span");
    face.textContent = String(score);
    label.append(input, face);
    $("scores").append(label);
    input.addEventListener("change", () => { $("rate-hint").hidden = true; });
  }
}

// Every rating starts unchosen: a score the citizen did not pick must not be recorded.
function clearScores() {
  for (const input of document.querySelectorAll("input[name=score]")) input.checked = false;
  $("rate-hint").hidden = true;
}

$("join-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  if (!checkForm()) return;
  $("join").disabled = true;
  try {
    if (!ws || ws.readyState !== WebSocket.OPEN) await connect();
    const priority = document.querySelector("input[name=priority]:checked").value;
    send("join_queue", {
      item_code: $("item").value, channel, priority,
      media: $("audio-only").checked ? "audio" : "video",
      large_text: Boolean(window.seatLargeText?.on()),   // large_text.js: the agent is told
      citizen: { name: $("name").value.trim().slice(0, 40), id_number: "",
                 phone: $("phone").value.trim().slice(0, 11), hall: "" },
    });
  } catch (error) {
    say(error.message === "bad_ice_config" ? "通话服务配置有误，暂时无法视频办理，请稍后再试。"
                                            : "无法连接服务端，请稍后再试。");
  } finally {
    itemChosen();
  }
});
// Every field that is wrong says why in Chinese beside it; the first one gets the focus.
function checkForm() {
  const phone = $("phone").value.trim();
  const bad = [];
  if (!$("item").value) { fieldError("item", "请先选择要办理的事项。"); bad.push("item"); }
  if (phone && !/^1[3-9][0-9]{9}$/.test(phone)) {
    fieldError("phone", "请输入11位手机号码（以1开头，只填数字），不填也可以。");
    bad.push("phone");
  } else {
    fieldError("phone", "");
  }
  stats.invalidFields = bad;
  if (bad.length) $(bad[0]).focus();
  return !bad.length;
}
$("item").addEventListener("change", itemChosen);
$("item-search").addEventListener("input", () => {
  fillItems($("item-search").value.trim(), $("item").value);
  itemChosen();
});
$("phone").addEventListener("input", () => { if (!$("phone-error").hidden) checkForm(); });
$("leave").addEventListener("click", () => send("leave_queue"));
// A reload (or a page opened again in this tab) while queued or in a call: take it back.
window.addEventListener("pagehide", () => { if (!resumeToken()) leaving = true; });
// Test hook: the network fails (the socket ends without a goodbye the hub takes as one).
window.seatDropLink = () => { if (ws) ws.close(4000, "network test"); };
$("photo").addEventListener("change", async (event) => {
  for (const file of Array.from(event.target.files)) await uploadFile(file);
  event.target.value = "";
});
$("hangup").addEventListener("click", () => {
  $("hangup-confirm").hidden = false;
  $("hangup-no").focus();
});
$("hangup-no").addEventListener("click", () => { $("hangup-confirm").hidden = true; $("hangup").focus(); });
$("hangup-yes").addEventListener("click", () => {
  $("hangup-confirm").hidden = true;
  if (call) send("hangup", { call_id: call.call_id });
});
$("media-retry").addEventListener("click", () => retryMedia().catch((e) => stats.errors.push(String(e))));
$("mute").addEventListener("click", () => toggle($("mute"), "audio"));
$("camera").addEventListener("click", () => toggle($("camera"), "video"));
$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("chat-input").value.trim();
  if (!text || !call) return;
  send("chat", { call_id: call.call_id, text: text.slice(0, 2000) });
  $("chat-input").value = "";
});
$("rate-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const chosen = document.querySelector("input[name=score]:checked");
  if (!chosen) {
    $("rate-hint").hidden = false;
    stats.unchosenRatings += 1;
    document.querySelector("input[name=score]").focus();
    return;
  }
  const score = Number(chosen.value);
  send("rate", { work_order_id: workOrderId, score, comment: $("comment").value.trim().slice(0, 500) });
});
$("again").addEventListener("click", () => { say(""); show("choose"); });

// A toggle says its state: "静音" until pressed, then "已静音" with how to undo it.
const TOGGLE_TEXT = { mute: ["静音", "已静音\n取消静音"], camera: ["关闭摄像头", "摄像头已关\n打开摄像头"] };
function setToggle(button, pressed) {
  button.setAttribute("aria-pressed", String(pressed));
  button.textContent = TOGGLE_TEXT[button.id][pressed ? 1 : 0];
}

function toggle(button, kind) {
  if (!localStream) return;
  const off = button.getAttribute("aria-pressed") !== "true";
  for (const track of localStream.getTracks()) if (track.kind === kind) track.enabled = !off;
  setToggle(button, off);
  sendMediaState();
}

buildScores();
loadItems().catch(() => say("事项列表加载失败，请刷新页面。"));
if (resumeToken()) {
  // The page was reloaded while queued or in a call.
  say("正在恢复您的排队或通话…", "info");
  connect(resumeToken()).catch(() => say("无法连接服务端，请稍后再试。"));
}
