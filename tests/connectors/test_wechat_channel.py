"""The Rasa channel: credentials, routes on a real Sanic server, Redis across replicas, incident rows."""

from __future__ import annotations

import asyncio
import socket
import uuid
from pathlib import Path

import aiohttp
import pytest
from rasa.core.channels.channel import register
from rasa.shared.exceptions import RasaException
from sanic import Sanic
from sqlalchemy import create_engine, text

from connectors.wechat import WeChatConfig, WeChatInput, WeChatOutput
from connectors.wechat.api import IncidentRecorder, WeChatAPI
from connectors.wechat.store import MemoryStore, RedisStore
from tests.connectors.conftest import SAMPLE_AES_KEY, SAMPLE_APPID, SAMPLE_TOKEN, SECRET, FakeBot
from tests.postgres import service_missing

ROOT = Path(__file__).resolve().parents[2]
OPENID = "oChannelTestUser000000000001"
GOOD = {
    "token": SAMPLE_TOKEN,
    "appid": SAMPLE_APPID,
    "secret": SECRET,
    "aes_key": SAMPLE_AES_KEY,
    "mode": "safe",
    "api_base": "",
    "redis_url": "",
    "reply_timeout": "",
}


# --- configuration --------------------------------------------------------------------------------------


def test_credentials_give_a_config_with_defaults():
    config = WeChatConfig.from_credentials(GOOD)
    assert (config.mode, config.api_base, config.reply_timeout) == ("safe", "https://api.weixin.qq.com", 4.5)
    assert (
        SECRET not in repr(config) and SAMPLE_TOKEN not in repr(config) and SAMPLE_AES_KEY not in repr(config)
    )


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"token": ""}, "token"),
        ({"appid": None}, "appid"),
        ({"secret": " "}, "secret"),
        ({"mode": "aes"}, "mode"),
        ({"aes_key": ""}, "aes_key"),
        ({"aes_key": "too-short"}, "aes_key"),
        ({"reply_timeout": "5"}, "reply_timeout"),
        ({"reply_timeout": "soon"}, "reply_timeout"),
        ({"api_base": "ftp://x"}, "api_base"),
    ],
)
def test_bad_credentials_fail_fast(change, complaint):
    with pytest.raises(RasaException, match=complaint) as raised:
        WeChatInput.from_credentials({**GOOD, **change})
    assert SECRET not in str(raised.value)


def test_no_credentials_fail_fast():
    with pytest.raises(RasaException):
        WeChatInput.from_credentials(None)


def test_plaintext_mode_needs_no_aes_key():
    channel = WeChatInput.from_credentials({**GOOD, "mode": "plaintext", "aes_key": ""})
    assert channel.name() == "wechat" and channel.url_prefix() == "wechat"


def test_credentials_yml_loads_the_channel(monkeypatch):
    # What rasa.core.run.create_http_input_channels does, without importing the whole of Rasa's core.
    from rasa.shared.utils.common import class_from_module_path
    from rasa.shared.utils.io import read_config_file

    env = {
        "WECHAT_TOKEN": "dev-token",
        "WECHAT_APPID": "wx-dev",
        "WECHAT_SECRET": "dev-secret",
        "WECHAT_AES_KEY": "",
        "WECHAT_MODE": "plaintext",
        "WECHAT_API_BASE": "https://api.weixin.qq.com",
        "REDIS_URL": "",
        "WECHAT_REPLY_TIMEOUT": "4.5",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    credentials = read_config_file(str(ROOT / "credentials.yml"))
    wechat = class_from_module_path("connectors.wechat.WeChatInput").from_credentials(
        credentials["connectors.wechat.WeChatInput"]
    )
    assert isinstance(wechat, WeChatInput)
    assert wechat.config.mode == "plaintext" and wechat.config.appid == "wx-dev"


# --- routes on a real Sanic server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Agent:
    def __init__(self, bot: FakeBot) -> None:
        self.bot = bot

    async def handle_message(self, message) -> None:
        await self.bot(message)


@pytest.fixture()
async def served(make_webhook, monkeypatch):
    """WeChatInput registered the way Rasa does, served on a free port."""
    webhook, server = make_webhook("safe")  # reply window: 1 s
    channel = WeChatInput(webhook.config, webhook)
    bot = FakeBot()
    # Test mode lets Sanic apply its start-up method rewriting ("touchup") to more than one app per process.
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic(f"wechat_test_{uuid.uuid4().hex[:8]}", configure_logging=False)
    app.ctx.agent = Agent(bot)
    register([channel], app, "/webhooks/")
    port = free_port()
    asyncio_server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await asyncio_server.startup()
    await asyncio_server.start_serving()
    base = f"http://127.0.0.1:{port}/webhooks/wechat"
    async with aiohttp.ClientSession() as http:
        yield http, base, server, bot
    asyncio_server.close()
    await asyncio_server.wait_closed()


async def test_routes(served, wechat_api):
    http, base, server, bot = served
    async with http.get(base + "/") as response:
        assert response.status == 200 and (await response.json()) == {"status": "ok"}
    async with http.get(base + "/webhook", params=server.verification("echo-42")) as response:
        assert response.status == 200 and await response.text() == "echo-42"
    async with http.get(
        base + "/webhook", params={**server.verification(), "signature": "0" * 40}
    ) as response:
        assert response.status == 403

    callback = server.text(OPENID, "你好")
    async with http.post(base + "/webhook", params=callback.query, data=callback.body) as response:
        assert response.status == 200
        assert server.read_reply(await response.text())["Content"] == "收到：你好"
    async with http.post(
        base + "/webhook", params={**callback.query, "msg_signature": "0" * 40}, data=callback.body
    ) as r:
        assert r.status == 403
    assert bot.texts == ["你好"]


async def test_a_bot_slower_than_the_reply_window_answers_through_customer_service(served, wechat_api):
    http, base, server, bot = served
    bot.delay = 1.3
    callback = server.text(OPENID, "慢一点")
    async with http.post(base + "/webhook", params=callback.query, data=callback.body) as response:
        assert await response.text() == "success"
    assert await wechat_api.wait_for_messages_async(1, OPENID) == ["收到：慢一点"]


async def test_a_declared_oversized_body_is_refused_before_reading(served):
    http, base, server, bot = served
    callback = server.text(OPENID, "你好")
    async with http.post(
        base + "/webhook", params=callback.query, data=b"<xml>" + b" " * 70_000 + b"</xml>"
    ) as r:
        assert r.status == 413
    assert bot.received == []


# --- Redis across replicas ------------------------------------------------------------------------------


@pytest.fixture()
async def redis_url():
    url = "redis://127.0.0.1:6379/15"
    store = RedisStore(url)
    try:
        await asyncio.wait_for(store._redis().ping(), 1)
    except Exception:
        await store.close()
        service_missing("no Redis on 127.0.0.1:6379")
    yield url
    client = store._redis()
    keys = [key async for key in client.scan_iter(f"chanyan:wechat:{SAMPLE_APPID}*")]
    if keys:
        await client.delete(*keys)
    await store.close()


async def test_replicas_share_dedup_choices_and_token_through_redis(make_webhook, wechat_api, redis_url):
    first, server = make_webhook("safe", reply_timeout=0.0, store=RedisStore(redis_url))
    second, _ = make_webhook("safe", reply_timeout=0.0, store=RedisStore(redis_url))
    await first.store.delete(f"chanyan:wechat:{SAMPLE_APPID}:access_token")
    bot = FakeBot(
        lambda t: [
            {"text": "领域？", "buttons": [{"title": "电子信息", "payload": '/choose{"choice":"10"}'}]}
        ]
    )
    msg_id = int(uuid.uuid4().int % 10**17)
    callback = server.text(OPENID, "描述", msg_id=msg_id)
    await first.receive(callback.query, callback.body, bot)
    await second.receive(callback.query, callback.body, bot)  # a retry landing on the other replica
    await wechat_api.wait_for_messages_async(1, OPENID)
    assert bot.texts == ["描述"]
    again = server.text(OPENID, "1")
    await second.receive(again.query, again.body, bot)  # the choice shown by replica 1, picked on replica 2
    await wechat_api.wait_for_messages_async(2, OPENID)
    assert bot.texts[-1] == '/choose{"choice":"10"}'
    assert len(wechat_api.token_requests) == 1  # the token fetched by replica 1 served replica 2


async def test_token_invalidation_keeps_a_newer_token(redis_url, wechat_api):
    store = RedisStore(redis_url)
    api = WeChatAPI(wechat_api.url, SAMPLE_APPID, SECRET, store)
    try:
        key = f"chanyan:wechat:{SAMPLE_APPID}:access_token"
        await store.set(key, "NEWER", 60)
        await api.invalidate_token("OLDER")
        assert await store.get(key) == "NEWER"
        await api.invalidate_token("NEWER")
        assert await store.get(key) is None
    finally:
        await api.close()
        await store.close()


async def test_redis_outage_fails_open():
    store = RedisStore("redis://127.0.0.1:1/0")
    try:
        assert await store.add("k", "v", 10) is True
        assert await store.get("k") is None
    finally:
        await store.close()


async def test_memory_store_expires_keys():
    now = [0.0]
    store = MemoryStore(clock=lambda: now[0])
    assert await store.add("k", "v", 10)
    assert not await store.add("k", "v", 10)
    now[0] = 11
    assert await store.get("k") is None and await store.add("k", "v", 10)


# --- incidents reach the database -----------------------------------------------------------------------


async def test_incidents_are_written_to_channel_incidents(tmp_path, wechat_api):
    from chanyan.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'incidents.db'}"
    upgrade(url)
    recorder = IncidentRecorder(url)
    store = MemoryStore()
    api = WeChatAPI(wechat_api.url, SAMPLE_APPID, SECRET, store, backoff=0.01)
    wechat_api.fail_next(45015)
    output = WeChatOutput(api, None, recorder)  # type: ignore[arg-type]
    try:
        await output.send_text_message(OPENID, "您的需求单已提交。")
    finally:
        await api.close()
        recorder.close()
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT conversation_id, channel, kind, detail FROM channel_incidents")
        ).all()
    engine.dispose()
    assert len(rows) == 1
    conversation_id, channel, kind, detail = rows[0]
    assert (conversation_id, channel, kind) == (OPENID, "wechat", "wechat_window_expired")
    assert "45015" in detail and "您的需求单已提交" in detail


async def test_an_unwritable_database_does_not_break_delivery(wechat_api):
    recorder = IncidentRecorder("nosuchdialect://nowhere")
    await recorder.record(OPENID, "wechat_network_error", "detail")  # logged, not raised
    recorder.close()


# --- messages from outside a turn (staff replies through Rasa's HTTP API) ---------------------------------


async def test_the_channels_own_output_signs_staff_replies_and_raises_a_refusal(make_webhook, wechat_api):
    from connectors.wechat.api import WeChatAPIError

    webhook, _server = make_webhook("safe")
    channel = WeChatInput(webhook.config, webhook)
    output = channel.get_output_channel()
    await output.send_response(OPENID, {"text": "您好，我来跟进您的需求。", "staff": "李对接"})
    assert await wechat_api.wait_for_messages_async(1, OPENID) == [
        "【对接专员 李对接】您好，我来跟进您的需求。"
    ]
    wechat_api.fail_next(45047)
    with pytest.raises(WeChatAPIError) as refused:
        await output.send_response(OPENID, {"text": "第二条"})
    assert refused.value.errcode == 45047
