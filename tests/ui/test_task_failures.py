"""A background task that fails is told to the agent in Chinese, whichever part it was in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PyQt6.QtCore import QCoreApplication
from PyQt6.QtWidgets import QApplication

from seat_client.call.hub_link import NotConnectedError
from seat_common.tasks import TaskFailure, TaskOwner
from ui import i18n
from ui.task_failures import FailureNotice


@pytest.fixture
def chinese() -> Iterator[None]:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    translators = i18n.install(app, "zh_CN")
    yield
    for t in translators:
        QCoreApplication.removeTranslator(t)
    i18n.install(app, "en")


async def test_a_failure_in_any_part_shows_once_in_chinese(chinese: None) -> None:
    root = TaskOwner("seat-client")
    review = root.child("pre-review")
    shown: list[str] = []
    notice = FailureNotice(root, shown.append)

    async def send_verdict() -> None:
        raise OSError("磁盘已满")

    await asyncio.gather(review.spawn(send_verdict(), "发送预审意见"), return_exceptions=True)
    await asyncio.sleep(0)  # the owner hears of it on the next turn
    assert shown == ["发送预审意见 失败：磁盘已满"]
    notice.detach()
    root.failed.emit(TaskFailure("接听", RuntimeError("x")))
    assert len(shown) == 1, "a detached notice shows nothing more"


def test_a_dropped_hub_link_says_so_and_to_try_again(chinese: None) -> None:
    root = TaskOwner()
    shown: list[str] = []
    FailureNotice(root, shown.append)
    root.failed.emit(TaskFailure("ready", NotConnectedError("not connected to the hub")))
    root.failed.emit(TaskFailure("wrap-up", ValueError()))
    assert shown == ["未连接到服务端，请稍后再试", "wrap-up 失败：ValueError"]
