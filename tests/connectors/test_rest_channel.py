"""The REST channel on a real Sanic server with a fake bot: who may call it, what it accepts, whose conversation."""

from __future__ import annotations

import socket
import uuid

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from connectors.message_limit import MAX_MESSAGE_CHARS, TOO_LONG_NOTICE
from connectors.rest import RestAccess, RetryNoticeRestInput, parse_tokens
from connectors.retry_notice import RETRY_NOTICE

TOKEN_A = "token-of-client-a-0123456789"
TOKEN_B = "token-of-client-b-9876543210"


class MemoryBot:
    """Stands in for Rasa: one remembered fact per conversation, told back to whoever asks in it."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []
        self.facts: dict[str, str] = {}
        self.silent = False

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.silent:
            return
        if message.text.startswith("记住"):
            self.facts[message.sender_id] = message.text[2:]
            reply = "好的"
        else:
            reply = f"您的信息：{self.facts.get(message.sender_id, '无')}"
        await message.output_channel.send_response(message.sender_id, {"text": reply})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
async def serve(monkeypatch):
    """Starts the channel with a given access on a free port; yields (http, webhook url, bot)."""
    servers = []
    monkeypatch.setattr(Sanic, "test_mode", True)

    async def start(access: RestAccess):
        bot = MemoryBot()
        app = Sanic(f"rest_test_{uuid.uuid4().hex[:8]}", configure_logging=False)
        app.ctx.agent = bot
        register([RetryNoticeRestInput(access)], app, "/webhooks/")
        port = _free_port()
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
        await server.startup()
        await server.start_serving()
        servers.append(server)
        return f"http://127.0.0.1:{port}/webhooks/rest", bot

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


DEV = RestAccess({}, development=True)
TOKENS = RestAccess({"a": TOKEN_A, "b": TOKEN_B}, development=False)


async def _post(url: str, *, json=None, data=None, token: str | None = None, content_type="application/json"):
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url + "/webhook", json=json, data=data, headers=headers) as response,
    ):
        return response.status, await response.json(content_type=None), response.headers


# --- who may call it ------------------------------------------------------------------------------------------


async def test_without_a_token_the_channel_is_off_outside_development(serve):
    url, bot = await serve(RestAccess({}, development=False))
    status, body, _ = await _post(url, json={"sender": "u1", "message": "你好"})
    assert status == 403 and body["error"] == "rest_disabled" and "REST_TOKEN" in body["message"]
    assert bot.received == []


async def test_with_tokens_a_call_without_or_with_a_wrong_token_is_refused(serve):
    url, bot = await serve(TOKENS)
    for token in (None, "wrong-token-000000000000", TOKEN_A + "x"):
        status, body, headers = await _post(url, json={"sender": "u1", "message": "你好"}, token=token)
        assert status == 401 and body["error"] == "unauthorized"
        assert headers["WWW-Authenticate"].startswith("Bearer")
    assert bot.received == []


async def test_a_client_naming_another_clients_sender_gets_its_own_conversation(serve):
    url, bot = await serve(TOKENS)
    status, body, _ = await _post(url, json={"sender": "zhang", "message": "记住13912345678"}, token=TOKEN_A)
    assert status == 200 and body == [{"recipient_id": "zhang", "text": "好的"}]
    _, stolen, _ = await _post(url, json={"sender": "zhang", "message": "我的信息"}, token=TOKEN_B)
    assert stolen == [{"recipient_id": "zhang", "text": "您的信息：无"}]
    _, own, _ = await _post(url, json={"sender": "zhang", "message": "我的信息"}, token=TOKEN_A)
    assert own[0]["text"] == "您的信息：13912345678"
    assert [m.sender_id for m in bot.received] == ["a:zhang", "b:zhang", "a:zhang"]


async def test_a_token_client_cannot_reach_a_wechat_or_web_chat_conversation(serve):
    url, bot = await serve(RestAccess({"rest": TOKEN_A}, development=False))
    openid = "oWeChatUser00000000000000001"
    await _post(url, json={"sender": openid, "message": "我的信息"}, token=TOKEN_A)
    assert bot.received[0].sender_id == f"rest:{openid}"


async def test_the_client_chooses_neither_input_channel_nor_metadata(serve):
    url, bot = await serve(DEV)
    body = {"sender": "u1", "message": "你好", "input_channel": "wechat", "metadata": {"wechat": {"x": 1}}}
    status, _, _ = await _post(url, json=body)
    assert status == 200
    assert bot.received[0].input_channel == "rest" and not bot.received[0].metadata


# --- what it accepts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", "bad_json"),
        (b"not json", "bad_json"),
        (b'{"sender": "u1", "message": NaN}', "bad_json"),
        (b'{"sender": "u1", "message": "hi", "x": Infinity}', "bad_json"),
        (b"\xff\xfe", "bad_json"),
        (b"[1, 2]", "not_an_object"),
        (b'"hi"', "not_an_object"),
        (b"null", "not_an_object"),
        (b'{"message": "hi"}', "missing_sender"),
        (b'{"sender": "", "message": "hi"}', "missing_sender"),
        (b'{"sender": 42, "message": "hi"}', "bad_sender"),
        (b'{"sender": "u1"}', "missing_message"),
        (b'{"sender": "u1", "message": null}', "missing_message"),
        (b'{"sender": "u1", "message": 3}', "bad_message"),
        (b'{"sender": "u1", "message": ["a"]}', "bad_message"),
        (b'{"sender": "u1", "message": "   "}', "bad_message"),
    ],
)
async def test_a_malformed_body_gets_a_400_with_its_reason_and_reaches_no_bot(serve, data, error):
    url, bot = await serve(DEV)
    status, body, _ = await _post(url, data=data)
    assert status == 400 and body["error"] == error and body["message"]
    assert bot.received == []


@pytest.mark.parametrize(
    "sender",
    [
        "default/../x",
        "a/b",
        "x?y#z",
        "line\r\nbreak",
        "nul\x00",
        "\u202eevil",
        "<b>",
        "'or'1'='1",
        "a" * 129,
        "张三",
    ],
)
async def test_an_odd_sender_is_refused(serve, sender):
    url, bot = await serve(DEV)
    status, body, _ = await _post(url, json={"sender": sender, "message": "你好"})
    assert status == 400 and body["error"] == "bad_sender"
    assert bot.received == []


async def test_a_message_over_the_limit_gets_the_notice_and_is_not_processed(serve):
    url, bot = await serve(DEV)
    status, body, _ = await _post(url, json={"sender": "u1", "message": "字" * (MAX_MESSAGE_CHARS + 1)})
    assert status == 413 and body == {
        "error": "too_long",
        "message": TOO_LONG_NOTICE,
        "limit": MAX_MESSAGE_CHARS,
    }
    status, body, _ = await _post(url, data=("x" * (70 * 1024)).encode())
    assert status == 413 and body["error"] == "too_large"
    assert bot.received == []
    status, _, _ = await _post(url, json={"sender": "u1", "message": "字" * MAX_MESSAGE_CHARS})
    assert status == 200 and len(bot.received) == 1


async def test_a_turn_without_a_bot_message_gets_the_retry_notice(serve):
    url, bot = await serve(DEV)
    bot.silent = True
    status, body, _ = await _post(url, json={"sender": "u1", "message": "你好"})
    assert status == 200 and body == [{"recipient_id": "u1", "text": RETRY_NOTICE}]


async def test_the_health_route_says_whether_the_channel_is_on(serve):
    for access, expected in ((DEV, "ok"), (RestAccess({}, development=False), "disabled")):
        url, _ = await serve(access)
        async with aiohttp.ClientSession() as http, http.get(url + "/") as response:
            assert (await response.json())["status"] == expected


# --- configuration --------------------------------------------------------------------------------------------


def test_rest_token_holds_one_token_or_named_clients(tmp_path):
    assert parse_tokens(TOKEN_A) == {"rest": TOKEN_A}
    assert parse_tokens(f"a:{TOKEN_A}, b:{TOKEN_B}") == {"a": TOKEN_A, "b": TOKEN_B}
    token_file = tmp_path / "rest.token"
    token_file.write_text(TOKEN_B + "\n")
    access = RestAccess.from_env({"REST_TOKEN_FILE": str(token_file), "CHANYAN_ENV": "production"})
    assert access.tokens == {"rest": TOKEN_B} and access.enabled and not access.development
    assert not RestAccess.from_env({"CHANYAN_ENV": "production"}).enabled
    assert RestAccess.from_env({}).development
    assert TOKEN_B not in repr(access)


@pytest.mark.parametrize(
    "raw", ["short", f"a:{TOKEN_A},a:{TOKEN_B}", f"a:{TOKEN_A},b:{TOKEN_A}", f"bad name:{TOKEN_A}"]
)
def test_a_malformed_rest_token_fails_fast(raw):
    with pytest.raises(ValueError, match="REST_TOKEN"):
        parse_tokens(raw)


def test_an_unknown_chanyan_env_fails_fast():
    with pytest.raises(ValueError, match="CHANYAN_ENV"):
        RestAccess.from_env({"CHANYAN_ENV": "staging"})
