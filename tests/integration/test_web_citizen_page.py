"""The citizen page as an older citizen meets it, in Chromium at a phone's 390×844 and a
laptop's 1366×768: no item chosen for them, a bad link explained, items found by pinyin
initials, Chinese messages for wrong fields, an honest queue when nobody is on duty, the
call's controls on one screen, toggles that say their state, a hang-up that asks first, and
a refused camera and microphone explained while the call goes on.

Screenshots are saved under ``out/page/`` to be looked at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright
from websockets.asyncio.client import connect

from sandbox.hub_process import HubProcess, SeatSpec
from seat_client.materials.values import MaterialVerdict, PreReviewVerdict
from seat_common import protocol
from tests.integration.conftest import CHROMIUM, CHROMIUM_ARGS, Seat, until

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium: run scripts/setup")

OUT = Path(__file__).resolve().parents[2] / "out" / "page"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
#: Chromium with no camera or microphone permission: getUserMedia is refused. Without that
#: permission Chromium names its host candidates by mDNS (…local), which the workstation's
#: aioice resolves only sometimes on a loaded machine; the loopback test offers plain addresses.
REFUSING_ARGS = [a for a in CHROMIUM_ARGS if a != "--use-fake-ui-for-media-stream"] + [
    "--disable-features=WebRtcHideLocalIpsWithMdns"
]



async def stat(page: Page, name: str) -> object:
    return await page.evaluate(f"window.seatStats.{name}")


async def shot(page: Page, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(OUT / f"{name}.png"))


def base_of(hub: HubProcess) -> str:
    return hub.url.replace("ws://", "http://").removesuffix("/ws")


async def in_view(page: Page, selector: str) -> None:
    """The element is wholly inside the viewport, with no scrolling."""
    box = await page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None, selector
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= size["width"] + 0.5, (selector, box, size)
    assert box["y"] + box["height"] <= size["height"] + 0.5, (selector, box, size)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
async def test_nothing_is_chosen_for_the_citizen_and_nobody_on_duty_is_said_plainly(
    browser: Browser, viewport: dict[str, int]
) -> None:
    name = "phone" if viewport is PHONE else "laptop"
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))]) as hub:
        page = await browser.new_page(viewport=viewport)  # type: ignore[arg-type]
        await page.goto(f"{base_of(hub)}/")
        await page.get_by_text(re.compile(r"^共 \d+ 个事项$")).wait_for()
        item = page.get_by_label("办理事项", exact=True)
        assert await item.input_value() == "", "no item is chosen for the citizen"
        assert await page.locator("#item option:checked").inner_text() == "请选择办理事项"
        join = page.get_by_role("button", name="开始视频连线")
        assert await join.is_disabled()
        assert await page.get_by_text("请先在上面选择要办理的事项").is_visible()
        everything = await stat(page, "itemsShown")
        assert isinstance(everything, int) and everything > 20
        size = await page.evaluate("getComputedStyle(document.body).fontSize")
        assert size == "18px", "body text is not shrunk on a phone"
        radio = await page.get_by_label("老年人").bounding_box()
        assert radio is not None and radio["width"] >= 24 and radio["height"] >= 24
        await shot(page, f"choose-{name}")

        # "sy": the first letters of 失业 in pinyin find the unemployment items.
        await page.get_by_label("查找事项").fill("sy")
        found = [t.strip() for t in await page.locator("#item option").all_inner_texts()]
        assert "失业保险个人明细查询" in found and len(found) - 1 < everything
        catalog = await page.evaluate("fetch('items.json').then((r) => r.json())")
        wanted = {i["name"] for i in catalog if "sy" in i["initials"]}
        assert set(found) - {"请选择办理事项"} == wanted
        await page.get_by_label("查找事项").fill("zzzzq")
        await page.get_by_text("没有找到相符的事项").wait_for()
        await page.get_by_label("查找事项").fill("失业")
        await item.select_option("SI-UNEMP-QUERY")
        assert await join.is_enabled()

        # A wrong phone number is explained in Chinese beside the field, not a browser bubble.
        await page.get_by_label("手机号码（选填）").fill("1380013")
        await join.click()
        await page.get_by_text("请输入11位手机号码").wait_for()
        assert await page.get_by_label("手机号码（选填）").get_attribute("aria-invalid") == "true"
        assert await stat(page, "state") == "choose"
        assert await stat(page, "invalidFields") == ["phone"]
        await shot(page, f"phone-error-{name}")
        await page.get_by_label("手机号码（选填）").fill("13800138000")
        await join.click()

        # Nobody is logged in: no "connecting", no "you are next", no wait estimate.
        await page.get_by_text("目前没有工作人员在线").wait_for()
        assert await page.locator("#queue-title").inner_text() == "正在排队"
        assert await stat(page, "agentsOnDuty") == 0
        queue_text = await page.locator("#queue").inner_text()
        assert "预计等待" not in queue_text and "下一位就是您" not in queue_text
        assert "正在为您接通" not in queue_text
        await shot(page, f"queue-nobody-{name}")

        # An agent with the item's skill logs in: now the page may say it is connecting.
        async with connect(hub.url) as agent:
            hello = protocol.Hello(role="agent", token=hub.tokens["0012"])
            await agent.send(protocol.encode(hello))
            await page.get_by_text("正在为您接通").wait_for()
            await page.get_by_text("预计等待约").wait_for()
            assert not await page.get_by_text("目前没有工作人员在线").is_visible()
            await shot(page, f"queue-on-duty-{name}")
        await page.get_by_text("目前没有工作人员在线").wait_for()  # and logs out again
        await page.close()


async def test_a_bad_item_link_shows_the_whole_list_with_a_notice(browser: Browser) -> None:
    async with HubProcess([SeatSpec("0012", "张三", skills=("social_insurance",))]) as hub:
        page = await browser.new_page(viewport=PHONE)  # type: ignore[arg-type]
        await page.goto(f"{base_of(hub)}/?item=NO-SUCH-ITEM")
        await page.get_by_text("链接中的事项暂不能在网上视频办理").wait_for()
        assert await stat(page, "badItemLink") is True
        shown = await stat(page, "itemsShown")
        assert isinstance(shown, int) and shown > 20, "the whole list, not an empty one"
        assert await page.get_by_label("办理事项", exact=True).input_value() == ""
        assert await page.get_by_role("button", name="开始视频连线").is_disabled()
        await shot(page, "bad-item-link-phone")
        # A good link still chooses its item.
        await page.goto(f"{base_of(hub)}/?item=SI-UNEMP-QUERY")
        await page.get_by_text(re.compile(r"^共 \d+ 个事项$")).wait_for()
        assert await page.get_by_label("办理事项", exact=True).input_value() == "SI-UNEMP-QUERY"
        assert not await page.locator("#item-notice").is_visible()
        assert await page.get_by_role("button", name="开始视频连线").is_enabled()
        await page.close()


async def answer(seat: Seat, page: Page, item: str = "SI-UNEMP-QUERY") -> None:
    window = seat.window
    await page.goto(f"{base_of(seat.hub)}/?item={item}")
    await page.get_by_role("button", name="开始视频连线").click()
    await page.locator("#queue").wait_for()
    window.status_strip.state_chosen.emit("ready", "")
    await until(lambda: window.offer_banner.isVisible(), "the web citizen's offer rings")
    window.offer_banner.accept_button.click()
    await until(lambda: seat.workstation.call is not None, "call")
    await page.locator("#call").wait_for()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
async def test_the_call_fits_one_screen_and_its_buttons_say_what_they_do(
    seat: Seat, browser: Browser, viewport: dict[str, int]
) -> None:
    name = "phone" if viewport is PHONE else "laptop"
    page = await browser.new_page(viewport=viewport)  # type: ignore[arg-type]
    await answer(seat, page, "BR-INDIVIDUAL-SETUP")
    view = seat.window.video_pane.view
    for _ in range(1200):
        if int(await stat(page, "remoteFrames")) >= 5:  # type: ignore[call-overload]
            break
        await page.wait_for_timeout(50)
    assert await page.evaluate("window.scrollY") == 0
    for selector in ("#remote", "#mute", "#camera", "#hangup", "#chat-input", "#chat-form button"):
        await in_view(page, selector)

    # The verdict arrives: a line within the call screen says so, announced.
    material_verdicts = (MaterialVerdict("id_card", "to_correct", "glare", "请避开灯光重拍"),
                         MaterialVerdict("premises_proof", "missing"))
    call = seat.workstation.call
    assert call is not None
    await seat.pre_review.desk.send_verdict(PreReviewVerdict(
        work_order_id=call.work_order_id, item_code="BR-INDIVIDUAL-SETUP",
        verdicts=material_verdicts, decided_at=1.0, agent_id="0012"), {})
    latest = page.locator("#latest-verdict")
    await latest.wait_for()
    assert "2 项材料需要补正或补交" in await latest.inner_text()
    await in_view(page, "#latest-verdict a")
    assert await latest.get_attribute("aria-live") == "polite"
    await in_view(page, "#latest-verdict")
    seat.window.chat_pane.input.setText("请您先上传身份证")
    seat.window.chat_pane.send_button.click()
    await page.get_by_text("请您先上传身份证").wait_for()
    assert await page.locator("#messages").get_attribute("aria-live") == "polite"
    await in_view(page, "#messages li")
    await in_view(page, "#hangup")

    # Toggles say their state.
    await page.get_by_role("button", name="静音", exact=True).click()
    mute = page.locator("#mute")
    assert await mute.get_attribute("aria-pressed") == "true"
    assert "已静音" in await mute.inner_text() and "取消静音" in await mute.inner_text()
    await until(lambda: view.peer_microphone_tag == "市民已静音", "the agent sees the mute")
    await page.get_by_role("button", name="关闭摄像头", exact=True).click()
    assert "摄像头已关" in await page.locator("#camera").inner_text()
    await until(lambda: view.peer_notice == "市民已关闭摄像头", "the agent sees the camera off")
    await shot(page, f"call-{name}")
    await mute.click()
    assert await mute.get_attribute("aria-pressed") == "false"
    assert await mute.inner_text() == "静音"

    # Hanging up asks first; "继续通话" keeps the call.
    await page.locator("#hangup").click()
    await page.get_by_text("确定要挂断，结束本次视频办理吗？").wait_for()
    await in_view(page, "#hangup-yes")
    await shot(page, f"call-hangup-confirm-{name}")
    await page.get_by_role("button", name="继续通话").click()
    await page.wait_for_timeout(300)
    assert seat.workstation.call is not None and await stat(page, "state") == "call"
    await page.locator("#hangup").click()
    await page.get_by_role("button", name="确定挂断").click()
    await page.get_by_text("请为本次服务评分").wait_for()
    await until(lambda: seat.workstation.call is None, "the agent's call ends too")
    await page.close()


async def test_a_refused_camera_and_microphone_are_explained_and_the_call_goes_on(
    seat: Seat, tmp_path: Path
) -> None:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=REFUSING_ARGS, headless=True
        )
        context = await chromium.new_context(viewport=PHONE)  # type: ignore[arg-type]
        page = await context.new_page()
        await answer(seat, page)
        help_box = page.locator("#media-help")
        await help_box.wait_for()
        text = await help_box.inner_text()
        assert "工作人员看不到您，也听不到您的声音" in text
        assert "设为“允许”" in text and "文字交流" in text
        assert await stat(page, "mediaRefused") is True
        view = seat.window.video_pane.view
        await until(lambda: view.peer_notice == "市民的摄像头不可用",
                    "the agent is told: no camera")
        await until(lambda: view.peer_microphone_tag == "市民的麦克风不可用",
                    "the agent is told: no microphone")
        # The call goes on: the agent's picture plays on the page and the chat works.
        for _ in range(1200):  # a minute: the shared test machine may be slow to connect
            if int(await stat(page, "remoteFrames")) >= 5:  # type: ignore[call-overload]
                break
            await page.wait_for_timeout(50)
        assert int(await stat(page, "remoteFrames")) >= 5  # type: ignore[call-overload]
        assert not any(".local " in c for c in await stat(page, "candidatesSent"))  # type: ignore[attr-defined]
        for selector in ("#media-retry", "#remote", "#hangup", "#chat-input"):
            await in_view(page, selector)
        assert await page.locator("#mute").is_disabled(), "no microphone to mute"
        await page.get_by_placeholder("输入消息，按回车发送").fill("我的摄像头打不开")
        await page.keyboard.press("Enter")
        await until(lambda: "我的摄像头打不开" in seat.window.chat_pane.transcript.toPlainText(),
                    "the typed message reaches the agent")
        await shot(page, "call-media-refused-phone")
        seat.window.grab().save(str(OUT / "agent-citizen-media-refused.png"))

        # The citizen allows access and tries again: the agent sees their picture.
        await context.grant_permissions(["camera", "microphone"])
        await page.get_by_role("button", name="重新开启摄像头和麦克风").click()
        await help_box.wait_for(state="hidden")
        assert await page.locator("#mute").is_enabled()
        await until(lambda: view.peer_notice == "" and view.peer_microphone_tag == "",
                    "the agent sees the camera and microphone on")
        await until(lambda: view.painted_count >= 1, "the citizen's picture reaches the agent")
        seat.window.video_pane.hang_up_button.click()
        await page.get_by_text("请为本次服务评分").wait_for()
        await context.close()
        await chromium.close()
