"""State the webhook shares between requests and Rasa replicas: the buttons last shown, one processing per message."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wechatpy.messages import BaseMessage

from connectors.wechat.store import KEY_PREFIX, ChannelStore

DEDUP_TTL = 600.0  # how long a processed message's outcome is kept for WeChat's retries
PROCESSING_LEASE = 10.0  # how long a claim outlives a replica that died mid-turn
CHOICES_TTL = 24 * 3600.0
DEDUP_POLL_INTERVAL = 0.05
# How long a duplicate that answered "success" keeps watching a claim still being processed elsewhere.
CLAIM_WATCH_LIMIT = 900.0


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
    """One processing per WeChat message, whatever the retries; remembers the passive reply for them.

    A delivery that claims a message holds a short lease on it, renewed while its turn runs. If the replica
    dies mid-turn (killed, out of memory, restarted) the lease runs out within `lease` seconds and WeChat's
    next retry, on any replica, claims the message again: it is processed late rather than lost.
    """

    PROCESSING = "processing"
    DONE = "done"
    REPLY = "reply:"

    def __init__(self, store: ChannelStore, appid: str, lease: float = PROCESSING_LEASE) -> None:
        self._store = store
        self._prefix = f"{KEY_PREFIX}:{appid}:seen:"
        self._lease = lease
        self._renewals: dict[str, asyncio.Task] = {}

    async def claim(self, key: str) -> bool:
        """True when this delivery is to process the message (the first, or one after a lapsed lease)."""
        if not await self._store.add(self._prefix + key, self.PROCESSING, self._lease):
            return False
        self._renewals[key] = asyncio.ensure_future(self._renew(key))
        return True

    async def _renew(self, key: str) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            await self._store.set(self._prefix + key, self.PROCESSING, self._lease)

    async def finish(self, key: str, reply: str | None) -> None:
        """Record the outcome: the passive reply given, or done (nothing or 客服消息)."""
        renewal = self._renewals.pop(key, None)
        if renewal is not None:
            renewal.cancel()
            await asyncio.gather(renewal, return_exceptions=True)  # no renewal may land after the outcome
        await self._store.set(self._prefix + key, self.REPLY + reply if reply else self.DONE, DEDUP_TTL)

    async def lapses(self, key: str, limit: float) -> bool:
        """Watch a claim held by another delivery: True once its lease lapses unfinished (its replica is gone),
        False once its outcome is recorded or after `limit` seconds."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            state = await self._store.get(self._prefix + key)
            if state is None:
                return True
            if state != self.PROCESSING:
                return False
            await asyncio.sleep(self._lease / 3)
        return False

    async def outcome(self, key: str, wait: float) -> Outcome:
        """What became of the delivery that claimed the message, waiting up to `wait` seconds for it."""
        deadline = time.monotonic() + wait
        state = await self._store.get(self._prefix + key)
        while state == self.PROCESSING and time.monotonic() < deadline:
            await asyncio.sleep(DEDUP_POLL_INTERVAL)
            state = await self._store.get(self._prefix + key)
        if state is None:
            return Outcome(abandoned=True)
        if state.startswith(self.REPLY):
            return Outcome(finished=True, reply=state[len(self.REPLY) :])
        return Outcome(finished=state == self.DONE)


@dataclass(frozen=True)
class Outcome:
    """A duplicate's view of the delivery that claimed the message.

    Attributes:
        finished: its turn is over (and every 客服消息 of it sent).
        reply: the passive reply it gave, if any.
        abandoned: its lease lapsed before it finished (the replica is gone).
    """

    finished: bool = False
    reply: str | None = None
    abandoned: bool = False


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
