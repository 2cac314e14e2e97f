"""Building and running the hub: ``run`` opens the records, the catalog, the seats and
the keys, wires every part around one ``HubContext`` and serves until a signal.

The records are wherever ``--db`` says (``storage.stores.open_store``): an SQLite file,
beside which the material store and the citizen-key secret live by default, or a
PostgreSQL database shared by a city's hubs, for which both are named (``options``).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from seat_common import catalog as catalog_module
from seat_common.documents.imagecheck import ImageLimits
from seat_common.review_reasons import ReasonsError, load_reasons
from seat_common.tasks import TaskOwner
from seat_common.tls import TlsSetupError
from seat_hub.cli.cluster_setup import ClusterParts, ClusterStartError, open_cluster
from seat_hub.connections.citizen_page import CitizenPage
from seat_hub.connections.front_desk import Hub
from seat_hub.connections.ice_servers import IceDesk
from seat_hub.connections.seat_reload import SeatsReload
from seat_hub.connections.server import PATH, HubServer
from seat_hub.context import HubContext
from seat_hub.materials.retention import RetentionSettings, sweep_daily
from seat_hub.materials.uploads import MaterialDesk, MaterialSettings
from seat_hub.parties.citizen_keys import CitizenKeyError, CitizenKeys
from seat_hub.parties.seats import SeatsError, load_seats
from seat_hub.settings import HubSettings
from seat_hub.storage.eventlog import EventLog
from seat_hub.storage.interface import HubStore, LedgerError
from seat_hub.storage.scripted_ledger import ScriptedLedger
from seat_hub.storage.stores import open_store
from seat_hub.supervision import figures


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
        key_file = args.citizen_key_file or args.db.folder / "citizen-key.secret"
        citizen_keys = await asyncio.to_thread(CitizenKeys.from_file, key_file)
        store = await open_store(
            args.db,
            on_write_error=lambda what, exc: log.event("ledger_error", write=what, error=repr(exc)),
            # Queue, calls and offers live in this process: it must be the database's only
            # hub (``close_stale`` at start would close another hub's live work orders);
            # a cluster's hubs share them in Redis, and the database with each other.
            sole_hub=args.cluster is None,
            cluster_hub=args.cluster is not None,
            on_outage=lambda reason, held: log.event(
                "ledger_unreachable" if reason else "ledger_reachable", reason=reason or "",
                held_writes=held),
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
    cluster: ClusterParts | None = None
    try:
        ctx = HubContext(
            seats=seats,
            catalog=catalog,
            # In a cluster the shared queue's scripts write the contact's decisions.
            ledger=store.ledger if args.cluster is None else ScriptedLedger(store.ledger),
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
        if args.cluster is not None:
            try:
                cluster = await open_cluster(args, ctx, store, tasks.child("cluster"))
            except ClusterStartError as exc:
                print(f"seat-hub: {exc}", file=sys.stderr)
                return 2
        # Waiting citizens who may resume keep their places across the restart (a cluster's
        # places are in Redis, and its other hubs' work orders are not stale).
        places = [
            place
            for place in (await store.ledger.queue_places()
                          if args.resume_grace > 0 and cluster is None else [])
            if catalog.item(place.work_order.item_code) is not None
        ]
        stale = 0 if cluster is not None else await store.ledger.close_stale(
            ctx.clock(), keep=[place.work_order.id for place in places]
        )
        now = ctx.clock()
        ctx.live.today = figures.sum_today(
            await store.ledger.work_orders_queued(figures.day_start(now)), now
        )
        ctx.live.handle_times.update(await store.ledger.handle_times())
        desk = await _material_desk(args, ctx, store, tasks.child("materials"))
        ice = IceDesk(args.ice, ctx.clock)
        hub = Hub(ctx, desk, ice=ice, reasons=reasons,
                  floor=cluster.floor if cluster is not None else None)
        hub.restore_queue(places)
        if cluster is not None:
            cluster.floor.attach(hub)
            await cluster.start()
        hub_server = HubServer(hub, log, page=CitizenPage(catalog),
                               trusted_proxies=args.trusted_proxies)
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
                cluster=cluster.shown if cluster is not None else "",
                hub_name=cluster.name if cluster is not None else "",
                stale_closed=stale,
                ring_timeout_s=args.ring_timeout,
                max_missed=args.max_missed,
                record_calls=args.record_calls,
                tls=tls_context is not None,
                hello_timeout_s=args.hello_timeout,
                max_connections_per_address=args.max_connections_per_address,
                max_joins_per_minute=args.max_joins_per_minute,
                trusted_proxies=[str(network) for network in args.trusted_proxies.networks],
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
        if cluster is not None:  # what it posts and its ledger consumer need the store
            await cluster.close()
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
    directory = args.materials if args.materials is not None else args.db.folder / "materials"
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
