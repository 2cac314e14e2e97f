"""A citizen client written from docs/protocol.md alone, as another team would write one.

It imports nothing of Seat: only the standard library, ``websockets``, ``aiortc`` (for
WebRTC) and Pillow (to make a photo). Every message is built as the document shows it
(plain JSON with ``"v": 1``), the upload's binary chunks are packed from the document's
"Binary chunk format" table, and the candidates are trickled after the offer as its
"Media (WebRTC)" section allows. The conformance kit then judges it
(``tests/sandbox/test_doc_client.py``). If this client needs anything the document does
not say, the document is incomplete.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp
from PIL import Image
from websockets.asyncio.client import ClientConnection, connect

CHUNK_BYTES = 262144  # "CHUNK_BYTES (256 KiB)"


@dataclass
class DocClientResult:
    """What the client saw."""

    item_name: str = ""
    work_order_id: str = ""
    reason_names: dict[str, str] = field(default_factory=dict)
    verdict_texts: list[str] = field(default_factory=list)
    recorded_notice_shown: bool = False
    frames_received: int = 0
    rated: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)


class DocCitizen:
    def __init__(self, url: str, item_code: str, name: str) -> None:
        self.url = url
        self.item_code = item_code
        self.name = name
        self.result = DocClientResult()
        self.ws: ClientConnection | None = None
        self.pc: RTCPeerConnection | None = None
        self.ice_servers: list[RTCIceServer] = []
        self.answered = False
        self.early: list[dict[str, Any]] = []
        self.uploaded = False
        self.tasks: list[asyncio.Task[None]] = []

    async def send(self, message_type: str, **fields: Any) -> None:
        assert self.ws is not None
        await self.ws.send(json.dumps({"v": 1, "type": message_type, **fields},
                                      ensure_ascii=False))

    async def receive(self) -> dict[str, Any]:
        assert self.ws is not None
        while True:
            frame = await self.ws.recv()
            if isinstance(frame, str):
                message: dict[str, Any] = json.loads(frame)
                if message["type"] == "error":
                    self.result.errors.append(message)
                return message

    async def expect(self, message_type: str) -> dict[str, Any]:
        while True:
            message = await self.receive()
            if message["type"] == message_type:
                return message

    async def run(self) -> DocClientResult:
        async with connect(self.url) as ws:
            self.ws = ws
            await self.send("hello", role="citizen", name=self.name)
            welcome = await self.expect("welcome")
            self.ice_servers = [
                RTCIceServer(urls=s["url"], username=s["username"] or None,
                             credential=s["credential"] or None)
                for s in welcome["ice_servers"]]
            await self.send("fetch_catalog", channel="web", version="")
            catalog = await self.expect("catalog")
            item = next(i for i in catalog["items"] if i["code"] == self.item_code)
            self.result.item_name = item["name"]
            self.result.reason_names = {r["code"]: r["name"] for r in catalog["reasons"]}
            await self.send("join_queue", item_code=self.item_code, channel="web",
                            citizen={"name": self.name}, media="video")
            queued = await self.expect("queued")
            self.result.work_order_id = queued["work_order_id"]
            await self.call_until_rated()
            await ws.close(1000)
        for task in self.tasks:
            task.cancel()
        return self.result

    async def call_until_rated(self) -> None:
        call_id = ""
        while True:
            message = await self.receive()
            kind = message["type"]
            if kind == "call_started":
                call_id = message["call_id"]
                # "must show 本次通话将录音录像 before any media flow"
                self.result.recorded_notice_shown = bool(message["recorded"])
                await self.offer(call_id)
            elif kind == "sdp" and message["sdp_type"] == "answer" and self.pc is not None:
                await self.pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "answer"))
                self.answered = True
                for early in self.early:
                    await self.add_candidate(early)
                self.early.clear()
            elif kind == "ice" and message["candidate"]:
                if self.answered:
                    await self.add_candidate(message)
                else:
                    self.early.append(message)
            elif kind == "chat_message" and message["sender_role"] == "agent":
                if not self.uploaded:
                    self.uploaded = True
                    await self.send("chat", call_id=call_id, text="好的，我上传身份证。")
                    await self.upload(message["call_id"])
            elif kind == "pre_review_verdict":
                for entry in message["entries"]:
                    reason = self.result.reason_names.get(entry["reason_code"], "")
                    self.result.verdict_texts.append(f"{entry['material_code']}：{reason}")
            elif kind == "call_ended":
                if self.pc is not None:
                    await self.pc.close()
                await self.send("rate", work_order_id=self.result.work_order_id, score=9,
                                comment="按文档写的客户端")
            elif kind == "ack" and message["of"] == "rate":
                self.result.rated = True
                return

    async def offer(self, call_id: str) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=self.ice_servers))
        self.pc.addTrack(AudioStreamTrack())  # one audio section, one video section
        self.pc.addTrack(VideoStreamTrack())

        @self.pc.on("track")
        def on_track(track: Any) -> None:
            self.tasks.append(asyncio.get_running_loop().create_task(self.consume(track)))

        await self.pc.setLocalDescription(await self.pc.createOffer())
        lines = self.pc.localDescription.sdp.split("\r\n")
        # Send the offer without its candidates, then trickle them one by one.
        await self.send("sdp", call_id=call_id, sdp_type="offer", sdp="\r\n".join(
            line for line in lines
            if not line.startswith(("a=candidate:", "a=end-of-candidates"))))
        section, mid = -1, ""
        for line in lines:
            if line.startswith("m="):
                section += 1
            elif line.startswith("a=mid:"):
                mid = line[len("a=mid:"):]
            elif line.startswith("a=candidate:"):
                await self.send("ice", call_id=call_id, candidate=line[len("a="):],
                                sdp_mid=mid, sdp_mline_index=section)
        await self.send("ice", call_id=call_id, candidate="")

    async def add_candidate(self, message: dict[str, Any]) -> None:
        assert self.pc is not None
        candidate = candidate_from_sdp(message["candidate"].removeprefix("candidate:"))
        candidate.sdpMid = message["sdp_mid"] or None
        candidate.sdpMLineIndex = message["sdp_mline_index"]
        await self.pc.addIceCandidate(candidate)

    async def consume(self, track: Any) -> None:
        try:
            while True:
                await track.recv()
                if track.kind == "video":
                    self.result.frames_received += 1
        except MediaStreamError:
            return

    async def upload(self, call_id: str) -> None:
        buffer = io.BytesIO()
        Image.new("RGB", (1200, 900), (180, 170, 150)).save(buffer, "JPEG", quality=90)
        data = buffer.getvalue()
        await self.send("upload_start", upload_id=1, work_order_id=self.result.work_order_id,
                        filename="身份证正面.jpg", mime="image/jpeg", byte_size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), material_code="id_card")
        assert self.ws is not None
        for seq, start in enumerate(range(0, len(data), CHUNK_BYTES)):
            part = data[start:start + CHUNK_BYTES]
            header = struct.pack(">2sBBIIII", b"SM", 1, 1, 1, seq, len(part), zlib.crc32(part))
            await self.ws.send(header + part)
