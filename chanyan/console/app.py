"""The console's application factory."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from yarl import URL

from chanyan import clock
from chanyan.console import (
    api,
    followup_views,
    live_views,
    ops_views,
    partners_views,
    privacy_views,
    progress_views,
    views,
)
from chanyan.console.db import database_ctx
from chanyan.console.errors import error_middleware
from chanyan.console.keys import HASHER_KEY, PUBLIC_RESOURCES_KEY, SETTINGS_KEY, THROTTLE_KEY, USER
from chanyan.console.security import (
    WIDGET_PUBLIC_PATHS,
    LoginThrottle,
    auth_middleware,
    csrf_middleware,
    headers_middleware,
)
from chanyan.console.settings import ConsoleSettings
from chanyan.domain.display import format_timeline
from chanyan.domain.money import format_budget
from chanyan.settings import Settings
from chanyan.staff.accounts import make_hasher

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
# Adds routes to the console from outside it (the composition root passes the web widget's routes).
Extension = Callable[[web.Application], None]
PUBLIC_PATHS = frozenset({"/login", "/healthz"})
MAX_FORM_BYTES = 1024**2


def init_app(
    settings: ConsoleSettings | Settings | None = None, extensions: Sequence[Extension] = ()
) -> web.Application:
    """Build the console application (the engine opens when it starts and closes when it stops).

    `extensions` add routes from outside the console, e.g. connectors.webchat.routes.register_widget_routes
    (wired by `python -m chanyan.console`); only their paths in WIDGET_PUBLIC_PATHS are public.
    """
    if not isinstance(settings, ConsoleSettings):
        settings = ConsoleSettings.from_env(settings)
    # 1. Middlewares, outermost first: security headers on everything, then domain errors → HTTP errors,
    #    then sign-in (so errors of unauthenticated requests never reach a view), then CSRF.
    app = web.Application(
        middlewares=[headers_middleware, error_middleware, auth_middleware, csrf_middleware],
        client_max_size=MAX_FORM_BYTES,
    )
    # 2. Settings and process-wide helpers.
    app[SETTINGS_KEY] = settings
    app[HASHER_KEY] = make_hasher(settings.argon2)
    app[THROTTLE_KEY] = LoginThrottle(
        settings.login_max_failures, settings.login_max_failures_per_address, settings.login_window_seconds
    )
    # 3. Database engines: opened on start-up, disposed on clean-up.
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(privacy_views.retention_ctx)  # the daily retention job (chanyan privacy purge)
    app.cleanup_ctx.append(progress_views.progress_ctx)  # progress notices to the enterprise
    # 4. Templates (autoescaped: user text is never HTML).
    setup_templates(app)
    # 5. Routes: pages, API, static files, then the extensions' (the widget's public routes).
    app.router.add_routes(views.routes)
    app.router.add_routes(followup_views.routes)
    app.router.add_routes(api.routes)
    app.router.add_routes(ops_views.routes)
    app.router.add_routes(privacy_views.routes)
    live_views.configure(app)  # the live conversation page and its service (after the database engines)
    partners_views.register(app)
    app.router.add_static("/static/", HERE / "static", name="static")
    public = {r for r in app.router.resources() if r.canonical in PUBLIC_PATHS} | {app.router["static"]}
    for extension in extensions:
        public |= register_extension(app, extension)
    app[PUBLIC_RESOURCES_KEY] = public
    return app


def register_extension(app: web.Application, extension: Extension) -> set[Any]:
    """Let an extension add its routes; returns those of them that are public (WIDGET_PUBLIC_PATHS)."""
    before = set(app.router.resources())
    extension(app)
    public = set()
    for resource in app.router.resources():
        if resource in before:
            continue
        path = resource.canonical
        if path in WIDGET_PUBLIC_PATHS:
            public.add(resource)
        else:
            log.warning(
                "widget route %s requires sign-in: only %s are public", path, sorted(WIDGET_PUBLIC_PATHS)
            )
    return public


def setup_templates(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,
        context_processors=[aiohttp_jinja2.request_processor, _context],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app[aiohttp_jinja2.static_root_key] = "/static"
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
    zone = clock.zone(app[SETTINGS_KEY].timezone)
    env.filters["localtime"] = lambda moment, fmt="%Y-%m-%d %H:%M": _localtime(moment, zone, fmt)
    env.filters["budget"] = format_budget
    env.filters["timeline"] = format_timeline
    env.filters["status_label"] = lambda status: views.STATUS_LABELS.get(status, status or "")
    env.filters["hours"] = _hours
    env.globals.update(views.template_globals())
    env.globals.update(followup_views.followup_globals())
    env.globals["url"] = url_for


@jinja2.pass_context
def url_for(context: Any, __route_name: str, query_: dict[str, str] | None = None, **parts: str | int) -> URL:
    """aiohttp_jinja2's `url`, except that every character of a part is encoded, `/` included: a conversation id
    stored before ids were validated ("a/../b?c") still links to its own page."""
    resource = context["app"].router[__route_name]
    formatter = resource.get_info().get("formatter")
    if formatter is None:
        url = resource.url_for(**{k: str(v) for k, v in parts.items()})
    else:
        url = URL(formatter.format_map({k: quote(str(v), safe="") for k, v in parts.items()}), encoded=True)
    return url.with_query(query_) if query_ else url


async def _context(request: web.Request) -> dict[str, Any]:
    user = request.get(USER)
    return {"user": user, "csrf_token": (user.csrf_token or "") if user else ""}


def _localtime(moment: datetime | None, zone: ZoneInfo, fmt: str) -> str:
    return "" if moment is None else clock.to_local(moment, zone).strftime(fmt)


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1:
        return f"{round(value * 60)} 分钟"
    if value < 48:
        return f"{value:.1f} 小时"
    return f"{value / 24:.1f} 天"
