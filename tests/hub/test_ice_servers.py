"""The hub's ICE settings: every party is welcomed with the STUN/TURN servers, TURN
credentials that expire (the TURN REST user name ``"<expiry>:<party id>"``) and the
policy; every setting is checked where it enters, with a clear error and exit 2.

That coturn accepts these credentials is proven against a real coturn in
``tests/integration/test_turn_relay.py``; here the shape and the lifetime are checked.
"""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hubclient import Clients, agent_seat

from sandbox.hub_process import HubProcess
from seat_common.protocol import IceServer, Welcome

TURN = "turn:127.0.0.1:3478?transport=udp"
STUN = "stun:127.0.0.1:3478"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "turn-secret"
    path.write_text("s3cret-shared-with-coturn\n", encoding="utf-8")
    return path


def check_turn(server: IceServer, party_id: str, ttl_s: int) -> None:
    expiry, _, who = server.username.partition(":")
    assert who == party_id
    assert abs(int(expiry) - (time.time() + ttl_s)) < 30
    assert len(base64.b64decode(server.credential, validate=True)) == 20  # an HMAC-SHA1


async def test_every_party_is_welcomed_with_the_servers_and_its_own_turn_credentials(
    start_hub: Callable[..., HubProcess], clients: Clients, secret_file: Path,
) -> None:
    hub = start_hub([agent_seat("a1")], extra_args=[
        "--stun", STUN, "--turn", TURN, "--turn", TURN.replace("udp", "tcp"),
        "--turn-secret-file", str(secret_file), "--turn-ttl", "600", "--ice-policy", "relay",
    ])
    agent = await clients.connect(hub.url, "a1")
    welcome = await agent.hello("agent", token=hub.tokens["a1"])
    assert welcome.ice_policy == "relay"
    assert [s.url for s in welcome.ice_servers] == [STUN, TURN, TURN.replace("udp", "tcp")]
    assert welcome.ice_servers[0].username == welcome.ice_servers[0].credential == ""
    check_turn(welcome.ice_servers[1], "a1", 600)

    citizen = await clients.connect(hub.url, "citizen")
    citizen_welcome = await citizen.hello("citizen", name="吴")
    check_turn(citizen_welcome.ice_servers[1], citizen_welcome.session_id, 600)
    kiosk = await clients.connect(hub.url, "kiosk")
    await kiosk.send(hub.kiosk_login().hello("大朗"))
    kiosk_welcome = await kiosk.expect(Welcome)
    check_turn(kiosk_welcome.ice_servers[1], kiosk_welcome.session_id, 600)
    assert kiosk_welcome.ice_servers[1].credential != citizen_welcome.ice_servers[1].credential
    # The secret itself never travels, nor lands in the hub's log.
    assert "s3cret" not in hub.log_text()


async def test_without_ice_settings_the_welcome_is_as_before(
    start_hub: Callable[..., HubProcess], clients: Clients,
) -> None:
    hub = start_hub([agent_seat("a1")])
    welcome = await (await clients.connect(hub.url, "c")).hello("citizen")
    assert welcome.ice_servers == () and welcome.ice_policy == "all"


def run_hub(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seat_hub.cli", "--seats", str(tmp_path / "seats.json"),
         "--db", str(tmp_path / "db.sqlite3"), *args],
        capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(("args", "says"), [
    (["--stun", "http://127.0.0.1:3478"], "--stun 'http://127.0.0.1:3478': want stun:"),
    (["--stun", TURN], "want stun:"),
    (["--turn", "turn:127.0.0.1?transport=sctp", "--turn-secret-file", "{secret}"],
     "want turn:HOST"),
    (["--turn", TURN], "--turn needs --turn-secret-file"),
    (["--turn", TURN, "--turn-secret-file", "{missing}"], "cannot read it"),
    (["--turn", TURN, "--turn-secret-file", "{empty}"], "the file is empty"),
    (["--turn-secret-file", "{secret}"], "without any --turn server"),
    (["--ice-policy", "relay", "--stun", STUN], "relay needs at least one --turn"),
    (["--turn", TURN, "--turn-secret-file", "{secret}", "--turn-ttl", "5"], "--turn-ttl 5"),
    (["--ice-policy", "sometimes"], "invalid choice: 'sometimes'"),
])
def test_a_wrong_ice_setting_stops_the_hub_with_a_clear_error(
    tmp_path: Path, secret_file: Path, args: list[str], says: str,
) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    paths = {"secret": secret_file, "missing": tmp_path / "nowhere", "empty": empty}
    result = run_hub(tmp_path, *(a.format(**paths) for a in args))
    assert result.returncode == 2
    assert says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
