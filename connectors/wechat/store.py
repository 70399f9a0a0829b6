"""Small key-value stores with expiry for the WeChat channel: dedup marks, button choices, the access_token.

One process keeps them in memory; several Rasa replicas share them through Redis (REDIS_URL).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger(__name__)

KEY_PREFIX = "chanyan:wechat"
MEMORY_MAX_KEYS = 100_000

# Delete only the value we saw, so a replica does not drop a token another replica has just refreshed.
_COMPARE_AND_DELETE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class ChannelStore(Protocol):
    """What the channel needs from a store. Values are strings; ttl in seconds."""

    async def add(self, key: str, value: str, ttl: float) -> bool:
        """Set `key` only if it does not exist; True when this call set it."""

    async def get(self, key: str) -> str | None:
        """The value, or None when missing or expired."""

    async def set(self, key: str, value: str, ttl: float) -> None:
        """Set `key` unconditionally."""

    async def delete(self, key: str, only_if: str | None = None) -> None:
        """Delete `key` (only when it still holds `only_if`, if given)."""

    async def close(self) -> None:
        """Release connections."""


class MemoryStore:
    """A store for one process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._data: dict[str, tuple[str, float]] = {}

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires_at = item
        if expires_at <= self._clock():
            del self._data[key]
            return None
        return value

    def _prune(self) -> None:
        if len(self._data) < MEMORY_MAX_KEYS:
            return
        now = self._clock()
        for key in [key for key, (_, expires_at) in self._data.items() if expires_at <= now]:
            del self._data[key]
        # Still full of live keys: drop the oldest insertions rather than grow without bound.
        while len(self._data) >= MEMORY_MAX_KEYS:
            del self._data[next(iter(self._data))]

    async def add(self, key: str, value: str, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        self._prune()
        self._data[key] = (value, self._clock() + ttl)
        return True

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def set(self, key: str, value: str, ttl: float) -> None:
        self._prune()
        self._data.pop(key, None)
        self._data[key] = (value, self._clock() + ttl)

    async def delete(self, key: str, only_if: str | None = None) -> None:
        if only_if is None or self._live(key) == only_if:
            self._data.pop(key, None)

    async def close(self) -> None:
        self._data.clear()


class RedisStore:
    """A store shared by replicas. Redis faults are logged and fail open: a message is rather processed
    twice than dropped, a token rather fetched again than missing."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._client = None

    def _redis(self):
        if self._client is None:
            from redis import asyncio as redis_asyncio

            self._client = redis_asyncio.from_url(self._url, decode_responses=True)
        return self._client

    async def add(self, key: str, value: str, ttl: float) -> bool:
        try:
            return bool(await self._redis().set(key, value, nx=True, px=int(ttl * 1000)))
        except Exception:
            logger.warning(
                "Redis unavailable for a dedup mark; processing the message anyway.", exc_info=True
            )
            return True

    async def get(self, key: str) -> str | None:
        try:
            return await self._redis().get(key)
        except Exception:
            logger.warning("Redis unavailable for a read.", exc_info=True)
            return None

    async def set(self, key: str, value: str, ttl: float) -> None:
        try:
            await self._redis().set(key, value, px=int(ttl * 1000))
        except Exception:
            logger.warning("Redis unavailable for a write.", exc_info=True)

    async def delete(self, key: str, only_if: str | None = None) -> None:
        try:
            if only_if is None:
                await self._redis().delete(key)
            else:
                await self._redis().eval(_COMPARE_AND_DELETE, 1, key, only_if)
        except Exception:
            logger.warning("Redis unavailable for a delete.", exc_info=True)

    async def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()
            await client.connection_pool.disconnect()


def make_store(redis_url: str | None) -> ChannelStore:
    """Redis when a URL is configured, else memory."""
    return RedisStore(redis_url) if redis_url else MemoryStore()
