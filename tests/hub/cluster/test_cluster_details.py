"""The contact's details one hub writes for another (``{seat}:details:<wo>``): what is
written reads back the same, and what is not a hub's is refused naming what is wrong."""

from __future__ import annotations

import json

import pytest

from seat_common.protocol import CitizenInfo
from seat_hub.connections.cluster_details import BadDetails, ContactDetails

GOOD = ContactDetails(
    work_order_id="WO-20261208-000001", item_code="SI-UNEMP-QUERY", channel="kiosk",
    priority="elderly", media="video", citizen=CitizenInfo(name="王小明", phone="13800138000"),
    queued_at=1765152000.25, priority_check="verified", large_text=True,
    party="citizen.WO-20261208-000001", role="kiosk", name="沙田自助机")


def test_details_read_back_as_written() -> None:
    assert ContactDetails.decode(GOOD.encode(), GOOD.work_order_id) == GOOD


def _with(**changes: object) -> str:
    values = json.loads(GOOD.encode())
    values.update(changes)
    return json.dumps(values)


@pytest.mark.parametrize(("raw", "says"), [
    (None, "no details"),
    (b"{}", "not text"),
    ("x" * 20_000, "bounded size"),
    ("{not json", "not JSON"),
    ("[1, 2]", "not an object"),
    (_with(citizen={"name": "王", "password": "x"}), "citizen"),
    (_with(citizen={"name": 7}), "citizen"),
    (_with(queued_at="soon"), "queued_at"),
    (_with(queued_at=True), "queued_at"),
    (_with(channel="fax"), "channel"),
    (_with(priority="vip"), "priority"),
    (_with(media="hologram"), "media"),
    (_with(role="agent"), "role"),
    (_with(item_code=""), "item_code"),
    (_with(party=None), "party"),
    (_with(work_order_id="WO-other"), "details of WO-other"),
])
def test_details_that_are_not_a_hubs_are_refused(raw: object, says: str) -> None:
    with pytest.raises(BadDetails, match=says):
        ContactDetails.decode(raw, GOOD.work_order_id)
