#!/usr/bin/env python3
"""Call-recording benchmark: encoder CPU per second of call, and file size per minute.

Feeds ``CallRecorder`` what the session's taps would hand it in a call: the
sandbox's stamped 30 fps camera (a moving test pattern, easier to compress
than a real face, so sizes are a floor) and both voices as 20 ms frames, on
a simulated clock (faster than real time; no frame is dropped). Measures the
recorder's worker thread alone (its own CPU clock), so the figures are what
the recording adds to a call. Sizes: 640×480 and 1280×720.

The last line printed is ``{"bench": "recording", "results": {...}}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox.camera import StampedCameraTrack  # noqa: E402
from seat_client.recording.recorder import CallRecorder, RecorderTuning  # noqa: E402
from tests.client.recording_media import FakeClock, feed  # noqa: E402


def worker_cpu_s(recorder: CallRecorder) -> float:
    thread = recorder._thread  # a benchmark may look inside
    assert thread is not None and thread.ident is not None
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


def run(width: int, height: int, seconds: float, preset: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench.mp4"
        clock = FakeClock()
        recorder = CallRecorder(path, clock=clock, tuning=RecorderTuning(
            preset=preset, max_video_backlog=100_000, max_audio_backlog=100_000))
        recorder.start()
        camera = StampedCameraTrack(width, height)
        cpu = 0.0
        for second in range(int(seconds)):
            feed(recorder, clock, 1.0, camera=camera, first=second * 30)
            while recorder.backlog:
                time.sleep(0.005)
            cpu = worker_cpu_s(recorder)
        result = recorder.finish()
        return {
            "cpu_per_call_s": round(cpu / seconds, 4),
            "mb_per_minute": round(result.byte_size / seconds * 60 / 1e6, 2),
            "frames": result.video_frames,
            "dropped": result.dropped_video_frames,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--preset", default=RecorderTuning().preset)
    args = parser.parse_args()
    results = {
        f"{w}x{h}": run(w, h, args.seconds, args.preset) for w, h in ((640, 480), (1280, 720))
    }
    print(json.dumps({"bench": "recording", "preset": args.preset, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
