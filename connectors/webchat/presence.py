"""Which web chat sessions have a page connected: on this Rasa replica, or on any replica sharing a Redis.

The staff console asks one Rasa replica whether a widget page of a session is open before it pushes a reply
(otherwise the reply waits for the page's next visit). With several replicas behind a load balancer the page's
socket may sit on another replica, so each replica records its sockets in Redis: one sorted set per session,
members ``<replica>:<socket id>``, scores the time a member lapses. A replica renews its members while they are
connected; a replica killed without a goodbye leaves members that lapse after ``ttl`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

logger = logging.getLogger(__name__)

PRESENCE_TTL_SECONDS = 60.0
KEY_PREFIX = "chanyan:webchat:presence:"


class LocalPresence:
    """The sockets of this process only (one Rasa process, no Redis)."""

    def __init__(self) -> None:
        self._sessions: dict[str, str] = {}  # socket id -> session id

    async def joined(self, session_id: str, sid: str) -> None:
        self._sessions[sid] = session_id

    async def left(self, sid: str) -> None:
        self._sessions.pop(sid, None)

    def here(self, session_id: str) -> bool:
        """Whether a socket of the session is connected to this process."""
        return session_id in self._sessions.values()

    async def connected(self, session_id: str) -> bool:
        return self.here(session_id)

    async def close(self) -> None:
        self._sessions.clear()


class RedisPresence(LocalPresence):
    """This process's sockets, recorded in Redis so that every replica can tell where a session is connected."""

    def __init__(self, redis: Any, *, ttl: float = PRESENCE_TTL_SECONDS, replica: str | None = None) -> None:
        super().__init__()
        self.redis = redis
        self.ttl = ttl
        self.replica = replica or uuid.uuid4().hex[:12]
        self._renewal: asyncio.Task | None = None

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> RedisPresence:
        from redis import asyncio as aioredis

        return cls(aioredis.Redis.from_url(url, decode_responses=True), **kwargs)

    def _member(self, sid: str) -> str:
        return f"{self.replica}:{sid}"

    async def joined(self, session_id: str, sid: str) -> None:
        previous = self._sessions.get(sid)
        await super().joined(session_id, sid)
        try:
            if previous and previous != session_id:
                await self.redis.zrem(KEY_PREFIX + previous, self._member(sid))
            await self._record(session_id, [sid])
        except Exception:  # presence is advisory: a Redis hiccup must not refuse the page
            logger.warning("could not record web chat presence in Redis", exc_info=True)
        self._ensure_renewal()

    async def left(self, sid: str) -> None:
        session_id = self._sessions.get(sid)
        await super().left(sid)
        if session_id is None:
            return
        try:
            await self.redis.zrem(KEY_PREFIX + session_id, self._member(sid))
        except Exception:
            logger.warning("could not remove web chat presence from Redis", exc_info=True)

    async def connected(self, session_id: str) -> bool:
        if self.here(session_id):
            return True
        key = KEY_PREFIX + session_id
        now = time.time()
        await self.redis.zremrangebyscore(key, "-inf", now)
        return int(await self.redis.zcount(key, now, "+inf")) > 0

    async def _record(self, session_id: str, sids: list[str]) -> None:
        key = KEY_PREFIX + session_id
        lapse = time.time() + self.ttl
        await self.redis.zadd(key, {self._member(sid): lapse for sid in sids})
        await self.redis.expire(key, int(self.ttl) + 1)

    def _ensure_renewal(self) -> None:
        if self._renewal is None or self._renewal.done():
            self._renewal = asyncio.ensure_future(self._renew())

    async def _renew(self) -> None:
        """Renew this replica's members at a third of their lifetime while sockets are connected."""
        while self._sessions:
            await asyncio.sleep(self.ttl / 3)
            by_session: dict[str, list[str]] = {}
            for sid, session_id in list(self._sessions.items()):
                by_session.setdefault(session_id, []).append(sid)
            for session_id, sids in by_session.items():
                try:
                    await self._record(session_id, sids)
                except Exception:
                    logger.warning("could not renew web chat presence in Redis", exc_info=True)

    async def close(self) -> None:
        if self._renewal is not None:
            self._renewal.cancel()
        for sid in list(self._sessions):
            await self.left(sid)
        await self.redis.aclose() if hasattr(self.redis, "aclose") else await self.redis.close()
