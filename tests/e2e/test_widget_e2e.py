"""A whole intake through the web chat widget in headless Chromium against the real Rasa + action server.

The user clicks the bot's quick replies where it offers them, types otherwise, reloads the page in the
middle and carries on; the filed request must be in the database with channel 'socketio'.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import socketio

from chanyan.logmask import mask_text
from tests.e2e.driver import DEFAULT_ANSWERS, REF
from tests.e2e.stack import filed_requests
from tests.e2e.test_privacy_e2e import assert_notice_comes_first
from tests.widget.support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    LoopThread,
    SlowDownlinkProxy,
    WidgetSite,
    build_widget,
    require_chromium,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

FIRST_MESSAGE = "我们是苏州精工机械有限公司，想用机器视觉检测零件表面划痕，预算50万左右，明年6月前完成"
FIRST_BUTTON = object()
# Question key word → the quick reply to click when the bot offers it (otherwise the typed answer is used).
BUTTONS: dict[str, object] = {
    "核对您的需求单": "确认提交",
    "关键技术指标": "跳过",
    "技术领域": FIRST_BUTTON,
    "合作方式": "委托开发",
    "知识产权": "跳过",
    "合作方有偏好": "不限",
    "邮箱": "跳过",
}
ANSWERS = {**DEFAULT_ANSWERS, "怎么称呼": "王经理", "手机号码": "13912345678"}
REPLY_TIMEOUT_S = 90
QUIET_S = 1.5
MAX_TURNS = 25


async def _socketio_replies(url: str, timeout: float) -> bool:
    """Whether the socketio channel confirms a session and answers in it at all."""
    client = socketio.AsyncClient(reconnection=False)
    confirmed, replied = asyncio.Event(), asyncio.Event()
    client.on("session_confirm", lambda *_: confirmed.set())
    client.on("bot_uttered", lambda *_: replied.set())
    # Polling: python-engineio 4.15's websocket client needs a newer aiohttp than Rasa pins.
    await client.connect(url, transports=["polling"])
    try:
        await client.emit("session_request", {})
        await asyncio.wait_for(confirmed.wait(), timeout)
        await client.call("user_uttered", {"message": "/greet", "message_id": f"probe-{time.time_ns()}"})
        await asyncio.wait_for(replied.wait(), timeout)
        return True
    except asyncio.TimeoutError:
        return False
    finally:
        await client.disconnect()


@pytest.fixture(scope="module")
def widget_env(rasa_stack) -> Iterator[tuple[object, WidgetSite, object]]:
    require_chromium()
    build_widget()
    loop = LoopThread()
    if not loop.run(_socketio_replies(rasa_stack.rasa_url, 30), timeout=90):
        loop.close()
        pytest.fail(
            "the socketio channel confirms no session or sends no reply: credentials.yml must use "
            "`connectors.webchat.channel.SocketIOInput:` instead of `socketio:` (the widget's protocol)"
        )
    site = WidgetSite(loop).start()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield rasa_stack, site, browser
        finally:
            browser.close()
            site.stop()
            loop.close()


def session_of(page: Page) -> str:
    return json.loads(page.evaluate("localStorage.getItem('chanyan.webchat.state')"))["session_id"]


def bot_count(page: Page) -> int:
    return page.locator(".msg.bot").count()


def wait_for_reply(page: Page, before: int) -> list[str]:
    """The bot's messages after `before`, once it has been quiet for a moment (a turn may be several)."""
    page.locator(".msg.bot").nth(before).wait_for(timeout=REPLY_TIMEOUT_S * 1000)
    count, since = bot_count(page), time.monotonic()
    while time.monotonic() - since < QUIET_S:
        page.wait_for_timeout(250)
        if bot_count(page) != count:
            count, since = bot_count(page), time.monotonic()
    return page.locator(".msg.bot .bubble").all_inner_texts()[before:]


def question_key(texts: list[str]) -> str | None:
    for message in reversed(texts):
        for key in ANSWERS:
            if key in message:
                return key
    return None


def answer(page: Page, key: str) -> str:
    """Click the preferred quick reply when offered, otherwise type the answer; returns what was done."""
    replies = page.locator(".reply")
    titles = replies.all_inner_texts()
    wanted = BUTTONS.get(key)
    if titles and wanted is FIRST_BUTTON:
        replies.first.click()
        assert page.locator(".reply").count() == 0
        return f"[{titles[0]}]"
    if isinstance(wanted, str) and wanted in titles:
        replies.filter(has_text=wanted).first.click()
        assert page.locator(".reply").count() == 0
        return f"[{wanted}]"
    box = page.get_by_role("textbox", name="输入消息")
    box.fill(ANSWERS[key])
    box.press("Enter")
    return ANSWERS[key]


def filed_rows(database_url: str, conversation_id: str) -> list[dict]:
    return filed_requests(database_url, conversation_id)


def test_widget_files_a_request_and_survives_a_reload(widget_env, monkeypatch: pytest.MonkeyPatch) -> None:
    stack, site, browser = widget_env
    monkeypatch.setenv("CHAT_SOCKET_URL", stack.rasa_url)  # read by /chat on each request
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{site.url}/chat")
        page.get_by_role("button", name="打开在线咨询：产研通需求助手").click()
        greeting = wait_for_reply(page, 0)
        assert any("产研通" in t for t in greeting), greeting

        transcript: list[tuple[str, list[str]]] = []
        box = page.get_by_role("textbox", name="输入消息")
        before = bot_count(page)
        box.fill(FIRST_MESSAGE)
        box.press("Enter")
        reloaded, ref = False, None
        for _ in range(MAX_TURNS):
            texts = wait_for_reply(page, before)
            transcript.append(("", texts))
            found = next((m.group(0) for t in texts for m in [REF.search(t)] if m), None)
            if found:
                ref = found
                break
            key = question_key(texts)
            assert key, f"unexpected bot reply: {texts}\n{transcript}"
            if not reloaded and len(transcript) >= 3 and page.locator(".reply").count():
                # Reload mid-conversation: the transcript (from the server, personal data masked) and the
                # open question's buttons must come back.
                history = [mask_text(t) for t in page.locator(".msg .bubble").all_inner_texts()]
                page.reload()
                page.locator(".msg.bot").last.wait_for()
                assert page.locator(".msg .bubble").all_inner_texts() == history
                assert page.locator(".reply").count() > 0
                reloaded = True
            before = bot_count(page)
            transcript[-1] = (answer(page, key), texts)
        assert ref, f"no request filed: {transcript}"
        assert_notice_comes_first([t for _, texts in transcript for t in texts])
        assert reloaded, "the conversation never offered quick replies to reload at"
        page.screenshot(path=str(ARTIFACTS / "e2e-desktop-filed.png"))
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(200)
        page.screenshot(path=str(ARTIFACTS / "e2e-phone-filed.png"))

        session_id = session_of(page)
        [row] = filed_rows(stack.database_url, session_id)
        assert row["ref"] == ref
        assert row["channel"] == "socketio"
        assert row["enterprise_name"] == "苏州精工机械有限公司"
        assert row["contact_name"] == "王经理"
        assert row["contact_phone"] == "13912345678"
        coop_mode = json.loads(row["coop_mode"]) if isinstance(row["coop_mode"], str) else row["coop_mode"]
        assert coop_mode == ["技术开发(委托开发)"]
        # One greeting only: the reload did not start the conversation again.
        events = stack.tracker(session_id)["events"]
        assert [e.get("text") for e in events if e.get("event") == "user"].count("/greet") == 1
    finally:
        context.close()


def open_chat(browser, site: WidgetSite, server: str) -> tuple[object, Page]:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(site.host_page(server))
    page.get_by_role("button", name="打开在线咨询：产研通需求助手").click()
    wait_for_reply(page, 0)
    return context, page


def user_count(stack, session_id: str, text: str) -> int:
    events = stack.tracker(session_id)["events"]
    return [e.get("text") for e in events if e.get("event") == "user"].count(text)


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("fault", ["reload", "drop"])
def test_a_reply_in_flight_survives_a_reload_or_a_dropped_socket(widget_env, fault: str) -> None:
    """The bot has answered, but its reply (and the acknowledgement) are still on the wire when the page reloads
    or the connection is cut: after reconnecting the reply is shown once and the message was handled once."""
    stack, site, browser = widget_env
    proxy = SlowDownlinkProxy("127.0.0.1", stack.rasa_port, delay=1.5).start()
    context, page = open_chat(browser, site, f"http://127.0.0.1:{proxy.port}")
    try:
        session_id = session_of(page)
        before = bot_count(page)
        box = page.get_by_role("textbox", name="输入消息")
        box.fill(FIRST_MESSAGE)
        box.press("Enter")
        # The turn is over on the server (stored in the tracker) while the browser has seen nothing of it.
        wait_for(lambda: user_count(stack, session_id, FIRST_MESSAGE) == 1)
        assert bot_count(page) == before
        started = time.monotonic()
        if fault == "reload":
            page.reload()
        else:
            proxy.cut()
            page.locator(".notice").wait_for()
            proxy.restore()
        texts = wait_for_reply(page, before)
        print(f"{fault}: reply shown {time.monotonic() - started - QUIET_S:.2f} s after the fault")
        assert texts and question_key(texts), texts
        assert page.locator(".msg.user .bubble").all_inner_texts() == [FIRST_MESSAGE]
        assert len(set(page.locator(".msg.bot .bubble").all_inner_texts())) == bot_count(page)  # no duplicate
        assert page.locator(".msg.user.pending").count() == 0
        # Handled once, though it may have been sent again after the reconnect.
        assert user_count(stack, session_id, FIRST_MESSAGE) == 1
    finally:
        context.close()
        proxy.stop()


async def _intrude(url: str, victim: str) -> dict:
    """A second client that asks for the victim's session id and then speaks in its name."""
    client = socketio.AsyncClient(reconnection=False)
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    received: list[dict] = []
    client.on("session_confirm", lambda data: confirmed.done() or confirmed.set_result(data))
    client.on("bot_uttered", received.append)
    await client.connect(url, transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": victim, "secret": "0" * 64})
        confirm = await asyncio.wait_for(confirmed, 30)
        ack = await client.call(
            "user_uttered",
            {"message": "联系人换成李经理", "message_id": f"intruder-{time.time_ns()}", "session_id": victim},
            timeout=60,
        )
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.1)
        return {"confirm": confirm, "ack": ack, "received": received}
    finally:
        await client.disconnect()


def test_a_second_client_cannot_join_another_users_session(widget_env) -> None:
    stack, site, browser = widget_env
    context, page = open_chat(browser, site, stack.rasa_url)
    loop = LoopThread()
    try:
        victim = session_of(page)
        box = page.get_by_role("textbox", name="输入消息")
        box.fill(FIRST_MESSAGE)
        box.press("Enter")
        wait_for_reply(page, 1)
        shown = bot_count(page)
        result = loop.run(_intrude(stack.rasa_url, victim), timeout=120)
        assert result["confirm"]["session_id"] != victim and result["confirm"]["history"] == []
        assert result["ack"]["ok"] is True and result["received"]  # answered, in its own conversation
        page.wait_for_timeout(1500)
        assert bot_count(page) == shown  # the victim saw nothing of it
        assert user_count(stack, victim, "联系人换成李经理") == 0
        assert user_count(stack, result["confirm"]["session_id"], "联系人换成李经理") == 1
    finally:
        loop.close()
        context.close()


def test_new_conversation_asks_first_and_the_draft_can_be_resumed(widget_env) -> None:
    stack, site, browser = widget_env
    context, page = open_chat(browser, site, stack.rasa_url)
    try:
        box = page.get_by_role("textbox", name="输入消息")
        box.fill(FIRST_MESSAGE)
        box.press("Enter")
        asked = wait_for_reply(page, 1)
        assert question_key(asked), asked
        page.get_by_role("button", name="开始新对话").first.click()
        confirm = page.get_by_role("alertdialog", name="确认开始新对话")
        confirm.get_by_role("button", name="开始新对话").click()
        fresh = wait_for_reply(page, 0)
        assert any("未提交的需求已为您保留" in t for t in fresh), fresh
        assert page.locator(".msg.user").count() == 0
        session_id = session_of(page)
        slots = stack.tracker(session_id)["slots"]
        assert slots["need_description"] and slots["requested_slot"] is None  # set aside, not lost

        box.fill("继续刚才的需求")
        box.press("Enter")
        resumed = wait_for_reply(page, bot_count(page))
        assert any("接着来" in t for t in resumed), resumed
        # It picks up where it stopped: the need is not asked for again.
        assert not any("请简要描述您遇到的技术问题" in t for t in resumed), resumed
        assert question_key(resumed) == question_key(asked)
    finally:
        context.close()
