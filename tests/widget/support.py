"""Helpers for the widget's browser tests: build, Chromium, servers on a background event loop."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import selectors
import socket
import subprocess
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
import socketio
from aiohttp import web

from connectors.webchat.protocol import WebchatProtocol
from connectors.webchat.routes import WIDGET_JS, register_widget_routes
from connectors.webchat.sessions import SessionSigner
from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 (re-exported to the widget tests)
from tests.fakes.tcp_proxy import TCPProxy

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
  <script src="/widget.js" data-server="{server}" data-title="产研通需求助手"{attrs}></script>
</body></html>
"""
# A host that transforms every element (and is long enough to scroll): fixed boxes inside a transformed
# ancestor are placed against that ancestor, not the viewport.
TRANSFORM_CSS = """<style>
  * { transform: translateZ(0); }
  body { transform: translateX(0); will-change: transform; }
  #page-box { height: 3000px; }
</style></head>"""


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
            page = HOST_PAGE.replace("{server}", server)
            attrs = "".join(
                f' data-{name}="{request.query[name]}"' for name in ("expiry-days",) if name in request.query
            )
            page = page.replace("{attrs}", attrs)
            if request.query.get("transform"):
                page = page.replace("</style></head>", "</style>\n" + TRANSFORM_CSS, 1)
            return web.Response(text=page, content_type="text/html")

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

    def host_page(self, server: str, query: dict[str, str] | None = None) -> str:
        extra = "".join(f"&{name}={value}" for name, value in (query or {}).items())
        return f"{self.url}/host?server={server}{extra}"


class FakeRasa:
    """A python-socketio server speaking the widget's protocol (the real connectors.webchat.protocol) with
    canned replies instead of Rasa. Like Rasa, it stores a turn's events only after the replies went out.

    It can be stopped and started again on the same port to play a dropped connection or a restart.
    """

    def __init__(self, loop: LoopThread, delay: float = 0.4) -> None:
        self.loop = loop
        self.delay = delay
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: list[tuple[str | None, str]] = []
        self.sessions: list[str] = []
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.signer = SessionSigner(b"k" * 32)
        self.runner: web.AppRunner | None = None
        self.sio: socketio.AsyncServer | None = None
        self.protocol: WebchatProtocol | None = None

    def replies(self, message: str) -> list[dict[str, Any]]:
        if message in ("/greet", "/new_conversation"):
            return [{"text": "您好！我是产研通需求助手。\n请用一两句话描述您的技术需求。"}]
        if "按钮" in message:
            return [
                {
                    "text": "请选择合作方式：",
                    "buttons": [
                        {"title": "委托开发", "payload": CHOOSE_COOP},
                        {"title": "合作开发", "payload": '/choose{"choice":"合作"}'},
                    ],
                }
            ]
        if "链接" in message:
            return [
                {"text": "详见 https://example.com/help?q=1。<b>不是粗体</b><img src=x onerror=alert(1)>"}
            ]
        if "两段" in message:
            return [{"text": "第一段。\n\n第二段。"}]
        return [{"text": f"收到：{message}"}]

    async def _process(self, session_id: str, text: str, message_id: str) -> None:
        assert self.protocol is not None
        self.received.append((session_id, text))
        turn = [{"event": "user", "text": text, "message_id": message_id, "timestamp": time.time()}]
        await asyncio.sleep(self.delay)
        for reply in self.replies(text):
            event = {
                "event": "bot",
                "text": reply["text"],
                "data": {"buttons": reply.get("buttons")},
                "metadata": {},
                "timestamp": time.time(),
            }
            turn.append(event)
            await self.protocol.send_bot(
                session_id, {**event["data"], "text": event["text"], "timestamp": event["timestamp"]}
            )
        self.events.setdefault(session_id, []).extend(turn)

    async def _load(self, session_id: str) -> list[dict[str, Any]]:
        return list(self.events.get(session_id, []))

    async def _start(self) -> None:
        sio = self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
        app = web.Application()
        sio.attach(app)
        self.protocol = WebchatProtocol(
            sio, signer=self.signer, process=self._process, load_events=self._load
        )
        self.protocol.register()
        original = self.protocol.on_session_request

        async def session_request(sid: str, data: Any = None) -> None:
            await original(sid, data)
            session_id = self.protocol._bound.get(sid)  # noqa: SLF001 (the test wants to know)
            if session_id:
                self.sessions.append(session_id)

        sio.on("session_request", session_request)
        self.runner = web.AppRunner(app, shutdown_timeout=1)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def _stop(self) -> None:
        # Bounded steps: a socket whose peer is already gone (a cut proxy) must not hold the test up.
        if self.sio is not None:
            if self.sio.eio.sockets:  # (engine.io fails on an empty set)
                await _bounded(self.sio.eio.disconnect())  # drop every client, as a crashed server would
            await _bounded(self.sio.shutdown())
        if self.runner is not None:
            await _bounded(self.runner.cleanup())
        self.runner = self.sio = None

    def start(self) -> FakeRasa:
        self.loop.run(self._start())
        return self

    def stop(self) -> None:
        self.loop.run(self._stop())

    def messages(self) -> list[str]:
        return [message for _, message in self.received]


async def _bounded(step: Coroutine[Any, Any, Any], timeout: float = 5.0) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(step, timeout)


class SlowDownlinkProxy(TCPProxy):
    """A TCPProxy that holds the server's bytes for `delay` seconds before passing them on: a reply (or an
    acknowledgement) is then "on its way" long enough for a test to reload the page or cut the line."""

    def __init__(self, target_host: str, target_port: int, delay: float = 1.5) -> None:
        super().__init__(target_host, target_port)
        self.delay = delay

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        held: queue.Queue[tuple[float, bytes] | None] = queue.Queue()

        def deliver() -> None:
            while (entry := held.get()) is not None:
                due, data = entry
                time.sleep(max(0.0, due - time.monotonic()))
                try:
                    client.sendall(data)
                except OSError:
                    return

        sender = threading.Thread(target=deliver, daemon=True)
        sender.start()
        selector = selectors.DefaultSelector()
        try:
            selector.register(client, selectors.EVENT_READ)
            selector.register(upstream, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select(timeout=0.5):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    if key.fileobj is upstream:
                        held.put((time.monotonic() + self.delay, data))
                    else:
                        upstream.sendall(data)
                if self._stopping.is_set() or client.fileno() < 0 or upstream.fileno() < 0:
                    return
        except (OSError, ValueError):
            return
        finally:
            held.put(None)
            selector.close()
            with self._lock:
                self._tunnels.difference_update((client, upstream))
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.close()
