"""The simulated citizen's chat during a call: the script's lines, one every
``chat_interval_s``, and a scripted reply to what the agent writes (at most 20)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final

from websockets.exceptions import ConnectionClosed

from sandbox.citizen.script import CitizenReport, CitizenScript
from seat_common import protocol

#: Report lists stop growing here.
_MAX_CHATS: Final = 500
_MAX_AUTO_REPLIES: Final = 20


class CitizenChat:
    """What the citizen says and hears in the call's chat. Holds ``call_id``, the call it
    chats in ("" between calls, which silences it); writes the chat figures of the report."""

    def __init__(
        self,
        report: CitizenReport,
        script: CitizenScript,
        send: Callable[[protocol.Message], Awaitable[None]],
    ) -> None:
        self.report = report
        self.script = script
        self.call_id = ""
        self._send = send
        self._auto_replies = 0

    async def say_script_lines(self, call_id: str) -> None:
        """Say each scripted line in turn, until the lines or the call run out."""
        for line in self.script.chat_lines:
            await asyncio.sleep(self.script.chat_interval_s)
            if self.call_id != call_id:
                return
            await self._say(call_id, line)

    async def on_message(self, message: protocol.ChatMessage) -> None:
        """A chat message from the hub: our own echoed back, or the agent's."""
        report = self.report
        if message.sender_role in ("citizen", "kiosk"):
            report.chats_delivered += 1
            return
        if len(report.chats_received) < _MAX_CHATS:
            report.chats_received.append(message.text)
        if (
            self.script.reply_to_chat
            and message.call_id == self.call_id
            and self._auto_replies < _MAX_AUTO_REPLIES
        ):
            self._auto_replies += 1
            await self._say(message.call_id, self.script.reply_text)

    async def _say(self, call_id: str, text: str) -> None:
        try:
            await self._send(protocol.Chat(call_id=call_id, text=text))
        except ConnectionClosed:
            return
        if len(self.report.chats_sent) < _MAX_CHATS:
            self.report.chats_sent.append(text)
