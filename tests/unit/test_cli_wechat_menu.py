"""`chanyan wechat menu show|apply` against the fake WeChat API: the menu it creates, the keys the channel maps."""

from __future__ import annotations

import io
import json

import pytest

from chanyan.cli import main
from chanyan.domain.wechat_menu import MENU, MENU_PAYLOADS, MenuButton, menu_problems
from tests.fakes.wechat_api import FakeWeChatAPI

APPID, SECRET = "wx-menu-test", "menu-secret-value"


@pytest.fixture(scope="module")
def api():
    fake = FakeWeChatAPI(appid=APPID, secret=SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture
def wechat_env(api, monkeypatch):
    api.reset()
    api.menu = None
    monkeypatch.setenv("WECHAT_APPID", APPID)
    monkeypatch.setenv("WECHAT_SECRET", SECRET)
    monkeypatch.setenv("WECHAT_API_BASE", api.url)
    return api


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["wechat", "menu", *argv], out=out)
    return code, out.getvalue()


def test_apply_creates_the_three_buttons_whose_keys_the_channel_understands(wechat_env):
    code, said = run("apply")
    assert code == 0 and "提交需求 / 查询进度 / 联系专员" in said
    created = wechat_env.menu["button"]
    assert [(b["type"], b["name"]) for b in created] == [
        ("click", "提交需求"),
        ("click", "查询进度"),
        ("click", "联系专员"),
    ]
    assert [MENU_PAYLOADS[b["key"]] for b in created] == ["/request_filing", "/ask_status", "/handoff"]
    # The stable token: the channel's cached access_token stays valid.
    assert [r.get("stable") for r in wechat_env.token_requests] == [True]
    code, said = run("show", "--current")
    assert code == 0 and json.loads(said)["button"] == created


def test_show_prints_the_definition_without_calling_wechat(wechat_env):
    code, said = run("show")
    assert code == 0 and '"name": "查询进度"' in said and "CHECK_PROGRESS: 查询进度 -> /ask_status" in said
    assert wechat_env.menu_calls == [] and wechat_env.token_requests == []
    code, said = run("show", "--current")
    assert code == 0 and "no custom menu" in said


def test_a_refusal_or_a_wrong_secret_is_reported_without_the_secret(wechat_env, monkeypatch):
    wechat_env.fail_next_menu(45064)  # "no permission" for an unverified account
    code, said = run("apply")
    assert code == 1 and "45064" in said and wechat_env.menu is None
    monkeypatch.setenv("WECHAT_SECRET", "wrong-secret")
    code, said = run("apply")
    assert code == 1 and "40125" in said and "wrong-secret" not in said
    monkeypatch.delenv("WECHAT_APPID")
    code, said = run("apply")
    assert code == 1 and "WECHAT_APPID" in said


def test_an_unreachable_api_is_an_error_not_a_traceback(wechat_env, monkeypatch):
    monkeypatch.setenv("WECHAT_API_BASE", "http://127.0.0.1:9")
    code, said = run("apply")
    assert code == 1 and "no answer" in said


def test_the_menu_is_valid_and_a_wrong_one_is_named():
    assert menu_problems() == []
    too_long = (*MENU, MenuButton("一个名字很长很长的按钮", "X", "/greet"))
    problems = menu_problems(too_long)
    assert any("1 to 3 buttons" in p for p in problems) and any("bytes" in p for p in problems)
