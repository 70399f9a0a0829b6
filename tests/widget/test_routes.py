"""The widget's aiohttp routes: /widget.js (content type, caching, 503 when not built) and /chat."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web

from connectors.webchat import WIDGET_ROUTE_NAMES, register_widget_routes


def make_app(widget_js: Path) -> web.Application:
    app = web.Application()
    register_widget_routes(app, widget_js=widget_js)
    return app


@pytest.fixture
def built(tmp_path: Path) -> Path:
    path = tmp_path / "widget.js"
    path.write_text("(()=>{console.log('产研通')})();\n", encoding="utf-8")
    return path


async def test_widget_js_is_javascript_with_cache_headers(aiohttp_client, built: Path) -> None:
    client = await aiohttp_client(make_app(built))
    response = await client.get("/widget.js")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert await response.text() == built.read_text(encoding="utf-8")

    again = await client.get("/widget.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304


async def test_a_rebuilt_widget_gets_a_new_etag(aiohttp_client, built: Path) -> None:
    client = await aiohttp_client(make_app(built))
    first = (await client.get("/widget.js")).headers["ETag"]
    built.write_text("(()=>{})();\n", encoding="utf-8")
    response = await client.get("/widget.js", headers={"If-None-Match": first})
    assert response.status == 200 and response.headers["ETag"] != first


async def test_widget_js_not_built_is_a_clear_503(aiohttp_client, tmp_path: Path) -> None:
    client = await aiohttp_client(make_app(tmp_path / "missing.js"))
    response = await client.get("/widget.js")
    assert response.status == 503
    assert "make widget" in await response.text()
    assert response.headers["Cache-Control"] == "no-store"


async def test_demo_page_embeds_the_widget(
    aiohttp_client, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHAT_SOCKET_URL", raising=False)
    monkeypatch.delenv("RASA_PUBLIC_URL", raising=False)
    monkeypatch.delenv("RASA_PORT", raising=False)
    client = await aiohttp_client(make_app(built))
    response = await client.get("/chat")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = await response.text()
    assert '<html lang="zh-CN">' in page
    assert '<script src="/widget.js" data-server="http://127.0.0.1:5005" data-title="产研通需求助手"' in page


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"RASA_PUBLIC_URL": "https://bot.example.cn/"}, "https://bot.example.cn"),
        (
            {"CHAT_SOCKET_URL": "https://chat.example.cn", "RASA_PUBLIC_URL": "https://x"},
            "https://chat.example.cn",
        ),
        ({"RASA_PORT": "5105"}, "http://127.0.0.1:5105"),
        ({"CHAT_SOCKET_URL": 'https://a"><script>alert(1)</script>'}, "https://a&quot;&gt;&lt;script&gt;"),
    ],
)
async def test_demo_page_socket_url_from_env(
    aiohttp_client, built: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name in ("CHAT_SOCKET_URL", "RASA_PUBLIC_URL", "RASA_PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    client = await aiohttp_client(make_app(built))
    page = await (await client.get("/chat")).text()
    assert f'data-server="{expected}' in page
    assert "<script>alert" not in page


def test_route_names_are_exported(built: Path) -> None:
    app = make_app(built)
    assert {name for name in WIDGET_ROUTE_NAMES} <= set(app.router.named_resources())


async def test_the_privacy_notice_names_the_configured_retention(
    aiohttp_client, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHANYAN_RETENTION_DAYS", "90")
    client = await aiohttp_client(make_app(built))
    response = await client.get("/privacy")
    assert response.status == 200
    page = await response.text()
    assert "联系人、手机和邮箱保存 90 天" in page and "删除我的信息" in page
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
