"""Whole conversations over the WeChat channel (safe mode) against the real bot and a fake WeChat API.

Callbacks are built and encrypted with wechatpy as the WeChat server would; the bot's messages come back
either passively (in the HTTP answer) or, for a "slow" bot, as 客服消息 recorded by the fake API. The stack
runs the channel of tests/fakes/wechat_channel.py, so that a callback can shorten the passive-reply window.
"""

from __future__ import annotations

import concurrent.futures
import time
import urllib.error
import urllib.request
import uuid

import pytest

from connectors.wechat.text import render_buttons, split_text
from tests.e2e.driver import REF, run_intake
from tests.fakes.wechat_api import Callback, FakeWeChatAPI, WeChatServer
from tests.fakes.wechat_channel import REPLY_TIMEOUT_PARAM

pytestmark = pytest.mark.e2e

FIRST_MESSAGE = "我们是苏州精工机械有限公司，想用机器视觉检测零件表面划痕，预算50万左右，明年6月前完成"
TURN_TIMEOUT_S = 30.0
WECHAT_WAIT_S = 5.0  # WeChat gives up on an answer after 5 s; so does the test


def new_openid() -> str:
    return f"oE2E{uuid.uuid4().hex[:24]}"


class WeChatUser:
    """One 公众号 follower talking to the stack, through WeChat's callback protocol."""

    def __init__(self, stack) -> None:
        env = stack.env
        assert env["WECHAT_MODE"] == "safe", "the WeChat e2e runs in safe mode"
        self.stack = stack
        self.api: FakeWeChatAPI = stack.fake_wechat
        self.server = WeChatServer(
            env["WECHAT_TOKEN"], env["WECHAT_APPID"], env["WECHAT_AES_KEY"], mode="safe"
        )
        self.url = f"{stack.rasa_url}/webhooks/wechat/webhook"
        self.openid = new_openid()

    def post(self, callback: Callback, reply_timeout: float | None = None) -> tuple[int, str]:
        query = callback.query_string
        if reply_timeout is not None:
            query += f"&{REPLY_TIMEOUT_PARAM}={reply_timeout}"
        request = urllib.request.Request(
            f"{self.url}?{query}", data=callback.body, headers={"Content-Type": "text/xml"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=WECHAT_WAIT_S) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8", "replace")

    def passive(self, body: str) -> list[str]:
        reply = self.server.read_reply(body)
        return [reply["Content"]] if reply else []

    def turn_messages(self, message_id: str | None = None) -> int | None:
        """How many WeChat texts the bot's answer to a message makes (the latest one, or the one with
        `message_id`), once the tracker shows that turn over; None while it is not."""
        events = self.stack.tracker(self.openid)["events"]
        starts = [
            i
            for i, e in enumerate(events)
            if e["event"] == "user" and (message_id is None or e.get("message_id") == message_id)
        ]
        if not starts:
            return None
        after = events[starts[-1] + 1 :]
        if not any(e["event"] == "action" and e.get("name") == "action_listen" for e in after):
            return None
        bot = [e for e in after if e["event"] == "bot" and e.get("text")]
        return sum(
            len(
                split_text(
                    render_buttons(e["text"], e["data"]["buttons"])
                    if (e.get("data") or {}).get("buttons")
                    else e["text"]
                )
            )
            for e in bot
        )

    def pushed_after(self, seen: int, message_id: str | None = None) -> list[str]:
        """The 客服消息 of one turn (beyond the first `seen`), once the turn is over and all have arrived."""
        deadline = time.monotonic() + TURN_TIMEOUT_S
        count = self.turn_messages(message_id)
        while count is None and time.monotonic() < deadline:
            time.sleep(0.2)
            count = self.turn_messages(message_id)
        assert count is not None, f"the turn was not over after {TURN_TIMEOUT_S}s"
        texts = self.api.wait_for_messages(seen + count, self.openid, timeout=TURN_TIMEOUT_S)
        assert len(texts) >= seen + count, (texts[seen:], count)
        return texts[seen:]

    def user_events(self) -> list[dict]:
        return [e for e in self.stack.tracker(self.openid)["events"] if e["event"] == "user"]


def requests_of(stack, conversation_id: str) -> list[dict]:
    return stack.filed_requests(conversation_id)


def test_url_verification_through_rasa(rasa_stack):
    user = WeChatUser(rasa_stack)
    query = "&".join(f"{k}={v}" for k, v in user.server.verification("e2e-echo").items())
    with urllib.request.urlopen(f"{user.url}?{query}", timeout=5) as response:
        assert response.read() == b"e2e-echo"
    forged = query.replace("signature=", "signature=0")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{user.url}?{forged}", timeout=5)
    assert refused.value.code == 403


def test_a_whole_intake_in_safe_mode_with_slow_turns_and_retries(rasa_stack):
    """Every other turn the bot is "slow" (answered through 客服消息); every message is delivered twice."""
    user = WeChatUser(rasa_stack)
    status, body = user.post(user.server.event(user.openid, "subscribe"))
    assert status == 200
    greeting = user.passive(body) or user.pushed_after(0)
    assert "产研通" in greeting[0]

    turns = {"count": 0, "slow": 0}
    sent_ids: list[str] = []
    delivered = {"count": len(user.api.texts(user.openid))}  # 客服消息 expected so far

    def send(message: str) -> list[dict]:
        turns["count"] += 1
        slow = turns["count"] % 2 == 0
        msg_id = int(time.time() * 1000) * 100 + turns["count"]
        sent_ids.append(str(msg_id))
        seen = len(user.api.texts(user.openid))
        assert seen == delivered["count"], "a retry of the previous message was answered twice"
        callback = user.server.text(user.openid, message, msg_id=msg_id)
        status, body = user.post(callback, reply_timeout=0.0 if slow else None)
        assert status == 200
        texts = [] if slow else user.passive(body)
        if slow:
            turns["slow"] += 1
            assert body == "success"
        if not texts:  # slow on purpose, or slower than the passive window anyway
            texts = user.pushed_after(seen, str(msg_id))
            delivered["count"] = seen + len(texts)
        # WeChat's retry of the same message: processed once, answered with the same passive reply if any.
        retry_status, retry_body = user.post(user.server.text(user.openid, message, msg_id=msg_id))
        assert retry_status == 200
        assert user.passive(retry_body) in ([], texts)
        return [{"text": t} for t in texts]

    intake = run_intake(send, FIRST_MESSAGE)
    assert intake.ref and REF.fullmatch(intake.ref)
    assert turns["slow"] >= 3
    send("谢谢")  # its turn comes after any duplicate of the last retry (one conversation's turns queue)

    [row] = requests_of(rasa_stack, user.openid)
    assert row["ref"] == intake.ref
    assert row["channel"] == "wechat"
    assert row["conversation_id"] == user.openid
    assert row["enterprise_name"] == "苏州精工机械有限公司"
    assert row["contact_phone"] == "13912345678"

    # One user event per message: "/greet" for the subscription, then each message once despite retries.
    user_events = user.user_events()
    assert len(user_events) == 1 + turns["count"]
    assert len(user.api.texts(user.openid)) == delivered["count"]
    assert [e.get("message_id") for e in user_events[1:]] == sent_ids


def test_concurrent_duplicates_are_delivered_once(rasa_stack):
    user = WeChatUser(rasa_stack)
    msg_id = int(time.time() * 1000) * 100 + 99
    callback = user.server.text(user.openid, "你好", msg_id=msg_id)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: user.post(callback, reply_timeout=0.0), range(4)))
    assert all(status == 200 for status, _ in results)
    texts = user.pushed_after(0, str(msg_id))
    assert texts, "the bot's greeting was not delivered"
    # A later message's turn runs after any duplicate's (one conversation's turns queue): then count.
    status, body = user.post(user.server.text(user.openid, "你们平台是做什么的"))
    later = [] if user.passive(body) else user.pushed_after(len(texts))
    assert status == 200 and (user.passive(body) or later)
    assert user.api.texts(user.openid) == texts + later  # nothing delivered twice
    assert [e["text"] for e in user.user_events()] == ["你好", "你们平台是做什么的"]


def test_a_slow_reply_comes_through_customer_service_at_once(rasa_stack):
    user = WeChatUser(rasa_stack)
    tokens_before = len(user.api.token_requests)
    started = time.monotonic()
    status, body = user.post(user.server.text(user.openid, "你们平台是做什么的"), reply_timeout=0.0)
    answered_in = time.monotonic() - started
    assert (status, body) == (200, "success")
    assert answered_in < 1.0
    assert user.pushed_after(0)
    assert len(user.api.token_requests) - tokens_before <= 1  # the token is cached, not fetched per message


def test_forged_and_hostile_callbacks_never_reach_the_bot(rasa_stack):
    user = WeChatUser(rasa_stack)
    callback = user.server.text(user.openid, "伪造的消息")
    forged = Callback({**callback.query, "msg_signature": "0" * 40}, callback.body)
    assert user.post(forged)[0] == 403
    bomb = user.server.wrap(
        '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<xml><FromUserName>{user.openid}</FromUserName><MsgType>text</MsgType><Content>&b;</Content></xml>"
    )
    assert user.post(bomb)[0] == 400
    assert user.user_events() == []
