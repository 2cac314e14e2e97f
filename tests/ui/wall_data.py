"""Seat-wall data as the hub would push it: 37 or 200 seats in every state, a queue and
today's figures, for the wall's widget and layout tests."""

from __future__ import annotations

import time

from seat_common.protocol import (
    AgentState,
    WallFigures,
    WallQueueLine,
    WallSeat,
    WallSnapshot,
)

STATES: tuple[AgentState, ...] = ("ready", "on_call", "wrap_up", "away", "ringing", "counter")
HALLS = ("东莞市民服务中心", "松山湖分中心", "虎门镇便民服务中心", "长安镇便民服务中心")


def seats(count: int, now: float) -> tuple[WallSeat, ...]:
    seats = []
    for i in range(count):
        state = STATES[i % len(STATES)] if i % 11 else "offline"
        busy = state in ("on_call", "wrap_up", "ringing")
        seats.append(
            WallSeat(
                agent_id=f"{i + 1:04d}",
                name=f"坐席{i + 1:03d}",
                hall=HALLS[i % len(HALLS)],
                themes=("social_security",) if i % 2 else ("housing",),
                state=state,
                mode="counter" if state == "counter" else "video",
                reason="break" if state == "away" else "",
                since=now - 37 - i,
                item_code="SI-UNEMP-QUERY" if busy else "",
                item_name="失业保险个人明细查询" if busy else "",
                channel="miniprogram" if busy else "",
                call_started_at=now - 95 - i if state in ("on_call",) else 0.0,
                wrap_up_limit_s=30.0 if state == "wrap_up" else 0.0,
            )
        )
    return tuple(seats)


def wall_snapshot(count: int) -> WallSnapshot:
    now = time.time()
    return WallSnapshot(
        seats=seats(count, now),
        queue=(
            WallQueueLine(
                "SI-UNEMP-QUERY", "失业保险个人明细查询", "social_security", 5, 1, now - 48, "WO-1"
            ),
            WallQueueLine(
                "HF-RENT-WITHDRAW", "租赁自住住房提取住房公积金", "housing", 2, 0, now - 12, "WO-2"
            ),
        ),
        figures=WallFigures(
            offered=120,
            answered=112,
            abandoned=8,
            average_speed_of_answer_s=14.2,
            service_level_20s=0.86,
            service_level_60s=0.97,
            average_handling_s=412,
            work_orders_closed=104,
            users_served=99,
            average_rating=9.96,
            ratings=80,
        ),
        sent_at=now,
    )
