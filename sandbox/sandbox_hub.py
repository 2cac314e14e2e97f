"""``seat-hub --sandbox``: a hub for a client team to test against, in one command.

    seat-hub --sandbox                 # ws://127.0.0.1:8765/ws, the agent answering
    seat-hub --sandbox --port 0        # a free port
    seat-hub --sandbox --no-agent      # no conformance agent: log in an agent yourself

It starts a real ``seat-hub`` process (``HubProcess``) with demo seats in a temporary
folder — the conformance agent's seat ``C01``, a seat ``0012`` (张三) for a workstation or
``seat-conformance`` of your own, a supervisor ``S01`` and the kiosk ``K-SHATIAN-01``, every
seat with every skill of the catalog — prints the URLs and the tokens, and runs the
conformance agent (``sandbox.conformance``) on seat ``C01``: it answers every call, citizen
or kiosk, and prints a report of each. Ctrl+C (or SIGTERM) stops it all.

The hub itself never imports this: ``seat_hub.cli`` hands ``--sandbox`` over to this
module as a separate program, so the hub's own code stays free of the stand-ins.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from sandbox.conformance import AgentScript, ConformanceAgent, ConformanceReport
from sandbox.hub_process import HubProcess, SeatSpec
from seat_common import catalog

CONFORMANCE_SEAT = "C01"


def seats() -> list[SeatSpec]:
    skills = tuple(catalog.load().skills)
    hall = "东莞市民服务中心（测试）"
    return [
        SeatSpec(CONFORMANCE_SEAT, "一致性测试坐席", skills=skills, hall=hall),
        SeatSpec("0012", "张三", skills=skills, hall=hall),
        SeatSpec("S01", "王督导", role="supervisor", hall=hall),
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seat-hub --sandbox",
        description="A test hub with demo seats and the conformance agent answering.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (0: pick a free one)")
    parser.add_argument("--no-agent", action="store_true",
                        help="do not run the conformance agent")
    parser.add_argument("--feature-wait", type=float, default=45.0,
                        help="seconds the agent waits for a client's chat and upload")
    return parser


async def run(args: argparse.Namespace) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with HubProcess(seats(), host=args.host, port=args.port) as hub:
        kiosk = hub.kiosk_login()
        print(f"Seat sandbox hub: {hub.url}", flush=True)
        print(f"citizen page: {hub.page_url}", flush=True)
        print(f"agent token (seat 0012, 张三): {hub.tokens['0012']}", flush=True)
        print(f"kiosk: device id {kiosk.device_id}, token {kiosk.token}", flush=True)
        print(f"supervisor token (seat S01): {hub.tokens['S01']}", flush=True)
        print(f"hub log: {hub.log_path}", flush=True)
        agent: ConformanceAgent | None = None
        serving: asyncio.Task[None] | None = None
        if not args.no_agent:
            agent = ConformanceAgent(hub.url, hub.tokens[CONFORMANCE_SEAT], "any",
                                     AgentScript(feature_wait_s=args.feature_wait))
            await agent.log_in()

            def show(report: ConformanceReport) -> None:
                print(report.text(), flush=True)

            serving = loop.create_task(agent.serve(0, show))
            print(f"conformance agent (seat {CONFORMANCE_SEAT}) is ready and answers every "
                  "call; Ctrl+C stops", flush=True)
        else:
            print("no conformance agent: log in an agent of your own; Ctrl+C stops", flush=True)
        waits = [loop.create_task(stop.wait())] + ([serving] if serving is not None else [])
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        if serving is not None and serving.done() and not serving.cancelled():
            failure = serving.exception()
            if failure is not None:
                print(f"the conformance agent stopped: {failure}", file=sys.stderr, flush=True)
        for task in waits:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if agent is not None:
            await agent.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
