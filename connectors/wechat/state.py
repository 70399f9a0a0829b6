"""State the webhook shares between requests and Rasa replicas: the buttons last shown, one processing per message."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from wechatpy.messages import BaseMessage

from connectors.wechat.store import KEY_PREFIX, ChannelStore

DEDUP_TTL = 600.0
CHOICES_TTL = 24 * 3600.0
DEDUP_POLL_INTERVAL = 0.05


class ChoiceMemory:
    """The buttons last shown to each openid, so that a reply "1" can stand for the first one."""

    def __init__(self, store: ChannelStore, appid: str) -> None:
        self._store = store
        self._prefix = f"{KEY_PREFIX}:{appid}:choices:"

    async def remember(self, openid: str, buttons: Sequence[dict[str, Any]]) -> None:
        """Keep the latest buttons shown to `openid`."""
        kept = [{"title": str(b.get("title") or ""), "payload": str(b.get("payload") or "")} for b in buttons]
        await self._store.set(self._prefix + openid, json.dumps(kept, ensure_ascii=False), CHOICES_TTL)

    async def recall(self, openid: str) -> list[dict[str, str]]:
        """The buttons shown last, or an empty list."""
        raw = await self._store.get(self._prefix + openid)
        if not raw:
            return []
        try:
            buttons = json.loads(raw)
        except ValueError:
            return []
        return buttons if isinstance(buttons, list) else []

    async def forget(self, openid: str) -> None:
        """The bot's last turn had no buttons: numbers are just numbers again."""
        await self._store.delete(self._prefix + openid)


class Deduplicator:
    """One processing per WeChat message, whatever the retries; remembers the passive reply for them."""

    PROCESSING = "processing"
    DONE = "done"
    REPLY = "reply:"

    def __init__(self, store: ChannelStore, appid: str) -> None:
        self._store = store
        self._prefix = f"{KEY_PREFIX}:{appid}:seen:"

    async def claim(self, key: str) -> bool:
        """True for the first delivery of a message, False for a retry or duplicate."""
        return await self._store.add(self._prefix + key, self.PROCESSING, DEDUP_TTL)

    async def finish(self, key: str, reply: str | None) -> None:
        """Record the outcome: the passive reply given, or done (nothing or 客服消息)."""
        await self._store.set(self._prefix + key, self.REPLY + reply if reply else self.DONE, DEDUP_TTL)

    async def outcome(self, key: str, wait: float) -> str | None:
        """The passive reply of the first delivery, waiting up to `wait` seconds while it is processed."""
        deadline = time.monotonic() + wait
        state = await self._store.get(self._prefix + key)
        while state == self.PROCESSING and time.monotonic() < deadline:
            await asyncio.sleep(DEDUP_POLL_INTERVAL)
            state = await self._store.get(self._prefix + key)
        if state and state.startswith(self.REPLY):
            return state[len(self.REPLY) :]
        return None


def dedup_key(message: BaseMessage, fields: Mapping[str, Any]) -> str:
    """MsgId for messages; FromUserName + CreateTime for events (as WeChat recommends)."""
    msg_id = str(fields.get("MsgId") or "").strip()
    if msg_id and msg_id != "0":
        return f"msg:{msg_id}"
    return f"evt:{message.source}:{fields.get('CreateTime', '')}"


class QueryMemory:
    """The signed queries (timestamp, nonce) seen lately, each with a digest of the body it came with.

    In plaintext mode WeChat's signature covers the token, timestamp and nonce but not the body, so a captured
    query would carry any other body while its timestamp is fresh. A WeChat retry repeats query and body alike
    and passes (the deduplicator answers it); the same query with another body is a forgery.
    """

    def __init__(self, store: ChannelStore, appid: str, ttl: float) -> None:
        self._store = store
        self._prefix = f"{KEY_PREFIX}:{appid}:query:"
        self._ttl = ttl

    async def first_body(self, timestamp: str, nonce: str, body: bytes) -> bool:
        """True unless this (timestamp, nonce) came before with a different body."""
        digest = hashlib.sha256(body).hexdigest()
        key = f"{self._prefix}{timestamp}:{nonce}"
        if await self._store.add(key, digest, self._ttl):
            return True
        return await self._store.get(key) in (digest, None)
