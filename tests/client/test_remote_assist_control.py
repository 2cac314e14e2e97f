"""The agent's side of remote assistance: the control session, input gating, printing, audit."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seat_client.assist.audit import AssistAudit
from seat_client.assist.remote_assist import AssistState, InputRefusal, RemoteAssist
from seat_common.protocol import assist as wire


class LoopbackChannel:
    """An ``AssistChannel`` that keeps what is sent and lets the test play the kiosk."""

    label = "assist"

    def __init__(self) -> None:
        self.readyState = "open"
        self.bufferedAmount = 0
        self.sent: list[wire.AssistMessage] = []
        self._handlers: dict[str, Callable[..., Any]] = {}

    def send(self, data: str | bytes) -> None:
        self.sent.append(wire.parse(data))

    def on(self, event: str, f: Callable[..., Any] | None = None) -> Any:
        assert f is not None
        self._handlers[event] = f
        return f

    def kiosk_says(self, message: wire.AssistMessage | str) -> None:
        text = message if isinstance(message, str) else wire.format_message(message)
        self._handlers["message"](text)


@pytest.fixture
def assist(tmp_path: Path) -> tuple[RemoteAssist, LoopbackChannel]:
    ids = iter(f"session-{n}" for n in range(1, 100))
    remote = RemoteAssist(AssistAudit(tmp_path), agent_id="0012", new_session_id=lambda: next(ids))
    channel = LoopbackChannel()
    remote.attach(channel)
    return remote, channel


def test_control_goes_requested_active_stopped_and_is_audited(
    assist: tuple[RemoteAssist, LoopbackChannel],
) -> None:
    remote, channel = assist
    refusals: list[InputRefusal] = []
    remote.input_refused.connect(refusals.append)
    assert remote.state is AssistState.IDLE
    assert remote.send_pointer(0.5, 0.5, "click") is None  # not in control: not even sent
    assert refusals == [InputRefusal("agent", "no_control", 1)]
    assert remote.request_control()
    assert not remote.request_control()  # once is enough
    assert channel.sent == [wire.RequestControl("session-1")]
    channel.kiosk_says(wire.ControlGranted("old-session"))  # stale: ignored
    assert remote.state is AssistState.REQUESTED
    channel.kiosk_says(wire.ControlGranted("session-1"))
    assert remote.state is AssistState.ACTIVE
    seq = remote.send_pointer(1.4, -0.2, "click")  # clamped to the frame
    assert seq is not None and channel.sent[-1] == wire.Pointer(seq, 1.0, 0.0, "click")
    assert remote.send_key(text="王") is not None
    channel.kiosk_says(wire.ControlStopped("session-1", "kiosk"))
    assert remote.state is AssistState.STOPPED
    assert remote.send_key(key="Enter") is None
    channel.kiosk_says("{broken")  # logged and ignored
    assert remote.request_control()
    channel.kiosk_says(wire.ControlDenied("session-2"))
    assert remote.state is AssistState.DENIED
    remote.end_call()
    assert remote.state is AssistState.ENDED
    lines = [json.loads(line) for line in remote.audit.path.read_text().splitlines()]
    assert [(r["event"], r["by"]) for r in lines] == [
        ("requested", "agent"), ("granted", "kiosk"), ("stopped", "kiosk"),
        ("requested", "agent"), ("denied", "kiosk"),
    ]
    assert all(r["v"] == 1 and r["agent_id"] == "0012" and r["at"] > 0 for r in lines)


def test_release_and_end_of_call_are_audited(assist: tuple[RemoteAssist, LoopbackChannel]) -> None:
    remote, channel = assist
    remote.request_control()
    channel.kiosk_says(wire.ControlGranted("session-1"))
    assert remote.release()
    assert channel.sent[-1] == wire.ControlStopped("session-1", "agent")
    remote.request_control()
    channel.kiosk_says(wire.ControlGranted("session-2"))
    remote.end_call()
    events = [(r.event, r.by, r.control_session) for r in remote.audit.records()]
    assert events[-2:] == [("granted", "kiosk", "session-2"), ("ended", "call_end", "session-2")]


async def test_a_document_goes_in_chunks_that_reassemble(
    assist: tuple[RemoteAssist, LoopbackChannel],
) -> None:
    remote, channel = assist
    document = b"%PDF-1.4\n" + bytes(range(256)) * 200
    job = await remote.push_document(document, "receipt.pdf")
    chunks = [m for m in channel.sent if isinstance(m, wire.PrintChunk)]
    assert len(chunks) == -(-len(document) // wire.PRINT_CHUNK_BYTES) > 1
    assert {c.job for c in chunks} == {job}
    import base64
    assert b"".join(base64.b64decode(c.data) for c in chunks) == document
    assert chunks[0].sha256 == hashlib.sha256(document).hexdigest()
    with pytest.raises(ValueError):
        await remote.push_document(b"<html>", "x.pdf")


def test_id_card_and_face_scan_reach_the_agent_masked_in_the_audit(
    assist: tuple[RemoteAssist, LoopbackChannel],
) -> None:
    remote, channel = assist
    cards: list[wire.IdCardRead] = []
    remote.id_card_read.connect(cards.append)
    channel.kiosk_says(wire.IdCardRead("王小明", "11010519491231002X", ""))
    channel.kiosk_says(wire.FaceScanned(False, 0.41))
    assert cards[0].id_number == "11010519491231002X"
    assert remote.last_face_scan == wire.FaceScanned(False, 0.41)
    text = remote.audit.path.read_text()
    assert "11010519491231002X" not in text and "1101**********002X" in text
