"""What the hub's messages tell a simulated citizen of its contact, kept in its report.

``note_wire_fact`` records, in wire order, the facts a message carries — the queue place
and its moves, the work order, transfers and holds, a supervisor joining or leaving, what
the agent says of their camera and microphone, the hub's errors (a refused resume among
them), the outcome — as the reader gets it, before the script looks: a ``queue_position``
may follow ``queued`` before the script reads either. It says whether the message is a
fact only (nothing waits on it) or a milestone the script may wait on too.
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.citizen.script import CitizenReport
from seat_common import protocol

#: Facts only: recorded, never passed on to the script.
_FACTS_ONLY = (protocol.QueuePosition, protocol.HoldState, protocol.MediaState,
               protocol.PartyUpdate)


def note_wire_fact(report: CitizenReport, message: protocol.Message,
                   mark: Callable[[str], None], error: Callable[[str], None]) -> bool:
    """Record what ``message`` says in ``report``; True when it is a fact only."""
    match message:
        case protocol.Queued():
            report.work_order_id = message.work_order_id
            report.item_name = message.item_name
            report.queued_position = message.position
            report.last_position = message.position
            report.expected_wait_s = message.expected_wait_s
            mark("queued")
        case protocol.QueuePosition():
            report.last_position = message.position
            report.expected_wait_s = message.expected_wait_s
            report.position_updates += 1
        case protocol.TransferUpdate():
            report.transfer_notices.append(f"{message.phase}: {message.message}")
            mark(f"transfer_{message.phase}")
        case protocol.HoldState():
            report.hold_notices.append(f"{'on' if message.on else 'off'}: {message.message}")
        case protocol.PartyUpdate():
            report.party_notices.append(f"{message.phase}: {message.message}")
        case protocol.MediaState():
            report.agent_media = message
            report.agent_media_updates += 1
        case protocol.Error():
            if message.code == "resume_refused":
                report.refused_code = message.code
                report.refused_message = message.message
            report.hub_errors += 1
            where = f" [{message.field}]" if message.field else ""
            of = f" (of {message.of})" if message.of else ""
            error(f"hub error {message.code}: {message.message}{where}{of}")
        case protocol.WorkOrderClosed():
            report.outcome = message.outcome
            mark("work_order_closed")
        case _:
            pass
    return isinstance(message, _FACTS_ONLY)
