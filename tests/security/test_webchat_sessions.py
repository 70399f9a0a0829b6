"""Web chat (socket.io) against the real stack: a second client that asks for another user's session id gets a
session of its own and nothing of the other's; an over-long message is refused before the NLU."""

from __future__ import annotations

import asyncio
import time
import urllib.parse

import pytest
import socketio

from connectors.message_limit import MAX_MESSAGE_CHARS, TOO_LONG_NOTICE
from tests.e2e.stack import http_json

pytestmark = pytest.mark.e2e

VICTIM_MESSAGE = "我们是苏州精工机械有限公司，想用机器视觉检测零件表面划痕，手机13912345678"
REPLY_TIMEOUT_S = 60


class Client:
    """One socket.io client of the widget's protocol."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.confirmed: asyncio.Future | None = None
        self.received: list[dict] = []
        self.sio.on("session_confirm", self._confirm)
        self.sio.on("bot_uttered", self.received.append)

    def _confirm(self, data: dict) -> None:
        if self.confirmed is not None and not self.confirmed.done():
            self.confirmed.set_result(data)

    async def open(self, url: str, request: dict) -> dict:
        self.confirmed = asyncio.get_running_loop().create_future()
        # Polling: python-engineio's websocket client needs a newer aiohttp than Rasa pins.
        await self.sio.connect(url, transports=["polling"])
        await self.sio.emit("session_request", request)
        return await asyncio.wait_for(self.confirmed, 30)

    async def say(self, text: str) -> dict:
        return await self.sio.call(
            "user_uttered", {"message": text, "message_id": f"sec-{time.time_ns()}"}, timeout=REPLY_TIMEOUT_S
        )

    async def close(self) -> None:
        """Leave as a closed page does. Over polling, a clean disconnect waits for the pending long poll, which
        can outlast the server's ping interval: after a few seconds the connection is dropped instead."""
        try:
            await asyncio.wait_for(self.sio.disconnect(), 5)
        except asyncio.TimeoutError:
            await self.sio.eio.disconnect(abort=True)

    async def wait_for_reply(self, count: int = 1) -> None:
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while len(self.received) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert len(self.received) >= count, "no bot message"


def user_texts(stack, session_id: str) -> list[str]:
    quoted = urllib.parse.quote(session_id, safe="")
    tracker = http_json(
        "GET", f"{stack.rasa_url}/conversations/{quoted}/tracker?token={stack.env['RASA_TOKEN']}"
    )
    return [e.get("text") for e in tracker.get("events", []) if e.get("event") == "user"]


async def _hijack(url: str) -> dict:
    victim, intruder, bare = Client(), Client(), Client()
    try:
        mine = await victim.open(url, {})
        assert (await victim.say(VICTIM_MESSAGE))["ok"]
        await victim.wait_for_reply()
        seen = len(victim.received)
        joined = await intruder.open(url, {"session_id": mine["session_id"], "secret": "0" * 64})
        joined_without_secret = await bare.open(url, {"session_id": mine["session_id"]})
        # The victim carries on; the intruder must hear none of it.
        assert (await victim.say("预算50万左右"))["ok"]
        await victim.wait_for_reply(seen + 1)
        ack = await intruder.say("联系人换成李经理")
        await intruder.wait_for_reply()
        await asyncio.sleep(1.0)
        return {
            "victim": mine,
            "joined": joined,
            "joined_without_secret": joined_without_secret,
            "ack": ack,
            "intruder_heard": [m.get("text", "") for m in intruder.received],
        }
    finally:
        for client in (victim, intruder, bare):
            await client.close()


def test_a_second_client_asking_for_another_users_session_gets_nothing_of_it(rasa_stack):
    result = asyncio.run(_hijack(rasa_stack.rasa_url))
    victim = result["victim"]["session_id"]
    for joined in (result["joined"], result["joined_without_secret"]):
        assert joined["session_id"] != victim and not joined["resumed"] and joined["history"] == []
    assert result["ack"]["ok"]
    assert not any("13912345678" in text or "138****" in text for text in result["intruder_heard"])
    assert "联系人换成李经理" not in user_texts(rasa_stack, victim)
    assert user_texts(rasa_stack, result["joined"]["session_id"]) == ["联系人换成李经理"]


async def _too_long(url: str) -> tuple[dict, list[dict], str]:
    client = Client()
    try:
        confirm = await client.open(url, {})
        ack = await client.say("字" * (MAX_MESSAGE_CHARS + 1))
        await client.wait_for_reply()
        return ack, client.received, confirm["session_id"]
    finally:
        await client.close()


def test_a_web_chat_message_over_the_limit_is_refused_with_the_notice_and_not_processed(rasa_stack):
    ack, received, session_id = asyncio.run(_too_long(rasa_stack.rasa_url))
    assert ack == {"ok": False, "error": "too_long", "limit": MAX_MESSAGE_CHARS, "text": TOO_LONG_NOTICE}
    assert received[0]["text"] == TOO_LONG_NOTICE
    assert user_texts(rasa_stack, session_id) == []
