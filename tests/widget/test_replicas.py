"""Two widget servers sharing one Redis, as two Rasa replicas do: a message emitted on either replica reaches
the page whichever replica holds its socket, and either replica can tell whether the page is open."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import socketio
from aiohttp import web

from connectors.webchat.presence import KEY_PREFIX, RedisPresence
from connectors.webchat.protocol import WebchatProtocol
from connectors.webchat.sessions import SessionSigner
from tests.postgres import service_missing
from tests.widget.support import free_port

REDIS_URL = "redis://127.0.0.1:6379/14"
SIGNER = SessionSigner(b"replica-test-key-" + b"r" * 32)


class Replica:
    """A python-socketio server with the widget's protocol, its rooms shared through Redis."""

    def __init__(self, channel: str, *, presence_ttl: float = 60.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.channel = channel
        self.presence = RedisPresence.from_url(REDIS_URL, ttl=presence_ttl)
        self.runner: web.AppRunner | None = None
        self.protocol: WebchatProtocol | None = None
        self.manager: socketio.AsyncRedisManager | None = None

    async def start(self) -> Replica:
        manager = self.manager = socketio.AsyncRedisManager(REDIS_URL, channel=self.channel)
        # Short pings: a polling client's disconnect waits for the long poll it has open.
        sio = socketio.AsyncServer(
            async_mode="aiohttp",
            cors_allowed_origins="*",
            client_manager=manager,
            ping_interval=1,
            ping_timeout=1,
        )
        app = web.Application()
        sio.attach(app)

        async def process(session_id: str, text: str, message_id: str) -> None:
            await self.protocol.send_bot(session_id, {"text": f"收到：{text}"})

        async def no_events(session_id: str) -> list[dict[str, Any]]:
            return []

        self.protocol = WebchatProtocol(
            sio, signer=SIGNER, process=process, load_events=no_events, presence=self.presence
        )
        self.protocol.register()
        # The manager's listener starts with the first connection; a replica nobody connected to yet must
        # still hear what the others publish (in Rasa a replica serves many pages, so this is a test detail).
        sio.manager_initialized = True
        manager.initialize()
        self.runner = web.AppRunner(app, shutdown_timeout=1)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        await asyncio.sleep(0.2)  # the listener subscribes
        return self

    async def stop(self) -> None:
        await self.presence.close()
        listener = getattr(self.manager, "thread", None)
        if listener is not None:
            listener.cancel()
        if self.runner is not None:
            await self.runner.cleanup()


class Page:
    """A widget page: one socket, the session it was confirmed for, what it received."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.session_id: str | None = None
        self.received: list[str] = []
        self.confirmed = asyncio.Event()
        self.got_message = asyncio.Event()

        @self.sio.on("session_confirm")
        async def confirm(data: dict[str, Any]) -> None:
            self.session_id = data["session_id"]
            self.confirmed.set()

        @self.sio.on("bot_uttered")
        async def bot(data: dict[str, Any]) -> None:
            self.received.append(data["text"])
            self.got_message.set()

    async def open(self, url: str) -> Page:
        # Polling: python-engineio's websocket client needs a newer aiohttp than Rasa pins.
        await self.sio.connect(url, transports=["polling"])
        await self.sio.emit("session_request", {})
        await asyncio.wait_for(self.confirmed.wait(), 5)
        return self


@pytest.fixture()
async def replicas():
    probe = RedisPresence.from_url(REDIS_URL)
    try:
        await asyncio.wait_for(probe.redis.ping(), 1)
    except Exception:
        await probe.close()
        service_missing("no Redis on 127.0.0.1:6379")
    await probe.close()
    channel = f"chanyan:webchat:test:{uuid.uuid4().hex}"
    started = [await Replica(channel).start(), await Replica(channel).start()]
    yield started
    for replica in started:
        await replica.stop()


async def test_a_reply_sent_through_the_other_replica_reaches_the_page(replicas):
    a, b = replicas
    page = await Page().open(a.url)
    try:
        # The staff console pushed through replica b, which holds no socket of this page.
        assert not b.protocol.connected(page.session_id)
        await b.protocol.send_bot(page.session_id, {"text": "您好，我是平台的王老师，想再确认一下预算。"})
        await asyncio.wait_for(page.got_message.wait(), 5)
        assert page.received == ["您好，我是平台的王老师，想再确认一下预算。"]
    finally:
        await page.sio.disconnect()


async def test_either_replica_tells_whether_the_page_is_open(replicas):
    a, b = replicas
    page = await Page().open(a.url)
    assert await a.protocol.connected_anywhere(page.session_id)
    assert await b.protocol.connected_anywhere(page.session_id)
    await page.sio.disconnect()
    await asyncio.sleep(0.3)
    assert not await b.protocol.connected_anywhere(page.session_id)


async def test_a_killed_replicas_pages_lapse_after_the_presence_ttl():
    probe = RedisPresence.from_url(REDIS_URL)
    try:
        await asyncio.wait_for(probe.redis.ping(), 1)
    except Exception:
        await probe.close()
        service_missing("no Redis on 127.0.0.1:6379")
    killed = RedisPresence.from_url(REDIS_URL, ttl=0.5)
    session = f"s-{uuid.uuid4().hex}"
    await killed.joined(session, "sid-1")
    assert await probe.connected(session)
    killed._renewal.cancel()  # noqa: SLF001 (the process dies: no renewal, no goodbye)
    await asyncio.sleep(0.8)
    assert not await probe.connected(session)
    assert not await probe.redis.exists(KEY_PREFIX + session) or not await probe.connected(session)
    await probe.close()
    await killed.close()
