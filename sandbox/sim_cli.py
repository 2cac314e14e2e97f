"""``seat-sim``: start simulated citizens against a running hub and print their reports.

    seat-sim --hub ws://127.0.0.1:8765/ws --citizens 3 --hangup-after 20 --rate 10

Each citizen gets a plausible Dongguan identity (a Chinese name, an 18-digit
ID number with a valid check digit, a mobile number; about a quarter are
elderly and queue with priority), a channel from ``--channels`` in turn and
a service item from the catalog that is offered on that channel. They start
``--stagger`` seconds apart and run concurrently; each prints one JSON line
(its ``CitizenReport``, personal data masked) when it finishes, and a
summary goes to stderr at the end.

Citizens on channel ``kiosk`` queue at a provisioned kiosk: ``--kiosk-device-id``
and ``--kiosk-token-file`` (the token is never on the command line); the hub
refuses the kiosk channel to anyone else. A citizen the hub turns away (a full
queue: "busy, try later") prints what it was told in its report
(``refused_code``, ``refused_message``).

SIGTERM (or Ctrl+C) makes every citizen leave as a person would (取消排队 while waiting,
挂断 in a call) and the reports are printed as usual; a killed process would leave the
hub holding their places for its resume grace.

Exit status: 0; 1 if any citizen got a message from the hub that broke the
protocol, got an ``error`` from the hub, could not reach the hub, lost it
midway or gave up (``--give-up``), or (with ``--expect-call``) never got a
call; 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast, get_args

from sandbox.citizen import CitizenReport, CitizenScript, SimulatedCitizen
from sandbox.device_login import KioskLogin, KioskLoginError
from seat_common import catalog, tls
from seat_common.protocol import Channel, MediaKind, Priority
from seat_common.validators import id_check_character
from seat_common.version import add_version_flag

_SURNAMES: Final = (
    "陈", "李", "黄", "张", "梁", "林", "刘", "叶", "王", "钟", "何", "罗", "卢", "莫",
    "邓", "袁", "蔡", "谢", "麦", "郑", "吴", "周", "杨", "赵", "欧阳", "司徒",
)  # fmt: skip
_GIVEN: Final = (
    "伟强", "秀英", "志明", "丽华", "嘉欣", "俊杰", "淑芬", "国华", "美玲", "家豪",
    "晓东", "婉婷", "建国", "玉兰", "子轩", "雅琪", "锦培", "桂英", "永康", "敏",
    "芳", "浩", "静怡", "文辉", "凤娟", "振雄", "小梅", "海燕", "绍基", "惠珍",
)  # fmt: skip
_HALLS: Final = (
    "莞城街道便民服务中心", "南城街道行政服务中心", "东城街道行政服务中心",
    "虎门镇行政服务中心", "长安镇行政服务中心", "厚街镇行政服务中心",
    "常平镇行政服务中心", "塘厦镇行政服务中心", "松山湖政务服务中心", "石龙镇行政服务中心",
)  # fmt: skip
_COMMENTS: Final = ("服务很好，很耐心", "讲解清楚，谢谢", "不用跑窗口了，方便", "很满意")
#: Dongguan has no counties: every resident ID starts 441900.
_DONGGUAN_REGION: Final = "441900"


@dataclass(frozen=True, slots=True)
class Identity:
    """A made-up citizen."""

    name: str
    id_number: str
    phone: str
    priority: Priority


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    return id_check_character(first17)


def make_identity(rng: random.Random, elderly: bool) -> Identity:
    """A plausible Dongguan resident; elderly ones were born 1938–1960."""
    name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
    year = rng.randint(1938, 1960) if elderly else rng.randint(1968, 2005)
    birth = f"{year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{_DONGGUAN_REGION}{birth}{rng.randint(0, 999):03d}"
    phone = "1" + rng.choice("3578") + "".join(str(rng.randint(0, 9)) for _ in range(9))
    return Identity(
        name=name,
        id_number=first17 + id_check_digit(first17),
        phone=phone,
        priority="elderly" if elderly else "normal",
    )


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="seat-sim", description="Simulated citizens calling Seat's video service."
    )
    add_version_flag(parser)
    parser.add_argument("--hub", required=True,
                        help="hub websocket URL, wss://HOST:PORT/ws (ws:// on this machine)")
    parser.add_argument("--ca-file", default="", metavar="FILE",
                        help="PEM file of the CAs that vouch for the hub's certificate"
                             " (default: the system's trust store)")
    parser.add_argument("--citizens", type=int, default=3, help="how many citizens (default 3)")
    parser.add_argument("--items", default="", help="item codes, comma separated (default all)")
    parser.add_argument(
        "--channels", default=None,
        help="channels, used in turn (default web,miniprogram, and kiosk with a kiosk given)",
    )
    parser.add_argument("--kiosk-device-id", default="", metavar="ID",
                        help="the provisioned kiosk that channel kiosk's citizens queue at")
    parser.add_argument("--kiosk-token-file", type=Path, default=None, metavar="FILE",
                        help="a file holding that kiosk's token")
    parser.add_argument("--media", choices=get_args(MediaKind), default="video")
    parser.add_argument("--hangup-after", type=float, default=None, metavar="S")
    parser.add_argument("--leave-after", type=float, default=None, metavar="S",
                        help="leave the queue after waiting S seconds")  # fmt: skip
    parser.add_argument("--chat", action="append", default=[], metavar="TEXT",
                        help="a chat line to send during the call (repeatable)")  # fmt: skip
    parser.add_argument("--chat-interval", type=float, default=2.0, metavar="S")
    parser.add_argument("--reply", action="store_true", help="answer the agent's chat messages")
    parser.add_argument("--rate", type=int, default=None, metavar="SCORE", help="rate 1–10")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--stagger", type=float, default=0.5, metavar="S")
    parser.add_argument("--elderly-share", type=float, default=0.25, metavar="P")
    parser.add_argument("--give-up", type=float, default=900.0, metavar="S",
                        help="end each citizen after S seconds whatever happens")  # fmt: skip
    parser.add_argument("--expect-call", action="store_true",
                        help="exit 1 if any citizen never got a call")  # fmt: skip
    parser.add_argument("--seed", type=int, default=None, help="repeatable identities")
    parser.add_argument("--voice", choices=["tone", "bursts"], default="tone",
                        help="a steady tone, or timed bursts for measuring delay")
    parser.add_argument("--voice-hz", type=float, default=1000.0, metavar="HZ",
                        help="the bursts' frequency")
    parser.add_argument("--listen-hz", type=float, default=700.0, metavar="HZ",
                        help="with --voice bursts: the tone timed in what is heard")
    parser.add_argument(
        "--photo",
        action="append",
        default=[],
        metavar="KIND[:DEFECT[:SEED]]",
        help="a document photo to send once the call starts (repeatable; sandbox.documents)",
    )
    parser.add_argument(
        "--trickle", choices=["gathered", "early"], default="gathered",
        help="early: send every ICE candidate as an ice message before the offer, as a "
        "trickling browser may (default: the candidates inside the offer)",
    )
    parser.add_argument(
        "--share", action="store_true",
        help="share a screen (a drawn portal form) once the call is answered, as the web page's"
             " 共享屏幕 button does: the offer's second video section, no new offer")
    args = parser.parse_args(argv)
    try:
        tls.check_url(args.hub, what="--hub", secure="wss")
        if args.ca_file:
            tls.check_ca_file(args.ca_file)
    except (tls.InsecureUrlError, tls.TlsSetupError) as exc:
        parser.error(str(exc))
    if args.citizens < 1:
        parser.error("--citizens must be at least 1")
    if args.rate is not None and not 1 <= args.rate <= 10:
        parser.error("--rate must be 1–10")
    if args.channels is None:
        args.channels = "web,miniprogram" + (",kiosk" if args.kiosk_device_id else "")
    channels = [c.strip() for c in args.channels.split(",") if c.strip()]
    bad = [c for c in channels if c not in get_args(Channel)]
    if not channels or bad:
        parser.error(f"--channels: choose from {', '.join(get_args(Channel))}")
    args.channel_list = channels
    args.kiosk = None
    if "kiosk" in channels:
        if not args.kiosk_device_id or args.kiosk_token_file is None:
            parser.error("channel kiosk needs --kiosk-device-id and --kiosk-token-file")
        try:
            args.kiosk = KioskLogin.from_file(args.kiosk_device_id, args.kiosk_token_file)
        except KioskLoginError as exc:
            parser.error(str(exc))
    try:
        cat = catalog.load()
    except catalog.CatalogError as exc:
        parser.error(str(exc))
    codes = [c.strip() for c in args.items.split(",") if c.strip()] or list(cat.items)
    unknown = [c for c in codes if cat.item(c) is None]
    if unknown:
        parser.error(f"--items: unknown item {', '.join(unknown)}")
    args.items_by_channel = {
        ch: [c for c in codes if ch in cast(catalog.ServiceItem, cat.item(c)).channels]
        for ch in channels
    }
    empty = [ch for ch, items in args.items_by_channel.items() if not items]
    if empty:
        parser.error(f"no chosen item is offered on channel {', '.join(empty)}")
    return args


def _build_citizens(args: argparse.Namespace) -> list[SimulatedCitizen]:
    rng = random.Random(args.seed)
    citizens: list[SimulatedCitizen] = []
    for i in range(args.citizens):
        channel = cast(Channel, args.channel_list[i % len(args.channel_list)])
        identity = make_identity(rng, elderly=rng.random() < args.elderly_share)
        script = CitizenScript(
            chat_lines=tuple(args.chat),
            chat_interval_s=args.chat_interval,
            reply_to_chat=args.reply,
            hangup_after_s=args.hangup_after,
            leave_queue_after_s=args.leave_after,
            rating_score=args.rate,
            rating_comment=rng.choice(_COMMENTS) if args.rate is not None else "",
            width=args.width,
            height=args.height,
            fps=args.fps,
            give_up_after_s=args.give_up,
            photos=tuple(args.photo),
            voice=args.voice,
            voice_hz=args.voice_hz,
            listen_hz=args.listen_hz,
            trickle=args.trickle,
            share=args.share,
        )
        citizens.append(
            SimulatedCitizen(
                hub_url=args.hub,
                item_code=rng.choice(args.items_by_channel[channel]),
                channel=channel,
                name=identity.name,
                id_number=identity.id_number,
                phone=identity.phone,
                hall=rng.choice(_HALLS) if channel == "kiosk" else "",
                priority=identity.priority,
                media=cast(MediaKind, args.media),
                script=script,
                ca_file=args.ca_file,
                kiosk=args.kiosk if channel == "kiosk" else None,
            )
        )
    return citizens


def report_failed(report: CitizenReport, *, expect_call: bool) -> bool:
    """Whether this citizen's run counts as a failure for the exit status."""
    return (
        report.protocol_errors > 0
        or report.hub_errors > 0
        or not report.session_id
        or report.ended_by in ("disconnected", "gave_up", "error")
        or (expect_call and not report.got_call)
    )


async def _run_all(citizens: list[SimulatedCitizen], stagger_s: float) -> list[CitizenReport]:
    async def start(i: int, citizen: SimulatedCitizen) -> CitizenReport:
        await asyncio.sleep(i * stagger_s)
        return await citizen.run()

    def leave() -> None:
        for citizen in citizens:
            citizen.leave()

    loop = asyncio.get_running_loop()
    stop_signals = (signal.SIGTERM, signal.SIGINT)
    for number in stop_signals:
        with contextlib.suppress(NotImplementedError):  # Windows: no signal handlers here
            loop.add_signal_handler(number, leave)
    reports: list[CitizenReport] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(start(i, c)) for i, c in enumerate(citizens)]
            for finished in asyncio.as_completed(tasks):
                report = await finished
                reports.append(report)
                print(json.dumps(report.to_json_dict(), ensure_ascii=False), flush=True)
    finally:
        for number in stop_signals:
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(number)
    return reports


def main(argv: Sequence[str] | None = None) -> int:
    """Run the citizens; the exit status says whether all went as expected."""
    args = _parse_args(argv)
    citizens = _build_citizens(args)
    try:
        reports = asyncio.run(_run_all(citizens, args.stagger))
    except KeyboardInterrupt:
        return 130
    failed = [r for r in reports if report_failed(r, expect_call=args.expect_call)]
    called = sum(1 for r in reports if r.got_call)
    print(
        f"seat-sim: {len(reports)} citizens, {called} got a call, {len(failed)} failed",
        file=sys.stderr,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
