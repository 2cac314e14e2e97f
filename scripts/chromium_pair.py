"""The call benchmark's browser leg: Chromium's own WebRTC, two peers in one page.

A canvas draws the picture the simulated citizen's camera paints (scrolling colour bars
and a bouncing box, 30 times a second) and, in its top band, the time it was drawn
(``performance.now()``, in blocks a video codec keeps); ``captureStream(30)`` feeds
``pc1``, which sends VP8 to ``pc2`` in the same page; ``pc2``'s track plays in a
``<video>``, and at each ``requestVideoFrameCallback`` the page draws the frame into a
second canvas, reads the blocks back and takes "now − drawn" as the frame's latency
(both ends share one clock). The degradation preference keeps the resolution, and the
measurement starts only once the received frames have reached it (Chromium ramps up for
about 20 s at 720p). CPU is every Chromium process's user + system time over the wall
time, read from /proc.

Used by ``bench_call.py``: ``measure_chromium(width, height, seconds, warmup_s)``.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu",
    "--autoplay-policy=no-user-gesture-required", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

PAGE = """<!doctype html><meta charset="utf-8"><body style="margin:0;background:#000">
<canvas id="src"></canvas><video id="out" muted playsinline autoplay></video>
<canvas id="probe"></canvas>
<script>
const BLOCK = 16, BITS = 32;
const W = %(width)d, H = %(height)d;
const src = document.getElementById('src'), out = document.getElementById('out');
const probe = document.getElementById('probe');
src.width = probe.width = W; src.height = probe.height = H;
const g = src.getContext('2d'), p = probe.getContext('2d', {willReadFrequently: true});
window.bench = {latencies: [], frames: 0, width: 0, height: 0, measuring: false};
// The same picture the simulated citizen's camera paints (sandbox/camera/pattern.py): colour bars
// scrolling across the frame, a box bouncing over them, the stamp band on top.
const BARS = ['#ebebeb', '#ebeb10', '#10ebeb', '#10eb10', '#eb10eb', '#eb1010', '#1010eb',
              '#101010'];
const SPEED = Math.max(2, Math.floor(W / 160) & ~1), BOX = Math.max(16, Math.floor(H / 6) & ~1);
const BAND = 2 * BLOCK;
const bounce = (v, span) => { const q = v %% (2 * span); return q < span ? q : 2 * span - q; };
let lastStep = -1;
function draw() {
  const t = performance.now();
  const step = Math.floor(t * 30 / 1000);
  if (step !== lastStep) {  // 30 pictures a second, as the camera makes
    lastStep = step;
    const offset = (step * SPEED) %% W;
    for (let i = 0; i < 16; i++) {
      g.fillStyle = BARS[i %% 8];
      g.fillRect(i * W / 8 - offset, BAND, W / 8 + 1, H - BAND);
    }
    const px = bounce(step * 5, W - BOX) & ~1, py = BAND + (bounce(step * 3, H - BAND - BOX) & ~1);
    g.fillStyle = '#808080'; g.fillRect(px, py, BOX, BOX);
    g.fillStyle = '#ebebeb'; g.fillRect(px + BOX / 4, py + BOX / 4, BOX / 2, BOX / 2);
    g.fillStyle = '#808080'; g.fillRect(0, 0, W, BAND);
    const stamp = Math.floor(t) >>> 0;
    for (let i = 0; i < BITS; i++) {
      g.fillStyle = (stamp >>> i) & 1 ? '#fff' : '#000';
      g.fillRect((i %% 16) * BLOCK, Math.floor(i / 16) * BLOCK, BLOCK, BLOCK);
    }
  }
  requestAnimationFrame(draw);
}
function readStamp() {
  p.drawImage(out, 0, 0, W, H);
  const data = p.getImageData(0, 0, 16 * BLOCK, 2 * BLOCK).data;
  let stamp = 0;
  for (let i = 0; i < BITS; i++) {
    const x = (i %% 16) * BLOCK + BLOCK / 2, y = Math.floor(i / 16) * BLOCK + BLOCK / 2;
    if (data[(y * 16 * BLOCK + x) * 4 + 1] > 127) stamp |= (1 << i);
  }
  return stamp >>> 0;
}
function onFrame(now, meta) {
  window.bench.frames++;
  window.bench.width = meta.width; window.bench.height = meta.height;
  if (window.bench.measuring) {
    const latency = (Math.floor(performance.now()) >>> 0) - readStamp();
    if (latency >= 0 && latency < 5000) window.bench.latencies.push(latency);
  }
  out.requestVideoFrameCallback(onFrame);
}
async function start() {
  draw();
  const stream = src.captureStream(30);
  const pc1 = new RTCPeerConnection(), pc2 = new RTCPeerConnection();
  pc1.onicecandidate = e => e.candidate && pc2.addIceCandidate(e.candidate);
  pc2.onicecandidate = e => e.candidate && pc1.addIceCandidate(e.candidate);
  pc2.ontrack = e => { out.srcObject = e.streams[0] || new MediaStream([e.track]); };
  const sender = pc1.addTrack(stream.getVideoTracks()[0], stream);
  const vp8 = RTCRtpSender.getCapabilities('video').codecs.filter(
    c => c.mimeType.toLowerCase() === 'video/vp8');
  pc1.getTransceivers()[0].setCodecPreferences(vp8);
  const params = sender.getParameters();
  params.degradationPreference = 'maintain-resolution';
  await sender.setParameters(params);
  await pc1.setLocalDescription(await pc1.createOffer());
  await pc2.setRemoteDescription(pc1.localDescription);
  await pc2.setLocalDescription(await pc2.createAnswer());
  await pc1.setRemoteDescription(pc2.localDescription);
  out.requestVideoFrameCallback(onFrame);
  await out.play();
}
start();
</script></body>"""


def _chromium_pids() -> list[int]:
    """Chromium processes started from this process's tree."""
    me = os.getpid()
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
        names[int(entry.name)] = name
    found = []
    for pid in parents:
        ancestor = pid
        for _ in range(20):
            ancestor = parents.get(ancestor, 0)
            if ancestor in (me, 0, 1):
                break
        if ancestor == me and "chrom" in names[pid]:
            found.append(pid)
    return found


def _cpu_s(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def measure_chromium(width: int, height: int, seconds: float, warmup_s: float,
                           ramp_timeout_s: float = 60.0) -> dict[str, float]:
    """Latency percentiles, frame rate and CPU of Chromium's pair at ``width``×``height``."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS,
                                                   headless=True)
        try:
            page = await browser.new_page(viewport={"width": width, "height": height})
            await page.set_content(PAGE % {"width": width, "height": height})
            deadline = time.monotonic() + ramp_timeout_s
            while await page.evaluate("window.bench.width") < width:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"Chromium never reached {width}x{height}")
                await asyncio.sleep(0.5)
            await asyncio.sleep(warmup_s)
            pids = _chromium_pids()
            frames0 = await page.evaluate("window.bench.frames")
            cpu0, wall0 = _cpu_s(pids), time.monotonic()
            await page.evaluate("window.bench.measuring = true")
            await asyncio.sleep(seconds)
            await page.evaluate("window.bench.measuring = false")
            wall = time.monotonic() - wall0
            cpu = _cpu_s(pids) - cpu0
            frames = await page.evaluate("window.bench.frames") - frames0
            latencies: list[Any] = await page.evaluate("window.bench.latencies")
        finally:
            await browser.close()
    values = [float(v) for v in latencies]
    return {
        "latency_ms_p50": _percentile(values, 50),
        "latency_ms_p99": _percentile(values, 99),
        "fps": frames / wall,
        "cpu_percent": 100.0 * cpu / wall,
        "frames": float(len(values)),
    }
