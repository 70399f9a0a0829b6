"""WeChat, faked for tests: the API server the channel calls, and the callback side that calls the channel.

`FakeWeChatAPI` is an aiohttp app on a free 127.0.0.1 port in a background thread: it issues access_tokens (and
stable tokens), records customer-service messages (客服消息), keeps the custom menu (自定义菜单: create, current
menu, delete, with WeChat's checks of its shape) and fails on purpose. `WeChatServer` builds callbacks the way
WeChat does (signature, timestamp, nonce; AES with msg_signature in safe mode) using wechatpy.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import xmltodict
from aiohttp import web
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

# MsgIds are unique across WeChat; so are ours across every fake server of a run (two servers made in the same
# second once drew the same ids, and the webhook's de-duplication answered one test with another's reply).
MSG_IDS = itertools.count(int(time.time() * 1000) * 1000)
TOKEN_TTL = 7200
DISCONNECT = "disconnect"  # fail_next(DISCONNECT): drop the connection instead of answering
SLOW = "slow"  # fail_next(SLOW, delay=...): answer "busy" after `delay` seconds


@dataclass
class _Failure:
    errcode: int | str
    delay: float = 0.0


class FakeWeChatAPI:
    """The WeChat API (token + 客服消息) on loopback.

    Attributes:
        messages: customer-service sends accepted, in order (the JSON bodies).
        token_requests: one dict per /cgi-bin/token call (appid, and whether the secret matched).
        rejected: sends answered with an error, as (errcode, body).
        menu: the custom menu created last (the menu/create body), or None.
        menu_calls: one (path, body or None) per menu call, in order.
    """

    def __init__(self, appid: str | None = None, secret: str | None = None) -> None:
        self.appid = appid
        self.secret = secret
        self.messages: list[dict[str, Any]] = []
        self.token_requests: list[dict[str, Any]] = []
        self.rejected: list[tuple[int | str, dict[str, Any]]] = []
        self.menu: dict[str, Any] | None = None
        self.menu_calls: list[tuple[str, dict[str, Any] | None]] = []
        self._valid_tokens: dict[str, float] = {}
        self._failures: deque[_Failure] = deque()
        self._menu_failures: deque[int] = deque()
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    # --- lifecycle ---

    @property
    def url(self) -> str:
        """Base URL to put in WECHAT_API_BASE."""
        if self.port is None:
            raise RuntimeError("FakeWeChatAPI is not started")
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeWeChatAPI:
        """Serve in a background thread; returns once the port is bound."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start_site())
            except BaseException as err:  # surfaced to start()
                errors.append(err)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            # Handlers still sleeping (SLOW failures) end with the server.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:  # gather() of nothing asks the policy for a loop, which may have changed since
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-wechat-api", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        return self

    async def _start_site(self) -> None:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        app.router.add_post("/cgi-bin/stable_token", self._stable_token)
        app.router.add_post("/cgi-bin/menu/create", self._menu_create)
        app.router.add_get("/cgi-bin/get_current_selfmenu_info", self._menu_current)
        app.router.add_get("/cgi-bin/menu/delete", self._menu_delete)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = self._thread = None

    async def start_async(self) -> FakeWeChatAPI:
        """Start from async code (the thread starts without blocking the caller's loop)."""
        await asyncio.get_running_loop().run_in_executor(None, self.start)
        return self

    async def stop_async(self) -> None:
        """Stop from async code."""
        await asyncio.get_running_loop().run_in_executor(None, self.stop)

    # --- test controls ---

    def fail_next(self, errcode: int | str, times: int = 1, *, delay: float = 0.0) -> None:
        """Answer the next `times` customer-service sends with `errcode` (or DISCONNECT / SLOW)."""
        with self._lock:
            self._failures.extend(_Failure(errcode, delay) for _ in range(times))

    def fail_next_menu(self, errcode: int, times: int = 1) -> None:
        """Answer the next `times` menu calls with `errcode`."""
        with self._lock:
            self._menu_failures.extend([errcode] * times)

    def expire_tokens(self) -> None:
        """Invalidate every issued token: the next send gets 42001."""
        with self._lock:
            self._valid_tokens.clear()

    def reset(self) -> None:
        """Forget messages, token requests and pending failures."""
        with self._lock:
            self.messages.clear()
            self.token_requests.clear()
            self.rejected.clear()
            self._failures.clear()
            self.menu_calls.clear()
            self._menu_failures.clear()

    def texts(self, openid: str | None = None) -> list[str]:
        """The texts sent (to `openid`, if given)."""
        with self._lock:
            return [
                m["text"]["content"]
                for m in self.messages
                if m.get("msgtype") == "text" and (openid is None or m.get("touser") == openid)
            ]

    def wait_for_messages(self, count: int, openid: str | None = None, timeout: float = 10.0) -> list[str]:
        """Block until at least `count` texts were sent (to `openid`); returns them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [
                    m["text"]["content"]
                    for m in self.messages
                    if m.get("msgtype") == "text" and (openid is None or m.get("touser") == openid)
                ]
                remaining = deadline - time.monotonic()
                if len(found) >= count or remaining <= 0:
                    return found
                self._changed.wait(remaining)

    async def wait_for_messages_async(
        self, count: int, openid: str | None = None, timeout: float = 10.0
    ) -> list[str]:
        """`wait_for_messages` for async tests (polls without blocking the caller's loop)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.texts(openid)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.02)

    # --- handlers ---

    async def _token(self, request: web.Request) -> web.Response:
        appid, secret = request.query.get("appid"), request.query.get("secret")
        with self._changed:
            self.token_requests.append(
                {"appid": appid, "secret_ok": self.secret is None or secret == self.secret, "at": time.time()}
            )
            self._changed.notify_all()
            if request.query.get("grant_type") != "client_credential":
                return web.json_response({"errcode": 40002, "errmsg": "invalid grant_type"})
            if (self.appid and appid != self.appid) or (self.secret and secret != self.secret):
                return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
            token = f"FAKE-TOKEN-{next(self._counter)}-{secrets.token_hex(4)}"
            self._valid_tokens[token] = time.time() + TOKEN_TTL
        return web.json_response({"access_token": token, "expires_in": TOKEN_TTL})

    def _issue_token(self, appid: str | None, secret: str | None) -> dict[str, Any]:
        if (self.appid and appid != self.appid) or (self.secret and secret != self.secret):
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        token = f"FAKE-TOKEN-{next(self._counter)}-{secrets.token_hex(4)}"
        self._valid_tokens[token] = time.time() + TOKEN_TTL
        return {"access_token": token, "expires_in": TOKEN_TTL}

    async def _stable_token(self, request: web.Request) -> web.Response:
        try:
            body = json.loads((await request.read()).decode("utf-8"))
        except ValueError:
            return web.json_response({"errcode": 47001, "errmsg": "data format error"})
        appid, secret = body.get("appid"), body.get("secret")
        with self._changed:
            self.token_requests.append(
                {"appid": appid, "secret_ok": self.secret is None or secret == self.secret, "at": time.time(),
                 "stable": True}
            )  # fmt: skip
            self._changed.notify_all()
            if body.get("grant_type") != "client_credential":
                return web.json_response({"errcode": 40002, "errmsg": "invalid grant_type"})
            return web.json_response(self._issue_token(appid, secret))

    def _menu_refusal(self, request: web.Request) -> dict[str, Any] | None:
        """A queued failure or an invalid token, checked under the lock; None when the call may proceed."""
        if self._menu_failures:
            errcode = self._menu_failures.popleft()
            return {"errcode": errcode, "errmsg": f"fake error {errcode}"}
        if self._valid_tokens.get(request.query.get("access_token", ""), 0) < time.time():
            return {"errcode": 42001, "errmsg": "access_token expired"}
        return None

    async def _menu_create(self, request: web.Request) -> web.Response:
        try:
            body = json.loads((await request.read()).decode("utf-8"))
        except ValueError:
            return web.json_response({"errcode": 47001, "errmsg": "data format error"})
        with self._changed:
            self.menu_calls.append(("create", body))
            refusal = self._menu_refusal(request)
            if refusal is None:
                refusal = _menu_errors(body)
            if refusal is not None:
                return web.json_response(refusal)
            self.menu = body
            self._changed.notify_all()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _menu_current(self, request: web.Request) -> web.Response:
        with self._lock:
            self.menu_calls.append(("current", None))
            refusal = self._menu_refusal(request)
            if refusal is not None:
                return web.json_response(refusal)
            if self.menu is None:
                return web.json_response({"is_menu_open": 0, "selfmenu_info": {"button": []}})
            return web.json_response({"is_menu_open": 1, "selfmenu_info": self.menu})

    async def _menu_delete(self, request: web.Request) -> web.Response:
        with self._lock:
            self.menu_calls.append(("delete", None))
            refusal = self._menu_refusal(request)
            if refusal is not None:
                return web.json_response(refusal)
            self.menu = None
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _custom_send(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            return web.json_response({"errcode": 47001, "errmsg": "data format error"})
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            if failure.errcode == DISCONNECT:
                request.transport.close()
                raise ConnectionResetError("fake disconnect")
            if failure.errcode == SLOW:
                # The caller has usually given up by now; do not record a message it will send again.
                await asyncio.sleep(failure.delay)
                return web.json_response({"errcode": -1, "errmsg": "system busy (slow)"})
            else:
                with self._changed:
                    self.rejected.append((failure.errcode, body))
                    self._changed.notify_all()
                return web.json_response(
                    {"errcode": failure.errcode, "errmsg": f"fake error {failure.errcode}"}
                )
        token = request.query.get("access_token", "")
        with self._changed:
            if self._valid_tokens.get(token, 0) < time.time():
                self.rejected.append((42001, body))
                return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
            if (
                not body.get("touser")
                or body.get("msgtype") != "text"
                or not body.get("text", {}).get("content")
            ):
                self.rejected.append((40008, body))
                return web.json_response({"errcode": 40008, "errmsg": "invalid message type"})
            self.messages.append(body)
            self._changed.notify_all()
        return web.json_response({"errcode": 0, "errmsg": "ok"})


def _menu_errors(body: Any) -> dict[str, Any] | None:
    """WeChat's checks of a menu/create body (button count, types, name and key sizes)."""
    buttons = body.get("button") if isinstance(body, dict) else None
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return {"errcode": 40016, "errmsg": "invalid button size"}
    for button in buttons:
        if not isinstance(button, dict):
            return {"errcode": 40017, "errmsg": "invalid button type"}
        name = str(button.get("name") or "")
        subs = button.get("sub_button")
        if not name or len(name.encode("utf-8")) > 16:
            return {"errcode": 40018, "errmsg": "invalid button name size"}
        if subs:
            if not isinstance(subs, list) or len(subs) > 5:
                return {"errcode": 40023, "errmsg": "invalid sub button size"}
            continue
        if button.get("type") != "click":
            return {"errcode": 40017, "errmsg": "invalid button type"}
        key = str(button.get("key") or "")
        if not key or len(key.encode("utf-8")) > 128:
            return {"errcode": 40019, "errmsg": "invalid button key size"}
    return None


# --- the callback side ----------------------------------------------------------------------------------


@dataclass
class Callback:
    """One callback as WeChat sends it: query string and body."""

    query: dict[str, str]
    body: bytes
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def query_string(self) -> str:
        return urlencode(self.query)


class WeChatServer:
    """Builds callbacks (and reads replies) the way the WeChat server does, with wechatpy's crypto."""

    def __init__(
        self,
        token: str,
        appid: str,
        aes_key: str = "",
        mode: str = "plaintext",
        account: str = "gh_chanyan_test",
    ) -> None:
        self.token = token
        self.appid = appid
        self.mode = mode
        self.account = account
        self.crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None
        self._msg_ids = MSG_IDS

    @staticmethod
    def sign(*parts: str) -> str:
        signer = WeChatSigner()
        signer.add_data(*parts)
        return signer.signature

    def verification(self, echostr: str = "echo-123", timestamp: int | None = None) -> dict[str, str]:
        """The query of a URL verification GET."""
        ts, nonce = str(timestamp or int(time.time())), secrets.token_hex(5)
        return {
            "signature": self.sign(self.token, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "echostr": echostr,
        }

    def xml(self, openid: str, msg_type: str, create_time: int | None = None, **extra: Any) -> str:
        """A plaintext message or event XML."""
        fields: dict[str, Any] = {
            "ToUserName": self.account,
            "FromUserName": openid,
            "CreateTime": str(create_time or int(time.time())),
            "MsgType": msg_type,
        }
        fields.update({k: str(v) for k, v in extra.items()})
        return xmltodict.unparse({"xml": fields}, full_document=False)

    def text(self, openid: str, content: str, msg_id: int | None = None, **kw: Any) -> Callback:
        """A text message callback (a fresh MsgId unless given)."""
        return self.wrap(self.xml(openid, "text", Content=content, MsgId=msg_id or next(self._msg_ids)), **kw)

    def event(
        self, openid: str, event: str, event_key: str = "", create_time: int | None = None, **kw: Any
    ) -> Callback:
        """An event callback (subscribe, unsubscribe, CLICK...)."""
        extra = {"Event": event, **({"EventKey": event_key} if event_key else {})}
        return self.wrap(self.xml(openid, "event", create_time=create_time, **extra), **kw)

    def wrap(self, xml: str, timestamp: int | None = None, nonce: str | None = None) -> Callback:
        """Sign (and in compatible/safe mode encrypt) a message XML into a callback."""
        ts, nonce = str(timestamp or int(time.time())), nonce or secrets.token_hex(5)
        query = {"signature": self.sign(self.token, ts, nonce), "timestamp": ts, "nonce": nonce}
        try:
            fields = dict(xmltodict.parse(xml)["xml"])
            query["openid"] = fields["FromUserName"]
        except Exception:  # hostile or broken XML, sent as is to test the channel
            fields = {}
        if self.mode == "plaintext":
            return Callback(query, xml.encode("utf-8"), fields)
        assert self.crypto is not None
        encrypted = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, ts))["xml"]
        query.update(encrypt_type="aes", msg_signature=encrypted["MsgSignature"])
        outer = {"ToUserName": self.account, "Encrypt": encrypted["Encrypt"]}
        if self.mode == "compatible":
            outer = {**fields, "Encrypt": encrypted["Encrypt"]}
        return Callback(query, xmltodict.unparse({"xml": outer}, full_document=False).encode("utf-8"), fields)

    def read_reply(self, body: str) -> dict[str, Any] | None:
        """The passive reply's fields (decrypted and its signature checked in safe mode); None for "success"."""
        if not body or body == "success":
            return None
        outer = xmltodict.parse(body)["xml"]
        if "Encrypt" not in outer:
            return outer
        assert self.crypto is not None
        xml = self.crypto.decrypt_message(body, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
        return xmltodict.parse(xml)["xml"]
