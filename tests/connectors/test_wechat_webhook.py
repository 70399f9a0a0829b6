"""The WeChat webhook: message types, passive replies, 客服消息 for slow bots, duplicates, API errors."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from connectors.retry_notice import RETRY_NOTICE
from connectors.wechat.store import MemoryStore
from connectors.wechat.text import (
    MAX_TEXT_BYTES,
    UNSUPPORTED_MEDIA_TEXT,
    VOICE_NOT_RECOGNIZED_TEXT,
    WELCOME_TEXT,
    utf8_size,
)
from tests.connectors.conftest import SECRET, FakeBot, fixture_xml, processed
from tests.fakes.wechat_api import DISCONNECT, SLOW

OPENID = "oFixtureUser0000000000000001"
DOMAIN_BUTTONS = [
    {"title": "先进制造与自动化", "payload": '/choose{"choice":"80"}'},
    {"title": "电子信息", "payload": '/choose{"choice":"10"}'},
]


async def post(webhook, callback, bot, **kw):
    return await webhook.receive(callback.query, callback.body, bot, **kw)


# --- message types (one fixture each) -------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["plaintext", "compatible", "safe"])
async def test_text_is_answered_passively_in_every_mode(make_webhook, mode):
    webhook, server = make_webhook(mode)
    bot = FakeBot()
    result = await post(webhook, server.wrap(fixture_xml("text")), bot)
    assert result.status == 200
    assert bot.texts == ["我们想用机器视觉检测零件表面划痕"]
    assert bot.received[0].sender_id == OPENID
    assert bot.received[0].input_channel == "wechat"
    assert bot.received[0].message_id == "24000000000000001"
    reply = server.read_reply(result.body)
    assert reply["Content"] == "收到：我们想用机器视觉检测零件表面划痕"
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == "gh_chanyan_test"
    if mode == "safe":
        assert "<Encrypt>" in result.body and "收到" not in result.body


async def test_voice_uses_the_recognition_field(make_webhook):
    webhook, server = make_webhook()
    bot = FakeBot()
    await post(webhook, server.wrap(fixture_xml("voice")), bot)
    assert bot.texts == ["预算五十万左右"]


async def test_voice_without_recognition_asks_to_type(make_webhook):
    webhook, server = make_webhook()
    bot = FakeBot()
    result = await post(webhook, server.wrap(fixture_xml("voice_unrecognized")), bot)
    assert bot.received == []
    assert server.read_reply(result.body)["Content"] == VOICE_NOT_RECOGNIZED_TEXT


@pytest.mark.parametrize("kind", ["image", "location", "link", "file", "video"])
async def test_media_gets_a_polite_answer_and_never_reaches_the_bot(make_webhook, kind):
    webhook, server = make_webhook()
    bot = FakeBot()
    result = await post(webhook, server.wrap(fixture_xml(kind)), bot)
    assert bot.received == []
    assert server.read_reply(result.body)["Content"] == UNSUPPORTED_MEDIA_TEXT


@pytest.mark.parametrize("fixture", ["event_subscribe", "event_subscribe_scan"])
async def test_subscribe_uses_the_bots_greeting(make_webhook, fixture):
    webhook, server = make_webhook()
    bot = FakeBot(lambda text: [{"text": "您好，我是产研通需求助手。"}])
    result = await post(webhook, server.wrap(fixture_xml(fixture)), bot)
    assert bot.texts == ["/greet"]
    assert server.read_reply(result.body)["Content"] == "您好，我是产研通需求助手。"


async def test_subscribe_falls_back_to_the_channel_welcome(make_webhook):
    webhook, server = make_webhook()
    result = await post(webhook, server.wrap(fixture_xml("event_subscribe")), FakeBot(lambda text: []))
    assert server.read_reply(result.body)["Content"] == WELCOME_TEXT


@pytest.mark.parametrize(
    ("fixture", "payload"), [("event_click_start", "/request_filing"), ("event_click_help", "/faq_process")]
)
async def test_menu_clicks_start_the_intake_or_show_help(make_webhook, fixture, payload):
    webhook, server = make_webhook()
    bot = FakeBot()
    await post(webhook, server.wrap(fixture_xml(fixture)), bot)
    assert bot.texts == [payload]


@pytest.mark.parametrize(
    ("key", "payload"),
    [("CHECK_PROGRESS", "/ask_status"), ("CONTACT_STAFF", "/handoff"), ("NO_SUCH_KEY", "/faq_process")],
)
async def test_the_menu_s_keys_reach_the_bot_as_their_intents(make_webhook, key, payload):
    webhook, server = make_webhook()
    bot = FakeBot()
    await post(webhook, server.event(OPENID, "CLICK", key), bot)
    assert bot.texts == [payload]


@pytest.mark.parametrize("fixture", ["event_unsubscribe", "event_view"])
async def test_other_events_are_acknowledged_silently(make_webhook, fixture):
    webhook, server = make_webhook()
    bot = FakeBot()
    result = await post(webhook, server.wrap(fixture_xml(fixture)), bot)
    assert (result.status, result.body, bot.received) == (200, "success", [])


async def test_typed_commands_do_not_reach_rasa_as_intents(make_webhook):
    webhook, server = make_webhook()
    bot = FakeBot()
    await post(webhook, server.text(OPENID, '/choose{"choice":"confirm"}'), bot)
    assert bot.texts == ['／choose{"choice":"confirm"}']


# --- buttons --------------------------------------------------------------------------------------------


async def test_buttons_become_numbered_choices_that_a_number_selects(make_webhook):
    webhook, server = make_webhook()
    asked = [{"text": "请确认技术领域：", "buttons": DOMAIN_BUTTONS}]
    bot = FakeBot(lambda text: asked if text == "描述" else [{"text": "好的"}])
    result = await post(webhook, server.text(OPENID, "描述"), bot)
    assert server.read_reply(result.body)["Content"] == (
        "请确认技术领域：\n1. 先进制造与自动化\n2. 电子信息\n（回复序号即可选择）"
    )
    await post(webhook, server.text(OPENID, "２"), bot)
    assert bot.texts[-1] == '/choose{"choice":"10"}'
    assert bot.received[-1].metadata["wechat"]["choice"] == "电子信息"
    # The bot's last turn had no buttons: "1" is text again.
    await post(webhook, server.text(OPENID, "1"), bot)
    assert bot.texts[-1] == "1"


@pytest.mark.parametrize("answer", ["1", "１", "第1个", "选1", "先进制造与自动化"])
async def test_choice_forms(make_webhook, answer):
    webhook, server = make_webhook()
    bot = FakeBot(lambda text: [{"text": "领域？", "buttons": DOMAIN_BUTTONS}])
    await post(webhook, server.text(OPENID, "描述"), bot)
    await post(webhook, server.text(OPENID, answer), bot)
    assert bot.texts[-1] == '/choose{"choice":"80"}'


async def test_out_of_range_numbers_and_phone_numbers_stay_text(make_webhook):
    webhook, server = make_webhook()
    bot = FakeBot(lambda text: [{"text": "领域？", "buttons": DOMAIN_BUTTONS}])
    await post(webhook, server.text(OPENID, "描述"), bot)
    await post(webhook, server.text(OPENID, "3"), bot)
    await post(webhook, server.text(OPENID, "13912345678"), bot)
    assert bot.texts[1:] == ["3", "13912345678"]


# --- slow bot, long replies: 客服消息 ---------------------------------------------------------------------


async def test_a_slow_bot_is_answered_success_at_once_then_by_customer_service(make_webhook, wechat_api):
    webhook, server = make_webhook(reply_timeout=0.2)
    bot = FakeBot(lambda text: [{"text": "第一条"}, {"text": "第二条", "buttons": DOMAIN_BUTTONS}], delay=0.6)
    started = time.monotonic()
    result = await post(webhook, server.text(OPENID, "你好"), bot)
    elapsed = time.monotonic() - started
    assert (result.status, result.body) == (200, "success")
    assert elapsed < 0.5
    texts = await wechat_api.wait_for_messages_async(2, OPENID)
    assert texts[0] == "第一条" and texts[1].startswith("第二条\n1. 先进制造与自动化")
    assert len(wechat_api.token_requests) == 1


async def test_the_reply_timeout_can_be_shortened_per_request(make_webhook, wechat_api):
    webhook, server = make_webhook(reply_timeout=2.0)
    result = await post(webhook, server.text(OPENID, "你好"), FakeBot(delay=0.2), reply_timeout=0.01)
    assert result.body == "success"
    assert await wechat_api.wait_for_messages_async(1, OPENID) == ["收到：你好"]


async def test_a_zero_reply_timeout_always_uses_customer_service(make_webhook, wechat_api):
    webhook, server = make_webhook(reply_timeout=0.0)
    result = await post(webhook, server.text(OPENID, "你好"), FakeBot())  # an instant bot
    assert result.body == "success"
    assert await wechat_api.wait_for_messages_async(1, OPENID) == ["收到：你好"]


async def test_messages_collected_before_the_timeout_keep_their_order(make_webhook, wechat_api):
    webhook, server = make_webhook(reply_timeout=0.1)

    async def bot(message):
        await message.output_channel.send_text_message(message.sender_id, "一")
        await asyncio.sleep(0.3)
        await message.output_channel.send_text_message(message.sender_id, "二")
        await message.output_channel.send_text_message(message.sender_id, "三")

    assert (await post(webhook, server.text(OPENID, "你好"), bot)).body == "success"
    assert await wechat_api.wait_for_messages_async(3, OPENID) == ["一", "二", "三"]


async def test_a_long_reply_is_split_within_wechats_limit(make_webhook, wechat_api):
    webhook, server = make_webhook()
    long_text = "\n".join(f"第{i}段：" + "这是一段很长的说明文字。" * 20 for i in range(8))
    callback = server.text(OPENID, "说明")
    result = await post(webhook, callback, FakeBot(lambda text: [{"text": long_text}]))
    assert result.body == "success"
    await processed(webhook, callback)
    texts = wechat_api.texts(OPENID)
    assert len(texts) >= 3
    assert all(utf8_size(t) <= MAX_TEXT_BYTES for t in texts)
    assert "".join(texts).replace("\n", "") == long_text.replace("\n", "")


async def test_several_short_messages_make_one_passive_reply(make_webhook):
    webhook, server = make_webhook()
    bot = FakeBot(lambda text: [{"text": "好的。"}, {"text": "下一个问题？"}])
    result = await post(webhook, server.text(OPENID, "你好"), bot)
    assert server.read_reply(result.body)["Content"] == "好的。\n\n下一个问题？"


async def test_a_failing_bot_is_apologised_for_and_recorded(make_webhook, incidents):
    webhook, server = make_webhook()

    async def broken(message):
        raise RuntimeError("boom")

    result = await post(webhook, server.text(OPENID, "你好"), broken)
    assert server.read_reply(result.body)["Content"] == RETRY_NOTICE
    assert incidents.kinds == ["bot_error"]


async def test_a_turn_that_says_nothing_gets_the_retry_notice(make_webhook):
    # Rasa only logs a custom action it could not reach (action server down) and answers nothing.
    webhook, server = make_webhook()
    result = await post(webhook, server.text(OPENID, "预算30万"), FakeBot(lambda text: []))
    assert server.read_reply(result.body)["Content"] == RETRY_NOTICE


async def test_a_slow_silent_turn_gets_the_retry_notice_as_a_customer_message(make_webhook, wechat_api):
    webhook, server = make_webhook(reply_timeout=0.1)
    result = await post(webhook, server.text(OPENID, "预算30万"), FakeBot(lambda text: [], delay=0.3))
    assert result.body == "success"
    assert await wechat_api.wait_for_messages_async(1, OPENID) == [RETRY_NOTICE]


# --- duplicates and retries -----------------------------------------------------------------------------


async def test_wechat_retries_of_a_slow_message_are_processed_once(make_webhook, wechat_api):
    webhook, server = make_webhook(reply_timeout=0.1)
    bot = FakeBot(delay=0.5)
    callback = server.text(OPENID, "你好", msg_id=777)
    results = [await post(webhook, callback, bot)]
    # WeChat's three retries, the first while the bot is still busy.
    results += await asyncio.gather(
        *(post(webhook, server.text(OPENID, "你好", msg_id=777), bot) for _ in range(3))
    )
    assert [r.body for r in results] == ["success"] * 4
    await processed(webhook, callback)
    assert bot.texts == ["你好"] and wechat_api.texts(OPENID) == ["收到：你好"]


async def test_a_message_whose_replica_died_mid_turn_is_processed_by_the_next_retry(make_webhook, wechat_api):
    store = MemoryStore()
    webhook, server = make_webhook(reply_timeout=1.0, store=store, dedup_lease=0.3)
    callback = server.text(OPENID, "你好", msg_id=780)
    # What a replica that claimed the message and was then killed leaves behind: a claim nobody renews.
    await store.add(f"chanyan:wechat:{webhook.config.appid}:seen:msg:780", "processing", 0.3)
    bot = FakeBot()
    retry = await post(webhook, callback, bot)
    assert bot.texts == ["你好"]
    assert server.read_reply(retry.body)["Content"] == "收到：你好"


async def test_a_duplicate_answered_while_the_first_delivery_works_takes_over_when_its_replica_dies(
    make_webhook, wechat_api
):
    store = MemoryStore()
    webhook, server = make_webhook(reply_timeout=0.2, store=store, dedup_lease=0.3)
    key = f"chanyan:wechat:{webhook.config.appid}:seen:msg:782"
    await store.add(key, "processing", 0.3)

    async def live_then_killed() -> None:  # the other replica renews its claim for a while, then dies
        for _ in range(5):
            await asyncio.sleep(0.1)
            await store.set(key, "processing", 0.3)

    replica = asyncio.ensure_future(live_then_killed())
    bot = FakeBot()
    callback = server.text(OPENID, "你好", msg_id=782)
    # WeChat's retry reaches this replica while the other one still works on the message: "success" ends
    # WeChat's retries, so nobody else would ever deliver it again.
    assert (await post(webhook, callback, bot)).body == "success"
    assert bot.texts == []
    await replica
    assert await wechat_api.wait_for_messages_async(1, OPENID) == ["收到：你好"]
    assert bot.texts == ["你好"]
    # The 客服消息 is sent before the claim is marked done: wait for the mark rather than race it.
    await processed(webhook, callback)
    assert await store.get(key) == "done"


async def test_a_live_turn_longer_than_the_lease_keeps_its_claim(make_webhook, wechat_api):
    webhook, server = make_webhook(reply_timeout=0.1, dedup_lease=0.3)
    bot = FakeBot(delay=1.0)
    callback = server.text(OPENID, "你好", msg_id=781)
    assert (await post(webhook, callback, bot)).body == "success"
    await asyncio.sleep(0.6)  # two leases: the claim survives only because the live turn renews it
    assert (await post(webhook, server.text(OPENID, "你好", msg_id=781), bot)).body == "success"
    await processed(webhook, callback)
    assert bot.texts == ["你好"] and wechat_api.texts(OPENID) == ["收到：你好"]


async def test_a_retry_after_a_passive_reply_gets_the_same_reply(make_webhook):
    webhook, server = make_webhook()
    bot = FakeBot()
    first = await post(webhook, server.text(OPENID, "你好", msg_id=778), bot)
    retry = await post(webhook, server.text(OPENID, "你好", msg_id=778), bot)
    assert bot.texts == ["你好"]
    assert (
        server.read_reply(retry.body)["Content"] == server.read_reply(first.body)["Content"] == "收到：你好"
    )


async def test_concurrent_duplicates_reach_the_bot_once(make_webhook):
    webhook, server = make_webhook()
    bot = FakeBot(delay=0.1)
    results = await asyncio.gather(
        *(post(webhook, server.text(OPENID, "你好", msg_id=779), bot) for _ in range(5))
    )
    assert bot.texts == ["你好"]
    assert {server.read_reply(r.body)["Content"] for r in results} == {"收到：你好"}


async def test_events_are_deduplicated_by_sender_and_create_time(make_webhook):
    webhook, server = make_webhook()
    bot = FakeBot()
    for _ in range(2):
        await post(webhook, server.event(OPENID, "CLICK", "HELP", create_time=1764050400), bot)
    await post(webhook, server.event(OPENID, "CLICK", "HELP", create_time=1764050401), bot)
    await post(webhook, server.event("oAnotherUser", "CLICK", "HELP", create_time=1764050400), bot)
    assert bot.texts == ["/faq_process"] * 3


# --- WeChat API errors ----------------------------------------------------------------------------------


async def slow_exchange(webhook, server, wechat_api, text="你好"):
    callback = server.text(OPENID, text)
    await post(webhook, callback, FakeBot(delay=0.05), reply_timeout=0.0)
    return callback


async def test_an_expired_token_is_refreshed_once(make_webhook, wechat_api, incidents):
    webhook, server = make_webhook()
    await slow_exchange(webhook, server, wechat_api, "一")
    await wechat_api.wait_for_messages_async(1, OPENID)
    wechat_api.expire_tokens()
    await slow_exchange(webhook, server, wechat_api, "二")
    assert await wechat_api.wait_for_messages_async(2, OPENID) == ["收到：一", "收到：二"]
    assert len(wechat_api.token_requests) == 2 and incidents.rows == []


async def test_error_40001_refreshes_once_then_gives_up(make_webhook, wechat_api, incidents):
    webhook, server = make_webhook()
    wechat_api.fail_next(40001, times=2)
    await processed(webhook, await slow_exchange(webhook, server, wechat_api))
    assert wechat_api.texts(OPENID) == []
    assert len(wechat_api.token_requests) == 2
    assert incidents.kinds == ["wechat_api_error_40001"]


@pytest.mark.parametrize(
    ("errcode", "kind"), [(45015, "wechat_window_expired"), (45047, "wechat_quota_exceeded")]
)
async def test_permanent_errors_are_recorded_for_staff_and_not_retried(
    make_webhook, wechat_api, incidents, errcode, kind
):
    webhook, server = make_webhook()
    wechat_api.fail_next(errcode)
    bot = FakeBot(lambda text: [{"text": "第一条"}, {"text": "第二条"}], delay=0.05)
    callback = server.text(OPENID, "你好")
    await post(webhook, callback, bot, reply_timeout=0.0)
    await processed(webhook, callback)
    assert [errcode for errcode, _ in wechat_api.rejected] == [errcode]  # the second was not attempted
    assert incidents.kinds == [kind, kind]
    assert (
        incidents.rows[0][0] == OPENID
        and "第一条" in incidents.rows[0][2]
        and "第二条" in incidents.rows[1][2]
    )
    # The channel keeps working.
    await slow_exchange(webhook, server, wechat_api, "还在吗")
    assert await wechat_api.wait_for_messages_async(1, OPENID) == ["收到：还在吗"]


async def test_network_faults_and_busy_answers_are_retried(make_webhook, wechat_api, incidents):
    webhook, server = make_webhook()
    wechat_api.fail_next(DISCONNECT)
    wechat_api.fail_next(-1)
    await slow_exchange(webhook, server, wechat_api)
    assert await wechat_api.wait_for_messages_async(1, OPENID) == ["收到：你好"]
    assert incidents.rows == []


async def test_a_persistent_outage_is_recorded_not_raised(make_webhook, wechat_api, incidents):
    webhook, server = make_webhook()
    wechat_api.fail_next(DISCONNECT, times=3)
    await processed(webhook, await slow_exchange(webhook, server, wechat_api))
    assert incidents.kinds == ["wechat_network_error"]
    assert wechat_api.texts(OPENID) == []


async def test_a_slow_api_times_out_and_is_retried(make_webhook, wechat_api, incidents):
    webhook, server = make_webhook()
    webhook.api._timeout = type(webhook.api._timeout)(total=0.2)
    wechat_api.fail_next(SLOW, delay=1.0)
    await slow_exchange(webhook, server, wechat_api)
    assert await wechat_api.wait_for_messages_async(1, OPENID, timeout=5) == ["收到：你好"]


async def test_the_token_is_cached_across_messages(make_webhook, wechat_api):
    webhook, server = make_webhook()
    for text in ("一", "二", "三"):
        await slow_exchange(webhook, server, wechat_api, text)
    assert await wechat_api.wait_for_messages_async(3, OPENID) == ["收到：一", "收到：二", "收到：三"]
    assert len(wechat_api.token_requests) == 1


async def test_no_secret_reaches_the_logs(make_webhook, wechat_api, caplog):
    caplog.set_level(logging.DEBUG)
    webhook, server = make_webhook()
    wechat_api.fail_next(40001)
    wechat_api.fail_next(DISCONNECT)
    await slow_exchange(webhook, server, wechat_api)
    await wechat_api.wait_for_messages_async(1, OPENID)
    await post(webhook, server.text(OPENID, "伪造"), FakeBot(), reply_timeout=0.0)
    token = await webhook.api.access_token()
    logged = caplog.text
    assert SECRET not in logged and token not in logged and "spamtest" not in logged
    assert OPENID not in logged
