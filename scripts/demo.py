"""The whole service on one machine: hub, simulated citizens, and the agent workstation.

Run by ``scripts/demo`` after set-up. Starts a real hub process with two
seats and a supervisor, and one kiosk (``DEFAULT_KIOSK``, 沙田镇) provisioned in its
seats file, puts agent 0012's token in the system keyring, starts simulated
citizens queueing for different items on different channels, then the
workstation. With a display the window opens for you; without one the
workstation runs under Xvfb and drives one call by itself (``--autopilot``),
saving screenshots and printing a summary checked against the hub's ledger.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Media stays on loopback on this one machine (see seat_common/media/ice_policy.py).
os.environ.setdefault("SEAT_ICE_HOST_ADDRESSES", "127.0.0.1")
sys.path.insert(0, str(ROOT))

from sandbox.gov_api_process import GovApiProcess  # noqa: E402
from sandbox.hub_process import DEFAULT_KIOSK, HubProcess, SeatSpec  # noqa: E402
from seat_client.acceptance.gov_api_client import KeyringGovApiCredentials  # noqa: E402
from seat_client.credentials import CredentialsError, KeyringTokenStore  # noqa: E402
from seat_common import catalog  # noqa: E402

SKILLS = tuple(catalog.load().skills)  # the demo agent is trained for every item
BIN = Path(sys.executable).parent


def main() -> int:
    parser = argparse.ArgumentParser(description="Seat demo: the whole service on one machine")
    parser.add_argument("--citizens", type=int, default=3, help="simulated citizens (default 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "demo",
                        help="screenshots and logs (default out/demo)")
    parser.add_argument("--lang", choices=["zh_CN", "en"], default="zh_CN")
    parser.add_argument("--headless", action="store_true",
                        help="use Xvfb and the autopilot even when a display exists")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)  # every demo starts from a clean slate
    args.out.mkdir(parents=True, exist_ok=True)
    headless = args.headless or not os.environ.get("DISPLAY")
    seats = [SeatSpec("0012", "张三", skills=SKILLS, hall="东莞市民服务中心"),
             SeatSpec("0013", "李四", skills=("social_insurance",), hall="石龙镇"),
             SeatSpec("S01", "王督导", role="supervisor", hall="东莞市民服务中心")]
    with HubProcess(seats, workdir=args.out / "hub", ring_timeout=20.0) as hub, \
            GovApiProcess(workdir=args.out / "gov-api") as gov_api:
        print(f"hub: {hub.url}  ledger: {hub.db_path}", flush=True)
        print(f"government API sandbox: {gov_api.url}", flush=True)
        try:
            KeyringTokenStore().put("0012", hub.tokens["0012"])
            KeyringGovApiCredentials(gov_api.client_id).set_client_secret(gov_api.client_secret)
        except CredentialsError as exc:
            print(f"keyring: {exc}", file=sys.stderr)
            return 2
        settings = args.out / "workstation.json"
        settings.write_text(json.dumps({
            "hub_url": hub.url, "agent_id": "0012", "language": args.lang,
            "state_dir": str(args.out / "state"), "gov_api_url": gov_api.url,
            "gov_api_client_id": gov_api.client_id,
            # Headless, nobody sees or hears the seat: a test pattern and silence.
            "devices": "synthetic" if headless else "real",
        }, ensure_ascii=False))
        sim = subprocess.Popen(
            [str(BIN / "seat-sim"), "--hub", hub.url, "--citizens", str(args.citizens),
             "--items", "BR-INDIVIDUAL-SETUP,SI-PENSION-CERT,EC-AGED-ALLOWANCE",
             "--channels", "kiosk,web,miniprogram", "--chat", "您好，我想咨询一下办理流程",
             # the kiosk citizens queue at the hub's provisioned kiosk (token in a 0600 file)
             "--kiosk-device-id", DEFAULT_KIOSK.device_id,
             "--kiosk-token-file", str(hub.kiosk_token_file()),
             "--photo", "id_front", "--photo", "id_back:glare",
             "--reply", "--rate", "10", "--stagger", "0.5", "--seed", "7"],
            stdout=open(args.out / "citizens.jsonl", "w"),  # noqa: SIM115
            stderr=open(args.out / "citizens.log", "w"),  # noqa: SIM115
        )
        # An elderly caller (a priority citizen) for the catalog's longest item is offered
        # first: the screenshots show the work panel whole with the hardest data.
        priority = subprocess.Popen(
            [str(BIN / "seat-sim"), "--hub", hub.url, "--citizens", "1", "--items", "MI-CHRONIC",
             "--channels", "web", "--elderly-share", "1", "--chat", "您好，我想咨询一下办理流程",
             "--photo", "id_front", "--photo", "id_back:glare",
             "--reply", "--rate", "10", "--seed", "11"],
            stdout=open(args.out / "priority-citizen.jsonl", "w"),  # noqa: SIM115
            stderr=open(args.out / "priority-citizen.log", "w"),  # noqa: SIM115
        )
        xvfb = start_xvfb() if headless else None
        env = dict(os.environ, QT_QPA_PLATFORM="xcb")
        if xvfb is not None:
            env["DISPLAY"] = xvfb[1]
        client_args = [str(BIN / "seat-client"), "--settings", str(settings)]
        wall: subprocess.Popen[str] | None = None
        if headless:
            client_args += ["--autopilot", str(args.out)]
            # The supervisor watches the call from the seat wall and barges in for a moment.
            token_file = args.out / "supervisor.token"
            token_file.write_text(hub.tokens["S01"], encoding="utf-8")
            wall = subprocess.Popen(
                [str(BIN / "seat-wall"), "--hub", hub.url, "--token-file", str(token_file),
                 "--lang", args.lang, "--size", "1366x768", "--watch", "0012",
                 "--devices", "synthetic",  # headless: nobody hears the supervisor's speaker
                 "--screenshot", str(args.out / "06-seat-wall.png")],
                env=env, stdout=subprocess.PIPE, text=True,
                stderr=open(args.out / "seat-wall.log", "w"),  # noqa: SIM115
            )
        print("workstation: " + ("Xvfb, autopilot" if headless else "opening the window"),
              flush=True)
        client = run_workstation(client_args, env, args.out / "workstation.log", headless)
        watch = finish_wall(wall)
        if headless:  # the citizen's side: the web page on a phone, standard and large text
            from demo_page import page_screenshots  # beside this script

            page_screenshots(hub.url, args.out)
        for citizens in (sim, priority):
            citizens.terminate()  # they leave the queue (or hang up) as people would
        for citizens in (sim, priority):
            try:
                citizens.wait(15)
            except subprocess.TimeoutExpired:
                citizens.kill()  # their places then stay for the hub's resume grace
                citizens.wait()
        if xvfb is not None:
            xvfb[0].terminate()
        if not headless:
            return client.returncode
        scenes = citizen_scenes(hub, args.out, settings)
        code = report(client.stdout, hub.db_path, client.returncode, gov_api, watch)
        return report_scenes(scenes) or code


def citizen_scenes(hub: HubProcess, out: Path, settings: Path) -> dict[str, object]:
    """The citizen's side of one more call (``demo_citizen.py``): its summary, or why not."""
    if not Path("/usr/bin/chromium").exists():
        print("demo: no Chromium, no citizen scenes", file=sys.stderr)
        return {"ok": True}
    # Offscreen, on the same keyring: agent 0012 logs in again once the autopilot is gone.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    try:
        done = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "demo_citizen.py"), hub.url, str(out),
             str(settings), DEFAULT_KIOSK.device_id, str(hub.kiosk_token_file())],
            env=env, stdout=subprocess.PIPE, text=True, timeout=300,
            stderr=open(out / "citizen-scenes.log", "w"))  # noqa: SIM115
    except subprocess.TimeoutExpired:
        return {"ok": False, "failed_step": "still running after 5 minutes"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return dict(json.loads(lines[-1])) if lines else {"ok": False}


def report_scenes(scenes: dict[str, object]) -> int:
    """The citizen scenes' line of the summary; 1 if they failed."""
    shots = scenes.get("screenshots", [])
    print(f"  群众端 citizen scenes:          {len(shots) if isinstance(shots, list) else 0}"
          " screenshots (08–13: 公众号 and kiosk in 大字版, screen sharing, 电子证照,"
          " the after-call summary)")
    if not scenes.get("ok"):
        print(f"  FAILED: citizen scenes: {scenes.get('failed_step', 'see citizen-scenes.log')}")
        return 1
    return 0


def run_workstation(client_args: list[str], env: dict[str, str], log: Path,
                    headless: bool) -> subprocess.CompletedProcess[str]:
    """The workstation to its end. Headless, it prints its summary and then takes the seat
    down; a shutdown that hangs (seen now and then on a busy machine) is killed after 30 s
    rather than holding the demo forever, and said in the log."""
    with open(log, "w") as errors:
        client = subprocess.Popen(client_args, env=env, stdout=subprocess.PIPE, text=True,
                                  stderr=errors)
        assert client.stdout is not None
        lines: list[str] = []
        for line in client.stdout:
            lines.append(line)
            if headless and line.startswith("{"):
                break  # the autopilot's summary: the call is over
        try:
            code = client.wait(timeout=30 if headless else None)
        except subprocess.TimeoutExpired:
            client.kill()
            code = client.wait()
            print("demo: the workstation did not exit 30 s after its summary; killed it",
                  file=errors, flush=True)
            code = 0 if lines else code
        lines += client.stdout.readlines()
    return subprocess.CompletedProcess(client_args, code, "".join(lines))


def finish_wall(wall: subprocess.Popen[str] | None) -> dict[str, object]:
    """The supervisor's summary (it ends by itself once it watched, or gave up)."""
    if wall is None:
        return {}
    try:
        out, _ = wall.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        wall.kill()
        out, _ = wall.communicate()
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return dict(json.loads(lines[-1])) if lines else {"watched": False}


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    if shutil.which("Xvfb") is None:
        sys.exit("Xvfb is missing: run scripts/setup")
    for number in range(99, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists():
            display = f":{number}"
            proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1366x768x24", "-nolisten",
                                     "tcp"], stderr=subprocess.DEVNULL)
            for _ in range(100):
                if Path(f"/tmp/.X11-unix/X{number}").exists():
                    return proc, display
                time.sleep(0.05)
            proc.terminate()
    sys.exit("could not start Xvfb")


def report(stdout: str, db_path: Path, returncode: int, gov_api: GovApiProcess,
           watch: dict[str, object]) -> int:
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        print("the workstation printed no summary; see out/demo/workstation.log", file=sys.stderr)
        return 1
    summary = json.loads(lines[-1])
    work_order = summary.get("work_order", "")
    with sqlite3.connect(db_path) as db:
        row = db.execute("SELECT outcome, state, rating FROM work_orders WHERE id = ?",
                         (work_order,)).fetchone()
    ok = summary.get("ok") and row is not None and row[0] == summary.get("outcome")
    print()
    print("视频办演示 / Seat demo")
    accepted = "是 yes" if summary.get("call_accepted") else "否 no"
    print(f"  接听 call accepted:            {accepted}")
    print(f"  接听到首帧 accept→first frame: {summary.get('accept_to_first_frame_ms', '—')} ms")
    print(f"  远端画面 remote frames painted: {summary.get('remote_frames_painted', 0)}")
    print(f"  文字消息 chat sent/received:    {summary.get('chat_sent', 0)} / "
          f"{summary.get('chat_received', 0)}")
    print(f"  工单 work order:               {work_order or '—'} → "
          f"{row[0] if row else '—'} ({row[1] if row else '—'}) in the hub's ledger")
    print(f"  材料 materials received:       {summary.get('materials_received', 0)}, "
          f"verdict sent: {'是 yes' if summary.get('verdict_sent') else '否 no'}")
    applications = gov_api.applications()
    print(f"  受理 application:              {summary.get('application_number', '—')} "
          f"({len(applications)} in the government API sandbox)"
          + ("; the applicant is not the caller: confirmed by the agent"
             if summary.get("identity_confirmed") else ""))
    if watch.get("watched"):
        print(f"  监看 supervisor watched:       {watch.get('frames_painted')} frames painted, "
              f"barged in: {'是 yes' if watch.get('barged_in') else '否 no'}")
    else:
        print("  监看 supervisor watched:       否 no (see out/demo/seat-wall.log)")
    print(f"  截图 screenshots:              {Path(summary.get('screenshot', '.')).parent}/*.png")
    if not ok:
        print(f"  FAILED: {summary.get('failed_step', 'work order not closed in the ledger')}")
    return 0 if ok and returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
