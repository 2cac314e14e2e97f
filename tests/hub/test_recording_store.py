"""The hub's recording store at its border: only the reporting agent uploads, with the
reported size and hash; chunks out of order are refused and the upload starts again where
the hub stopped; a stored recording is answered at once; only supervisors fetch, after the
audit row, and not when the row cannot be written; recording rows are written once."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable

import pytest
from hubclient import SI, SI_ITEM, Client, Clients, agent_seat, db_rows

from sandbox.hub_process import HubProcess, SeatSpec
from seat_common.protocol import (
    CHUNK_BYTES,
    CHUNK_DOWNLOAD,
    CHUNK_RECORDING,
    Accept,
    Ack,
    FetchRecording,
    Hangup,
    Offer,
    RecordingDownload,
    RecordingSaved,
    RecordingStored,
    RecordingUploadFailed,
    RecordingUploadOffset,
    RecordingUploadStart,
    pack_chunk,
    unpack_chunk,
)

SUPERVISOR = SeatSpec(agent_id="S01", name="李督导", role="supervisor")
DATA = os.urandom(2 * CHUNK_BYTES + 1234)
SHA = hashlib.sha256(DATA).hexdigest()


def start(upload_id: int, work_order_id: str, sha256: str = SHA) -> RecordingUploadStart:
    return RecordingUploadStart(upload_id=upload_id, work_order_id=work_order_id,
                                byte_size=len(DATA), sha256=sha256)


async def recorded(hub: HubProcess, clients: Clients) -> tuple[Client, str]:
    """Agent 0001 answers a call and reports its recording (``DATA``)."""
    agent = await clients.agent(hub, "0001")
    await agent.ready()
    citizen = await clients.citizen(hub, "王小明")
    queued = await citizen.join(SI_ITEM, name="王小明")
    offer = await agent.expect(Offer)
    await agent.send(Accept(call_id=offer.call_id))
    await agent.send(Hangup(call_id=offer.call_id))
    await agent.send(RecordingSaved(work_order_id=queued.work_order_id, call_id=offer.call_id,
                                    duration_s=12.0, byte_size=len(DATA), sha256=SHA))
    await agent.expect(Ack, lambda a: a.of == "recording_saved")
    return agent, queued.work_order_id


async def test_the_store_takes_only_the_reported_recording_in_order(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001", SI), agent_seat("0002", SI), SUPERVISOR])
    agent, work_order_id = await recorded(hub, clients)
    other = await clients.agent(hub, "0002")
    await other.send(start(1, work_order_id))
    refused = await other.expect(RecordingUploadFailed)
    assert refused.reason == "no_such_work_order"
    await agent.send(start(1, work_order_id, sha256="cd" * 32))
    assert (await agent.expect(RecordingUploadFailed)).reason == "bad_checksum"

    supervisor = await clients.connect(hub.url, "supervisor")
    await supervisor.hello("supervisor", token=hub.tokens["S01"])
    await supervisor.send(FetchRecording(work_order_id=work_order_id, download_id=1))
    assert "not reached the hub" in (await supervisor.expect_error("bad_state")).message

    await agent.send(start(2, work_order_id))
    assert (await agent.expect(RecordingUploadOffset)).offset == 0
    await agent.send_raw(pack_chunk(CHUNK_RECORDING, 2, 0, DATA[:CHUNK_BYTES]))
    await agent.send_raw(pack_chunk(CHUNK_RECORDING, 2, 2, DATA[CHUNK_BYTES:2 * CHUNK_BYTES]))
    refused = await agent.expect(RecordingUploadFailed)
    assert (refused.reason, refused.offset) == ("bad_sequence", CHUNK_BYTES)
    await agent.send(start(3, work_order_id))
    assert (await agent.expect(RecordingUploadOffset)).offset == CHUNK_BYTES
    for seq, at in enumerate(range(CHUNK_BYTES, len(DATA), CHUNK_BYTES)):
        await agent.send_raw(pack_chunk(CHUNK_RECORDING, 3, seq, DATA[at:at + CHUNK_BYTES]))
    stored = await agent.expect(RecordingStored)
    assert (stored.sha256, stored.byte_size) == (SHA, len(DATA))
    path = hub.workdir / "materials" / "recordings" / SHA[:2] / f"{SHA}.mp4"
    assert path.read_bytes() == DATA and path.stat().st_mode & 0o777 == 0o600
    await agent.send(start(4, work_order_id))  # after a lost answer: stored already
    assert (await agent.expect(RecordingStored)).sha256 == SHA

    # Recording rows are written once: not even an UPDATE behind the hub's back.
    with sqlite3.connect(hub.db_path, timeout=10) as db, pytest.raises(
            sqlite3.IntegrityError, match="written once"):
        db.execute("UPDATE recordings SET sha256 = 'x' WHERE work_order_id = ?",
                   (work_order_id,))


async def test_only_supervisors_fetch_and_only_after_the_audit_row(
    start_hub: Callable[..., HubProcess], clients: Clients
) -> None:
    hub = start_hub([agent_seat("0001", SI), SUPERVISOR])
    agent, work_order_id = await recorded(hub, clients)
    await agent.send(start(1, work_order_id))
    await agent.expect(RecordingUploadOffset)
    for seq, at in enumerate(range(0, len(DATA), CHUNK_BYTES)):
        await agent.send_raw(pack_chunk(CHUNK_RECORDING, 1, seq, DATA[at:at + CHUNK_BYTES]))
    await agent.expect(RecordingStored)
    await agent.send(FetchRecording(work_order_id=work_order_id, download_id=1))
    await agent.expect_error("not_allowed")

    supervisor = await clients.connect(hub.url, "supervisor")
    await supervisor.hello("supervisor", token=hub.tokens["S01"])
    await supervisor.send(FetchRecording(work_order_id=work_order_id, download_id=7))
    header = await supervisor.expect(RecordingDownload)
    assert (header.sha256, header.byte_size, header.duration_s) == (SHA, len(DATA), 12.0)
    received = b""
    while len(received) < len(DATA):
        chunk = unpack_chunk(await supervisor.ws.recv())  # type: ignore[arg-type]
        assert (chunk.kind, chunk.transfer_id, chunk.crc_ok) == (CHUNK_DOWNLOAD, 7, True)
        received += chunk.data
    assert received == DATA
    rows = db_rows(hub.db_path, "SELECT supervisor_id, action, target, result FROM audit_log"
                   " WHERE action = 'play_recording'")
    assert rows == [{"supervisor_id": "S01", "action": "play_recording",
                     "target": work_order_id, "result": "read"}]

    db = sqlite3.connect(hub.db_path, timeout=10)
    db.execute("DROP TABLE audit_log")
    db.close()
    await supervisor.send(FetchRecording(work_order_id=work_order_id, download_id=8))
    assert "audit log cannot be written" in (await supervisor.expect_error("internal")).message
    assert not any(isinstance(m, RecordingDownload) and m.download_id == 8
                   for m in await supervisor.sync())
