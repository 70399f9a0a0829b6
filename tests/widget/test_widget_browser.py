"""The widget in headless Chromium against a fake Rasa socketio server (component level)."""

from __future__ import annotations

import gzip
import json
import re
from typing import TYPE_CHECKING

import pytest

from tests.widget.support import ARTIFACTS, CHOOSE_COOP, GZIP_BUDGET, PHONE, FakeRasa, WidgetSite

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SESSION_KEY = "chanyan.webchat.session"


def wait_until(page: Page, predicate, timeout: float = 10.0) -> None:
    """Poll a Python predicate while letting the page run."""
    for _ in range(int(timeout * 10)):
        if predicate():
            return
        page.wait_for_timeout(100)
    assert predicate()


def open_widget(page: Page, site: WidgetSite, server: FakeRasa) -> None:
    page.goto(site.host_page(server.url))
    page.locator(".launcher").click()
    page.locator(".msg.bot").first.wait_for()


def bot_texts(page: Page) -> list[str]:
    return page.locator(".msg.bot .bubble").all_inner_texts()


def user_texts(page: Page) -> list[str]:
    return page.locator(".msg.user .bubble").all_inner_texts()


def send(page: Page, text: str) -> None:
    page.locator("textarea.input").fill(text)
    page.locator("textarea.input").press("Enter")


def test_size_budget(widget_js) -> None:
    size = len(gzip.compress(widget_js.read_bytes(), compresslevel=9))
    print(f"widget.js: {size / 1024:.1f} KB gzipped")
    assert size < GZIP_BUDGET


def test_greeting_quick_replies_and_reload(page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa) -> None:
    normal_delay, fake_rasa.delay = (
        fake_rasa.delay,
        3.0,
    )  # long enough to see the indicator on a loaded machine
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
    session_id = json.loads(page.evaluate(f"localStorage.getItem('{SESSION_KEY}')"))
    before = bot_texts(page)

    page.reload()
    page.locator(".msg.bot").first.wait_for()  # reopened, history restored
    assert bot_texts(page) == before
    assert page.locator(".reply").count() == 2  # the unanswered question can still be answered
    page.locator(".reply", has_text="合作开发").click()
    wait_until(page, lambda: fake_rasa.messages()[-1] == '/choose{"choice":"合作"}')
    assert fake_rasa.messages().count("/greet") == 1  # no second greeting after the reload
    assert {sid for sid, _ in fake_rasa.received} == {session_id}
    assert fake_rasa.sessions.count(session_id) >= 2  # the reloaded page asked for the same session


def test_text_is_never_html_and_links_are_safe(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    open_widget(page, widget_site, fake_rasa)
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


def test_reconnects_and_sends_what_was_typed_offline(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    open_widget(page, widget_site, fake_rasa)
    fake_rasa.stop()
    notice = page.locator(".notice")
    notice.wait_for()
    assert "重新连接" in notice.inner_text() or "无法连接" in notice.inner_text()
    if page.locator("textarea.input").is_enabled():
        send(page, "断线时写的话")
        page.locator(".msg.user.pending", has_text="断线时写的话").wait_for()
        assert page.locator(".msg.user .status").inner_text() == "等待发送"
        queued = True
    else:
        queued = False
    # After a few failed attempts the server counts as unreachable: clear notice, input disabled.
    page.locator(".notice.offline").wait_for(timeout=20_000)
    assert "无法连接服务器" in page.locator(".notice").inner_text()
    assert page.locator("textarea.input").is_disabled()
    assert page.locator(".notice button", has_text="立即重试").is_visible()
    page.screenshot(path=str(ARTIFACTS / "offline-desktop.png"))

    fake_rasa.start()
    page.locator(".notice button", has_text="立即重试").click()
    page.locator(".notice").wait_for(state="hidden", timeout=20_000)
    assert page.locator("textarea.input").is_enabled()
    if queued:
        wait_until(page, lambda: "断线时写的话" in fake_rasa.messages())
        page.locator(".msg.bot", has_text="收到：断线时写的话").wait_for()
        assert page.locator(".msg.user.pending").count() == 0
    send(page, "恢复后的消息")
    page.locator(".msg.bot", has_text="收到：恢复后的消息").wait_for()
    assert fake_rasa.messages().count("/greet") == 1


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


def test_new_conversation(page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa) -> None:
    open_widget(page, widget_site, fake_rasa)
    send(page, "旧对话的消息")
    page.locator(".msg.bot", has_text="收到：旧对话的消息").wait_for()
    old = json.loads(page.evaluate(f"localStorage.getItem('{SESSION_KEY}')"))
    page.get_by_role("button", name="开始新对话").click()
    wait_until(page, lambda: fake_rasa.messages().count("/greet") == 2)
    page.locator(".msg.bot").first.wait_for()
    assert user_texts(page) == []
    new = json.loads(page.evaluate(f"localStorage.getItem('{SESSION_KEY}')"))
    assert new and new != old
    assert fake_rasa.received[-1] == (new, "/greet")
    assert page.evaluate(f"localStorage.getItem('chanyan.webchat.history.{old}')") is None


def test_host_css_neither_breaks_nor_is_broken(
    page: Page, widget_site: WidgetSite, fake_rasa: FakeRasa
) -> None:
    open_widget(page, widget_site, fake_rasa)
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
    open_widget(page, widget_site, fake_rasa)
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
