"""Benchmark: cold transfer, consult to three-way, and a three-way call's video paths.

One run, three processes besides the hub: this one is agent A (a workstation core with
its ``TransferDesk`` and ``ConsultDesk``); agent B and the simulated citizen run as
children of this script (``--child guest`` / ``--child citizen``), so the CPU this
process uses is A's alone. Every camera is a stamped 640×480 30 fps pattern
(``sandbox.camera``), so each frame says when it was captured.

- Two-party baseline: the citizen's call with A, a window of ``--seconds``: latency
  (capture to decode) citizen→A and A→citizen.
- ``cold_transfer_ms_p50``: A hands the call to B by name (``transfer``); from A's click
  to the citizen's first decoded frame from B (B's seat accepts at once, and hands the
  call back to A by name a moment later for the next round).
- ``consult_to_three_way_ms_p50``: A consults B, B's seat answers at once, A goes
  three-way as soon as they talk; from A's click to the moment all three decode each
  other's pictures (A: B's; B: the citizen's, relayed; the citizen: B's, relayed).
- ``three_way``: the last three-way call held for ``--seconds``: fps and median latency of
  each of the six directed video paths, the slowest path's (``fps_min``, and the largest
  median as ``latency_ms_p50``), and A's CPU percent (this process).
- ``materials_carried`` of ``materials_total``: A uploads photos in the call; B's offer
  lists the materials it carries.

The last line printed is one JSON object: {"bench": "transfer", "results": {...}} with
the keys the issue names; ``baseline`` beside it has the two-party figures and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Media stays on loopback on this one machine (see seat_common/media/ice_policy.py).
os.environ.setdefault("SEAT_ICE_HOST_ADDRESSES", "127.0.0.1")
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
from PIL import Image  # noqa: E402

from sandbox.bare_pair import percentile  # noqa: E402
from sandbox.camera import StampedCameraTrack, read_stamp  # noqa: E402
from sandbox.citizen import CitizenScript, SimulatedCitizen  # noqa: E402
from sandbox.hub_process import HubProcess, SeatSpec  # noqa: E402
from seat_client.call.consult_desk import ConsultDesk  # noqa: E402
from seat_client.call.hub_link import HubLink, LinkState  # noqa: E402
from seat_client.call.transfer_desk import TransferDesk  # noqa: E402
from seat_client.call.workstation import Workstation  # noqa: E402
from seat_client.materials.cache import MaterialCache  # noqa: E402
from seat_client.materials.transfer import MaterialTransfer  # noqa: E402
from seat_client.media.devices import SyntheticMedia  # noqa: E402
from seat_client.media.local_media import (  # noqa: E402
    CameraTrack,
    GatedAudioTrack,
    black_frame_like,
)
from seat_common import protocol  # noqa: E402

#: A sample: (wall time it was decoded, capture-to-decode ms, which leg of the call).
Sample = tuple[float, float, int]


class StampedCamera(CameraTrack):
    """The agent's camera as a stamped 640×480 30 fps pattern (black when disabled)."""

    def __init__(self) -> None:
        super().__init__()
        self._inner = StampedCameraTrack(640, 480, 30.0)

    async def recv(self) -> av.VideoFrame:
        frame = await self._inner.recv()
        if not self.enabled:
            # The black frame keeps the frame's time: one without (pts None) made aiortc's
            # encoder raise and the sender stop the camera, so A's picture never came back
            # to the citizen after a hold that outlasted a frame (a_to_citizen fps 0).
            black = black_frame_like(frame)
            black.pts, black.time_base = frame.pts, frame.time_base
            frame = black
        self.latest = frame
        return frame

    def stop(self) -> None:
        self._inner.stop()
        super().stop()


class StampedMedia(SyntheticMedia):
    def call_media(self) -> tuple[CameraTrack, GatedAudioTrack]:
        return StampedCamera(), GatedAudioTrack()


def sample(frame: Any, leg: int = 0) -> Sample | None:
    stamp = read_stamp(frame)
    now = time.time()
    return (now, now * 1000.0 - stamp.captured_ms, leg) if stamp is not None else None


async def until(condition: Any, what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.005)


def agent(url: str, token: str) -> Workstation:
    link = HubLink(url, lambda: protocol.Hello(role="agent", token=token))
    return Workstation(link, media=StampedMedia())


async def write_every(path: Path, data: dict[str, Any], stop: asyncio.Event) -> None:
    while not stop.is_set():
        data["written_at"] = time.time()
        path.write_text(json.dumps(data))  # noqa: ASYNC240 - a small file, 4 times a second
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)


# --- the children ------------------------------------------------------------------------


class Timed(deque[float]):
    """The citizen peer's latency list, also kept with when and from which leg."""

    def __init__(self, into: list[Sample], leg: Any) -> None:
        super().__init__(maxlen=100_000)
        self.into, self.leg = into, leg

    def append(self, value: float) -> None:
        super().append(value)
        self.into.append((time.time(), value, self.leg()))


async def citizen_child(url: str, out: Path) -> None:
    data: dict[str, Any] = {"first": [], "second": []}
    citizen = SimulatedCitizen(url, "SI-UNEMP-QUERY", "web", "吴小梅",
                               script=CitizenScript(give_up_after_s=600.0))
    data["errors"] = citizen.report.errors
    data["agents_met"] = citizen.report.agents_met
    peer = citizen._peer
    leg = lambda: len(citizen.report.agents_met)  # noqa: E731
    peer._latencies = Timed(data["first"], leg)
    peer.second_latencies = Timed(data["second"], leg)
    stop = asyncio.Event()
    writer = asyncio.get_running_loop().create_task(write_every(out, data, stop))
    await citizen.run()
    stop.set()
    await writer


async def guest_child(url: str, token: str, out: Path) -> None:
    data: dict[str, Any] = {"first": [], "second": [], "carried": [], "ready": False}
    b = agent(url, token)
    desk, consults = TransferDesk(b), ConsultDesk(b)
    seen = {"first": 0, "second": 0}

    def on_frame(_: None) -> None:
        for name, slot in (("first", consults.frames), ("second", consults.second_frames)):
            newest = slot.newest() if slot is not None else None
            if newest is not None and newest.seq != seen[name]:
                seen[name] = newest.seq
                got = sample(newest.frame)
                if got is not None:
                    data[name].append(got)

    def on_consult(state: protocol.ConsultState | None) -> None:
        if state is not None and state.role == "guest" and state.phase == "ringing":
            asyncio.get_running_loop().create_task(consults.answer(True))
        if state is None:
            seen["first"] = seen["second"] = 0

    def on_offer(offer: protocol.Offer | None) -> None:
        if offer is not None:
            if offer.transfer:
                data["carried"].append(len(offer.transfer[0].materials))
            asyncio.get_running_loop().create_task(b.accept())

    async def hand_back(call_id: str) -> None:
        call = b.call
        await until(lambda: call is not None and call.session.frames.received > 5,
                    "B sees the citizen")
        await asyncio.sleep(0.3)
        if b.call is not None and b.call.started.call_id == call_id:
            await desk.transfer("agent", "a1", "还给你")

    def on_call(call: Any) -> None:
        if call is not None and consults.state is None:
            asyncio.get_running_loop().create_task(hand_back(call.started.call_id))

    consults.frame_arrived.connect(on_frame)
    consults.changed.connect(on_consult)
    b.offer_changed.connect(on_offer)
    b.call_changed.connect(on_call)
    b.link.start()
    await until(lambda: b.link.state is LinkState.CONNECTED, "B logs in")
    await b.set_ready()
    data["ready"] = True
    stop = asyncio.Event()
    await write_every(out, data, stop)  # until the driver ends this process


# --- agent A, the driver -------------------------------------------------------------------


def jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((320, 240), 20 + seed).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def read(path: Path, after: float) -> dict[str, Any]:
    """A child's figures, written after ``after`` (waits for a fresh write)."""
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            data: dict[str, Any] = json.loads(path.read_text())
            if data["written_at"] > after:
                return data
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"no fresh figures in {path}")


def child(kind: str, *args: str, log: Path) -> subprocess.Popen[bytes]:
    """A party in a process of its own (its CPU is not A's); what it says goes to ``log``."""
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", kind,
             "--", *args],  # "--": a token may start with "-"
            cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else ""


async def until_child(condition: Any, what: str, proc: subprocess.Popen[bytes], log: Path,
                      timeout_s: float = 60.0) -> None:
    """``until``, saying what the child last wrote (or how it ended) if it never gets there."""
    try:
        await until(condition, what, timeout_s)
    except TimeoutError:
        tail = await asyncio.to_thread(_tail, log)
        raise TimeoutError(f"{what} (child exit {proc.poll()}):\n{tail}") from None


def window(samples: list[Any], start: float, end: float) -> tuple[float, float]:
    """Frames a second and median latency of ``samples`` decoded in [start, end)."""
    inside = [s[1] for s in samples if start <= s[0] < end]
    return len(inside) / (end - start), percentile(inside, 50)


def first_after(samples: list[Any], t0: float, leg: int | None = None) -> float:
    return min((s[0] for s in samples if s[0] > t0 and (leg is None or s[2] == leg)),
               default=float("nan"))


async def drive(rounds: int, seconds: float, materials: int, tmp: Path) -> dict[str, Any]:
    seats = [SeatSpec("a1", "张三", skills=("social_insurance",)),
             SeatSpec("b1", "李四", skills=("social_insurance",))]
    async with HubProcess(seats, ring_timeout=30.0) as hub:
        a = agent(hub.url, hub.tokens["a1"])
        desk, consults = TransferDesk(a), ConsultDesk(a)
        files = MaterialTransfer(a.link, MaterialCache(tmp / "materials"))
        files.attach()
        at_a: list[Sample] = []
        b_at_a: list[Sample] = []
        b_seen = {"seq": 0}

        def on_offer(offer: protocol.Offer | None) -> None:
            if offer is not None:
                asyncio.get_running_loop().create_task(a.accept())

        def keep(frame: Any) -> None:
            got = sample(frame)
            if got is not None:
                at_a.append(got)

        def on_call(call: Any) -> None:
            if call is not None:
                call.session.remote_video.connect(keep)

        def on_consult_frame(_: None) -> None:
            newest = consults.frames.newest() if consults.frames is not None else None
            if newest is not None and newest.seq != b_seen["seq"]:
                b_seen["seq"] = newest.seq
                got = sample(newest.frame)
                if got is not None:
                    b_at_a.append(got)

        a.offer_changed.connect(on_offer)
        a.call_changed.connect(on_call)
        consults.frame_arrived.connect(on_consult_frame)
        consults.changed.connect(lambda s: b_seen.update(seq=0) if s is None else None)
        a.link.start()
        await until(lambda: a.link.state is LinkState.CONNECTED, "A logs in")
        await a.set_ready()
        citizen_file, guest_file = tmp / "citizen.json", tmp / "guest.json"
        citizen = child("citizen", hub.url, str(citizen_file), log=tmp / "citizen.log")
        guest: subprocess.Popen[bytes] | None = None
        try:
            await until(lambda: a.call is not None and len(at_a) > 30, "A's call")
            wo = a.call.work_order_id if a.call is not None else ""
            for i in range(materials):
                await files.upload_bytes(wo, jpeg(i), filename=f"photo{i}.jpg",
                                         mime="image/jpeg", source="video_still")
            guest = child("guest", hub.url, hub.tokens["b1"], str(guest_file),
                          log=tmp / "guest.log")
            await until_child(lambda: guest_file.exists() and read(guest_file, 0)["ready"],
                              "B is ready", guest, tmp / "guest.log")
            await asyncio.sleep(1.0)
            two_party = (time.time(), time.time() + seconds)
            await asyncio.sleep(seconds)

            clicks: list[float] = []
            for _ in range(rounds):  # cold transfer to B, and back
                call = a.call
                assert call is not None
                clicks.append(time.time())
                await desk.transfer("agent", "b1", "请继续办理")
                await until(lambda call=call: a.call is not None and a.call is not call,
                            "the call comes back to A", 60)
                await until(lambda: a.call is not None and a.call.session.frames.received > 10,
                            "A sees the citizen again")
            consult_clicks: list[float] = []
            a_three: list[float] = []
            steady = (0.0, 0.0)
            cpu = 0.0
            for r in range(rounds):  # consult, three-way, and back to the citizen
                call = a.call
                assert call is not None
                t0 = time.time()
                consult_clicks.append(t0)
                await consults.consult("agent", "b1", "请帮忙看一下")
                await until(lambda: consults.state is not None
                            and consults.state.phase == "talking", "B answers", 60)
                await consults.choose("three_way")
                await until(lambda t0=t0: any(s[0] > t0 for s in b_at_a), "A sees B", 60)
                a_three.append(first_after(b_at_a, t0))
                await asyncio.sleep(1.0)
                if r == rounds - 1:
                    cpu0, wall0 = time.process_time(), time.monotonic()
                    steady = (time.time(), time.time() + seconds)
                    await asyncio.sleep(seconds)
                    cpu = 100.0 * (time.process_time() - cpu0) / (time.monotonic() - wall0)
                await consults.choose("return")
                await until(lambda: consults.state is None, "the consult ends", 60)
                await asyncio.sleep(0.5)
            end = time.time()
            seen_citizen, seen_guest = read(citizen_file, end), read(guest_file, end)
        finally:
            for process in (citizen, guest):
                if process is not None:
                    process.terminate()
                    process.wait(10)
            await consults.close()
            await files.close()
            await a.close()

    first, second = seen_citizen["first"], seen_citizen["second"]
    cold = [1000 * (first_after(first, t0, leg=2 + 2 * i) - t0) for i, t0 in enumerate(clicks)]
    three = [1000 * (max(a_at, first_after(seen_guest["second"], t0),
                         first_after(second, t0)) - t0)
             for t0, a_at in zip(consult_clicks, a_three, strict=True)]
    paths = {
        "citizen_to_a": window(at_a, *steady),
        "b_to_a": window(b_at_a, *steady),
        "a_to_citizen": window(first, *steady),
        "b_to_citizen": window(second, *steady),
        "a_to_b": window(seen_guest["first"], *steady),
        "citizen_to_b": window(seen_guest["second"], *steady),
    }
    two = [window(at_a, *two_party)[1], window(first, *two_party)[1]]
    carried = seen_guest["carried"]
    latency = max(p[1] for p in paths.values())
    return {
        "results": {
            "cold_transfer_ms_p50": round(percentile(cold, 50), 1),
            "consult_to_three_way_ms_p50": round(percentile(three, 50), 1),
            "three_way": {
                "fps_min": round(min(p[0] for p in paths.values()), 1),
                "latency_ms_p50": round(latency, 1),
                "agent_cpu_percent": round(cpu, 1),
            },
            "materials_carried": min(carried) if carried else 0,
            "materials_total": materials,
        },
        "baseline": {
            "two_party_latency_ms_p50": round(max(two), 1),
            "latency_ratio": round(latency / max(two), 2),
            "paths": {k: {"fps": round(v[0], 1), "latency_ms_p50": round(v[1], 1)}
                      for k, v in paths.items()},
            "cold_transfer_ms": [round(v, 1) for v in cold],
            "consult_to_three_way_ms": [round(v, 1) for v in three],
            "citizen_errors": seen_citizen.get("errors", [])[:5],
            "citizen_last_frame_s": round(max((s_[0] for s_ in first), default=0.0) - end, 1),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="transfers and consults timed")
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="the two-party and the steady three-way windows")
    parser.add_argument("--materials", type=int, default=3)
    parser.add_argument("--child", choices=["citizen", "guest"], help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "citizen":
        asyncio.run(citizen_child(args.args[0], Path(args.args[1])))
        return 0
    if args.child == "guest":
        asyncio.run(guest_child(args.args[0], args.args[1], Path(args.args[2])))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-transfer-") as tmp:
        out = asyncio.run(drive(args.rounds, args.seconds, args.materials, Path(tmp)))
    print(json.dumps(out["baseline"]))
    print(json.dumps({"bench": "transfer", "results": out["results"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
