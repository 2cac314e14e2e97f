"""A simulated citizen's contact: a real websocket client following a script, from hello to
the rating.

``SimulatedCitizen`` follows protocol v1 on the citizen's side, as the web
page, the mini-program and the kiosks do: hello → join the queue → wait
(watching the position move, or leaving after a scripted wait) → on
``call_started`` its ``CitizenCall`` (``sandbox.citizen.call``) takes part in the
call as scripted — media from its ``CitizenPeer``, chat from its ``CitizenChat``,
photos of documents from its ``CitizenMaterials`` — until a hang-up, then rates the
contact if scripted → it leaves. What the agent says of their camera and microphone
(``media_state``) is kept in the report as it comes. Everything it saw ends up in a
``CitizenReport``.

A ``wss://`` hub's certificate is checked against the system store or the CAs
of ``ca_file``, as a phone checks the real one; a refused certificate ends the
contact with the reason in the report.
A citizen at a kiosk (channel ``kiosk``) logs in as that kiosk with its
``KioskLogin``; without one it says hello as a citizen, and the hub refuses
its join on the kiosk channel. A refused hello or join (a full queue is
``busy``) is kept in the report as the citizen was told it.

With ``script.reconnect``, a link that drops (not closed by the citizen) is made again
with the welcome's resume token (``Hello.resume``): the hub hands back the queue place or
the call (``call_started`` again: the citizen offers afresh, as it does on
``peer_link`` up when the agent's link came back). ``drop_link`` cuts the connection
as a failing network would and holds the network down until ``restore_link``.

``leave`` ends the contact now, as a person leaving on purpose does: 取消排队 while
waiting, 挂断 in a call, then a goodbye on the link (``seat-sim`` does it on SIGTERM). A
process that merely dies drops its link instead, and the hub keeps a dropped citizen's
place for its resume grace (60 s): agents and the wall go on counting someone who is gone.

The connection, its reading, the milestones the script waits on and the resumes are its
``CitizenLink`` (``sandbox.citizen.link``), the call its ``CitizenCall``; this module is the
script around the call (up to it, leaving, the report) and where each message from the hub
goes. Every task the citizen starts is owned by its ``TaskOwner`` (a failure is logged and
kept in the report) and cancelled when ``run`` returns.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from pathlib import Path
from typing import Final, TypeVar

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from sandbox.camera import BurstToneAudioTrack
from sandbox.citizen.call import CitizenCall
from sandbox.citizen.chat import CitizenChat
from sandbox.citizen.link import CitizenLink, ContactFinished
from sandbox.citizen.materials import CitizenMaterials
from sandbox.citizen.peer import CitizenPeer
from sandbox.citizen.script import CitizenReport, CitizenScript
from sandbox.citizen.wire_facts import note_wire_fact
from sandbox.device_login import KioskLogin
from seat_common import protocol, tls
from seat_common.media.ice_policy import IceConfig
from seat_common.personal_data import pii
from seat_common.protocol import Channel, MediaKind, Priority
from seat_common.tasks import TaskFailure, TaskOwner

log = logging.getLogger(__name__)

#: Report lists stop growing here.
_MAX_ERRORS: Final = 100

M = TypeVar("M")


class SimulatedCitizen:
    """One citizen on one connection for one contact; ``run`` once."""

    def __init__(
        self,
        hub_url: str,
        item_code: str,
        channel: Channel,
        name: str,
        id_number: str = "",
        phone: str = "",
        hall: str = "",
        priority: Priority = "normal",
        media: MediaKind = "video",
        script: CitizenScript | None = None,
        ca_file: str = "",
        kiosk: KioskLogin | None = None,
    ) -> None:
        tls.check_url(hub_url, what="hub address", secure="wss")
        self.hub_url = hub_url
        self.kiosk = kiosk
        self.item_code = item_code
        self.channel: Channel = channel
        self.citizen = protocol.CitizenInfo(name=name, id_number=id_number, phone=phone, hall=hall)
        self.priority: Priority = priority
        self.media: MediaKind = media
        self.script = script if script is not None else CitizenScript()
        self.report = CitizenReport(
            name=name,
            id_number=id_number,
            phone=phone,
            hall=hall,
            item_code=item_code,
            channel=channel,
            priority=priority,
            media=media,
        )
        self._tasks = TaskOwner("citizen")
        self._tasks.failed.connect(self._on_task_failed)
        self._link = CitizenLink(
            hub_url, tls.client_context_for(hub_url, ca_file or None), name, self.script,
            self.report, self._tasks, on_message=self._on_message,
            on_binary=lambda frame: self.materials.on_binary(frame),
            mark=self._mark, error=self._error,
        )
        self._send = self._link.send
        self._chat = CitizenChat(self.report, self.script, self._send)
        self._peer = CitizenPeer(
            self.report, self.script, media, self._tasks,
            send=self._send, mark=self._mark, error=self._error,
        )
        #: The last second of the agent's side of the call, to tell whose voice got through.
        self.heard = self._peer.heard
        #: with the script's voice "bursts": all it heard, with arrival times
        self.timed = self._peer.timed
        self._ran = False
        self._leaving = False  # ``leave`` was called
        self._script: asyncio.Task[None] | None = None  # following the script, in ``run``
        self.materials = CitizenMaterials(
            self._send,
            self._link.send_binary,
            photo_size=(self.script.photo_width, self.script.photo_height),
            cache_dir=Path(self.script.photo_cache_dir) if self.script.photo_cache_dir else None,
            reply_timeout_s=self.script.reply_timeout_s,
        )
        self._call = CitizenCall(
            self.report, self.script, self._link, self._tasks, chat=self._chat,
            peer=self._peer, materials=self.materials, mark=self._mark, error=self._error,
        )

    # --- the script ----------------------------------------------------------

    async def run(self) -> CitizenReport:
        """Go through the whole contact and return the report (never raises for hub trouble)."""
        if self._ran:
            raise RuntimeError("a SimulatedCitizen runs once")
        self._ran = True
        report = self.report
        if self._leaving:  # told to leave before it started: it never comes
            return report
        budget = asyncio.timeout(self.script.give_up_after_s)
        try:
            async with budget, self._link.connect() as ws:
                self._link.started(ws)
                await self._follow_script_until_left()
        except ContactFinished as finished:
            report.ended_by = report.ended_by or finished.ended_by
            self._error(str(finished))
        except TimeoutError:
            if budget.expired():
                report.ended_by = report.ended_by or "gave_up"
                self._error(f"gave up after {self.script.give_up_after_s:g} s")
            else:  # the opening handshake timed out
                report.ended_by = report.ended_by or "disconnected"
                self._error("the hub did not complete the websocket handshake")
        except ConnectionClosed as exc:
            report.ended_by = report.ended_by or "disconnected"
            self._error(f"hub closed the connection: {exc}")
        except ssl.SSLError as exc:  # before OSError, of which it is one
            report.ended_by = report.ended_by or "disconnected"
            self._error(f"cannot reach the hub: {tls.tls_failure(exc) or exc}")
        except (OSError, InvalidHandshake, InvalidURI) as exc:
            report.ended_by = report.ended_by or "disconnected"
            self._error(f"cannot reach the hub: {exc}")
        finally:
            self._link.leaving = True
            await self._peer.close()
            await self._tasks.close()
            await self._link.close()
            report.video_latency_ms_p50 = self._peer.video_latency_ms_p50()
            report.materials = self.materials.report()
            if self.timed is not None:
                report.voice_onsets = self.voice_onsets()
                report.heard_onsets = self.timed.onsets(self.script.listen_hz)
            self._mark("finished")
        return report

    def leave(self) -> None:
        """Leave now: out of the queue, or hang up, and close the link with a goodbye
        (``run`` then returns its report as usual)."""
        self._leaving = True
        if self._script is not None:
            self._script.cancel()

    async def _follow_script_until_left(self) -> None:
        if self._leaving:
            return
        script = self._script = asyncio.create_task(self._follow_script(), name="citizen script")
        try:
            await script
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not self._told_to_leave() or (current is not None and current.cancelling()):
                raise  # cancelled from outside, not by ``leave``
            await self._say_goodbye()
        finally:
            self._script = None

    def _told_to_leave(self) -> bool:
        return self._leaving  # a call, not the attribute: it changes while awaiting

    async def _say_goodbye(self) -> None:
        """What a citizen leaving on purpose says: 挂断 in a call, 取消排队 while waiting.
        The link's close follows, after it on the same connection."""
        report = self.report
        try:
            if self._call.call_id:
                await self._call.hang_up()
            elif report.work_order_id and not report.got_call and not report.left_queue:
                await self._send(protocol.LeaveQueue())
                self._mark("leave_queue_sent")
                report.left_queue = True
                report.ended_by = "left_queue"
        except (ContactFinished, ConnectionClosed) as exc:
            self._error(f"could not say goodbye: {exc}")

    async def _follow_script(self) -> None:
        script = self.script
        report = self.report
        if self.kiosk is not None:
            await self._send(self.kiosk.hello(self.citizen.name))
        else:
            await self._send(protocol.Hello(role="citizen", name=self.citizen.name))
        welcome = await self._expect(protocol.Welcome, script.reply_timeout_s, "welcome")
        self._link.resume_token = welcome.resume_token
        report.session_id = welcome.session_id
        report.ice_policy = welcome.ice_policy
        self._peer.ice = IceConfig(welcome.ice_servers, welcome.ice_policy)
        self._mark("welcomed")

        await self._send(
            protocol.JoinQueue(
                item_code=self.item_code,
                channel=self.channel,
                citizen=self.citizen,
                priority=self.priority,
                media=self.media,
            )
        )
        await self._expect(protocol.Queued, script.reply_timeout_s, "queued")

        started = await self._wait_for_call()
        if started is None:
            await self._leave_queue()
            return
        await self._call.follow(started)
        await self._call.after()

    async def _wait_for_call(self) -> protocol.CallStarted | None:
        """The call, or None when the scripted wait ran out first."""
        leave_after = self.script.leave_queue_after_s
        deadline = None if leave_after is None else time.monotonic() + leave_after
        while True:
            message = await self._link.next_milestone(deadline)
            if message is None:
                return None
            if isinstance(message, protocol.CallStarted):
                return message
            if isinstance(message, protocol.Error):
                raise ContactFinished("error", "the hub refused while queued")
            # work_order_closed before any call: the hub gave up on us.
            if isinstance(message, protocol.WorkOrderClosed):
                raise ContactFinished("hub", f"work order closed while queued: {message.outcome}")

    async def _leave_queue(self) -> None:
        report = self.report
        await self._send(protocol.LeaveQueue())
        self._mark("leave_queue_sent")
        report.left_queue = True
        report.ended_by = "left_queue"
        deadline = time.monotonic() + self.script.reply_timeout_s
        while True:
            message = await self._link.next_milestone(deadline)
            if message is None:
                self._error("no answer to leave_queue")
                return
            if isinstance(message, protocol.Ack | protocol.WorkOrderClosed):
                self._mark("left_queue")
                return
            if isinstance(message, protocol.Error):
                return  # recorded by the reader
            if isinstance(message, protocol.CallStarted):
                # An agent took us just as we left: hang up at once.
                self._error("call started after leave_queue; hanging up")
                await self._send(protocol.Hangup(call_id=message.call_id))

    # --- a dropped link ----------------------------------------------------------

    def drop_link(self) -> None:
        """Cut the connection without a goodbye and keep the network down until
        ``restore_link`` (fault drills and tests)."""
        self._link.drop()

    def restore_link(self) -> None:
        """The network is back: a citizen with ``script.reconnect`` reconnects now."""
        self._link.restore()

    @property
    def resume_token(self) -> str:
        """The welcome's resume token ("" before the welcome)."""
        return self._link.resume_token

    @property
    def network_back_at(self) -> float:
        """When the network last came back (``time.monotonic``), for measuring resumes."""
        return self._link.network_back_at

    # --- waiting on the wire -------------------------------------------------

    def voice_onsets(self) -> list[float]:
        """When each of its voice's bursts was captured (script voice "bursts")."""
        voice = self._peer.voice
        return list(voice.onsets) if isinstance(voice, BurstToneAudioTrack) else []

    async def _expect(self, kind: type[M], timeout_s: float, what: str) -> M:
        deadline = time.monotonic() + timeout_s
        while True:
            message = await self._link.next_milestone(deadline)
            if message is None:
                raise ContactFinished("error", f"no {what} from the hub within {timeout_s:g} s")
            if isinstance(message, kind):
                return message
            if isinstance(message, protocol.Error):
                self.report.refused_code = message.code
                self.report.refused_message = message.message
                raise ContactFinished("error", f"the hub refused before {what}")

    async def _on_message(self, message: protocol.Message) -> None:
        """Each message from the hub, at once: facts to the report, what the call's parts
        handle (media, chat, materials) to the call, the rest to the script as milestones."""
        if isinstance(message, protocol.Welcome) and self._link.resume_token:
            self.report.resumes += 1  # a resumed link: the script does not wait for this one
            self._peer.ice = IceConfig(message.ice_servers, message.ice_policy)
            self._mark("resumed")
            return
        if note_wire_fact(self.report, message, self._mark, self._error):
            return
        if not await self._call.on_message(message):
            self._link.put_milestone(message)

    # --- plumbing --------------------------------------------------------------

    def _on_task_failed(self, failure: TaskFailure) -> None:
        self._error(f"task {failure.name} failed: {failure.error!r}")

    def _mark(self, event: str) -> None:
        self.report.timestamps.setdefault(event, time.time())

    def _error(self, text: str) -> None:
        errors = self.report.errors
        if len(errors) < _MAX_ERRORS:
            errors.append(text)
        log.info("citizen %s: %s", pii.mask_name(self.citizen.name), pii.mask_text(text))
