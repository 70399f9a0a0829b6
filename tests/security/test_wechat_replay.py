"""WeChat callbacks an attacker can make from a captured one: the same signed query with another body (plaintext
mode, one process or replicas sharing Redis, and the real stack in safe mode), an over-long text, an odd openid."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from connectors.message_limit import MAX_MESSAGE_CHARS, TOO_LONG_NOTICE
from connectors.wechat.store import MemoryStore, RedisStore
from tests.connectors.conftest import (  # noqa: F401 (the WeChat fixtures, shared with tests/connectors)
    SAMPLE_APPID,
    FakeBot,
    fake_api,
    incidents,
    wechat_api,
)
from tests.connectors.conftest import make_webhook as make_webhook  # noqa: F401
from tests.e2e.test_wechat_e2e import WeChatUser

OPENID = "oSecurityProbeUser0000000001"
VICTIM = "oSecurityProbeVictim00000001"
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture()
async def redis_url():
    store = RedisStore(REDIS_URL)
    try:
        await asyncio.wait_for(store._redis().ping(), 1)
    except Exception:
        await store.close()
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield REDIS_URL
    client = store._redis()
    keys = [key async for key in client.scan_iter(f"chanyan:wechat:{SAMPLE_APPID}*")]
    if keys:
        await client.delete(*keys)
    await store.close()


async def test_a_fresh_signed_query_replayed_with_another_body_is_refused_in_plaintext_mode(make_webhook):
    webhook, server = make_webhook("plaintext", store=MemoryStore())
    bot = FakeBot()
    captured = server.text(OPENID, "你好")
    assert (await webhook.receive(captured.query, captured.body, bot)).status == 200
    forged = server.text(VICTIM, "转人工")
    assert (await webhook.receive(captured.query, forged.body, bot)).status == 403
    assert [m.sender_id for m in bot.received] == [OPENID]


async def test_a_replay_sent_to_another_replica_is_refused_through_redis(make_webhook, redis_url):
    first, server = make_webhook("plaintext", store=RedisStore(redis_url))
    second, _ = make_webhook("plaintext", store=RedisStore(redis_url))
    bot = FakeBot()
    captured = server.text(OPENID, "你好")
    assert (await first.receive(captured.query, captured.body, bot)).status == 200
    forged = server.text(VICTIM, "转人工")
    assert (await second.receive(captured.query, forged.body, bot)).status == 403
    assert [m.sender_id for m in bot.received] == [OPENID]


@pytest.mark.parametrize("mode", ["plaintext", "safe"])
async def test_a_wechat_text_over_the_length_limit_gets_the_notice_and_reaches_no_bot(make_webhook, mode):
    webhook, server = make_webhook(mode)
    bot = FakeBot()
    callback = server.text(OPENID, "字" * (MAX_MESSAGE_CHARS + 1))
    answer = await webhook.receive(callback.query, callback.body, bot)
    assert answer.status == 200 and server.read_reply(answer.body)["Content"] == TOO_LONG_NOTICE
    assert bot.received == []


@pytest.mark.parametrize("openid", ["o/../x", "o\u202eevil", "o" * 200, "o<b>"])
async def test_a_callback_whose_sender_is_not_an_openid_is_refused(make_webhook, openid):
    webhook, server = make_webhook("plaintext")
    bot = FakeBot()
    callback = server.text(openid, "你好")
    assert (await webhook.receive(callback.query, callback.body, bot)).status == 400
    assert bot.received == []


# --- the real stack (safe mode) ------------------------------------------------------------------------------


@pytest.mark.e2e
def test_on_the_stack_a_replayed_query_with_another_body_is_refused(rasa_stack):
    attacker, victim = WeChatUser(rasa_stack), WeChatUser(rasa_stack)
    victim.openid = f"oVictim{uuid.uuid4().hex[:21]}"
    captured = attacker.server.text(attacker.openid, "你好")
    status, _ = attacker.post(captured)
    assert status == 200
    forged = attacker.server.text(victim.openid, "转人工")
    forged.query.update({k: captured.query[k] for k in ("signature", "timestamp", "nonce", "msg_signature")})
    status, _ = attacker.post(forged)
    assert status == 403
    assert not any(e["event"] == "user" for e in rasa_stack.tracker(victim.openid).get("events") or [])


@pytest.mark.e2e
def test_on_the_stack_a_long_wechat_text_gets_the_notice_and_is_not_processed(rasa_stack):
    user = WeChatUser(rasa_stack)
    status, body = user.post(user.server.text(user.openid, "我们想做机器视觉检测，" * 1000))
    assert status == 200 and user.passive(body) == [TOO_LONG_NOTICE]
    assert not any(e["event"] == "user" for e in rasa_stack.tracker(user.openid).get("events") or [])
