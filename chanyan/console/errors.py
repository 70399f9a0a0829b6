"""Domain errors of the console and the one middleware that maps them to HTTP responses."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import aiohttp_jinja2
from aiohttp import web

from chanyan.console.keys import USER
from chanyan.store.requests import RequestNotFound

log = logging.getLogger(__name__)


class ConsoleError(Exception):
    """A failure staff should read about; `status` is its HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(ConsoleError):
    status, code = 404, "not_found"


class Forbidden(ConsoleError):
    status, code = 403, "forbidden"


class InvalidInput(ConsoleError):
    status, code = 422, "invalid_input"


class Conflict(ConsoleError):
    status, code = 409, "conflict"


class TooManyAttempts(ConsoleError):
    status, code = 429, "too_many_attempts"


def is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/")


def error_response(request: web.Request, status: int, code: str, message: str, errors: dict | None = None):
    """JSON for the API, a short page for browsers."""
    if is_api(request):
        return web.json_response({"error": code, "message": message, "errors": errors or {}}, status=status)
    # The template context processors run inside the middleware chain, which may not have been reached.
    user = request.get(USER)
    context = {
        "status": status,
        "message": message,
        "user": user,
        "csrf_token": (user.csrf_token or "") if user else "",
    }
    return aiohttp_jinja2.render_template("error.html", request, context, status=status)


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Map domain errors (and 404/405 for the API) to HTTP responses."""
    try:
        return await handler(request)
    except RequestNotFound:
        return error_response(request, 404, "not_found", "未找到该需求单。")
    except ConsoleError as err:
        return error_response(request, err.status, err.code, err.message, err.errors)
    except web.HTTPNotFound:
        return error_response(request, 404, "not_found", "页面不存在。")
    except web.HTTPMethodNotAllowed:
        return error_response(request, 405, "method_not_allowed", "不支持此操作。")
