"""The widget in headless Chromium against a fake Rasa that speaks the real socketio protocol (component level)."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import time
from typing import TYPE_CHECKING

import pytest

from tests.fakes.tcp_proxy import TCPProxy
from tests.widget.support import ARTIFACTS, CHOOSE_COOP, GZIP_BUDGET, PHONE, FakeRasa, WidgetSite

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

STATE_KEY = "chanyan.webchat.state"
PHONE_NUMBER = "13912345678"


def wait_until(page: Page, predicate, timeout: float = 10.0) -> None:
    """Poll a Python predicate while letting the page run."""
    for _ in range(int(timeout * 10)):
        if predicate():
            return
        page.wait_for_timeout(100)
    assert predicate()


def open_widget(page: Page, site: WidgetSite, server_url: str, query: dict[str, str] | None = None) -> None:
    page.goto(site.host_page(server_url, query))
    page.locator(".launcher").click()
    page.locator(".msg.bot").first.wait_for()


def bot_texts(page: Page) -> list[str]:
    return page.locator(".msg.bot .bubble").all_inner_texts()


def user_texts(page: Page) -> list[str]:
    return page.locator(".msg.user .bubble").all_inner_texts()


def send(page: Page, text: str) -> None:
    page.locator("textarea.input").fill(text)
    page.locator("textarea.input").press("Enter")


def stored_state(page: Page) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('{STATE_KEY}')") or "null") or {}


def local_storage(page: Page) -> dict[str, str]:
    return page.evaluate("Object.fromEntries(Object.entries(localStorage))")


def focused_in_widget(page: Page) -> str:
    """The class of the element focused inside the widget's shadow root ('' when focus is elsewhere)."""
    return page.evaluate(
        "() => { const h = document.getElementById('chanyan-webchat');"
        " return document.activeElement === h && h.shadowRoot.activeElement"
        " ? h.shadowRoot.activeElement.className : ''; }"
    )


def test_size_budget(widget_js) -> None:
    size = len(gzip.compress(widget_js.read_bytes(), compresslevel=9))
    print(f"widget.js: {widget_js.stat().st_size / 1024:.1f} KB, {size / 1024:.1f} KB gzipped")
    assert size < GZIP_BUDGET


def test_greeting_quick_replies_and_reload(page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa) -> None:
    # Long enough to see the indicator on a loaded machine.
    normal_delay, fake_rasa.delay = fake_rasa.delay, 3.0
    page.goto(widget_site.host_page(fake_rasa.url))
    page.locator(".launcher").click()
    page.locator(".typing").wait_for(state="visible")  # the greeting is on its way
    page.locator(".msg.bot").first.wait_for()
    fake_rasa.delay = normal_delay
    assert page.locator(".typing").is_hidden()
    greeting = page.locator(".msg.bot .bubble").first
    assert greeting.inner_text() == "您好！我是产研通需求助手。\n请用一两句话描述您的技术需求。"
    assert greeting.locator("br").count() == 1
    assert re.fullmatch(r"\d{2}:\d{2}", page.locator(".msg.bot time").first.inner_text())
    assert fake_rasa.messages() == ["/greet"]

    send(page, "我想看看按钮")
    page.locator(".reply", has_text="委托开发").wait_for()
    page.locator(".reply", has_text="委托开发").click()
    assert page.locator(".reply").count() == 0  # answered: the buttons are gone
    assert user_texts(page)[-1] == "委托开发"  # the title is shown, the payload is sent
    wait_until(page, lambda: fake_rasa.messages()[-1] == CHOOSE_COOP)
    page.locator(".msg.bot", has_text="收到：" + CHOOSE_COOP).wait_for()

    send(page, "再来一次按钮")
    page.locator(".reply").first.wait_for()
    session_id = stored_state(page)["session_id"]
    before_bot, before_user = bot_texts(page), user_texts(page)

    page.reload()
    page.locator(".msg.bot").first.wait_for()  # reopened, the transcript fetched from the server
    wait_until(page, lambda: bot_texts(page) == before_bot)
    assert user_texts(page) == before_user  # the clicked button still shows by its title
    assert page.locator(".reply").count() == 2  # the unanswered question can still be answered
    page.locator(".reply", has_text="合作开发").click()
    wait_until(page, lambda: fake_rasa.messages()[-1] == '/choose{"choice":"合作"}')
    assert fake_rasa.messages().count("/greet") == 1  # no second greeting after the reload
    assert {sid for sid, _ in fake_rasa.received} == {session_id}
    assert fake_rasa.sessions.count(session_id) >= 2  # the reloaded page was put back in the same session


def test_storage_keeps_no_transcript_and_expires(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    # An older version left the whole transcript here; the new one removes it on sight.
    page.goto(widget_site.host_page(fake_rasa.url))
    page.evaluate(
        "localStorage.setItem('chanyan.webchat.history.abc', '[{\"text\":\"13912345678\"}]');"
        "localStorage.setItem('chanyan.webchat.session', '\"abc\"');"
        "localStorage.setItem('host.own', 'kept')"
    )
    open_widget(page, widget_site, fake_rasa.url)
    send(page, f"我的手机是{PHONE_NUMBER}，邮箱 wang@example.com")
    page.locator(".msg.bot", has_text="收到").wait_for()
    stored = local_storage(page)
    assert set(stored) == {STATE_KEY, "host.own"}
    state = json.loads(stored[STATE_KEY])
    assert set(state) == {"session_id", "secret", "open", "expires"}
    days = (state["expires"] / 1000 - time.time()) / 86400
    assert 6.9 < days <= 7.0  # the default expiry
    assert PHONE_NUMBER not in stored[STATE_KEY] and "收到" not in stored[STATE_KEY]

    # After a reload the transcript comes from the server, personal data masked.
    page.reload()
    page.locator(".msg.user").first.wait_for()
    assert user_texts(page) == ["我的手机是139****5678，邮箱 w***@example.com"]

    # Once expired, the browser forgets the session: a new one starts, nothing of the old one is shown.
    page.evaluate(
        f"const s = JSON.parse(localStorage.getItem('{STATE_KEY}')); s.expires = Date.now() - 1;"
        f"localStorage.setItem('{STATE_KEY}', JSON.stringify(s))"
    )
    page.reload()
    page.locator(".launcher").click()
    wait_until(page, lambda: fake_rasa.messages().count("/greet") == 2)
    page.locator(".msg.bot").first.wait_for()
    assert user_texts(page) == []
    assert stored_state(page)["session_id"] != state["session_id"]


def test_expiry_is_configurable(page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa) -> None:
    open_widget(page, widget_site, fake_rasa.url, {"expiry-days": "1"})
    days = (stored_state(page)["expires"] / 1000 - time.time()) / 86400
    assert 0.9 < days <= 1.0


def test_text_is_never_html_and_links_are_safe(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    open_widget(page, widget_site, fake_rasa.url)
    hostile = '<img src=x onerror="window.__xss=1"><b>粗体</b> 看链接 javascript:alert(1)'
    send(page, hostile)
    page.locator(".msg.bot", has_text="详见").wait_for()
    user = page.locator(".msg.user .bubble").last
    assert user.inner_text() == hostile
    assert user.locator("img, b, a").count() == 0
    bot = page.locator(".msg.bot .bubble").last
    assert bot.locator("img, b").count() == 0
    assert "<b>不是粗体</b>" in bot.inner_text()
    link = bot.locator("a")
    assert link.count() == 1
    assert link.get_attribute("href") == "https://example.com/help?q=1"  # the 。 is not part of it
    assert "noopener" in link.get_attribute("rel")
    assert link.get_attribute("target") == "_blank"
    assert page.evaluate("window.__xss") is None


def test_typed_while_the_server_is_down_is_sent_once(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    open_widget(page, widget_site, fake_rasa.url)
    fake_rasa.stop()
    page.locator(".notice").wait_for()
    send(page, "断线时写的话")
    page.locator(".msg.user.pending", has_text="断线时写的话").wait_for()
    assert page.locator(".msg.user .status").inner_text() == "等待发送"
    # After a few failed attempts: a clear notice; the input stays usable, messages keep queueing.
    page.locator(".notice.offline").wait_for(timeout=20_000)
    assert "您输入的消息会在恢复后自动发送" in page.locator(".notice").inner_text()
    assert page.locator("textarea.input").is_enabled()
    assert page.locator(".notice button", has_text="立即重试").is_visible()
    page.screenshot(path=str(ARTIFACTS / "offline-desktop.png"))

    fake_rasa.start()
    page.locator(".notice button", has_text="立即重试").click()
    page.locator(".notice").wait_for(state="hidden", timeout=20_000)
    page.locator(".msg.bot", has_text="收到：断线时写的话").wait_for()
    assert page.locator(".msg.user.pending").count() == 0
    send(page, "恢复后的消息")
    page.locator(".msg.bot", has_text="收到：恢复后的消息").wait_for()
    assert fake_rasa.messages() == ["/greet", "断线时写的话", "恢复后的消息"]
    assert user_texts(page) == ["断线时写的话", "恢复后的消息"]


def test_a_reply_in_flight_during_a_reload_arrives_once(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    open_widget(page, widget_site, fake_rasa.url)
    fake_rasa.delay = 2.5
    send(page, "刷新前发的话")
    wait_until(page, lambda: "刷新前发的话" in fake_rasa.messages())
    page.reload()
    # The message is in the server's journal and the reply is still being worked on: shown, with the indicator.
    page.locator(".msg.user", has_text="刷新前发的话").wait_for()
    page.locator(".typing").wait_for(state="visible")
    page.locator(".msg.bot", has_text="收到：刷新前发的话").wait_for()
    assert page.locator(".typing").is_hidden()
    page.wait_for_timeout(3500)  # a resync round later: still once
    assert bot_texts(page).count("收到：刷新前发的话") == 1
    assert user_texts(page) == ["刷新前发的话"]
    assert fake_rasa.messages().count("刷新前发的话") == 1


def test_a_reply_sent_while_the_socket_is_down_is_delivered_after_reconnect(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    proxy = TCPProxy("127.0.0.1", fake_rasa.port).start()
    try:
        open_widget(page, widget_site, f"http://127.0.0.1:{proxy.port}")
        fake_rasa.delay = 1.0
        send(page, "断线前发的话，共两段")
        wait_until(page, lambda: "断线前发的话，共两段" in fake_rasa.messages())
        proxy.cut()  # the reply goes out while nobody listens
        page.locator(".notice").wait_for()
        page.wait_for_timeout(1500)
        assert page.locator(".msg.bot", has_text="第一段").count() == 0
        proxy.restore()
        restored = time.monotonic()
        page.locator(".msg.bot", has_text="第二段").wait_for(timeout=15_000)
        print(f"reply shown {time.monotonic() - restored:.2f} s after the connection came back")
        assert bot_texts(page)[-2:] == ["第一段。", "第二段。"]
        assert bot_texts(page).count("第一段。") == 1
        assert fake_rasa.messages().count("断线前发的话，共两段") == 1
    finally:
        proxy.stop()


def test_a_message_whose_acknowledgement_was_lost_is_handled_once(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    proxy = TCPProxy("127.0.0.1", fake_rasa.port).start()
    try:
        open_widget(page, widget_site, f"http://127.0.0.1:{proxy.port}")
        assert fake_rasa.protocol is not None
        taken = fake_rasa.protocol.on_user_message

        async def slow_ack(sid, data=None):
            answer = await taken(sid, data)
            await asyncio.sleep(1.5)  # the server took it; the acknowledgement is lost on the way
            return answer

        fake_rasa.sio.on("user_uttered", slow_ack)
        fake_rasa.delay = 2.0
        send(page, "只能处理一次")
        wait_until(page, lambda: "只能处理一次" in fake_rasa.messages())
        proxy.cut()
        page.wait_for_timeout(800)
        proxy.restore()
        page.locator(".msg.bot", has_text="收到：只能处理一次").wait_for(timeout=15_000)
        page.wait_for_timeout(1500)
        assert fake_rasa.messages().count("只能处理一次") == 1
        assert user_texts(page) == ["只能处理一次"]
        assert bot_texts(page).count("收到：只能处理一次") == 1
        assert page.locator(".msg.user.pending").count() == 0
    finally:
        proxy.stop()


def test_new_conversation_asks_first_and_keeps_the_session(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    open_widget(page, widget_site, fake_rasa.url)
    send(page, "旧对话的消息")
    page.locator(".msg.bot", has_text="收到：旧对话的消息").wait_for()
    session_id = stored_state(page)["session_id"]
    new = page.get_by_role("button", name="开始新对话").first
    new.click()
    confirm = page.get_by_role("alertdialog", name="确认开始新对话")
    confirm.wait_for()
    assert "继续刚才的需求" in confirm.inner_text()
    confirm.get_by_role("button", name="取消").click()
    confirm.wait_for(state="hidden")
    assert user_texts(page) == ["旧对话的消息"]  # nothing happened
    assert focused_in_widget(page) == "input"

    new.click()
    confirm.get_by_role("button", name="开始新对话").click()
    wait_until(page, lambda: fake_rasa.messages()[-1] == "/new_conversation")
    page.locator(".msg.bot").first.wait_for()
    assert user_texts(page) == []
    # The same session: the bot keeps the unfinished draft, so "继续刚才的需求" can pick it up.
    assert stored_state(page)["session_id"] == session_id
    page.reload()
    page.locator(".msg.bot").first.wait_for()
    assert user_texts(page) == []  # the transcript starts at the new conversation
    assert fake_rasa.messages().count("/greet") == 1


def test_focus_stays_in_the_widget_after_a_quick_reply(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    open_widget(page, widget_site, fake_rasa.url)
    send(page, "我想看看按钮")
    page.locator(".reply").first.wait_for()
    page.locator(".reply", has_text="委托开发").focus()
    page.keyboard.press("Enter")
    assert page.locator(".reply").count() == 0
    assert focused_in_widget(page) == "input"
    page.keyboard.press("Escape")  # the panel still closes from the keyboard
    page.locator(".panel").wait_for(state="hidden")


def test_a_message_over_the_limit_is_refused_with_a_note(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    open_widget(page, widget_site, fake_rasa.url)
    long_text = "很长的需求描述。" * 131  # 1,048 characters
    box = page.locator("textarea.input")
    box.fill(long_text)
    assert page.locator(".counter").inner_text() == f"{len(long_text)}/1000"
    box.press("Enter")
    note = page.locator(".note")
    note.wait_for()
    assert f"消息有{len(long_text)}字，超过了1000字的上限，未发送" in note.inner_text()
    assert box.input_value() == long_text  # not cut, not lost: the user can shorten it
    assert user_texts(page) == []
    box.fill(long_text[:1000])
    assert note.is_hidden()
    box.press("Enter")
    page.locator(".msg.bot", has_text="收到：很长").wait_for()
    assert fake_rasa.messages()[-1] == long_text[:1000]


def test_the_panel_is_in_place_on_a_host_that_transforms_everything(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    page.goto(widget_site.host_page(fake_rasa.url, {"transform": "1"}))
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(300)
    assert page.evaluate("window.scrollY") > 1000
    launcher = page.locator(".launcher").bounding_box()
    assert launcher["x"] + launcher["width"] == pytest.approx(1280 - 20, abs=1)
    assert launcher["y"] + launcher["height"] == pytest.approx(800 - 20, abs=1)
    page.locator(".launcher").click()
    page.locator(".msg.bot").first.wait_for()
    box = page.locator(".panel").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] == pytest.approx(800 - 20, abs=1)
    assert box["x"] + box["width"] == pytest.approx(1280 - 20, abs=1)
    page.screenshot(path=str(ARTIFACTS / "transform-host-open.png"))


def test_tap_targets_are_44_px_on_a_phone(browser, widget_site: WidgetSite, fake_rasa: FakeRasa) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        open_widget(page, widget_site, fake_rasa.url)
        send(page, "我想看看按钮")
        page.locator(".reply").first.wait_for()
        targets = page.locator(".header button, .reply, .send")
        sizes = [targets.nth(i).bounding_box() for i in range(targets.count())]
        assert len(sizes) == 5  # 新对话, ×, two quick replies, 发送
        small = [(b["width"], b["height"]) for b in sizes if b["width"] < 44 or b["height"] < 44]
        assert not small, small
        page.get_by_role("button", name="开始新对话").first.tap()
        buttons = page.locator(".confirm button")
        assert all(buttons.nth(i).bounding_box()["height"] >= 44 for i in range(buttons.count()))
        # The page behind the full-screen panel does not scroll.
        assert page.evaluate("getComputedStyle(document.documentElement).overflow") == "hidden"
        page.screenshot(path=str(ARTIFACTS / "phone-tap-targets.png"))
    finally:
        context.close()


def test_keyboard_focus_and_aria(page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa) -> None:
    page.goto(widget_site.host_page(fake_rasa.url))
    launcher = page.locator(".launcher")
    assert launcher.get_attribute("aria-label") == "打开在线咨询：产研通需求助手"
    assert launcher.get_attribute("aria-expanded") == "false"
    launcher.focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="产研通需求助手")
    panel.wait_for()
    textarea = page.get_by_role("textbox", name="输入消息")
    assert textarea.evaluate("el => el.getRootNode().activeElement === el")  # focus moved into the panel
    assert page.get_by_role("log", name="对话记录").count() == 1
    assert page.get_by_role("button", name="发送消息").count() == 1
    page.locator(".msg.bot").first.wait_for()

    page.keyboard.type("第一行")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("第二行")
    page.keyboard.press("Enter")
    page.locator(".msg.bot", has_text="第二行").wait_for()
    assert fake_rasa.messages()[-1] == "第一行\n第二行"

    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.id") == "chanyan-webchat"
    assert launcher.evaluate("el => el.getRootNode().activeElement === el")  # focus back on the launcher


def test_host_css_neither_breaks_nor_is_broken(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    open_widget(page, widget_site, fake_rasa.url)
    styles = page.locator(".msg.bot .bubble").first.evaluate(
        "el => { const s = getComputedStyle(el); return [s.color, s.fontFamily, s.letterSpacing]; }"
    )
    assert styles[0] == "rgb(15, 23, 42)" and styles[1] != "serif" and styles[2] == "normal"
    assert page.locator(".send").is_visible()  # the host's `button { display: none }` does not reach it
    assert page.locator("textarea.input").bounding_box()["width"] > 150
    heading = page.locator("#page-heading").evaluate("el => getComputedStyle(el).fontSize")
    assert heading == "40px"  # the widget's styles stay inside its shadow root
    assert page.evaluate("document.querySelectorAll('style').length") == 1


def test_layout_screenshots(page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa) -> None:
    open_widget(page, widget_site, fake_rasa.url)
    send(page, "我想看看按钮")
    page.locator(".reply").first.wait_for()
    box = page.locator(".panel").bounding_box()
    assert box["width"] == 380 and box["x"] + box["width"] <= 1280
    page.screenshot(path=str(ARTIFACTS / "desktop-1280x800.png"))

    page.set_viewport_size(PHONE)
    page.wait_for_timeout(200)
    box = page.locator(".panel").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, PHONE["width"], PHONE["height"])
    page.screenshot(path=str(ARTIFACTS / "phone-390x844.png"))
    page.keyboard.press("Escape")
    page.screenshot(path=str(ARTIFACTS / "phone-launcher.png"))
