"""Signatures, the official WXBizMsgCrypt sample, replays, malformed XML and XML bombs."""

from __future__ import annotations

import time

import pytest
import xmltodict

from connectors.wechat.webhook import MAX_BODY_BYTES
from connectors.wechat.xml import MalformedMessage, parse_xml
from tests.connectors.conftest import FakeBot, fixture_xml

# The official sample vectors (公众号 消息加解密 WXBizMsgCrypt sample).
SAMPLE_TIMESTAMP = "1409735669"
SAMPLE_NONCE = "1320562132"
SAMPLE_SIGNATURE = "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"
SAMPLE_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2L"
    "dJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6u"
    "x5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJ"
    "pXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCz"
    "pu9GhglF2PE="
)
SAMPLE_FROM_XML = (
    "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
    "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>"
    "<CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId>"
    f"<Encrypt><![CDATA[{SAMPLE_ENCRYPT}]]></Encrypt></xml>"
)
SAMPLE_OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
SAMPLE_QUERY = {
    "signature": SAMPLE_SIGNATURE,
    "timestamp": SAMPLE_TIMESTAMP,
    "nonce": SAMPLE_NONCE,
    "openid": SAMPLE_OPENID,
    "encrypt_type": "aes",
    "msg_signature": SAMPLE_MSG_SIGNATURE,
}
OPENID = "oFixtureUser0000000000000001"


def at_sample_time() -> float:
    return int(SAMPLE_TIMESTAMP) + 1


# --- the official sample --------------------------------------------------------------------------------


async def test_sample_url_verification(make_webhook):
    webhook, _ = make_webhook("safe", clock=at_sample_time)
    query = {
        "signature": SAMPLE_SIGNATURE,
        "timestamp": SAMPLE_TIMESTAMP,
        "nonce": SAMPLE_NONCE,
        "echostr": "shr5ch",
    }
    result = await webhook.verify(query)
    assert (result.status, result.body) == (200, "shr5ch")


@pytest.mark.parametrize("mode", ["safe", "compatible"])
async def test_sample_message_passes_through_the_channel(make_webhook, mode):
    webhook, server = make_webhook(mode, clock=at_sample_time)
    bot = FakeBot(lambda text: [{"text": "您好"}])
    result = await webhook.receive(SAMPLE_QUERY, SAMPLE_FROM_XML.encode(), bot)
    assert result.status == 200
    assert bot.texts == ["abcdteT"]
    assert bot.received[0].sender_id == SAMPLE_OPENID
    assert bot.received[0].message_id == "6054768590064713728"
    reply = server.read_reply(result.body)  # decrypted with wechatpy, msg_signature checked
    assert reply["Content"] == "您好" and reply["ToUserName"] == SAMPLE_OPENID
    assert reply["FromUserName"] == "gh_10f6c3c3ac5a"


async def test_sample_with_a_wrong_appid_is_refused(make_webhook):
    webhook, _ = make_webhook("safe", clock=at_sample_time)
    webhook._crypto._id = "wx0000000000000000"
    bot = FakeBot()
    result = await webhook.receive(SAMPLE_QUERY, SAMPLE_FROM_XML.encode(), bot)
    assert result.status == 403 and bot.received == []


@pytest.mark.parametrize(
    "tamper",
    [
        {"msg_signature": "0" * 40},
        {"signature": "0" * 40},
        {"nonce": "1320562133"},
        {"msg_signature": ""},
        {"signature": ""},
        {"msg_signature": "５d197aaffba7e9b25a30732f161a50dee96bd5fa"},
    ],
)
async def test_forged_signatures_are_refused_before_rasa(make_webhook, tamper):
    webhook, _ = make_webhook("safe", clock=at_sample_time)
    bot = FakeBot()
    result = await webhook.receive({**SAMPLE_QUERY, **tamper}, SAMPLE_FROM_XML.encode(), bot)
    assert result.status == 403 and bot.received == []


async def test_a_tampered_ciphertext_is_refused(make_webhook):
    webhook, _ = make_webhook("safe", clock=at_sample_time)
    bot = FakeBot()
    body = SAMPLE_FROM_XML.replace("hyzAe4", "hyzAe5").encode()
    result = await webhook.receive(SAMPLE_QUERY, body, bot)
    assert result.status == 403 and bot.received == []


# --- signatures and modes -------------------------------------------------------------------------------


async def test_verification_with_a_bad_or_missing_signature_is_refused(make_webhook):
    webhook, server = make_webhook("plaintext")
    good = server.verification("hello")
    assert (await webhook.verify(good)).body == "hello"
    assert (await webhook.verify({**good, "signature": "f" * 40})).status == 403
    assert (await webhook.verify({k: v for k, v in good.items() if k != "signature"})).status == 403
    assert (await webhook.verify({})).status == 403


async def test_plaintext_posts_need_the_signature(make_webhook):
    webhook, server = make_webhook("plaintext")
    bot = FakeBot()
    callback = server.text(OPENID, "你好")
    unsigned = {k: v for k, v in callback.query.items() if k != "signature"}
    assert (await webhook.receive(unsigned, callback.body, bot)).status == 403
    assert (
        await webhook.receive({**callback.query, "signature": "a" * 40}, callback.body, bot)
    ).status == 403
    assert bot.received == []


async def test_safe_mode_refuses_plaintext_bodies(make_webhook):
    webhook, _ = make_webhook("safe")
    plain_server = make_webhook("plaintext")[1]
    bot = FakeBot()
    result = await webhook.receive(*_qb(plain_server.text(OPENID, "你好")), bot)
    assert result.status == 403 and bot.received == []


async def test_compatible_mode_takes_plaintext_too(make_webhook):
    webhook, _ = make_webhook("compatible")
    plain_server = make_webhook("plaintext")[1]
    bot = FakeBot()
    result = await webhook.receive(*_qb(plain_server.text(OPENID, "你好")), bot)
    assert result.status == 200 and bot.texts == ["你好"]
    assert plain_server.read_reply(result.body)["Content"] == "收到：你好"


@pytest.mark.parametrize("skew", [-3600, -301, 301, 86400])
async def test_replays_with_old_or_future_timestamps_are_refused(make_webhook, skew):
    webhook, server = make_webhook("safe")
    bot = FakeBot()
    callback = server.text(OPENID, "你好", timestamp=int(time.time()) + skew)
    assert (await webhook.receive(callback.query, callback.body, bot)).status == 403
    assert (await webhook.verify(server.verification(timestamp=int(time.time()) + skew))).status == 403
    assert bot.received == []


async def test_a_signed_plaintext_query_replayed_with_another_body_is_refused(make_webhook):
    webhook, server = make_webhook("plaintext")
    bot = FakeBot()
    first = server.text(OPENID, "你好")
    assert (await webhook.receive(first.query, first.body, bot)).status == 200
    swapped = server.text("oVictim000000000000000000001", "转人工")
    assert (await webhook.receive(first.query, swapped.body, bot)).status == 403
    assert bot.texts == ["你好"]


async def test_a_wechat_retry_repeating_query_and_body_is_answered_once(make_webhook):
    webhook, server = make_webhook("plaintext")
    bot = FakeBot()
    callback = server.text(OPENID, "你好")
    first = await webhook.receive(callback.query, callback.body, bot)
    retry = await webhook.receive(callback.query, callback.body, bot)
    assert retry.status == 200
    assert (
        server.read_reply(retry.body)["Content"] == server.read_reply(first.body)["Content"] == "收到：你好"
    )
    assert bot.texts == ["你好"]


# --- hostile bodies -------------------------------------------------------------------------------------


def _qb(callback):
    return callback.query, callback.body


def signed_plain(server, body: bytes):
    callback = server.text(OPENID, "x")
    return callback.query, body


@pytest.mark.parametrize("fixture", ["malformed", "xml_bomb", "xml_external_entity"])
async def test_malformed_and_hostile_xml_is_refused(make_webhook, fixture):
    webhook, server = make_webhook("plaintext")
    bot = FakeBot()
    started = time.monotonic()
    result = await webhook.receive(*signed_plain(server, fixture_xml(fixture).encode()), bot)
    assert result.status == 400 and bot.received == []
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("fixture", ["xml_bomb", "xml_external_entity"])
async def test_hostile_xml_inside_the_ciphertext_is_refused(make_webhook, fixture):
    webhook, server = make_webhook("safe")
    bot = FakeBot()
    result = await webhook.receive(*_qb(server.wrap(fixture_xml(fixture))), bot)
    assert result.status == 400 and bot.received == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml",
        b"<root><a>1</a></root>",
        b"<xml>text only</xml>",
        "<xml><a>\ud800</a></xml>".encode("utf-8", "surrogatepass"),
    ],
)
async def test_garbage_bodies_are_refused(make_webhook, body):
    webhook, server = make_webhook("plaintext")
    bot = FakeBot()
    result = await webhook.receive(*signed_plain(server, body), bot)
    assert result.status == 400 and bot.received == []


async def test_oversized_bodies_are_refused(make_webhook):
    webhook, server = make_webhook("plaintext")
    bot = FakeBot()
    callback = server.text(OPENID, "长" * (MAX_BODY_BYTES // 3 + 10))
    result = await webhook.receive(callback.query, callback.body, bot)
    assert result.status == 413 and bot.received == []


async def test_a_signed_message_without_sender_or_type_is_refused(make_webhook):
    webhook, server = make_webhook("plaintext")
    bot = FakeBot()
    body = xmltodict.unparse({"xml": {"ToUserName": "gh", "Content": "hi"}}).encode()
    result = await webhook.receive(*signed_plain(server, body), bot)
    assert result.status == 400 and bot.received == []


def test_parse_xml_rejects_any_doctype():
    with pytest.raises(MalformedMessage):
        parse_xml(b'<!DOCTYPE xml SYSTEM "http://example.com/x.dtd"><xml><a>1</a></xml>')
    assert parse_xml("<xml><a><![CDATA[<!DOCTYPE 不是声明]]></a></xml>") == {"a": "<!DOCTYPE 不是声明"}


async def test_replies_cannot_be_broken_by_cdata_terminators(make_webhook):
    webhook, server = make_webhook("plaintext")
    bot = FakeBot(lambda text: [{"text": "单位：]]><MsgType>image</MsgType>"}])
    result = await webhook.receive(*_qb(server.text(OPENID, "x")), bot)
    reply = server.read_reply(result.body)
    assert reply["MsgType"] == "text" and reply["Content"].startswith("单位：]]")
