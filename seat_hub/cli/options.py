"""``seat-hub``'s command line: its options, the ``--config`` file under them
(``hub_config``), and the checks of their values and ranges.

``parse_args`` gives the namespace ``serve.run`` builds the hub from; a bad value exits 2
with a message naming the option (or the file and its key).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from seat_common import catalog as catalog_module
from seat_common.version import add_version_flag
from seat_hub import hub_config
from seat_hub.cluster.redis_address import BadRedisAddress, parse_redis_address
from seat_hub.connections.forwarded import BadProxyNetwork, TrustedProxies, proxy_network
from seat_hub.connections.ice_servers import DEFAULT_TTL_S, IceSettings, IceSettingsError
from seat_hub.settings import HubTls
from seat_hub.storage.stores import StoreAddress, address_argument


def store_address(text: str) -> StoreAddress:
    """``--db``'s value checked where it enters: a file path, ``sqlite:PATH`` or
    ``postgresql://…``."""
    return address_argument(text)


def cluster_address(text: str) -> str:
    """``--cluster``'s value checked where it enters: ``redis://…``, ``rediss://…`` (TLS)
    or ``redis+sentinel://HOST:PORT[,…]/SERVICE[/DB]`` (``cluster.redis_address``)."""
    try:
        return parse_redis_address(text).url
    except BadRedisAddress as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
    if args.cluster is not None and args.db.kind != "postgresql":
        parser.error("--cluster 需要 --db postgresql://…（各中心共用的数据库）/ a cluster's hubs"
                     " share one PostgreSQL database: give --db postgresql://…")
    if args.db.kind == "postgresql" and (args.materials is None or args.citizen_key_file is None):
        parser.error("--db postgresql://… 需要同时给出 --materials 和 --citizen-key-file（各中心"
                     "共用的材料目录与密钥）/ a shared database needs --materials and"
                     " --citizen-key-file")
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
    parser.add_argument(
        "--db", type=store_address, metavar="PATH|postgresql://…",
        help="the hub's records: an SQLite file (one hall), or a PostgreSQL database shared by"
        " a city's hubs (then --materials and --citizen-key-file too); required",
    )
    parser.add_argument(
        "--cluster", type=cluster_address, default=None, metavar="redis://…|redis+sentinel://…",
        help="one of a city's hubs: the queue, presence, offers and calls live in this Redis,"
        " shared with the other hubs (needs --db postgresql://…); a primary watched by"
        " Sentinels: redis+sentinel://HOST:PORT[,HOST:PORT…]/SERVICE[/DB]; default: a single hub",
    )
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
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="CIDR",
        help="a load balancer's network (10.0.0.0/24, or one address), repeatable: a"
        " connection from it is counted as the client its X-Forwarded-For names (the"
        " rightmost address not itself a trusted proxy); from anyone else the header is"
        " ignored (default: none)",
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
    try:
        args.trusted_proxies = TrustedProxies.of(
            proxy_network(str(network)) for network in args.trusted_proxy)
    except BadProxyNetwork as exc:
        parser.error(f"--trusted-proxy {exc}")
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


