"""``seat-hub``: run the hub (the composition root that builds and wires every part).

    seat-hub --host 127.0.0.1 --port 0 --seats seats.json --db ledger.sqlite3

With ``--port 0`` a free port is chosen. Once listening it prints exactly one
line to stdout, ``seat-hub listening on ws://HOST:PORT/ws`` (``wss://`` with
``--tls-cert`` and ``--tls-key``, when the citizen page is on ``https://`` too), so a
launcher can read the port; everything else (one JSON line per event) goes to stderr.
SIGTERM or SIGINT closes every connection, lets the ledger finish its
writes and exits 0. SIGHUP reads the seats file again (``seat-admin`` keeps it): a
revoked token's connections are closed, a bad file is logged and the old seats kept
(``connections/seat_reload.py``).

A wrong seats file, catalog, review reasons, database, certificate,
key or citizen-key secret exits 2.

``seat-hub audit verify|keygen|export|check-export`` checks the audit log's hash chain
and writes signed day files of it (``reports/audit_cli.py``).

``seat-hub --sandbox`` is a test hub for client teams in one command: demo seats, a
printed agent token and the conformance agent answering (``sandbox.sandbox_hub``, run
as its own program; see docs/protocol.md, "Standing up a hub to test against").
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from seat_common import catalog as catalog_module
from seat_common.imagecheck import ImageLimits
from seat_common.review_reasons import ReasonsError, load_reasons
from seat_common.tasks import TaskOwner
from seat_common.tls import TlsSetupError
from seat_common.version import add_version_flag
from seat_hub import hub_config
from seat_hub.connections.citizen_page import CitizenPage
from seat_hub.connections.front_desk import Hub
from seat_hub.connections.ice_servers import DEFAULT_TTL_S, IceDesk, IceSettings, IceSettingsError
from seat_hub.connections.seat_reload import SeatsReload
from seat_hub.connections.server import PATH, HubServer
from seat_hub.context import HubContext
from seat_hub.materials.retention import RetentionSettings, sweep_daily
from seat_hub.materials.uploads import MaterialDesk, MaterialSettings
from seat_hub.parties.citizen_keys import CitizenKeyError, CitizenKeys
from seat_hub.parties.seats import SeatsError, load_seats
from seat_hub.reports import audit_cli
from seat_hub.settings import HubSettings, HubTls
from seat_hub.storage.eventlog import EventLog
from seat_hub.storage.interface import HubStore, LedgerError
from seat_hub.storage.stores import open_store
from seat_hub.supervision import figures


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, over the ``--config`` file's settings (``hub_config``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(argparse.ArgumentParser)
    config: Path | None = parser.parse_known_args(argv)[0].config
    if config is not None:
        try:
            values = hub_config.load(config, parser)
            checking = _parser(_RaisingParser)
            try:
                _check(checking, checking.parse_args(hub_config.as_arguments(values, checking)))
            except _OptionError as exc:
                raise hub_config.HubConfigError(hub_config.blame(config, str(exc))) from None
        except hub_config.HubConfigError as exc:
            parser.exit(2, f"seat-hub: {exc}\n")
        parser.set_defaults(**values)
    args = parser.parse_args(argv)
    for name in ("seats", "db"):
        if getattr(args, name) is None:
            parser.error(f"--{name} 必须给出（命令行，或 --config 文件中的 {name}）/ is required")
    _check(parser, args)
    return args


class _OptionError(Exception):
    pass


class _RaisingParser(argparse.ArgumentParser):
    """Checks the config file's values alone: an error is the file's, not the command line's."""

    def error(self, message: str) -> NoReturn:
        raise _OptionError(message)


def _parser(kind: type[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = kind(
        prog="seat-hub", description="The Seat hub: ACD queue, presence, signaling relay."
    )
    add_version_flag(parser)
    parser.add_argument(
        "--config", type=Path, default=None, metavar="FILE",
        help="settings from a TOML file, keys named as the options with underscores"
        " (/etc/seat/hub.toml in the Debian package); the command line wins",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (0: pick a free one)")
    parser.add_argument("--seats", type=Path, help="seats file (JSON); required")
    parser.add_argument("--db", type=Path, help="work-order ledger (SQLite); required")
    parser.add_argument(
        "--catalog", type=Path, default=catalog_module.DEFAULT_PATH, help="service-item catalog"
    )
    parser.add_argument(
        "--ring-timeout", type=float, default=15.0, help="seconds an offer rings (default 15)"
    )
    parser.add_argument(
        "--max-missed",
        type=int,
        default=3,
        help="missed offers in a row before an agent is set away (default 3)",
    )
    parser.add_argument(
        "--wrap-up-limit",
        type=float,
        default=0.0,
        help="seconds of wrap-up before the hub closes the work order (default 0: no limit)",
    )
    parser.add_argument(
        "--queue-wrap-up-limit",
        action="append",
        default=[],
        metavar="SKILL=SECONDS",
        help="wrap-up limit for one queue (skill), repeatable; overrides --wrap-up-limit",
    )
    parser.add_argument(
        "--record-calls",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="calls are recorded by the agent's workstation and citizens are told so"
        " (default: on)",
    )
    abuse = parser.add_argument_group(
        "abuse limits", "per remote address, and for failed logins (0 turns a limit off)"
    )
    parser.add_argument(
        "--resume-grace",
        type=float,
        default=60.0,
        metavar="S",
        help="seconds a call or queue place is kept for a party whose link dropped, "
        "to resume on reconnect (default 60; 0 ends the call at once)",
    )
    abuse.add_argument(
        "--hello-timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds a new connection has to say hello before it is closed (default 10)",
    )
    abuse.add_argument(
        "--max-connections-per-address",
        type=int,
        default=200,
        metavar="N",
        help="open connections from one address at once (default 200)",
    )
    abuse.add_argument(
        "--max-joins-per-minute",
        type=int,
        default=60,
        metavar="N",
        help="queue joins from one address a minute, in bursts of as many (default 60)",
    )
    abuse.add_argument(
        "--max-queue",
        type=int,
        default=500,
        metavar="N",
        help="citizens waiting at once; the next is told the service is busy (default 500)",
    )
    abuse.add_argument(
        "--login-failures",
        type=int,
        default=10,
        metavar="N",
        help="failed logins per address, and per named seat or kiosk, within"
        " --login-failure-window before a lockout (default 10)",
    )
    abuse.add_argument(
        "--login-failure-window",
        type=float,
        default=300.0,
        metavar="S",
        help="seconds failed logins are counted over (default 300)",
    )
    abuse.add_argument(
        "--login-lockout",
        type=float,
        default=30.0,
        metavar="S",
        help="the first lockout in seconds, doubling with each lockout in a row (default 30)",
    )
    abuse.add_argument(
        "--login-lockout-max",
        type=float,
        default=900.0,
        metavar="S",
        help="the longest lockout in seconds (default 900)",
    )
    parser.add_argument(
        "--materials", type=Path, default=None, help="material store (default: beside --db)"
    )
    parser.add_argument(
        "--citizen-key-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="the secret that makes citizens' pseudonymous keys for counting users served"
        " (default: citizen-key.secret beside --db, made on first start, mode 0600)",
    )
    parser.add_argument(
        "--keep-personal-days",
        type=float,
        default=180.0,
        metavar="DAYS",
        help="days after a work order closes that its citizen's name, ID number, phone and"
        " materials are kept; a daily sweep removes them after (default 180; 0 keeps all)",
    )
    parser.add_argument("--max-upload-bytes", type=int, default=20 * 1024 * 1024)
    parser.add_argument("--max-upload-pixels", type=int, default=50_000_000)
    parser.add_argument("--upload-stall-timeout", type=float, default=15.0)
    parser.add_argument("--max-concurrent-uploads", type=int, default=3)
    parser.add_argument("--max-work-order-bytes", type=int, default=100 * 1024 * 1024)
    parser.add_argument(
        "--tls-cert",
        type=Path,
        metavar="FILE",
        help="the hub's certificate (PEM, intermediate CAs after it): serve wss:// and the"
        " citizen page on https://; needs --tls-key",
    )
    parser.add_argument(
        "--tls-key", type=Path, metavar="FILE", help="the certificate's unencrypted PEM key"
    )
    ice = parser.add_argument_group(
        "ICE servers", "handed to every party at login, TURN with short-lived credentials"
    )
    ice.add_argument(
        "--stun", action="append", default=[], metavar="URL",
        help="a STUN server, stun:HOST[:PORT] (repeatable)",
    )
    ice.add_argument(
        "--turn", action="append", default=[], metavar="URL",
        help="a TURN server, turn:HOST[:PORT][?transport=udp|tcp] (repeatable)",
    )
    ice.add_argument(
        "--turn-secret-file", type=Path, default=None, metavar="FILE",
        help="file holding the TURN server's static-auth-secret (coturn use-auth-secret)",
    )
    ice.add_argument(
        "--turn-ttl", type=int, default=DEFAULT_TTL_S, metavar="SECONDS",
        help=f"how long TURN credentials last (default {DEFAULT_TTL_S})",
    )
    ice.add_argument(
        "--ice-policy", choices=("all", "relay"), default="all",
        help="relay: media only through TURN, no internal address leaves the building"
        " (default: all)",
    )
    return parser


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """The checks of values across options and of their ranges (``parser.error`` on one)."""
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    args.tls = None if args.tls_cert is None else HubTls(args.tls_cert, args.tls_key)
    try:
        args.ice = IceSettings.load(
            stun_urls=args.stun,
            turn_urls=args.turn,
            turn_secret_file=args.turn_secret_file,
            ttl_s=args.turn_ttl,
            policy=args.ice_policy,
        )
    except IceSettingsError as exc:
        parser.error(str(exc))
    if not 0 < args.ring_timeout <= 600:
        parser.error("--ring-timeout must be in (0, 600]")
    if args.max_missed < 1:
        parser.error("--max-missed must be at least 1")
    if not 0 <= args.wrap_up_limit <= 86400:
        parser.error("--wrap-up-limit must be in [0, 86400]")
    limits: list[tuple[str, float]] = []
    for spec in args.queue_wrap_up_limit:
        skill, _, seconds = str(spec).partition("=")
        try:
            value = float(seconds)
        except ValueError:
            parser.error(f"--queue-wrap-up-limit {spec!r}: want SKILL=SECONDS")
        if not skill or not 0 <= value <= 86400:
            parser.error(f"--queue-wrap-up-limit {spec!r}: want SKILL=SECONDS, 0..86400")
        limits.append((skill, value))
    args.queue_wrap_up_limits = tuple(limits)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be in 0..65535")
    for name in ("max_upload_bytes", "max_upload_pixels", "max_concurrent_uploads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if not 0 <= args.resume_grace <= 3600:
        parser.error("--resume-grace must be in [0, 3600]")
    if not 0 < args.hello_timeout <= 600:
        parser.error("--hello-timeout must be in (0, 600]")
    for name in (
        "max_connections_per_address", "max_joins_per_minute", "max_queue", "login_failures"
    ):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must be 0 (off) or more")
    for name in ("login_failure_window", "login_lockout", "login_lockout_max"):
        if not 0 < getattr(args, name) <= 86400:
            parser.error(f"--{name.replace('_', '-')} must be in (0, 86400]")
    if not 0 <= args.keep_personal_days <= 36500:
        parser.error("--keep-personal-days must be in [0, 36500]")
    if not 0 < args.upload_stall_timeout <= 600:
        parser.error("--upload-stall-timeout must be in (0, 600]")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["audit"]:  # seat-hub audit verify|keygen|export|check-export
        return audit_cli.main(argv[1:])
    if "--sandbox" in argv:
        _hand_over_to_sandbox([a for a in argv if a != "--sandbox"])
    args = parse_args(argv)
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 0


def _hand_over_to_sandbox(rest: list[str]) -> NoReturn:
    """``--sandbox``: become ``sandbox.sandbox_hub`` (a hub with demo seats and the
    conformance agent), so signals reach it directly; the hub's code imports nothing of
    the stand-ins."""
    os.execv(sys.executable, [sys.executable, "-m", "sandbox.sandbox_hub", *rest])


async def run(args: argparse.Namespace) -> int:
    log = EventLog(sys.stderr)
    try:
        # The certificate first: a hub that cannot serve TLS must not start in clear.
        tls_context = None if args.tls is None else args.tls.context()
    except TlsSetupError as exc:
        print(f"seat-hub: {exc}", file=sys.stderr)
        return 2
    try:
        catalog = catalog_module.load(args.catalog)
        reasons = load_reasons()
        seats = load_seats(args.seats, known_skills=catalog.skills.keys())
        key_file = args.citizen_key_file or args.db.parent / "citizen-key.secret"
        citizen_keys = await asyncio.to_thread(CitizenKeys.from_file, key_file)
        store = await open_store(
            args.db,
            on_write_error=lambda what, exc: log.event("ledger_error", write=what, error=repr(exc)),
        )
    except (
        catalog_module.CatalogError, ReasonsError, SeatsError, CitizenKeyError, LedgerError
    ) as exc:
        print(f"seat-hub: {exc}", file=sys.stderr)
        return 2
    # The hub's one task owner: every background task of the hub runs under it (or a
    # child of it), and a task that fails is logged as an ``internal_error`` event.
    tasks = TaskOwner("seat-hub")
    tasks.failed.connect(
        lambda failure: log.event("internal_error", where=failure.name, error=repr(failure.error))
    )
    desk: MaterialDesk | None = None
    try:
        ctx = HubContext(
            seats=seats,
            catalog=catalog,
            ledger=store.ledger,
            audit=store.audit,
            log=log,
            settings=HubSettings(
                ring_timeout_s=args.ring_timeout,
                max_missed=args.max_missed,
                wrap_up_limit_s=args.wrap_up_limit,
                wrap_up_limits=args.queue_wrap_up_limits,
                record_calls=args.record_calls,
                hello_timeout_s=args.hello_timeout,
                resume_grace_s=args.resume_grace,
                max_connections_per_address=args.max_connections_per_address,
                max_joins_per_minute=args.max_joins_per_minute,
                max_queue=args.max_queue,
                login_failures=args.login_failures,
                login_failure_window_s=args.login_failure_window,
                login_lockout_s=args.login_lockout,
                login_lockout_max_s=args.login_lockout_max,
            ),
            tasks=tasks.child("calls"),
            citizen_keys=citizen_keys,
        )
        # Waiting citizens who may resume keep their places across the restart.
        places = [
            place
            for place in (await store.ledger.queue_places() if args.resume_grace > 0 else [])
            if catalog.item(place.work_order.item_code) is not None
        ]
        stale = await store.ledger.close_stale(
            ctx.clock(), keep=[place.work_order.id for place in places]
        )
        now = ctx.clock()
        ctx.live.today = figures.sum_today(
            await store.ledger.work_orders_queued(figures.day_start(now)), now
        )
        ctx.live.handle_times.update(await store.ledger.handle_times())
        desk = await _material_desk(args, ctx, store, tasks.child("materials"))
        ice = IceDesk(args.ice, ctx.clock)
        hub = Hub(ctx, desk, ice=ice, reasons=reasons)
        hub.restore_queue(places)
        hub_server = HubServer(hub, log, page=CitizenPage(catalog))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        # SIGHUP (systemctl reload): read the seats file again, close what it revokes.
        seats_reload = SeatsReload(hub, args.seats, catalog.skills.keys())
        loop.add_signal_handler(
            signal.SIGHUP, lambda: tasks.spawn(seats_reload.reload(), "seats reload")
        )
        try:
            server = await hub_server.serve(args.host, args.port, tls=tls_context)
        except OSError as exc:
            print(f"seat-hub: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
            return 2
        async with server:
            host, port = server.sockets[0].getsockname()[:2]
            shown = f"[{host}]" if ":" in host else host
            log.event(
                "listening",
                host=host,
                port=port,
                seats=len(seats),
                kiosks=seats.kiosk_count,
                items=len(catalog.items),
                db=str(args.db),
                stale_closed=stale,
                ring_timeout_s=args.ring_timeout,
                max_missed=args.max_missed,
                record_calls=args.record_calls,
                tls=tls_context is not None,
                hello_timeout_s=args.hello_timeout,
                max_connections_per_address=args.max_connections_per_address,
                max_joins_per_minute=args.max_joins_per_minute,
                max_queue=args.max_queue,
                login_failures=args.login_failures,
                stun=list(args.ice.stun_urls),
                turn=list(args.ice.turn_urls),
                ice_policy=args.ice.policy,
            )
            scheme = "ws" if tls_context is None else "wss"
            print(f"seat-hub listening on {scheme}://{shown}:{port}{PATH}", flush=True)
            await stop.wait()
            log.event("stopping")
            # Connections closed from here on are the hub's doing: nobody is parked.
            hub_server.hub.stopping = True
    finally:
        # The records first: every write queued so far lands before background work stops.
        await store.close()
        if desk is not None:
            await desk.close()
        await tasks.close()
    log.event("stopped")
    return 0


async def _material_desk(
    args: argparse.Namespace, ctx: HubContext, store: HubStore, tasks: TaskOwner
) -> MaterialDesk:
    directory = args.materials if args.materials is not None else args.db.parent / "materials"
    settings = MaterialSettings(
        limits=ImageLimits(max_bytes=args.max_upload_bytes, max_pixels=args.max_upload_pixels),
        stall_timeout_s=args.upload_stall_timeout,
        max_concurrent_uploads=args.max_concurrent_uploads,
        max_work_order_bytes=args.max_work_order_bytes,
    )
    desk = MaterialDesk(ctx, store.materials, directory, settings, tasks)
    await asyncio.to_thread(desk.prepare)
    retention = RetentionSettings(keep_days=args.keep_personal_days)
    tasks.spawn(sweep_daily(store.materials, store.audit, ctx.log, directory, retention,
                            ctx.clock), "retention sweep")
    return desk


if __name__ == "__main__":
    sys.exit(main())
