"""``seat-conformance``: check a third-party citizen or kiosk client against the protocol.

    seat-conformance --hub ws://127.0.0.1:8765/ws --role citizen --agent-token-file t.txt

It logs in to the hub as the agent seat whose token it is given (``--agent-token-file``,
or the ``SEAT_CONFORMANCE_TOKEN`` environment variable; ``--agent-token`` for a test
hub's throw-away token), waits for the client to call, serves the call and prints what
the client did right and wrong, step by step, naming the section of
``docs/protocol.md`` for each failure. The seat needs the skill of the item the client
queues for, and should be the only ready agent with it. Exit status: 0 when every call
passed, 1 when a step failed, 2 when the kit itself could not run (refused login, bad
arguments).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sandbox.conformance.agent import ConformanceAgent
from sandbox.conformance.report import ConformanceReport, Step
from sandbox.conformance.script import FEATURES, AgentScript, ConformanceError
from seat_common.tls import InsecureUrlError, TlsSetupError
from seat_common.version import add_version_flag

TOKEN_ENV = "SEAT_CONFORMANCE_TOKEN"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seat-conformance",
        description="Play the agent's side of calls against a citizen or kiosk client and "
        "report what it did right and wrong (see docs/protocol.md).",
    )
    add_version_flag(parser)
    parser.add_argument("--hub", required=True, help="the hub's websocket URL (ws:// or wss://)")
    parser.add_argument("--role", required=True, choices=("citizen", "kiosk"),
                        help="the kind of client under test")
    parser.add_argument("--agent-token-file", type=Path, help="file holding the agent's token")
    parser.add_argument("--agent-token", default="", help="the agent's token (test hubs only)")
    parser.add_argument("--ca-file", default=None, help="CA certificate for a wss:// hub")
    parser.add_argument("--calls", type=int, default=1, help="calls to serve (0: until stopped)")
    parser.add_argument(
        "--require", default="",
        help="features that must be done, comma-separated: chat, upload, rating "
        "(otherwise, not done is reported as NOT TRIED)",
    )
    parser.add_argument("--wait", type=float, default=600.0,
                        help="seconds to wait for each call (default 600)")
    parser.add_argument("--feature-wait", type=float, default=45.0,
                        help="seconds the agent waits for the client's chat and upload")
    parser.add_argument("--resume", action="store_true",
                        help="ask the client (in the chat) to drop its link and come back, "
                        "and check the call's media return (implied by --require resume)")
    parser.add_argument("--json", type=Path, help="also write the reports here (JSON)")
    return parser


def parse_require(text: str) -> frozenset[Step]:
    chosen = set()
    by_name = {step.value: step for step in FEATURES}
    for name in filter(None, (part.strip() for part in text.split(","))):
        if name not in by_name:
            raise ValueError(f"--require: {name!r} is not one of {', '.join(sorted(by_name))}")
        chosen.add(by_name[name])
    return frozenset(chosen)


def read_token(args: argparse.Namespace) -> str:
    path: Path | None = args.agent_token_file
    if path is not None:
        return path.read_text(encoding="utf-8").strip()
    given: str = args.agent_token
    return given or os.environ.get(TOKEN_ENV, "").strip()


async def run(args: argparse.Namespace, script: AgentScript, token: str) -> int:
    reports: list[ConformanceReport] = []

    def show(report: ConformanceReport) -> None:
        reports.append(report)
        print(report.text(), flush=True)

    agent = ConformanceAgent(args.hub, token, args.role, script, ca_file=args.ca_file)
    try:
        await agent.log_in()
        print(f"seat-conformance: logged in as agent {agent.agent_id}; waiting for a "
              f"{args.role} client to call on {args.hub}", flush=True)
        await agent.serve(args.calls, show)
    except ConformanceError as exc:
        print(f"seat-conformance: {exc}", file=sys.stderr)
        return 2
    finally:
        await agent.close()
        if args.json is not None:
            args.json.write_text(json.dumps([r.to_json_dict() for r in reports],
                                            ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if all(r.passed for r in reports) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        require = parse_require(args.require)
        token = read_token(args)
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    if not token:
        parser.error(f"give the agent's token: --agent-token-file, or {TOKEN_ENV}")
    if args.calls < 0 or args.wait <= 0 or args.feature_wait <= 0:
        parser.error("--calls must be 0 or more, --wait and --feature-wait positive")
    resume = args.resume or Step.RESUME in require
    script = AgentScript(contact_wait_s=args.wait, feature_wait_s=args.feature_wait,
                         resume_wait_s=60.0 if resume else 0.0, require=require)
    try:
        return asyncio.run(run(args, script, token))
    except (InsecureUrlError, TlsSetupError, OSError) as exc:
        print(f"seat-conformance: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 1


if __name__ == "__main__":
    sys.exit(main())
