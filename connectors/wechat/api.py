"""The few WeChat API calls the channel makes (access_token, 客服消息), over aiohttp, and incident records.

wechatpy's client is synchronous, so the two calls are made here with aiohttp; the protocol of the callback
(signatures, AES, XML) stays with wechatpy in connectors/wechat/webhook.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from connectors.wechat.store import KEY_PREFIX, ChannelStore
from connectors.wechat.text import mask

logger = logging.getLogger(__name__)

TOKEN_PATH = "/cgi-bin/token"
CUSTOM_SEND_PATH = "/cgi-bin/message/custom/send"
# 40001 invalid credential, 40014 invalid access_token, 42001 access_token expired.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# -1 "system busy": WeChat asks callers to retry.
RETRYABLE_ERRORS = frozenset({-1})
ERROR_KINDS = {
    45015: "wechat_window_expired",  # the user has not written for 48 hours
    45047: "wechat_quota_exceeded",  # too many 客服消息 since the user's last message
    43004: "wechat_not_subscribed",
    40003: "wechat_invalid_openid",
}
NETWORK_ERROR = -2  # our own code for "no answer from WeChat"
TOKEN_EXPIRY_MARGIN = 300  # refresh five minutes before WeChat says the token expires
TOKEN_LOCK_TTL = 10.0
HTTP_TIMEOUT = 5.0
SEND_ATTEMPTS = 3
RETRY_BACKOFF = 0.5


class WeChatAPIError(Exception):
    """WeChat answered with an errcode, or did not answer at all (errcode NETWORK_ERROR)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def kind(self) -> str:
        """The incident kind staff see, e.g. wechat_window_expired."""
        if self.errcode == NETWORK_ERROR:
            return "wechat_network_error"
        return ERROR_KINDS.get(self.errcode, f"wechat_api_error_{self.errcode}")

    @property
    def permanent(self) -> bool:
        """True when sending more messages to this user now is pointless (window closed, quota used)."""
        return self.errcode in ERROR_KINDS


class WeChatAPI:
    """access_token (cached, shared through the store) and customer-service text messages."""

    def __init__(
        self,
        api_base: str,
        appid: str,
        secret: str,
        store: ChannelStore,
        *,
        attempts: int = SEND_ATTEMPTS,
        backoff: float = RETRY_BACKOFF,
        timeout: float = HTTP_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.appid = appid
        self._secret = secret
        self._store = store
        self._attempts = attempts
        self._backoff = backoff
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None
        self._token_lock: asyncio.Lock | None = None
        self._token_key = f"{KEY_PREFIX}:{appid}:access_token"

    def __repr__(self) -> str:
        return f"WeChatAPI(api_base={self.api_base!r}, appid={self.appid!r})"

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def access_token(self) -> str:
        """A valid access_token: from the store, or fetched once for all concurrent callers."""
        token = await self._store.get(self._token_key)
        if token:
            return token
        if self._token_lock is None:
            self._token_lock = asyncio.Lock()
        async with self._token_lock:
            token = await self._store.get(self._token_key)
            if token:
                return token
            return await self._fetch_token()

    async def _fetch_token(self) -> str:
        # Another replica may be fetching: wait briefly for its token rather than invalidate it with ours.
        lock_key = f"{self._token_key}:lock"
        if not await self._store.add(lock_key, "1", TOKEN_LOCK_TTL):
            for _ in range(20):
                await asyncio.sleep(0.1)
                token = await self._store.get(self._token_key)
                if token:
                    return token
        try:
            params = {"grant_type": "client_credential", "appid": self.appid, "secret": self._secret}
            data = await self._call("GET", TOKEN_PATH, params=params)
            token = data.get("access_token")
            if data.get("errcode") or not token:
                raise WeChatAPIError(
                    int(data.get("errcode") or -3), str(data.get("errmsg") or "no access_token")
                )
            expires_in = int(data.get("expires_in") or 7200)
            ttl = max(expires_in - TOKEN_EXPIRY_MARGIN, expires_in / 2)
            await self._store.set(self._token_key, token, ttl)
            logger.info("Fetched a WeChat access_token (valid %ss).", expires_in)
            return token
        finally:
            await self._store.delete(lock_key)

    async def invalidate_token(self, token: str) -> None:
        """Forget `token` (WeChat said it is invalid or expired) unless a newer one replaced it already."""
        await self._store.delete(self._token_key, only_if=token)

    async def _call(
        self, method: str, path: str, *, params: dict[str, str], payload: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One HTTP call; network faults become WeChatAPIError(NETWORK_ERROR) with no URL (it holds secrets)."""
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if body is not None else None
        try:
            async with self._http().request(
                method, self.api_base + path, params=params, data=body, headers=headers
            ) as response:
                text = await response.text(encoding="utf-8")
                if response.status != 200:
                    raise WeChatAPIError(NETWORK_ERROR, f"HTTP {response.status} from {path}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as err:
            # The message names the path only: the query holds the secret or the access_token.
            raise WeChatAPIError(NETWORK_ERROR, f"{type(err).__name__} calling {path}") from err
        try:
            data = json.loads(text)
        except ValueError as err:
            raise WeChatAPIError(NETWORK_ERROR, f"non-JSON answer from {path}") from err
        if not isinstance(data, dict):
            raise WeChatAPIError(NETWORK_ERROR, f"unexpected answer from {path}")
        return data

    async def send_text(self, openid: str, text: str) -> None:
        """Send one 客服消息 text; retries network faults and "busy", refreshes the token once.

        Raises:
            WeChatAPIError: when the message could not be delivered.
        """
        payload = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        refreshed = False
        attempt = 0
        last_error: WeChatAPIError | None = None
        while attempt < self._attempts:
            attempt += 1
            try:
                token = await self.access_token()
                data = await self._call(
                    "POST", CUSTOM_SEND_PATH, params={"access_token": token}, payload=payload
                )
            except WeChatAPIError as err:
                if err.errcode != NETWORK_ERROR and err.errcode not in RETRYABLE_ERRORS:
                    raise
                last_error = err
                logger.warning(
                    "WeChat API unreachable (attempt %d/%d): %s", attempt, self._attempts, err.errmsg
                )
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
                continue
            errcode = int(data.get("errcode") or 0)
            if errcode == 0:
                return
            error = WeChatAPIError(errcode, str(data.get("errmsg") or ""))
            if errcode in TOKEN_ERRORS and not refreshed:
                refreshed = True
                attempt -= 1  # a refresh is not a failed delivery
                logger.info("WeChat rejected the access_token (%d); refreshing once.", errcode)
                await self.invalidate_token(token)
                continue
            if errcode in RETRYABLE_ERRORS:
                last_error = error
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
                continue
            logger.warning("WeChat refused a message to %s: %s", mask(openid), error)
            raise error
        assert last_error is not None
        raise last_error


class IncidentRecorder:
    """Writes channel_incidents rows (visible to staff) off the event loop; never raises."""

    def __init__(self, database_url: str | None = None, channel: str = "wechat") -> None:
        self._database_url = database_url
        self._channel = channel
        self._sessionmaker = None
        self._engine = None
        self._lock = threading.Lock()  # writes run in executor threads; create the engine once

    def _sessions(self):
        with self._lock:
            if self._sessionmaker is None:
                from chanyan.settings import Settings
                from chanyan.store.session import make_engine, make_sessionmaker

                self._engine = make_engine(self._database_url or Settings.from_env().database_url)
                self._sessionmaker = make_sessionmaker(self._engine)
            return self._sessionmaker

    def _write(self, conversation_id: str, kind: str, detail: str) -> None:
        from chanyan.store.requests import record_incident

        sessions = self._sessions()
        with sessions() as session, session.begin():
            record_incident(session, conversation_id, self._channel, kind, detail)

    async def record(self, conversation_id: str, kind: str, detail: str) -> None:
        """Record an incident for a conversation (the openid); failures are logged only."""
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self._write, conversation_id, kind, detail)
        except Exception:
            logger.error("Could not record a %s incident for %s.", kind, mask(conversation_id), exc_info=True)

    def close(self) -> None:
        """Dispose of the engine."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._sessionmaker = None
