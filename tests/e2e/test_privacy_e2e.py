"""Personal data against the real bot: the notice before the first personal question (REST, WeChat; the widget's
own test checks it in the browser), and "删除我的信息" by the user with the request, transcript and audit log."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.driver import run_intake
from tests.e2e.test_wechat_e2e import FIRST_MESSAGE, WeChatUser

pytestmark = pytest.mark.e2e

NOTICE = "个人信息提示"
# The first question for personal data the bot may ask (the first message already names the company).
PERSONAL_QUESTIONS = ("单位的全称", "怎么称呼", "手机号码", "方便的话请留一个邮箱")
PHONE = "13912345678"


def assert_notice_comes_first(bot_texts: list[str]) -> None:
    """The notice is said once, right before the first personal question, and says what, why, how long."""
    notices = [i for i, t in enumerate(bot_texts) if NOTICE in t]
    first_personal = next(i for i, t in enumerate(bot_texts) if any(q in t for q in PERSONAL_QUESTIONS))
    assert notices == [first_personal - 1], bot_texts
    notice = bot_texts[notices[0]]
    assert "联系人" in notice and "手机" in notice  # what
    assert "联系您" in notice  # why
    assert "天后删除" in notice and "删除我的信息" in notice  # how long, and how to delete sooner
    assert "http" in notice  # the full text


def audit_entries(database_url: str, refs: list[str]) -> list[dict]:
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT a.actor, a.old_value, a.new_value, r.ref FROM audit_log a "
                    "JOIN requests r ON r.id = a.request_id WHERE a.action = 'erase_personal_data'"
                )
            )
            return [dict(row._mapping) for row in rows if row._mapping["ref"] in refs]
    finally:
        engine.dispose()


def test_rest_notice_then_the_user_deletes_their_data(rasa_stack) -> None:
    sender = f"rest-{uuid.uuid4().hex[:10]}"
    intake = run_intake(lambda m: rasa_stack.rest(sender, m), FIRST_MESSAGE)
    assert intake.ref
    assert_notice_comes_first(intake.bot_texts)
    [row] = rasa_stack.filed_requests(sender)
    assert row["contact_phone"] == PHONE

    ask = " ".join(r.get("text", "") for r in rasa_stack.rest(sender, "删除我的信息"))
    assert "确认删除吗" in ask
    assert rasa_stack.filed_requests(sender)[0]["contact_phone"] == PHONE  # nothing happens before the yes
    done = " ".join(r.get("text", "") for r in rasa_stack.rest(sender, "确认删除"))
    assert "已删除：1份需求单" in done, done

    [row] = rasa_stack.filed_requests(sender)
    assert (row["contact_phone"], row["contact_email"]) == ("", None)
    assert row["contact_name"] == "（已删除）" and row["enterprise_name"] == "苏州精工机械有限公司"
    events = json.dumps(rasa_stack.tracker(sender)["events"], ensure_ascii=False)
    assert PHONE not in events and "王经理" not in events
    assert "139****5678" in events
    [entry] = audit_entries(rasa_stack.database_url, [row["ref"]])
    assert entry["actor"] == "user:rest" and entry["old_value"] is None

    # The conversation goes on: a new request asks for the contact again (and the notice is not repeated).
    again = rasa_stack.rest(sender, "我还有一个需求，想做注塑件尺寸的在线检测")
    assert again


def test_a_confirmation_without_a_request_deletes_nothing(rasa_stack) -> None:
    sender = f"rest-{uuid.uuid4().hex[:10]}"
    intake = run_intake(lambda m: rasa_stack.rest(sender, m), FIRST_MESSAGE)
    assert intake.ref
    reply = " ".join(r.get("text", "") for r in rasa_stack.rest(sender, "确认删除"))
    assert "请回复“删除我的信息”" in reply
    assert rasa_stack.filed_requests(sender)[0]["contact_phone"] == PHONE


def test_wechat_notice_before_the_first_personal_question(rasa_stack) -> None:
    user = WeChatUser(rasa_stack)
    count = {"n": 0}

    def send(message: str) -> list[dict]:
        count["n"] += 1
        seen = len(user.api.texts(user.openid))
        msg_id = int(time.time() * 1000) * 100 + count["n"]
        status, body = user.post(user.server.text(user.openid, message, msg_id=msg_id))
        assert status == 200
        texts = user.passive(body) or user.pushed_after(seen)
        # A passive reply joins the turn's messages with blank lines: split them back.
        return [{"text": part} for t in texts for part in t.split("\n\n")]

    intake = run_intake(send, FIRST_MESSAGE)
    assert intake.ref
    assert_notice_comes_first(intake.bot_texts)
