"""The simulated citizen's parts on their own: its chat follows the script and the call, and
its peer refuses signaling that does not belong to its call, noting why in the report."""

from __future__ import annotations

import asyncio

from websockets.exceptions import ConnectionClosedError

from sandbox.citizen.chat import CitizenChat
from sandbox.citizen.peer import CitizenPeer
from sandbox.citizen.script import CitizenReport, CitizenScript
from seat_common import protocol
from seat_common.tasks import TaskOwner


def new_report() -> CitizenReport:
    return CitizenReport("林芳", "", "", "", "SI-UNEMP-QUERY", "web", "normal", "video")


class Wire:
    """What the parts send, kept in order; ``closed`` makes sending fail as a dead socket."""

    def __init__(self) -> None:
        self.sent: list[protocol.Message] = []
        self.closed = False

    async def send(self, message: protocol.Message) -> None:
        if self.closed:
            raise ConnectionClosedError(None, None)
        self.sent.append(message)


def agent_says(text: str, call_id: str = "c1") -> protocol.ChatMessage:
    return protocol.ChatMessage(call_id=call_id, sender_role="agent", sender_name="小李",
                                text=text, sent_at=1.0)


async def test_the_chat_says_its_lines_while_the_call_lasts() -> None:
    wire = Wire()
    script = CitizenScript(chat_lines=("一", "二", "三"), chat_interval_s=0.01)
    chat = CitizenChat(report := new_report(), script, wire.send)
    chat.call_id = "c1"
    await chat.say_script_lines("c1")
    assert [m.text for m in wire.sent if isinstance(m, protocol.Chat)] == ["一", "二", "三"]
    assert report.chats_sent == ["一", "二", "三"]

    chat.call_id = ""  # the call ended: the rest of a script stays unsaid
    await chat.say_script_lines("c1")
    assert len(wire.sent) == 3


async def test_the_chat_replies_only_in_its_call_and_only_so_often() -> None:
    wire = Wire()
    script = CitizenScript(reply_to_chat=True, reply_text="好的")
    chat = CitizenChat(report := new_report(), script, wire.send)
    chat.call_id = "c1"
    await chat.on_message(protocol.ChatMessage(call_id="c1", sender_role="citizen",
                                               sender_name="林芳", text="我", sent_at=1.0))
    assert report.chats_delivered == 1 and not wire.sent  # our own line, echoed
    await chat.on_message(agent_says("旧的", call_id="c0"))
    assert report.chats_received == ["旧的"] and not wire.sent  # not this call: no reply
    for i in range(25):
        await chat.on_message(agent_says(f"第{i}条"))
    assert len(wire.sent) == 20 and len(report.chats_received) == 26
    wire.closed = True
    await CitizenChat(report, script, wire.send).on_message(agent_says("还在吗"))
    assert len(report.chats_sent) == 20  # a reply that could not go is not reported sent


async def test_the_peer_refuses_signaling_outside_its_call() -> None:
    wire = Wire()
    errors: list[str] = []
    marks: list[str] = []
    report = new_report()
    tasks = TaskOwner("citizen")
    peer = CitizenPeer(report, CitizenScript(), "audio", tasks,
                       send=wire.send, mark=marks.append, error=errors.append)
    await peer.on_sdp(protocol.Sdp(call_id="c1", sdp_type="answer", sdp="v=0"))
    candidate = "candidate:1 1 udp 1 10.0.0.1 5 typ host"
    await peer.on_ice(protocol.Ice(call_id="c1", candidate=candidate))  # no call: ignored
    assert errors == ["sdp for 'c1' outside our call"]
    assert peer.video_latency_ms_p50() is None

    started = protocol.CallStarted(
        call_id="c1", work_order_id="w1", call_role="caller", peer_name="小李",
        item_code="SI-UNEMP-QUERY", item_name="失业保险", channel="web", media="audio",
    )
    await peer.offer(started)
    try:
        offer = wire.sent[-1]
        assert isinstance(offer, protocol.Sdp) and offer.sdp_type == "offer"
        assert "offer_sent" in marks
        await peer.on_sdp(protocol.Sdp(call_id="c1", sdp_type="offer", sdp=offer.sdp))
        await peer.on_sdp(protocol.Sdp(call_id="c2", sdp_type="answer", sdp=offer.sdp))
        assert errors[1:] == ["unexpected sdp offer (we are the caller)",
                              "sdp for 'c2' outside our call"]
    finally:
        await peer.close()
        await tasks.close()
    assert "media_closed" in marks and report.media_state
    await peer.close()  # again: harmless
    await asyncio.sleep(0)
