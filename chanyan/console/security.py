"""Sign-in state, CSRF protection, login throttling and security headers (middlewares)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from chanyan.console.db import run_db
from chanyan.console.errors import Forbidden, is_api
from chanyan.console.keys import PUBLIC_RESOURCES_KEY, SETTINGS_KEY, THROTTLE_KEY, USER, CurrentUser
from chanyan.staff import accounts

SESSION_COOKIE = "chanyan_session"
LOGIN_CSRF_COOKIE = "chanyan_login_csrf"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "X-CSRF-Token"
# The only public routes besides /login, /healthz and /static/: the chat widget's script and demo page.
WIDGET_PUBLIC_PATHS = frozenset({"/widget.js", "/chat", "/privacy"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SERVER_NAME = "chanyan"  # the Server header of every console response
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_public(request: web.Request) -> bool:
    """True for the few routes anyone may open: /login, /healthz, /static/ and the chat widget's two routes."""
    resource = request.match_info.route.resource
    return resource is not None and resource in request.app[PUBLIC_RESOURCES_KEY]


def is_secure(request: web.Request) -> bool:
    """Over TLS, directly or behind a proxy that says so, or forced by CONSOLE_SECURE_COOKIES."""
    return (
        request.app[SETTINGS_KEY].secure_cookies
        or request.secure
        or (
            _trusted(request.remote, request.app[SETTINGS_KEY].trusted_proxies)
            and request.headers.get("X-Forwarded-Proto", "").lower() == "https"
        )
    )


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str, **kwargs) -> None:
    """Every console cookie: HttpOnly, SameSite, Secure behind TLS."""
    kwargs.setdefault("samesite", "Lax")
    kwargs.setdefault("path", "/")
    response.set_cookie(name, value, httponly=True, secure=is_secure(request), **kwargs)


class LoginThrottle:
    """Failed sign-ins per username+address and per address in a sliding window (one process, in memory)."""

    def __init__(self, max_failures: int, max_per_address: int, window_seconds: float) -> None:
        self.max_failures = max_failures
        self.max_per_address = max_per_address
        self.window = window_seconds
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, address: str, username: str) -> bool:
        now = time.monotonic()
        return (
            len(self._recent(("user", f"{address}|{username}"), now)) >= self.max_failures
            or len(self._recent(("addr", address), now)) >= self.max_per_address
        )

    def failed(self, address: str, username: str) -> None:
        now = time.monotonic()
        self._recent(("user", f"{address}|{username}"), now).append(now)
        self._recent(("addr", address), now).append(now)

    def succeeded(self, address: str, username: str) -> None:
        self._failures.pop(("user", f"{address}|{username}"), None)


def _trusted(address: str | None, proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    if not address or not proxies:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(request: web.Request) -> str:
    """The client's address: the socket's, or behind a configured proxy (CONSOLE_TRUSTED_PROXIES) the nearest
    X-Forwarded-For entry that is not itself a trusted proxy. A header from anyone else is ignored, so a client
    cannot pick the address the login throttle counts against."""
    proxies = request.app[SETTINGS_KEY].trusted_proxies
    remote = request.remote
    if not _trusted(remote, proxies):
        return remote or "unknown"
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    return remote or "unknown"


# Login form CSRF (no session yet): a random cookie and, in the form, its HMAC under the console secret.
def login_csrf_pair(request: web.Request) -> tuple[str, str]:
    """(cookie value, form value); keeps the current cookie so that two open tabs both work."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    return cookie, _sign(request, cookie)


def check_login_csrf(request: web.Request, form_value: str) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(cookie and form_value) and secrets.compare_digest(_sign(request, cookie), form_value)


def _sign(request: web.Request, value: str) -> str:
    key = request.app[SETTINGS_KEY].secret.encode("utf-8")
    return hmac.new(key, b"login-csrf:" + value.encode("utf-8"), hashlib.sha256).hexdigest()


def current_user(request: web.Request) -> CurrentUser:
    """The signed-in user (every non-public route has one: the auth middleware sees to it)."""
    return request[USER]


def require_admin(request: web.Request) -> CurrentUser:
    user = current_user(request)
    if not user.is_admin:
        raise Forbidden("此页面仅限管理员访问。")
    return user


async def _authenticate(request: web.Request) -> CurrentUser | None:
    authorization = request.headers.get("Authorization", "")
    if authorization[:7].lower() == "bearer ":
        if not is_api(request):
            return None
        token = authorization[7:].strip()
        user = await run_db(request.app, accounts.load_api_token, token) if token else None
        if user is None:
            return None
        return CurrentUser(user.id, user.username, user.display_name, user.role, None, "token")
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    info = await run_db(request.app, accounts.load_session, token)
    if info is None:
        return None
    return CurrentUser(
        info.user_id, info.username, info.display_name, info.role, info.csrf_token, "session", info.session_id
    )


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every route but the public ones needs a signed-in user: browsers go to /login, the API gets 401."""
    if is_public(request):
        return await handler(request)
    user = await _authenticate(request)
    if user is None:
        if is_api(request):
            raise web.HTTPUnauthorized(
                text='{"error": "unauthorized", "message": "请先登录或提供有效的 API 令牌。"}',
                content_type="application/json",
                headers={"WWW-Authenticate": 'Bearer realm="chanyan"'},
            )
        target = request.path_qs if request.method == "GET" else "/"
        raise web.HTTPFound(f"/login?next={quote(target, safe='')}")
    request[USER] = user
    return await handler(request)


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """State-changing requests from a browser session must carry the session's CSRF token (form or header)."""
    if request.method not in UNSAFE_METHODS or is_public(request):
        return await handler(request)
    user: CurrentUser | None = request.get(USER)
    if user is None or user.via == "token":  # bearer tokens are not sent by browsers on their own
        return await handler(request)
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sent = str((await request.post()).get(CSRF_FIELD, ""))
    if not sent or not user.csrf_token or not secrets.compare_digest(sent, user.csrf_token):
        raise Forbidden("页面已过期或请求来源无效，请刷新页面后重试。")
    return await handler(request)


@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every console response (the widget's public routes set their own)."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _add_headers(request, exc)
        raise
    _add_headers(request, response)
    return response


def _add_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Server"] = SERVER_NAME  # not aiohttp's banner with its version and Python's
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    resource = request.match_info.route.resource
    if is_public(request) and resource is not None and resource.canonical in WIDGET_PUBLIC_PATHS:
        return  # the widget sets its own policy (it talks to Rasa on another origin)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not is_public(request):
        response.headers.setdefault("Cache-Control", "no-store")


def throttle(request: web.Request) -> LoginThrottle:
    return request.app[THROTTLE_KEY]
