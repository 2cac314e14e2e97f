"""``seat-gov-api``: run the government-API sandbox.

    seat-gov-api --port 0 --db var/gov.sqlite3 --client-id seat-dg \
        --client-secret-file secret.txt --token-ttl 3600 [--fault error:status=503,count=2]

Prints ``seat-gov-api listening on http://HOST:PORT`` on stdout once it
listens (port 0 picks a free one; ``https://`` with ``--tls-cert`` and
``--tls-key``, as the real API is reached); logs one JSON line per request on stderr.
The client secret is read from a file so it never shows in the process list.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path

from aiohttp import web

from sandbox.gov_api.app import Config, make_app
from sandbox.gov_api.faults import FaultBoard, FaultSpecError, parse_fault_arg
from sandbox.gov_api.store import GovStore
from seat_common import tls
from seat_common.version import add_version_flag


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="seat-gov-api", description=__doc__.split("\n")[0])
    add_version_flag(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8780)
    p.add_argument("--db", type=Path, required=True, help="the sandbox's SQLite file")
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret-file", type=Path, required=True)
    p.add_argument("--token-ttl", type=float, default=3600.0, help="token lifetime in seconds")
    p.add_argument("--review-after", type=float, default=2.0,
                   help="seconds until a received application is accepted (<0: never)")
    p.add_argument("--fault", action="append", default=[], metavar="KIND[:name=value,...]",
                   help="a fault to inject (see sandbox/gov_api/faults.py); repeatable")
    p.add_argument("--tls-cert", type=Path, metavar="FILE",
                   help="serve https:// with this certificate (PEM); needs --tls-key")
    p.add_argument("--tls-key", type=Path, metavar="FILE", help="its unencrypted PEM key")
    args = p.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        p.error("--tls-cert and --tls-key go together")
    return args


async def serve(args: argparse.Namespace) -> None:
    context = None
    if args.tls_cert is not None:
        try:
            context = tls.server_context(args.tls_cert, args.tls_key)
        except tls.TlsSetupError as exc:
            raise SystemExit(f"seat-gov-api: {exc}") from exc
    secret = args.client_secret_file.read_text(encoding="utf-8").strip()
    if not secret:
        raise SystemExit("the client secret file is empty")
    board = FaultBoard()
    for spec in args.fault:
        try:
            board.add(parse_fault_arg(spec))
        except FaultSpecError as exc:
            raise SystemExit(f"--fault {spec}: {exc}") from exc
    store = GovStore(args.db, review_after_s=args.review_after)
    app = make_app(store, Config(args.client_id, secret, args.token_ttl), board)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port, ssl_context=context)
    await site.start()
    port = args.port
    sockets = getattr(site._server, "sockets", None)  # the port 0 picked
    if sockets:
        port = sockets[0].getsockname()[1]
    scheme = "http" if context is None else "https"
    print(f"seat-gov-api listening on {scheme}://{args.host}:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        store.close()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
