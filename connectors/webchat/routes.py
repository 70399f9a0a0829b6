"""aiohttp routes for the web chat widget: ``GET /widget.js``, the demo page ``GET /chat`` and the full privacy
notice ``GET /privacy``.

The widget itself is built from ``connectors/webchat/src`` by ``make widget`` into ``dist/widget.js``;
these routes only serve it. Both routes are public (no staff login): the host application must
leave :data:`WIDGET_ROUTE_NAMES` out of its authentication.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from chanyan.settings import Settings

WIDGET_DIR = Path(__file__).resolve().parent
WIDGET_JS = WIDGET_DIR / "dist" / "widget.js"
WIDGET_ROUTE_NAMES = ("widget_js", "widget_demo", "widget_privacy")
WIDGET_TITLE = "产研通需求助手"
DEFAULT_RASA_PORT = 5005
# Short enough that a rebuilt widget reaches visitors soon; the ETag makes revalidation cheap.
CACHE_CONTROL = "public, max-age=300"
NOT_BUILT_TEXT = (
    "聊天组件尚未构建：请在项目根目录运行 make widget。\nwidget.js has not been built: run `make widget`.\n"
)

DEMO_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>产研通 · 在线需求咨询</title>
<style>
  body {{ margin: 0; font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
         color: #0f172a; background: #f8fafc; line-height: 1.7; }}
  main {{ max-width: 760px; margin: 0 auto; padding: 48px 24px; }}
  h1 {{ font-size: 28px; margin: 0 0 12px; }}
  .hint {{ color: #475569; }}
  button.open {{ margin-top: 16px; padding: 10px 20px; font-size: 16px; border: 0; border-radius: 8px;
                 background: #1d4ed8; color: #fff; cursor: pointer; }}
</style>
</head>
<body>
<main>
  <h1>产研通 · 企业技术需求在线登记</h1>
  <p>请用几句话描述您遇到的技术难题，需求助手会帮您梳理清楚，并提交给平台对接专员，由专员为您匹配高校和科研院所。</p>
  <p class="hint">点击右下角的对话按钮，或点击下面的按钮开始。对话会自动保存，刷新页面后可以继续。</p>
  <button class="open" type="button">开始咨询</button>
</main>
<script src="{script_src}" data-server="{server}" data-title="{title}" defer></script>
<script>{open_script}</script>
</body>
</html>
"""


# The full notice the bot's one-line privacy notice links to (CHANYAN_PRIVACY_URL defaults to this page).
PRIVACY_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>产研通 · 个人信息保护说明</title>
<style>
  body {{ margin: 0; font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
         color: #0f172a; background: #fff; line-height: 1.8; }}
  main {{ max-width: 760px; margin: 0 auto; padding: 40px 24px; }}
  h1 {{ font-size: 26px; }} h2 {{ font-size: 18px; margin-top: 28px; }}
</style>
</head>
<body>
<main>
  <h1>产研通需求助手 · 个人信息保护说明</h1>
  <h2>收集哪些信息</h2>
  <p>为登记技术需求，需求助手会请您提供：单位名称、联系人姓名、手机号码，以及可选的电子邮箱；此外会保存您与助手的对话记录。</p>
  <h2>用于什么</h2>
  <p>这些信息只用于平台对接专员就您提交的需求与您联系、核实需求和匹配合作方。平台对接专员可以查看；未经您同意，不会提供给合作方或其他任何人。</p>
  <h2>保存多久</h2>
  <p>需求单关闭后，联系人、手机和邮箱保存 {retention_days} 天，期满由系统自动删除，对话记录中的手机号和邮箱同时隐去；单位名称和需求内容保留，用于平台统计。</p>
  <h2>如何删除</h2>
  <p>您可以随时在对话中回复“删除我的信息”，确认后，系统会清除您在该对话中提交的需求单里的联系方式，并隐去对话记录中的手机号、邮箱和联系人姓名。删除会记入平台的审计日志（只记录删除的时间和操作人，不记录被删除的内容）。您也可以联系平台对接专员代为删除。</p>
  <h2>网页对话框</h2>
  <p>网页对话框只在您的浏览器中保存会话编号及其密钥（默认 {expiry_days} 天内未使用即失效），不保存对话内容；重新打开时，对话记录从服务器取回，其中的手机号和邮箱会隐去。</p>
</main>
</body>
</html>
"""
DEFAULT_EXPIRY_DAYS = 7
# The demo page's only inline script, allowed by its hash (the page's CSP allows no other inline script).
DEMO_OPEN_SCRIPT = (
    'document.querySelector("button.open").addEventListener("click",'
    " () => window.ChanyanChat && window.ChanyanChat.open());"
)
_DEMO_OPEN_SCRIPT_HASH = base64.b64encode(hashlib.sha256(DEMO_OPEN_SCRIPT.encode()).digest()).decode()


@dataclass
class _Cached:
    mtime_ns: int
    body: bytes
    etag: str


def _socket_url() -> str:
    """Where browsers reach Rasa's socketio channel: CHAT_SOCKET_URL, else RASA_PUBLIC_URL, else
    http://127.0.0.1:RASA_PORT. Never the request's Host header, which any client can set."""
    for name in ("CHAT_SOCKET_URL", "RASA_PUBLIC_URL"):
        value = os.environ.get(name, "").strip()
        if value:
            return value.rstrip("/")
    port = os.environ.get("RASA_PORT", "").strip() or DEFAULT_RASA_PORT
    return f"http://127.0.0.1:{port}"


def demo_headers(server: str) -> dict[str, str]:
    """The demo page's security headers: only its own and the widget's script, talking to `server` alone, and
    never inside another site's frame."""
    parts = urlsplit(server)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
    sockets = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}" if origin else ""
    connect = " ".join(filter(None, ("'self'", origin, sockets)))
    policy = (
        f"default-src 'self'; script-src 'self' 'sha256-{_DEMO_OPEN_SCRIPT_HASH}'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: http: https:; connect-src {connect}; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'none'; object-src 'none'"
    )
    return {
        "Cache-Control": "no-cache",
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def register_widget_routes(app: web.Application, *, widget_js: Path | None = None) -> None:
    """Adds the public widget routes ``GET /widget.js`` and ``GET /chat`` to ``app``.

    Args:
        app: the application to add the routes to (the staff console, or a test app).
        widget_js: the built script; defaults to ``connectors/webchat/dist/widget.js``.
    """
    path = widget_js or WIDGET_JS
    cache: dict[str, _Cached] = {}

    def load() -> _Cached | None:
        try:
            mtime_ns = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        cached = cache.get("js")
        if cached is None or cached.mtime_ns != mtime_ns:
            body = path.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            cached = cache["js"] = _Cached(mtime_ns, body, etag)
        return cached

    async def widget_js_view(request: web.Request) -> web.StreamResponse:
        cached = load()
        if cached is None:
            return web.Response(
                status=503,
                text=NOT_BUILT_TEXT,
                content_type="text/plain",
                charset="utf-8",
                headers={"Cache-Control": "no-store", "Retry-After": "60"},
            )
        headers = {
            "Cache-Control": CACHE_CONTROL,
            "ETag": cached.etag,
            "X-Content-Type-Options": "nosniff",
            # Host pages on other origins load it with a plain <script>; allow crossorigin loads too.
            "Access-Control-Allow-Origin": "*",
        }
        if cached.etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        response = web.Response(
            body=cached.body, content_type="application/javascript", charset="utf-8", headers=headers
        )
        response.enable_compression()
        return response

    async def demo_view(request: web.Request) -> web.Response:
        server = _socket_url()
        page = DEMO_PAGE.format(
            script_src=html.escape(str(request.app.router["widget_js"].url_for()), quote=True),
            server=html.escape(server, quote=True),
            title=html.escape(WIDGET_TITLE, quote=True),
            open_script=DEMO_OPEN_SCRIPT,
        )
        return web.Response(
            text=page, content_type="text/html", charset="utf-8", headers=demo_headers(server)
        )

    async def privacy_view(request: web.Request) -> web.Response:
        page = PRIVACY_PAGE.format(
            retention_days=Settings.from_env().retention_days, expiry_days=DEFAULT_EXPIRY_DAYS
        )
        return web.Response(
            text=page,
            content_type="text/html",
            charset="utf-8",
            headers={
                "Cache-Control": "public, max-age=300",
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                "X-Content-Type-Options": "nosniff",
            },
        )

    app.router.add_get("/widget.js", widget_js_view, name="widget_js")
    app.router.add_get("/chat", demo_view, name="widget_demo")
    app.router.add_get("/privacy", privacy_view, name="widget_privacy")
