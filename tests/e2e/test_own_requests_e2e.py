"""The enterprise follows its own requests over the real stack: status (on its identity, and a number filed
elsewhere only after the phone's last four digits), a public note, an addition, a status question in the middle of
an interview, and a withdrawal with confirmation; over REST, over the web chat and over WeChat (the 查询进度 menu key)."""

from __future__ import annotations

import time
import uuid

import pytest

from chanyan.console.editing import add_note, change_status
from chanyan.store.session import make_engine, make_sessionmaker
from tests.e2e.driver import REF, run_intake
from tests.e2e.test_wechat_e2e import WeChatUser

pytestmark = pytest.mark.e2e

FIRST_MESSAGE = "我们是苏州精工机械有限公司，想用机器视觉检测零件表面划痕，预算50万左右，明年6月前完成"


def sender() -> str:
    return f"rest-own-{uuid.uuid4().hex[:8]}"


def said(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def staff(stack, fn, *args, **kwargs):
    """A staff change written as the console writes it."""
    engine = make_engine(stack.database_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            fn(session, *args, **kwargs)
    finally:
        engine.dispose()


def status_history(stack, conversation_id: str) -> list[tuple]:
    from sqlalchemy import create_engine, text

    engine = create_engine(stack.database_url, future=True)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text(
                    "SELECT s.to_status, s.actor, s.reason FROM status_changes s JOIN requests r"
                    " ON r.id = s.request_id WHERE r.conversation_id = :c ORDER BY s.id"
                ),
                {"c": conversation_id},
            ).all()
    finally:
        engine.dispose()


def test_over_rest_the_status_a_note_an_addition_a_question_mid_interview_and_a_withdrawal(rasa_stack):
    user = sender()
    intake = run_intake(lambda m: rasa_stack.rest(user, m), FIRST_MESSAGE)
    ref = intake.ref
    assert ref and REF.fullmatch(ref)

    answer = said(rasa_stack.rest(user, "我的需求进展到哪了"))
    assert ref in answer and "等待对接专员受理" in answer

    staff(rasa_stack, change_status, ref, "reviewing", "", "li")
    staff(rasa_stack, add_note, ref, "内部：价格敏感", "li")
    staff(rasa_stack, add_note, ref, "已联系两所高校，下周给您回复", "li", public=True)
    answer = said(rasa_stack.rest(user, "請問我的需求處理到哪一步了？"))
    assert "正在审核" in answer and "已联系两所高校，下周给您回复" in answer and "价格敏感" not in answer

    answer = said(rasa_stack.rest(user, "补充一下：样品可以寄到贵平台"))
    assert "已把您补充的内容加到需求" in answer
    [row] = rasa_stack.filed_requests(user)
    assert row["need_description"].endswith("样品可以寄到贵平台")

    # A new interview: the status question is answered and the pending question asked again.
    first = said(rasa_stack.rest(user, "我们还想做焊缝缺陷的自动检测，现在全靠老师傅看"))
    mid = said(rasa_stack.rest(user, "对了，我上次提交的需求有进展吗？"))
    assert ref in mid and "正在审核" in mid
    last_question = first.strip().splitlines()[-1]
    assert mid.strip().endswith(last_question)
    rasa_stack.rest(user, "先不填了")

    asked = said(rasa_stack.rest(user, f"{ref}这个需求我们不做了，撤回"))
    assert "确认撤回" in asked and ref in asked
    assert rasa_stack.filed_requests(user)[0]["status"] == "reviewing"  # nothing before the confirmation
    done = said(rasa_stack.rest(user, "确认撤回"))
    assert "已撤回" in done
    assert rasa_stack.filed_requests(user)[0]["status"] == "closed"
    closing = status_history(rasa_stack, user)[-1]
    assert closing[:2] == ("closed", "enterprise") and "不做了" in closing[2]
    assert f"{ref}「" in (after := said(rasa_stack.rest(user, "我的需求进展到哪了"))) and "撤回" in after


def test_a_number_filed_on_another_identity_is_told_only_after_the_phone_tail(rasa_stack):
    owner = sender()
    ref = run_intake(lambda m: rasa_stack.rest(owner, m), FIRST_MESSAGE).ref
    stranger = sender()
    asked = said(rasa_stack.rest(stranger, f"查一下{ref}"))
    assert "后四位" in asked and "零件表面" not in asked
    wrong = said(rasa_stack.rest(stranger, "1234"))
    assert "不对" in wrong and "零件表面" not in wrong
    right = said(rasa_stack.rest(stranger, "后四位是5678"))
    assert ref in right and "等待对接专员受理" in right
    # Another identity cannot withdraw it.
    refused = said(rasa_stack.rest(stranger, f"把{ref}撤回"))
    assert "不是在这个对话里提交的" in refused
    assert rasa_stack.filed_requests(owner)[0]["status"] == "new"


class Follower(WeChatUser):
    """A 公众号 follower whose every answer is read passively or from the 客服消息 that follow."""

    def send(self, callback) -> list[str]:
        seen = len(self.api.texts(self.openid))
        status, body = self.post(callback)
        assert status == 200
        return self.passive(body) or self.pushed_after(seen)

    def say(self, text: str) -> str:
        return "\n".join(self.send(self.server.text(self.openid, text)))


def test_over_wechat_the_progress_menu_key_and_a_withdrawal(rasa_stack):
    user = Follower(rasa_stack)
    intake = run_intake(
        lambda m: [{"text": t} for t in user.send(user.server.text(user.openid, m))], FIRST_MESSAGE
    )
    ref = intake.ref
    assert ref and REF.fullmatch(ref)
    time.sleep(0.2)
    shown = "\n".join(user.send(user.server.event(user.openid, "CLICK", "CHECK_PROGRESS")))
    assert ref in shown and "等待对接专员受理" in shown

    other = Follower(rasa_stack)
    assert "后四位" in other.say(f"我想查一下{ref}的进度")

    asked = user.say("这个需求我们不做了，撤回")
    assert "确认撤回" in asked and ref in asked
    assert "已撤回" in user.say("是的")
    [row] = rasa_stack.filed_requests(user.openid)
    assert row["status"] == "closed" and row["channel"] == "wechat"
    assert status_history(rasa_stack, user.openid)[-1][:2] == ("closed", "enterprise")


def test_a_public_note_reaches_the_wechat_follower_and_a_rest_user_is_not_pushed(rasa_stack):
    from chanyan.conversations.outbound import OutboundService
    from chanyan.conversations.rasa import RasaClient
    from chanyan.requests.notify import NotifySettings
    from chanyan.requests.progress import notices_of_request, outbound_delivery, route_pending
    from chanyan.store.requests import get_request

    follower = Follower(rasa_stack)
    ref = run_intake(
        lambda m: [{"text": t} for t in follower.send(follower.server.text(follower.openid, m))],
        FIRST_MESSAGE,
    ).ref
    rest_user = sender()
    rest_ref = run_intake(lambda m: rasa_stack.rest(rest_user, m), FIRST_MESSAGE).ref
    seen = len(follower.api.texts(follower.openid))
    staff(rasa_stack, add_note, ref, "已约好下周三与高校团队视频沟通", "li", public=True)
    staff(rasa_stack, add_note, rest_ref, "已约好下周三与高校团队视频沟通", "li", public=True)

    engine = make_engine(rasa_stack.database_url)
    try:
        sessions = make_sessionmaker(engine)
        client = RasaClient(rasa_stack.rasa_url, rasa_stack.env["RASA_TOKEN"])
        service = OutboundService(sessions, engine, client)
        # (Notices of the other tests' requests share this database: at least these two are routed.)
        assert route_pending(sessions, NotifySettings(), deliver=outbound_delivery(service)) >= 2
        texts = follower.api.wait_for_messages(seen + 1, follower.openid, timeout=20)
        assert texts[-1].endswith("对接专员留言：已约好下周三与高校团队视频沟通") and ref in texts[-1]
        with sessions() as session:
            [wechat] = notices_of_request(session, get_request(session, ref).id)
            [rest] = notices_of_request(session, get_request(session, rest_ref).id)
    finally:
        engine.dispose()
    assert (wechat.route, wechat.outcome) == ("微信公众号", "已送达")
    assert (rest.route, rest.outcome) == ("未发送", "未发送") and "接口渠道无法推送" in rest.detail


class WidgetUser:
    """A web chat user over the widget's socket.io protocol, as a synchronous send(text) -> bot messages."""

    QUIET_S = 2.0

    def __init__(self, url: str) -> None:
        from tests.security.test_webchat_sessions import Client
        from tests.widget.support import LoopThread

        self.loop = LoopThread()
        self.client = Client()
        self.session_id = self.loop.run(self.client.open(url, {}))["session_id"]

    def send(self, text: str) -> list[dict]:
        seen = len(self.client.received)
        ack = self.loop.run(self.client.say(text), timeout=120)
        assert ack.get("ok"), ack
        deadline = time.monotonic() + 90
        while len(self.client.received) == seen and time.monotonic() < deadline:
            time.sleep(0.1)
        count = len(self.client.received)
        while True:  # the bot's messages of one turn arrive one by one: wait until they stop
            time.sleep(self.QUIET_S)
            if len(self.client.received) == count:
                break
            count = len(self.client.received)
        return self.client.received[seen:]

    def close(self) -> None:
        self.loop.run(self.client.close())
        self.loop.close()


def test_over_the_web_chat_the_status_and_a_withdrawal(rasa_stack):
    user = WidgetUser(rasa_stack.rasa_url)
    try:
        ref = run_intake(user.send, FIRST_MESSAGE).ref
        assert ref and REF.fullmatch(ref)
        answer = said(user.send("我的需求进展到哪了"))
        assert ref in answer and "等待对接专员受理" in answer
        asked = said(user.send(f"{ref}这个我们不做了，撤回吧"))
        assert "确认撤回" in asked and ref in asked
        assert "已撤回" in said(user.send("确认撤回"))
        [row] = rasa_stack.filed_requests(user.session_id)
        assert row["status"] == "closed" and row["channel"] == "socketio"
    finally:
        user.close()
