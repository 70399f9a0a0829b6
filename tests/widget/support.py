"""Helpers for the widget's browser tests: build, Chromium, servers on a background event loop."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
import socketio
from aiohttp import web

from connectors.webchat.routes import WIDGET_JS, register_widget_routes
from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 (re-exported to the widget tests)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "widget"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
GZIP_BUDGET = 60 * 1024
CHOOSE_COOP = '/choose{"choice":"技术开发(委托开发)"}'

T = TypeVar("T")


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium): no browser tests")


def build_widget() -> Path:
    """`make widget` (a no-op when up to date), so the tests always run the current sources."""
    result = subprocess.run(["make", "-s", "widget"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not WIDGET_JS.exists():
        pytest.fail(f"make widget failed:\n{result.stdout}\n{result.stderr}")
    return WIDGET_JS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LoopThread:
    """An asyncio loop in a daemon thread: the servers run there while Playwright's sync API drives the test."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="widget-servers", daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


HOST_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>宿主页面</title>
<style>
  /* A careless host stylesheet: the widget must look the same under it and must not change it. */
  * { color: #c00000 !important; font-family: serif !important; letter-spacing: 3px; }
  button { display: none; background: yellow; }
  div { position: relative; padding: 30px; border: 2px dashed green; }
  textarea { width: 10px; }
  h2 { font-size: 40px; margin: 7px; }
</style></head>
<body>
  <h2 id="page-heading">宿主网站</h2>
  <div id="page-box">页面自己的内容</div>
  <script src="/widget.js" data-server="{server}" data-title="产研通需求助手"></script>
</body></html>
"""


class WidgetSite:
    """The widget routes on a plain aiohttp app, plus /host: a hostile host page for any socket server."""

    def __init__(self, loop: LoopThread) -> None:
        self.loop = loop
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.runner: web.AppRunner | None = None

    async def _start(self) -> None:
        app = web.Application()
        register_widget_routes(app)

        async def host(request: web.Request) -> web.Response:
            server = request.query.get("server", "")
            return web.Response(text=HOST_PAGE.replace("{server}", server), content_type="text/html")

        app.router.add_get("/host", host)
        self.runner = web.AppRunner(app, shutdown_timeout=1)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    def start(self) -> WidgetSite:
        self.loop.run(self._start())
        return self

    def stop(self) -> None:
        if self.runner is not None:
            self.loop.run(self.runner.cleanup())
            self.runner = None

    def host_page(self, server: str) -> str:
        return f"{self.url}/host?server={server}"


class FakeRasa:
    """A python-socketio 5 server speaking Rasa's socketio protocol with canned replies.

    It can be stopped and started again on the same port to play a dropped connection.
    """

    def __init__(self, loop: LoopThread, delay: float = 0.4) -> None:
        self.loop = loop
        self.delay = delay
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: list[tuple[str | None, str]] = []
        self.sessions: list[str] = []
        self.runner: web.AppRunner | None = None
        self.sio: socketio.AsyncServer | None = None

    def replies(self, message: str) -> list[dict[str, Any]]:
        if message == "/greet":
            return [{"text": "您好！我是产研通需求助手。\n请用一两句话描述您的技术需求。"}]
        if "按钮" in message:
            return [
                {
                    "text": "请选择合作方式：",
                    "quick_replies": [
                        {"content_type": "text", "title": "委托开发", "payload": CHOOSE_COOP},
                        {"content_type": "text", "title": "合作开发", "payload": '/choose{"choice":"合作"}'},
                    ],
                }
            ]
        if "链接" in message:
            return [
                {"text": "详见 https://example.com/help?q=1。<b>不是粗体</b><img src=x onerror=alert(1)>"}
            ]
        return [{"text": f"收到：{message}"}]

    async def _start(self) -> None:
        sio = self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
        app = web.Application()
        sio.attach(app)

        @sio.on("session_request")
        async def session_request(sid: str, data: dict | None) -> None:
            session_id = (data or {}).get("session_id") or uuid.uuid4().hex
            await sio.enter_room(sid, session_id)
            self.sessions.append(session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: dict) -> None:
            session_id, message = data.get("session_id"), data.get("message", "")
            self.received.append((session_id, message))
            await asyncio.sleep(self.delay)
            for reply in self.replies(message):
                await sio.emit("bot_uttered", reply, room=session_id)

        self.runner = web.AppRunner(app, shutdown_timeout=1)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def _stop(self) -> None:
        if self.sio is not None:
            await self.sio.eio.disconnect()  # drop every client, as a crashed server would
            await self.sio.shutdown()
        if self.runner is not None:
            await self.runner.cleanup()
        self.runner = self.sio = None

    def start(self) -> FakeRasa:
        self.loop.run(self._start())
        return self

    def stop(self) -> None:
        self.loop.run(self._stop())

    def messages(self) -> list[str]:
        return [message for _, message in self.received]
