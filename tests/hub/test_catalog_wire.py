"""The catalog over the wire against a real hub process: a citizen's or kiosk's client asks
for its channel's items, materials and pre-review reason codes (with Chinese names),
caches them under the version, and asking again with that version gets "unchanged".
Bad requests get a clear error beside each good case.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

from hubclient import HF_ITEM, SI_ITEM, Clients, agent_seat

from sandbox.hub_process import HubProcess
from seat_common import catalog
from seat_common.protocol import Error, FetchCatalog, Hello, ServiceCatalog, encode
from seat_common.review_reasons import ReasonCode, load_reasons
from seat_hub.connections.catalog_desk import channel_catalog

StartHub = Callable[..., HubProcess]

async def test_a_citizen_gets_its_channels_items_materials_and_reason_names(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("A1")])
    citizen = await clients.citizen(hub)
    await citizen.send(FetchCatalog(channel="web"))
    got = await citizen.expect(ServiceCatalog)
    assert got.channel == "web" and not got.unchanged and len(got.version) == 64
    shipped = catalog.load()
    on_web = {code for code, item in shipped.items.items() if "web" in item.channels}
    assert {item.code for item in got.items} == on_web
    assert SI_ITEM in on_web and HF_ITEM in on_web
    si = next(item for item in got.items if item.code == SI_ITEM)
    assert si.name == shipped.items[SI_ITEM].name
    assert [m.code for m in si.materials] == [m.code for m in shipped.items[SI_ITEM].materials]
    assert {theme.code for theme in got.themes} == {item.theme for item in got.items}
    names = {reason.code: reason.name for reason in got.reasons}
    assert names["blurry"] == "模糊不清"
    assert len(names) == len(load_reasons())

    # A kiosk-only item is not on the web's list; the kiosk's own list differs.
    kiosk = await clients.kiosk(hub)
    await kiosk.send(FetchCatalog(channel="kiosk"))
    kiosk_catalog = await kiosk.expect(ServiceCatalog)
    on_kiosk = {code for code, item in shipped.items.items() if "kiosk" in item.channels}
    assert {item.code for item in kiosk_catalog.items} == on_kiosk
    assert kiosk_catalog.version != got.version

async def test_asking_with_the_current_version_gets_unchanged_and_a_stale_one_the_catalog(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("A1")])
    citizen = await clients.citizen(hub)
    await citizen.send(FetchCatalog(channel="miniprogram"))
    first = await citizen.expect(ServiceCatalog)
    await citizen.send(FetchCatalog(channel="miniprogram", version=first.version))
    again = await citizen.expect(ServiceCatalog)
    assert again.unchanged and again.version == first.version
    assert again.items == () and again.reasons == () and again.themes == ()
    await citizen.send(FetchCatalog(channel="miniprogram", version="0" * 64))
    stale = await citizen.expect(ServiceCatalog)
    assert not stale.unchanged and stale == first
    # The whole catalog fits well inside one message.
    assert len(encode(first).encode("utf-8")) < 64 * 1024

async def test_bad_catalog_requests_are_refused_naming_the_field(
    start_hub: StartHub, clients: Clients
) -> None:
    hub = start_hub([agent_seat("A1")])
    stranger = await clients.connect(hub.url, "stranger")
    await stranger.send(FetchCatalog(channel="web"))
    assert (await stranger.expect_error("not_authenticated")).of == "fetch_catalog"

    citizen = await clients.citizen(hub)
    await citizen.send(FetchCatalog(channel="kiosk"))
    refused = await citizen.expect_error("not_allowed")
    assert refused.field == "channel"
    await citizen.send_raw(json.dumps(
        {"v": 1, "type": "fetch_catalog", "channel": "web", "version": "v1"}))
    refused = await citizen.expect_error("bad_message")
    assert refused.field == "version"
    await citizen.send_raw(json.dumps({"v": 1, "type": "fetch_catalog", "channel": "fax"}))
    assert (await citizen.expect_error("bad_message")).field == "channel"

    kiosk = await clients.kiosk(hub)
    await kiosk.send(FetchCatalog(channel="web"))
    assert (await kiosk.expect_error("not_allowed")).field == "channel"

    agent = await clients.agent(hub, "A1")
    await agent.send(FetchCatalog(channel="web"))
    assert (await agent.expect_error("not_allowed")).field == "type"
    # Every refusal left the connections open: the citizen still gets its catalog.
    await citizen.send(FetchCatalog(channel="web"))
    assert not (await citizen.expect(ServiceCatalog)).unchanged
    assert not [m for m in await citizen.sync() if not isinstance(m, (Error, Hello))]

def test_the_version_changes_exactly_when_what_a_client_shows_changes() -> None:
    shipped, reasons = catalog.load(), load_reasons()
    same = channel_catalog(shipped, reasons, "web")
    assert channel_catalog(shipped, reasons, "web") == same
    renamed = (ReasonCode("blurry", "看不清", "Blurry"), *reasons[1:])
    assert channel_catalog(shipped, renamed, "web").version != same.version
    item = shipped.items[SI_ITEM]
    fewer = dataclasses.replace(item, materials=item.materials[:-1])
    changed = dataclasses.replace(shipped, items={**shipped.items, SI_ITEM: fewer})
    assert channel_catalog(changed, reasons, "web").version != same.version
    # An item not on the channel does not change the channel's version.
    hotline_only = next(i for i in shipped.items.values() if "web" not in i.channels)
    renamed_item = dataclasses.replace(hotline_only, name="改了名字")
    other = dataclasses.replace(shipped, items={**shipped.items, hotline_only.code: renamed_item})
    assert channel_catalog(other, reasons, "web").version == same.version
