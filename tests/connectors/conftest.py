"""Fixtures for the WeChat channel: a fake WeChat API on loopback, a fake bot, webhooks in each mode."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from connectors.wechat import WeChatConfig, WeChatWebhook
from connectors.wechat.api import IncidentRecorder, WeChatAPI
from connectors.wechat.store import MemoryStore
from tests.fakes.wechat_api import FakeWeChatAPI, WeChatServer

FIXTURES = Path(__file__).parent / "fixtures"

# The official WXBizMsgCrypt sample (公众号 message encryption docs).
SAMPLE_TOKEN = "spamtest"
SAMPLE_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_APPID = "wx2c2769f8efd9abc2"
SECRET = "unit-test-secret-value"

Reply = dict[str, Any]


def fixture_xml(name: str) -> str:
    return (FIXTURES / f"{name}.xml").read_text(encoding="utf-8")


class FakeBot:
    """Stands in for Rasa's `on_new_message`: records messages, answers through the output channel."""

    def __init__(self, answer: Callable[[str], list[Reply]] | None = None, delay: float = 0.0) -> None:
        self.answer = answer or (lambda text: [{"text": f"收到：{text}"}])
        self.delay = delay
        self.received: list[UserMessage] = []

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.received]

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        replies = self.answer(message.text)
        if self.delay:
            await asyncio.sleep(self.delay)
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))


async def processed(webhook: WeChatWebhook, callback: Any, wait: float = 5.0) -> None:
    """Wait until the delivery that claimed `callback`'s message has finished its turn (every 客服消息 sent)."""
    outcome = await webhook.dedup.outcome(f"msg:{callback.fields['MsgId']}", wait)
    assert outcome.finished, f"the message was still being processed after {wait}s"


class ListIncidents(IncidentRecorder):
    """Incidents kept in a list instead of the database."""

    def __init__(self) -> None:
        super().__init__("sqlite://")
        self.rows: list[tuple[str, str, str]] = []

    async def record(self, conversation_id: str, kind: str, detail: str) -> None:
        self.rows.append((conversation_id, kind, detail))

    @property
    def kinds(self) -> list[str]:
        return [kind for _, kind, _ in self.rows]


@pytest.fixture(scope="session")
def fake_api() -> Iterator[FakeWeChatAPI]:
    api = FakeWeChatAPI(appid=SAMPLE_APPID, secret=SECRET).start()
    yield api
    api.stop()


@pytest.fixture()
def wechat_api(fake_api: FakeWeChatAPI) -> FakeWeChatAPI:
    fake_api.reset()
    fake_api.expire_tokens()
    return fake_api


@pytest.fixture()
def incidents() -> ListIncidents:
    return ListIncidents()


@pytest.fixture()
async def make_webhook(
    wechat_api: FakeWeChatAPI, incidents: ListIncidents
) -> AsyncIterator[Callable[..., tuple[WeChatWebhook, WeChatServer]]]:
    """Build a webhook (and the WeChat side that talks to it) for a mode; closed after the test."""
    made: list[WeChatWebhook] = []

    def make(mode: str = "safe", reply_timeout: float = 1.0, store: Any = None, **kw: Any):
        config = WeChatConfig(
            token=SAMPLE_TOKEN,
            appid=SAMPLE_APPID,
            secret=SECRET,
            aes_key=SAMPLE_AES_KEY if mode != "plaintext" else "",
            mode=mode,
            api_base=wechat_api.url,
            reply_timeout=reply_timeout,
        )
        store = store or MemoryStore()
        api = WeChatAPI(config.api_base, config.appid, config.secret, store, backoff=0.01)
        webhook = WeChatWebhook(config, store=store, api=api, incidents=incidents, **kw)
        made.append(webhook)
        server = WeChatServer(SAMPLE_TOKEN, SAMPLE_APPID, SAMPLE_AES_KEY if mode != "plaintext" else "", mode)
        return webhook, server

    yield make
    for webhook in made:
        await webhook.api.close()
        await webhook.store.close()
