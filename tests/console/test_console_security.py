"""Security of the console: nothing is reachable without login, CSRF on every form, roles, cookies, escaping."""

from __future__ import annotations

import html

import pytest
from console_support import ADMIN, CSRF_INPUT, DISABLED, PASSWORD, STAFF, login, signed_in

from chanyan.console.keys import PUBLIC_RESOURCES_KEY

PLACEHOLDERS = {
    "fmt": "csv",
    "conversation_id": "conv-main",
    "handoff_id": "1",
    "notification_id": "1",
    "token_id": "1",
    "task_id": "1",
    "filter_id": "1",
    "username": STAFF,
    "partner_id": "1",
}


def concrete_routes(app, ref: str) -> list[tuple[str, str, bool]]:
    """(method, path, public) for every route of the app, placeholders filled in."""
    public = app[PUBLIC_RESOURCES_KEY]
    routes = []
    for route in app.router.routes():
        if route.method == "HEAD":
            continue
        info = route.resource.get_info()
        if "directory" in info:
            path = info["prefix"] + "/console.css"
        else:
            path = info.get("path") or info["formatter"].format(**PLACEHOLDERS, ref=ref)
        routes.append((route.method, path, route.resource in public))
    return routes


async def test_every_route_but_the_public_ones_requires_login(client, refs):
    app = client.server.app
    routes = concrete_routes(app, refs["main"])
    assert len(routes) >= 25
    public = sorted({path for _, path, is_public in routes if is_public})
    # /chat and /widget.js: the web chat widget's routes, wired in as the console's extension.
    assert set(public) == {"/chat", "/healthz", "/login", "/privacy", "/static/console.css", "/widget.js"}
    for method, path, is_public in routes:
        if is_public:
            continue
        response = await client.request(method, path, allow_redirects=False)
        if path.startswith("/api/"):
            assert response.status == 401, (method, path)
            assert (await response.json())["error"] == "unauthorized"
        else:
            assert response.status == 302, (method, path)
            assert response.headers["Location"].startswith("/login?next="), (method, path)


async def test_unknown_paths_and_exports_do_not_leak_without_login(client):
    for path in ("/nope", "/requests/export.csv", "/requests/export.xlsx", "/api/openapi.json", "/api/nope"):
        response = await client.get(path, allow_redirects=False)
        assert response.status in (302, 401), path
        assert "XQ-" not in await response.text()


async def test_every_form_post_requires_the_csrf_token(client, refs):
    await signed_in(client, ADMIN)
    app = client.server.app
    for method, path, is_public in concrete_routes(app, refs["main"]):
        if method != "POST" or is_public:
            continue
        for data in ({}, {"_csrf": "forged"}):
            response = await client.post(path, data={**data, "text": "x"}, allow_redirects=False)
            assert response.status == 403, (path, data)
        response = await client.post(path, headers={"X-CSRF-Token": "forged"}, json={}, allow_redirects=False)
        assert response.status == 403, path


async def test_login_form_has_its_own_csrf_token(client):
    await client.get("/login")
    response = await client.post(
        "/login", data={"username": STAFF, "password": PASSWORD, "_csrf": "forged"}, allow_redirects=False
    )
    assert response.status == 403
    assert "chanyan_session" not in {c.key for c in client.session.cookie_jar}


async def test_login_sets_a_hardened_session_cookie_and_logout_ends_it(client):
    response = await login(client)
    assert response.status == 302
    assert response.headers["Location"] == "/requests"
    cookie = response.cookies["chanyan_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]
    page = await client.get("/requests")
    csrf = CSRF_INPUT.search(await page.text()).group(1)
    token = cookie.value
    response = await client.post("/logout", data={"_csrf": csrf}, allow_redirects=False)
    assert response.status == 302
    client.session.cookie_jar.update_cookies({"chanyan_session": token})
    response = await client.get("/requests", allow_redirects=False)
    assert response.status == 302  # the old token no longer opens anything


async def test_session_cookie_is_secure_behind_a_trusted_tls_proxy(client, aiohttp_client, settings):
    import dataclasses

    from chanyan.console import init_app
    from chanyan.console.settings import parse_networks

    # Anyone can send X-Forwarded-Proto: it counts only from a configured proxy.
    response = await login(client, **{"X-Forwarded-Proto": "https"})
    assert not response.cookies["chanyan_session"]["secure"]
    proxied = dataclasses.replace(settings, trusted_proxies=parse_networks("127.0.0.1, ::1"))
    behind_proxy = await aiohttp_client(init_app(proxied))
    response = await login(behind_proxy, **{"X-Forwarded-Proto": "https"})
    assert response.cookies["chanyan_session"]["secure"] is True


@pytest.mark.parametrize(
    ("username", "password"), [(STAFF, "wrong password"), ("nobody", PASSWORD), (DISABLED, PASSWORD)]
)
async def test_one_generic_login_error(client, username, password):
    response = await login(client, username, password)
    assert response.status == 401
    text = await response.text()
    assert "用户名或密码不正确。" in text
    assert "chanyan_session" not in response.cookies


async def test_login_is_rate_limited(client):
    for _ in range(5):
        assert (await login(client, STAFF, "wrong password")).status == 401
    response = await login(client, STAFF, PASSWORD)  # even the right password waits now
    assert response.status == 429
    assert "尝试次数过多" in await response.text()
    assert (await login(client, ADMIN, PASSWORD)).status == 302  # other accounts are not locked out


async def test_next_parameter_cannot_leave_the_console(client):
    page = await client.get("/login?next=//evil.example/x")
    assert 'value="/requests"' in await page.text()
    token = CSRF_INPUT.search(await page.text()).group(1)
    response = await client.post(
        "/login",
        data={"username": STAFF, "password": PASSWORD, "_csrf": token, "next": "https://evil.example"},
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/requests"


async def test_admin_pages_are_admin_only(client):
    csrf = await signed_in(client, STAFF)
    assert (await client.get("/admin/staff")).status == 403
    response = await client.post(
        "/admin/staff", data={"_csrf": csrf, "username": "mallory", "password": PASSWORD, "role": "admin"}
    )
    assert response.status == 403
    response = await client.post(
        f"/admin/staff/{STAFF}", data={"_csrf": csrf, "role": "admin", "active": "1"}
    )
    assert response.status == 403
    page = await client.get("/requests")
    assert "账号管理" not in await page.text()


async def test_admin_manages_accounts_and_disabling_ends_sessions(client, aiohttp_client, settings):
    from chanyan.console import init_app

    other = await aiohttp_client(init_app(settings))
    csrf = await signed_in(client, ADMIN)
    response = await client.post(
        "/admin/staff",
        data={
            "_csrf": csrf,
            "username": "carol",
            "display_name": "王专员",
            "password": PASSWORD,
            "role": "staff",
        },
        allow_redirects=False,
    )
    assert response.status == 302
    await signed_in(other, "carol")
    assert (await other.get("/requests", allow_redirects=False)).status == 200
    response = await client.post(
        "/admin/staff/carol", data={"_csrf": csrf, "role": "staff", "active": "0"}, allow_redirects=False
    )
    assert response.status == 302
    assert (await other.get("/requests", allow_redirects=False)).status == 302
    assert (await login(other, "carol", PASSWORD)).status == 401
    # An administrator cannot lock themself out.
    response = await client.post(
        f"/admin/staff/{ADMIN}", data={"_csrf": csrf, "role": "admin", "active": "0"}
    )
    assert response.status == 403
    short = await client.post(
        "/admin/staff", data={"_csrf": csrf, "username": "dave", "password": "short", "role": "staff"}
    )
    assert short.status == 422


async def test_api_token_auth(client):
    await signed_in(client, STAFF)
    page = await client.get("/account")
    csrf = CSRF_INPUT.search(await page.text()).group(1)
    page = await client.post("/account/tokens", data={"_csrf": csrf, "name": "脚本"})
    token = html.unescape(await page.text()).split('id="new-token">')[1].split("<")[0]
    assert token.startswith("cyt_")
    client.session.cookie_jar.clear()
    response = await client.get("/api/requests", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    assert (await response.json())["total"] >= 7
    # A token opens the API only, not the pages.
    response = await client.get(
        "/requests", headers={"Authorization": f"Bearer {token}"}, allow_redirects=False
    )
    assert response.status == 302
    bad = await client.get("/api/requests", headers={"Authorization": "Bearer cyt_forged"})
    assert bad.status == 401


async def test_session_api_posts_need_the_csrf_header(client, refs):
    csrf = await signed_in(client, STAFF)
    path = f"/api/requests/{refs['extra0']}/notes"
    assert (await client.post(path, json={"text": "无令牌"})).status == 403
    response = await client.post(path, json={"text": "有令牌"}, headers={"X-CSRF-Token": csrf})
    assert response.status == 201


async def test_hostile_text_is_escaped_everywhere(client, refs):
    await signed_in(client, STAFF)
    for path in (
        "/requests",
        f"/requests/{refs['hostile']}",
        "/conversations/conv-hostile",
        f"/requests?q={refs['hostile']}",
    ):
        text = await (await client.get(path)).text()
        assert "<script>alert" not in text, path
        assert "<img src=x" not in text, path
        assert "&lt;script&gt;alert" in text, path
    detail = await (await client.get(f"/requests/{refs['main']}")).text()
    assert "<b>加急</b>" not in detail and "&lt;b&gt;加急&lt;/b&gt;" in detail


async def test_security_headers(client):
    await signed_in(client, STAFF)
    response = await client.get("/requests")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    login_page = await client.get("/login")
    assert "frame-ancestors 'none'" in login_page.headers["Content-Security-Policy"]
    # No banner names the web framework, its release or Python's, on a page or on an error.
    missing = await client.get("/no-such-page")
    for answer in (response, login_page, missing):
        assert answer.headers["Server"] == "chanyan"


async def test_healthz_is_public(client):
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json()) == {"status": "ok"}


async def test_signing_in_again_ends_the_previous_session(client):
    first = (await login(client)).cookies["chanyan_session"].value
    second = (await login(client)).cookies["chanyan_session"].value
    assert first != second
    client.session.cookie_jar.update_cookies({"chanyan_session": first})
    assert (await client.get("/requests", allow_redirects=False)).status == 302
