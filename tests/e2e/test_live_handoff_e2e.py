"""Staff in the conversation, over the real stack: a widget user who asks for a person gets an answer typed by
staff in the console (two Chromium pages: the user's widget and the staff member's console), the bot stays
silent while staff hold the conversation and carries on with the interview after the hand-back, and a WeChat
user gets staff replies as 客服消息 through the fake WeChat API within the window and the count (fake clock).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from chanyan.clock import utcnow
from chanyan.console import init_app
from chanyan.console.keys import CLOCK_KEY
from chanyan.console.settings import ConsoleSettings
from chanyan.conversations.outbound import OutboundService
from chanyan.conversations.rasa import RasaClient
from chanyan.staff.accounts import create_user, make_hasher
from chanyan.store.session import make_engine, make_sessionmaker
from connectors.webchat.routes import register_widget_routes
from tests.e2e.test_wechat_e2e import WeChatUser
from tests.fakes.conversations import FakeClock
from tests.widget.support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    LoopThread,
    WidgetSite,
    build_widget,
    free_port,
    require_chromium,
)

pytestmark = pytest.mark.e2e

FAST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
STAFF, STAFF_NAME, PASSWORD = "li", "李对接", "correct horse battery"
NEED = "我们是苏州精工机械有限公司，想用机器视觉检测零件表面划痕，预算50万左右，明年6月前完成"
REPLY_S = 60
WIDGET_PHONE = "13912340017"


def new_sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def texts(messages: list[dict]) -> list[str]:
    return [m.get("text") or "" for m in messages]


@pytest.fixture(scope="module")
def engine(rasa_stack):
    engine = make_engine(rasa_stack.database_url)
    with make_sessionmaker(engine)() as session, session.begin():
        create_user(session, make_hasher(FAST_ARGON2), STAFF, PASSWORD, display_name=STAFF_NAME)
    yield engine
    engine.dispose()


def service_for(rasa_stack, engine, clock=None) -> OutboundService:
    client = RasaClient(rasa_stack.rasa_url, rasa_stack.env["RASA_TOKEN"])
    return OutboundService(make_sessionmaker(engine), engine, client, **({"now": clock} if clock else {}))


# --- REST: the bot is silent while held and carries on after the hand-back ---------------------------------


def test_the_bot_is_silent_while_staff_hold_the_conversation_and_resumes_after(rasa_stack, engine):
    service = service_for(rasa_stack, engine)
    user = new_sender("rest-held")
    asked = texts(rasa_stack.rest(user, NEED))
    assert asked, "the interview did not start"
    requested = rasa_stack.tracker(user)["slots"]["requested_slot"]
    held = service.hold(user, STAFF_NAME)
    assert held.held_by == STAFF_NAME
    assert rasa_stack.rest(user, "你好，请问专员在吗？") == []  # no answer, and no retry notice either
    assert rasa_stack.tracker(user)["paused"] is True
    # REST cannot be pushed to: the service says so and sends nothing.
    refused = service.send(user, "您好，我是李对接", author=STAFF_NAME)
    assert (refused.status, refused.reason) == ("refused", "rest_cannot_push")
    service.release(user, STAFF_NAME)
    tracker = rasa_stack.tracker(user)
    assert tracker["paused"] is False and tracker["slots"]["requested_slot"] == requested
    # The hand-back action asked the pending question again (kept in the transcript for REST).
    handback = [e["text"] for e in tracker["events"] if e["event"] == "bot"][-3:]
    assert any("需求助手继续为您服务" in t for t in handback)
    assert rasa_stack.rest(user, "跳过") != []  # the interview goes on
    assert rasa_stack.tracker(user)["active_loop"].get("name") == "intake_form"


# --- WeChat: 客服消息 within the window and the count ------------------------------------------------------


def test_staff_replies_reach_a_wechat_user_within_the_window_and_the_count(rasa_stack, engine):
    clock = FakeClock()
    service = service_for(rasa_stack, engine, clock)
    user = WeChatUser(rasa_stack)
    status, _ = user.post(user.server.text(user.openid, "转人工，请专员联系我，电话13912345678"))
    assert status == 200
    deadline = time.monotonic() + REPLY_S
    while service.state(user.openid).channel != "wechat" and time.monotonic() < deadline:
        time.sleep(0.3)
    clock.now = utcnow()  # the fake clock starts once the user has written
    window = service.window(user.openid)
    assert window.allowed and window.messages_left == 5
    seen = len(user.api.texts(user.openid))
    outcomes = [service.send(user.openid, f"您好，第{i}条专员回复", author=STAFF_NAME) for i in range(1, 7)]
    assert [o.status for o in outcomes] == ["sent"] * 5 + ["refused"]
    assert outcomes[-1].reason == "wechat_quota_used"
    pushed = user.api.texts(user.openid)[seen:]
    assert pushed == [f"【对接专员 {STAFF_NAME}】您好，第{i}条专员回复" for i in range(1, 6)]
    # The replies are in the transcript, with the staff member's name.
    bots = [e for e in rasa_stack.tracker(user.openid)["events"] if e["event"] == "bot"]
    assert [b["metadata"].get("staff") for b in bots[-5:]] == [STAFF_NAME] * 5
    # WeChat itself refusing (the user unsubscribed) is recorded as a failure.
    user.post(user.server.text(user.openid, "好的"))
    deadline = time.monotonic() + REPLY_S
    while service.window(user.openid).messages_left != 5 and time.monotonic() < deadline:
        time.sleep(0.3)
    user.api.fail_next(43004)
    failed = service.send(user.openid, "还在吗？", author=STAFF_NAME)
    assert (failed.status, failed.reason) == ("failed", "wechat_not_subscribed")
    # 48 hours after the user's last message the window is closed.
    clock.advance(hours=49)
    late = service.send(user.openid, "两天后的回复", author=STAFF_NAME)
    assert (late.status, late.reason) == ("refused", "wechat_window_closed")
    statuses = [a["status"] for a in service.attempts(user.openid)]
    assert statuses == ["refused", "failed", "refused"] + ["sent"] * 5


# --- the widget user and the console, in Chromium --------------------------------------------------------


@pytest.fixture(scope="module")
def console(rasa_stack, engine) -> Iterator[tuple[str, LoopThread, FakeClock]]:
    """The staff console on a free port, talking to the stack's Rasa."""
    from aiohttp import web

    loop = LoopThread()
    clock = FakeClock()
    settings = ConsoleSettings(
        database_url=rasa_stack.database_url,
        secret="e2e-console-secret",
        argon2=FAST_ARGON2,
        rasa_url=rasa_stack.rasa_url,
        rasa_token=rasa_stack.env["RASA_TOKEN"],
        live_poll_seconds=1.0,
    )
    port = free_port()
    holder: dict = {}

    async def start() -> None:
        app = init_app(settings, [register_widget_routes])
        app[CLOCK_KEY] = clock
        runner = web.AppRunner(app, shutdown_timeout=1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        holder["runner"] = runner

    loop.run(start())
    try:
        yield f"http://127.0.0.1:{port}", loop, clock
    finally:
        loop.run(holder["runner"].cleanup())
        loop.close()


@pytest.fixture(scope="module")
def browser(rasa_stack):
    require_chromium()
    build_widget()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def bot_texts(page) -> list[str]:
    return page.locator(".msg.bot .bubble").all_inner_texts()


def wait_bot(page, before: int, timeout_s: float = REPLY_S) -> list[str]:
    page.locator(".msg.bot").nth(before).wait_for(timeout=timeout_s * 1000)
    page.wait_for_timeout(1500)  # a turn may be several messages
    return bot_texts(page)[before:]


def say(page, text: str) -> list[str]:
    before = page.locator(".msg.bot").count()
    box = page.get_by_role("textbox", name="输入消息")
    box.fill(text)
    box.press("Enter")
    return wait_bot(page, before)


def test_a_widget_user_who_asks_for_a_person_gets_an_answer_typed_in_the_console(
    rasa_stack, console, browser
):
    console_url, loop, _clock = console
    site = WidgetSite(loop).start()
    user_context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    staff_context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        user = user_context.new_page()
        user.set_default_timeout(30_000)
        user.goto(site.host_page(rasa_stack.rasa_url))
        user.get_by_role("button", name="打开在线咨询：产研通需求助手").click()
        user.locator(".msg.bot").first.wait_for(timeout=REPLY_S * 1000)
        say(user, NEED)
        asked_phone = say(user, "转人工")
        assert any("手机" in t for t in asked_phone)
        told = say(user, WIDGET_PHONE)
        assert any("对接专员" in t for t in told)

        staff = staff_context.new_page()
        staff.set_default_timeout(30_000)
        staff.goto(f"{console_url}/login")
        staff.get_by_label("用户名").fill(STAFF)
        staff.get_by_label("密码").fill(PASSWORD)
        staff.get_by_role("button", name="登录").click()
        staff.goto(f"{console_url}/handoffs")
        staff.locator("tr", has_text=WIDGET_PHONE).get_by_role("link", name="查看对话").click()
        staff.get_by_text("助手在回复").wait_for()
        staff.get_by_label("回复用户").fill("您好，我是对接专员李对接，请问检测节拍大概多少？")
        staff.get_by_role("button", name="发送").click()
        staff.get_by_text("已送达").first.wait_for()
        assert staff.get_by_text(f"由 {STAFF_NAME} 接手中").count() >= 1

        # The user sees it live, with the staff member's name.
        user.locator(".msg.bot.staff").first.wait_for(timeout=REPLY_S * 1000)
        assert "请问检测节拍大概多少" in user.locator(".msg.bot.staff .bubble").last.inner_text()
        assert f"对接专员 {STAFF_NAME}" in user.locator(".msg.bot.staff .meta").last.inner_text()

        # The user answers staff: the bot stays silent, staff see it without reloading.
        before = user.locator(".msg.bot").count()
        box = user.get_by_role("textbox", name="输入消息")
        box.fill("大概每分钟60件")
        box.press("Enter")
        staff.locator("#live-transcript").get_by_text("大概每分钟60件").wait_for(timeout=20_000)
        user.wait_for_timeout(3000)
        assert user.locator(".msg.bot").count() == before, (
            "the bot answered while staff held the conversation"
        )
        staff.screenshot(path=str(ARTIFACTS / "e2e-live-console.png"))

        # Reload: the staff reply is part of the transcript the widget gets back.
        user.reload()
        user.locator(".msg.bot.staff").first.wait_for(timeout=REPLY_S * 1000)

        # Hand back: the bot says so and asks its pending question again.
        staff.get_by_role("button", name="交还给助手").click()
        staff.get_by_text("已把对话交还给助手").first.wait_for()
        handed = wait_bot(user, before)
        assert any("需求助手继续为您服务" in t for t in handed)
        assert any("接着刚才的问题" in t for t in handed)
        user.screenshot(path=str(ARTIFACTS / "e2e-live-widget.png"))
        after = say(user, "跳过")
        assert after, "the bot did not carry on after the hand-back"
    finally:
        user_context.close()
        staff_context.close()
        site.stop()
