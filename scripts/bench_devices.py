"""Benchmark: a call on real devices, mouth to ear both ways, the camera's cost, playback drift.

A private PulseAudio (``sandbox.sound_rig``) gives the workstation a real speaker and
microphone, ``sandbox.virtual_camera`` a 1280×720 webcam at 30 fps in Qt's capture path;
a real hub process and a simulated citizen in a process of its own (``seat-sim``, as a
citizen's phone is another machine) make a video call. Both processes date events with
``time.monotonic``, one clock for the whole machine. Measured:

- ``speaker``: the citizen's voice is 100 ms bursts of 1 kHz every 500 ms; from the
  moment a burst was captured at the citizen to its onset on the agent's speaker (heard on
  ``speaker.monitor``);
- ``microphone``: 100 ms bursts of 700 Hz said into the agent's microphone; from their
  onset at the microphone (``micfeed.monitor``) to the moment the citizen can play them
  (the arrival of the decoded frame, plus the burst's place in it). The simulated
  citizen's receiver hands each packet on as it arrives, as a phone's WebRTC stack does
  (``seat_common.media.frame_assembly``); what a phone then buffers before its own speaker is
  the phone's, not the seat's;
- ``tone_ok``: every burst was recognised (its frequency found within 400 ms);
- ``camera``: the cost of one 1280×720 frame from the capture session's sink to an
  aiortc frame (``convert_ms_p50``), and the frames per second the call sent;
- ``drift_ms_per_10min``: the speaker's latency over a longer call (``--drift-seconds``,
  three minutes), fitted by least squares against time; the slope times ten minutes is
  the extrapolation, ``drift_stderr_ms_per_10min`` its standard error (the same for the
  microphone in ``microphone_drift_ms_per_10min``). The rig's ears keep the whole call.

``echo``: a real echo path, PulseAudio's loopback from the speaker back into the
microphone (30 ms, as an open speaker beside the microphone would be): the citizen's
bursts played on the agent's speaker come back into the agent's microphone. What the
echo canceller takes out of it is ``erle_db`` (the citizen's tone in the microphone's
samples before and after the canceller, after a 3 s settling time); ``raw_echo_dbfs``
is how loud the echo was.

Baselines, side by side in the same run (calls alternate): ``stock_audio``, the same
calls with aiortc's own audio jitter buffer on the agent's receiver (our receiver hands
each packet on as it arrives); ``camera.to_image_ms_p50``, the same frames converted
through ``QVideoFrame.toImage`` (the obvious way). Ratios are ours over the baseline.

The last line is one JSON object: {"bench": "devices", "results": {"speaker": {...},
"microphone": {...}, "camera": {...}, "drift_ms_per_10min": ..., ...}, "baseline": {...},
"ratios": {...}, "goals": {...}}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyqt6")
os.environ.setdefault("SEAT_ICE_HOST_ADDRESSES", "127.0.0.1")
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from sandbox.sound_rig import SoundRig, tone_burst  # noqa: E402

SPEAKER_HZ = 1000.0
MIC_HZ = 700.0
THRESHOLD = 0.03  # of full scale: the bursts are sent at 0.3


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="length of each short call")
    parser.add_argument("--rounds", type=int, default=3, help="ours/stock pairs of calls")
    parser.add_argument("--drift-seconds", type=float, default=180.0,
                        help="length of the call the drift is fitted on")
    return parser.parse_args()


def start_rig(keep_s: float) -> SoundRig:
    """The sound server must be there before Qt Multimedia is first imported; its ears
    keep a whole call (``keep_s``)."""
    rig = SoundRig(Path(tempfile.mkdtemp(prefix="bench-devices-")), keep_s=keep_s).start()
    os.environ.update(rig.env)
    return rig


ARGS = parse_args()
RIG = start_rig(max(ARGS.seconds, ARGS.drift_seconds) + 30)

import qasync  # noqa: E402
from PyQt6.QtMultimedia import QVideoFrame, QVideoSink  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

import seat_client.call.session as session_module  # noqa: E402
from sandbox.bare_pair import percentile  # noqa: E402
from sandbox.hub_process import HubProcess, SeatSpec  # noqa: E402
from sandbox.virtual_camera import VirtualCamera  # noqa: E402
from seat_client.call.hub_link import HubLink, LinkState  # noqa: E402
from seat_client.call.workstation import Workstation  # noqa: E402
from seat_client.media.capture import CapturedVideoTrack  # noqa: E402
from seat_common import catalog, protocol  # noqa: E402
from seat_common.media import frame_assembly  # noqa: E402
from ui.devices.seat_devices import SeatDevices  # noqa: E402


async def until(condition: Any, what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.02)


def video_only_assembly(pc: Any) -> int:
    """The baseline: our video assembly, aiortc's own audio jitter buffer."""
    installed = 0
    for transceiver in pc.getTransceivers():
        if transceiver.kind == "video":
            current = getattr(transceiver.receiver, frame_assembly.RECEIVER_BUFFER)
            setattr(transceiver.receiver, frame_assembly.RECEIVER_BUFFER,
                    frame_assembly.MarkerJitterBuffer(capacity=current.capacity, is_video=True))
            installed += 1
    return installed


class Mouth:
    """Says MIC_HZ bursts into the agent's microphone, 100 ms every 500 ms, on a thread."""

    def __init__(self) -> None:
        self.written: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import numpy as np

        gap = np.zeros(int(0.4 * 48_000), np.int16)
        while not self._stop.is_set():
            self.written.append(RIG.mouth.say(tone_burst(MIC_HZ, 0.1, amplitude=0.3)))
            RIG.mouth.say(gap)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def speaker_latencies(onsets: list[float], since: float, until_t: float) -> tuple[
        list[tuple[float, float]], int]:
    """(capture time, latency ms) for each citizen burst heard; and how many were missed."""
    found, missed = [], 0
    for captured in onsets:
        if not since <= captured <= until_t:
            continue
        heard = RIG.speaker_ear.onset(captured - 0.002, THRESHOLD, SPEAKER_HZ)
        if heard is None or heard - captured > 0.4:
            missed += 1
            continue
        found.append((captured, (heard - captured) * 1000))
    return found, missed


def microphone_latencies(written: list[float], arrivals: list[float], since: float,
                         until_t: float) -> tuple[list[tuple[float, float]], int]:
    found, missed = [], 0
    for wrote in written:
        if not since <= wrote <= until_t:
            continue
        at_mic = RIG.mic_ear.onset(wrote - 0.005, THRESHOLD, MIC_HZ)
        if at_mic is None:
            missed += 1
            continue
        heard = next((t for t in arrivals if t >= at_mic - 0.005), None)
        if heard is None or heard - at_mic > 0.4:
            missed += 1
            continue
        found.append((at_mic, (heard - at_mic) * 1000))
    return found, missed


def slope_ms_per_10min(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares slope of latency (ms) against time (s), times 600 s, and its standard
    error (how far the extrapolation can be trusted)."""
    if len(points) < 3:
        return float("nan"), float("nan")
    xs = [t for t, _ in points]
    ys = [v for _, v in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if not sxx:
        return float("nan"), float("nan")
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    residuals = sum((y - my - slope * (x - mx)) ** 2 for x, y in zip(xs, ys, strict=True))
    stderr = (residuals / (len(points) - 2) / sxx) ** 0.5
    return slope * 600, stderr * 600


class EchoTap:
    """What goes into the echo canceller and what comes out (a benchmark's tap)."""

    def __init__(self, devices: SeatDevices) -> None:
        import numpy as np

        self.inputs: list[Any] = []
        self.outputs: list[Any] = []
        self.recording = False
        echo = devices.echo
        assert echo is not None
        near = echo.near

        def tapped(samples: Any) -> Any:
            out = near(samples)
            if self.recording:
                self.inputs.append(np.array(samples))
                self.outputs.append(np.array(out))
            return out

        echo.near = tapped  # type: ignore[method-assign]

    def erle(self) -> tuple[float, float]:
        import numpy as np

        from seat_common.media.audio_levels import tone_amplitude

        before = np.concatenate(self.inputs).astype(np.float64) / 32768
        after = np.concatenate(self.outputs).astype(np.float64) / 32768
        n = min(before.size, after.size)
        raw = tone_amplitude(before[:n], 48_000, SPEAKER_HZ)
        left = tone_amplitude(after[:n], 48_000, SPEAKER_HZ)
        return 20 * float(np.log10(raw / max(left, 1e-7))), 20 * float(np.log10(max(raw, 1e-7)))


def start_citizen(hub_url: str, give_up_s: float) -> subprocess.Popen[str]:
    """A citizen in a process of its own, speaking in bursts and timing what it hears."""
    return subprocess.Popen(
        [str(BIN / "seat-sim"), "--hub", hub_url, "--citizens", "1", "--items",
         "SI-UNEMP-QUERY", "--channels", "miniprogram", "--voice", "bursts", "--voice-hz",
         str(SPEAKER_HZ), "--listen-hz", str(MIC_HZ), "--give-up", str(give_up_s),
         "--seed", "3", "--elderly-share", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


async def one_call(hub: HubProcess, devices: SeatDevices, seconds: float, *,
                   stock_audio: bool, echo_tap: EchoTap | None = None,
                   speak: bool = True) -> dict[str, Any]:
    # The baseline swaps the receive path the call's session installs (a benchmark's liberty).
    setattr(session_module, "install_frame_assembly",  # noqa: B010
            video_only_assembly if stock_audio else frame_assembly.install_frame_assembly)
    link = HubLink(hub.url, lambda: protocol.Hello(role="agent", token=hub.tokens["0012"]))
    workstation = Workstation(link, media=devices)
    citizen = start_citizen(hub.url, seconds + 90)
    link.start()
    mouth: Mouth | None = None
    try:
        await until(lambda: link.state is LinkState.CONNECTED, "the agent logs in")
        await workstation.set_ready()
        await until(lambda: workstation.offer is not None, "the offer rings")
        await workstation.accept()
        await until(lambda: workstation.call is not None
                    and workstation.call.session.audio_frames > 50, "the call's voice flows")
        await asyncio.sleep(2.0)  # the echo canceller and the buffers settle
        call = workstation.call
        assert call is not None and isinstance(call.session.camera, CapturedVideoTrack)
        camera_track = call.session.camera
        if echo_tap is not None:
            await asyncio.sleep(3.0)  # the canceller learns the room
            echo_tap.recording = True
        mouth = Mouth() if speak else None
        began, sent0 = time.monotonic(), camera_track.sent
        converted0 = devices.camera.frames
        await asyncio.sleep(seconds)
        ended, sent1 = time.monotonic(), camera_track.sent
        converted = min(devices.camera.frames - converted0, len(devices.camera.convert_ms))
        if echo_tap is not None:
            echo_tap.recording = False
        if mouth is not None:
            mouth.stop()
        await asyncio.sleep(0.6)  # the last bursts arrive
        await workstation.hang_up()
        await until(lambda: workstation.wrap_up is not None, "the wrap-up is due")
        await workstation.submit_wrap_up("resolved", "")
        await until(lambda: workstation.wrap_up is None, "the work order closes")
        out, _ = await asyncio.to_thread(citizen.communicate, timeout=30)
        report = json.loads(out.strip().splitlines()[0])
        speaker, speaker_missed = speaker_latencies(report["voice_onsets"], began, ended - 0.5)
        micro, micro_missed = microphone_latencies(
            mouth.written if mouth is not None else [], report["heard_onsets"], began,
            ended - 0.5)
        return {
            "speaker": speaker, "speaker_missed": speaker_missed,
            "microphone": micro, "microphone_missed": micro_missed,
            "fps": (sent1 - sent0) / (ended - began),
            "convert_ms": list(devices.camera.convert_ms)[-converted:] if converted else [],
        }
    finally:
        if mouth is not None:
            mouth.stop()
        if citizen.poll() is None:
            citizen.kill()
            citizen.wait()
        await workstation.close()


def to_image_cost(camera: VirtualCamera, frames: int = 90) -> list[float]:
    """The obvious conversion: ``QVideoFrame.toImage`` on the same camera's frames."""
    sink = QVideoSink()
    costs: list[float] = []

    def on_frame(frame: QVideoFrame) -> None:
        if len(costs) < frames:
            began = time.perf_counter()
            frame.toImage()
            costs.append((time.perf_counter() - began) * 1000)

    sink.videoFrameChanged.connect(on_frame)
    from PyQt6.QtMultimedia import QMediaCaptureSession

    capture = QMediaCaptureSession()
    second = VirtualCamera(camera.format.frameWidth(), camera.format.frameHeight(), 30)
    capture.setVideoFrameInput(second.frame_input)
    capture.setVideoSink(sink)
    second.start()
    app = QApplication.instance()
    assert app is not None
    deadline = time.monotonic() + 30
    while len(costs) < frames and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    second.stop()
    return costs


def summary(calls: list[dict[str, Any]]) -> dict[str, Any]:
    speaker = [v for c in calls for _, v in c["speaker"]]
    micro = [v for c in calls for _, v in c["microphone"]]
    return {
        "speaker": {"latency_ms_p50": percentile(speaker, 50),
                    "latency_ms_p99": percentile(speaker, 99),
                    "tone_ok": bool(speaker) and sum(c["speaker_missed"] for c in calls) == 0,
                    "bursts": len(speaker)},
        "microphone": {"latency_ms_p50": percentile(micro, 50),
                       "latency_ms_p99": percentile(micro, 99),
                       "tone_ok": bool(micro) and sum(c["microphone_missed"] for c in calls) == 0,
                       "bursts": len(micro)},
    }


async def measure(seconds: float, rounds: int, drift_s: float) -> dict[str, Any]:
    catalog.load()
    with tempfile.TemporaryDirectory() as work:
        devices = SeatDevices(Path(work) / "devices.json")
        devices.start()
        camera = VirtualCamera(1280, 720, 30)
        devices.camera.open_input(camera.frame_input)
        camera.start()
        async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))],
                              workdir=Path(work) / "hub", ring_timeout=20.0) as hub:
            ours: list[dict[str, Any]] = []
            stock: list[dict[str, Any]] = []
            for _ in range(rounds):  # side by side: the two alternate
                ours.append(await one_call(hub, devices, seconds, stock_audio=False))
                stock.append(await one_call(hub, devices, seconds, stock_audio=True))
            long_call = await one_call(hub, devices, drift_s, stock_audio=False)
            tap = EchoTap(devices)
            loop_module = RIG.pactl("load-module", "module-loopback", "source=speaker.monitor",
                                    "sink=micfeed", "latency_msec=30")
            try:
                await one_call(hub, devices, seconds, stock_audio=False, echo_tap=tap,
                               speak=False)
            finally:
                RIG.pactl("unload-module", loop_module)
        camera.stop()
        image_ms = to_image_cost(camera)
        devices.close()
    results = summary(ours)
    converts = [v for c in ours for v in c["convert_ms"]]
    results["camera"] = {"convert_ms_p50": percentile(converts, 50),
                         "convert_ms_p99": percentile(converts, 99),
                         "fps": statistics.fmean(c["fps"] for c in ours),
                         "to_image_ms_p50": percentile(image_ms, 50)}
    results["drift_ms_per_10min"], results["drift_stderr_ms_per_10min"] = (
        slope_ms_per_10min(long_call["speaker"]))
    results["microphone_drift_ms_per_10min"], _ = slope_ms_per_10min(long_call["microphone"])
    results["drift_run_s"] = drift_s
    erle_db, raw_dbfs = tap.erle()
    results["echo"] = {"erle_db": erle_db, "raw_echo_dbfs": raw_dbfs}
    baseline = summary(stock)
    ratios = {
        "speaker_p50": results["speaker"]["latency_ms_p50"] / baseline["speaker"]["latency_ms_p50"],
        "microphone_p50": (results["microphone"]["latency_ms_p50"]
                           / baseline["microphone"]["latency_ms_p50"]),
        "camera_convert_vs_to_image": (results["camera"]["convert_ms_p50"]
                                       / results["camera"]["to_image_ms_p50"]),
    }
    goals = {
        "mouth_to_ear_p50_le_150": max(results["speaker"]["latency_ms_p50"],
                                       results["microphone"]["latency_ms_p50"]) <= 150,
        "mouth_to_ear_p99_le_250": max(results["speaker"]["latency_ms_p99"],
                                       results["microphone"]["latency_ms_p99"]) <= 250,
        "tones_ok": results["speaker"]["tone_ok"] and results["microphone"]["tone_ok"],
        "camera_convert_p50_le_3ms": results["camera"]["convert_ms_p50"] <= 3,
        "camera_30fps": results["camera"]["fps"] >= 29,
        "drift_within_20ms": abs(results["drift_ms_per_10min"]) <= 20,
        "echo_erle_ge_20db": erle_db >= 20,
    }
    return {"bench": "devices", "results": results, "baseline": {"stock_audio": baseline},
            "ratios": ratios, "goals": goals}


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def main() -> int:
    args = ARGS
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            report = loop.run_until_complete(measure(args.seconds, args.rounds,
                                                     args.drift_seconds))
    finally:
        RIG.stop()
    print(json.dumps(rounded(report), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
