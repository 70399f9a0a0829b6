"""Two Rasa replicas and two action servers on one PostgreSQL and one Redis: conversations whose messages
alternate between the replicas, and messages delivered twice (to both replicas at the same moment)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import random
import time

import pytest
import socketio

from tests.e2e.driver import REF, run_intake
from tests.fakes.wechat_api import WeChatServer
from tests.scale.conftest import REDIS_CHANNEL_DB, REDIS_HOST, REDIS_PORT
from tests.scale.support import FIRST_MESSAGE, SUMMARY, alternating, answer_until, new_sender, texts

pytestmark = pytest.mark.e2e


def test_a_conversation_alternating_between_replicas_files_one_request_with_the_right_slots(replicas):
    user = new_sender("alt")
    send = alternating(replicas, user)
    answer_until(send, FIRST_MESSAGE, SUMMARY)
    # At the summary both replicas read the same conversation from the shared tracker store.
    slots_a, slots_b = (replicas.tracker(user, r)["slots"] for r in ("a", "b"))
    assert slots_a == slots_b
    assert slots_a["enterprise_name"] == "苏州精工机械有限公司"
    assert slots_a["contact_phone"] == "13912345678"
    assert slots_a["requested_slot"] == "summary_confirmed"
    intake = run_intake(send, "确认")
    assert intake.ref and REF.fullmatch(intake.ref)
    [row] = replicas.stack.filed_requests(user)
    assert row["ref"] == intake.ref
    assert row["enterprise_name"] == "苏州精工机械有限公司"
    assert row["contact_name"] == "王经理"
    assert row["budget"]["min_cny"] == 500_000 and row["budget"]["max_cny"] == 800_000
    assert row["coop_mode"] == ["技术开发(委托开发)"]
    assert row["domain_code"] == "80"
    tracker = replicas.tracker(user, "b")
    assert tracker["slots"]["last_request_ref"] == intake.ref
    # Every message was recorded once, whichever replica took it.
    users = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert users[-1] == "确认" and users[0] == FIRST_MESSAGE


def test_parallel_conversations_over_both_replicas_each_file_exactly_once(replicas):
    users = [new_sender(f"par{n}") for n in range(3)]

    def converse(n: int) -> str | None:
        order = ("a", "b") if n % 2 == 0 else ("b", "a")
        return run_intake(alternating(replicas, users[n], order), FIRST_MESSAGE).ref

    with concurrent.futures.ThreadPoolExecutor(len(users)) as pool:
        refs = list(pool.map(converse, range(len(users))))
    assert len(set(refs)) == len(users)
    for user, ref in zip(users, refs, strict=True):
        [row] = replicas.stack.filed_requests(user)
        assert row["ref"] == ref


def test_a_confirmation_delivered_to_both_replicas_at_once_files_once(replicas):
    user = new_sender("dup")
    answer_until(alternating(replicas, user), FIRST_MESSAGE, SUMMARY)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda r: replicas.rest(r, user, "确认"), ("a", "b")))
    # Both answered (no 5xx, no silence); the Redis lock store made them take turns; one request filed.
    assert all(texts(r) for r in replies), replies
    [row] = replicas.stack.filed_requests(user)
    assert any(row["ref"] in "\n".join(texts(r)) for r in replies)


def test_a_wechat_message_delivered_to_both_replicas_is_processed_once(replicas):
    import urllib.request

    env = replicas.stack.env
    server = WeChatServer(env["WECHAT_TOKEN"], env["WECHAT_APPID"], env["WECHAT_AES_KEY"], mode="safe")
    openid = f"oScale{random.randrange(16**20):020x}"
    message = "我们想降低空压机站的能耗，预算面议"
    callback = server.text(openid, message, msg_id=random.randrange(10**15, 10**16))

    def deliver(replica: str) -> tuple[int, str]:
        request = urllib.request.Request(
            f"{replicas.url(replica)}/webhooks/wechat/webhook?{callback.query_string}",
            data=callback.body,
            headers={"Content-Type": "text/xml"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(deliver, ("a", "b")))
    assert [status for status, _ in answers] == [200, 200]
    # Both answered within WeChat's window, but on a loaded machine the turn may still be running (its
    # answer then goes out as 客服消息): wait until the replica that took the message records its outcome.
    assert wechat_outcome(env["WECHAT_APPID"], callback.fields["MsgId"]) in ("done", "reply")
    said = [e["text"] for e in replicas.tracker(openid)["events"] if e["event"] == "user"]
    assert said.count(message) == 1


def wechat_outcome(appid: str, msg_id: str, timeout: float = 60.0) -> str:
    """The WeChat channel's record of a message in Redis once its processing is over: "done" or "reply"."""
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_CHANNEL_DB, decode_responses=True)
    key = f"chanyan:wechat:{appid}:seen:msg:{msg_id}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(key) or ""
        if state == "done" or state.startswith("reply:"):
            return state.split(":")[0]
        time.sleep(0.2)
    return f"still {client.get(key)!r} after {timeout}s"


def test_a_staff_reply_pushed_through_one_replica_reaches_a_page_open_on_the_other(replicas):
    from chanyan.conversations.rasa import RasaClient

    staff_reply = "您好，我是平台的联络专员，您的需求已收到，我们明天上午与您电话沟通。"

    async def scenario() -> tuple[bool | None, list[str]]:
        page = socketio.AsyncClient(reconnection=False)
        confirmed, replied = asyncio.Event(), asyncio.Event()
        session: dict = {}
        received: list[str] = []

        def confirm(data: dict) -> None:
            session.update(data)
            confirmed.set()

        def bot(data: dict) -> None:
            received.append(data.get("text", ""))
            replied.set()

        page.on("session_confirm", confirm)
        page.on("bot_uttered", bot)
        # Polling: python-engineio's websocket client needs a newer aiohttp than Rasa pins.
        await page.connect(replicas.url("a"), transports=["polling"])
        try:
            await page.emit("session_request", {})
            await asyncio.wait_for(confirmed.wait(), 20)
            # The console's call lands on replica b, which holds no socket of this page.
            console = RasaClient(replicas.url("b"), replicas.stack.env["RASA_TOKEN"])
            open_page = await asyncio.to_thread(console.widget_connected, session["session_id"])
            event = {"event": "bot", "text": staff_reply, "data": {}, "metadata": {"outbound": "staff"}}
            await asyncio.to_thread(
                console.append_events, session["session_id"], [event], output_channel="socketio"
            )
            await asyncio.wait_for(replied.wait(), 20)
            return open_page, received
        finally:
            await page.eio.disconnect(abort=True)

    open_page, received = asyncio.run(scenario())
    assert open_page is True
    assert received == [staff_reply]
