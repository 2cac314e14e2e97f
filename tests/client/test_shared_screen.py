"""The agent's side of online-application coaching without a hub: points are checked where
they enter (0..1 of the shared frame), nothing is sent while the citizen does not share,
and a long stroke is thinned to what the protocol carries, its ends kept."""

from __future__ import annotations

import pytest

from seat_client.call.hub_link import HubLink
from seat_client.call.shared_screen import SharedScreen, thin
from seat_client.call.workstation import Workstation
from seat_common import protocol
from seat_common.tasks import TaskOwner


def _shared() -> SharedScreen:
    link = HubLink("ws://127.0.0.1:9/ws", lambda: protocol.Hello(role="agent", token="t"))
    return SharedScreen(Workstation(link), TaskOwner("test"))


@pytest.mark.parametrize("point", [(-0.01, 0.5), (0.5, 1.01), (float("nan"), 0.5), (2.0, 2.0)])
def test_a_point_off_the_shared_frame_is_refused(point: tuple[float, float]) -> None:
    shared = _shared()
    with pytest.raises(ValueError, match=r"within 0\.\.1"):
        shared.point(*point)
    with pytest.raises(ValueError, match=r"within 0\.\.1"):
        shared.draw([(0.5, 0.5), point])
    assert shared.marks_sent == 0


def test_nothing_is_sent_while_the_citizen_does_not_share() -> None:
    shared = _shared()
    assert not shared.sharing
    shared.point(0.5, 0.5)
    shared.draw([(0.1, 0.1), (0.2, 0.2)])
    shared.clear()
    assert shared.marks_sent == 0
    with pytest.raises(ValueError, match="two points"):
        shared.draw([(0.1, 0.1)])


def test_a_long_stroke_is_thinned_to_the_protocols_limit_keeping_its_ends() -> None:
    points = [(i / 999, (i % 7) / 7) for i in range(1000)]
    thinned = thin(points)
    assert len(thinned) == protocol.MAX_STROKE_POINTS
    assert thinned[0] == points[0] and thinned[-1] == points[-1]
    assert thinned == sorted(thinned, key=lambda p: p[0])
    assert thin(points[:10]) == points[:10]
