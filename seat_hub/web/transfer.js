// Cold transfer on the citizen page (issue 16). The hub's transfer_update is shown as it is
// ("正在为您转接…"). While a named colleague rings, the call and its media stay with the
// first agent. When the first agent's leg ends (phase "waiting") their picture and sound
// stop and the page waits at the head of the next queue; the next call_started (a new call
// id, the same work order) makes the media afresh with the next agent. app.js calls
// transferUpdate(m) for "transfer_update" and transferBeforeCall(m) before starting a call.
// A hold (hold_state) is shown the same way: the agent's sound and picture stop meanwhile
// (their workstation sends silence and a dark frame), and the page says why.
"use strict";

let transferPending = false;

function transferUpdate(m) {
  if (typeof m.message !== "string" || !m.message) return;
  stats.transferNotices = (stats.transferNotices || []).concat([`${m.phase}: ${m.message}`]);
  transferPending = m.phase === "ringing" || m.phase === "waiting";
  say(m.message, "info");  // news, not a fault: the citizen has nothing to fix
  if (m.phase === "waiting" && pc) {
    pc.close();            // the first agent's leg is over: their media stops here
    pc = null;
    $("remote").srcObject = null;
    $("colleague").srcObject = null;
    $("colleague").hidden = true;
  }
}

// A call_started for a new call while a transfer is under way: close what is left of the
// first agent's call (its peer and our tracks; startCall opens them anew).
function transferBeforeCall(m) {
  if (!transferPending || !call || call.call_id === m.call_id) return;
  transferPending = false;
  stats.transfers = (stats.transfers || 0) + 1;
  document.body.classList.remove("on-hold");   // the next agent's call starts off hold
  if (pc) { pc.close(); pc = null; }
  $("colleague").srcObject = null;
  $("colleague").hidden = true;
  if (localStream) { for (const track of localStream.getTracks()) track.stop(); localStream = null; }
}

// While the citizen waits for the next agent, the hub's "no such call" answers to what the
// page sent for the first agent's call just before it ended (ICE candidates in flight) are
// not news for the citizen: they must not replace "正在为您转接…".
function transferQuiet(m) {
  return transferPending && m.code === "no_such_call";
}

// The citizen hung up while waiting at the head of the next queue: the hub took them out
// of it (its ack names the hang-up); the call is over for them, as any other call.
function transferLeft(m) {
  if (m.of !== "hangup" || !transferPending) return;
  transferPending = false;
  stats.transferLeft = true;
  forgetResume();
  endCall("您已结束通话。", "info");
}

function holdState(m) {
  if (!call || m.call_id !== call.call_id) return;
  stats.holdNotices = (stats.holdNotices || []).concat([`${m.on ? "on" : "off"}: ${m.message}`]);
  document.body.classList.toggle("on-hold", Boolean(m.on));
  say(m.message || "", "info");
}

// A third party joining the call or leaving it (party_update): a supervisor from the seat
// wall, or the colleague of a three-way call. Said as news; the second picture is theirs
// (relayed by the agent's workstation).
// When they leave, their picture goes at once (not when the browser marks the track muted),
// and frames still in flight do not bring it back until the track was muted or a next join.
let thirdPartyLeft = false;

function partyUpdate(m) {
  if (!call || m.call_id !== call.call_id || typeof m.message !== "string") return;
  stats.partyNotices = (stats.partyNotices || []).concat([`${m.phase}: ${m.message}`]);
  const colleague = $("colleague");
  const supervisor = m.phase === "joined" && m.party === "supervisor";
  colleague.setAttribute("aria-label", supervisor ? "值班长的视频" : "会商同事的视频");
  thirdPartyLeft = m.phase !== "joined";
  if (thirdPartyLeft) colleague.hidden = true;
  say(m.message, "info");
}

// Three-way calls (a consult the agent brought the citizen into): the agent's workstation
// relays the colleague's picture on the offer's second video section (share.js makes it
// sendrecv; it carries the citizen's shared screen out and the colleague's picture in).
// app.js hands every video track here first; the second section's goes to #colleague,
// shown while its frames come and hidden when they stop (muted) or the call changes.
function threeWayTrack(peer, event) {
  const videos = peer.getTransceivers().filter((t) => t.receiver.track.kind === "video");
  if (videos.indexOf(event.transceiver) !== 1) return false;
  const colleague = $("colleague");
  colleague.srcObject = new MediaStream([event.track]);
  colleague.hidden = true;
  thirdPartyLeft = false;
  const count = () => {
    if (!colleague.srcObject) return;
    if (!thirdPartyLeft) {
      stats.colleagueFrames = (stats.colleagueFrames || 0) + 1;
      colleague.hidden = false;
    }
    colleague.requestVideoFrameCallback(count);
  };
  colleague.requestVideoFrameCallback(count);
  event.track.onmute = () => {
    colleague.hidden = true;
    thirdPartyLeft = false;   // its frames stopped: the next ones are a new party's
    colleague.requestVideoFrameCallback(count);
  };
  event.track.onended = () => { colleague.hidden = true; colleague.srcObject = null; };
  return true;
}
