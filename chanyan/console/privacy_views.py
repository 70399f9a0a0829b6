"""Erasing one conversation's personal data from the console (admins only), and the daily retention job.

The same service as the user's "删除我的信息" (chanyan.requests.privacy): contact fields of the conversation's
requests emptied, the transcript masked in Rasa's tracker store, an audit entry naming the admin.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timezone

import aiohttp_jinja2
from aiohttp import web

from chanyan.console import queries
from chanyan.console.db import run_db, run_sync
from chanyan.console.keys import SESSIONMAKER_KEY, TRACKER_ENGINE_KEY
from chanyan.console.security import require_admin
from chanyan.requests.privacy import erase_conversation, purge_expired
from chanyan.settings import Settings

logger = logging.getLogger(__name__)

routes = web.RouteTableDef()
MAX_REASON_CHARS = 200
PURGE_EVERY_S = 24 * 3600
FIRST_PURGE_AFTER_S = 60.0
DEFAULT_REASON = "应用户要求删除个人信息"


async def _page(request: web.Request, *, done: str = "", error: str = "", status: int = 200) -> web.Response:
    conversation_id = request.match_info["conversation_id"]
    rows = await run_db(request.app, queries.conversation_requests, conversation_id)
    context = {"conversation_id": conversation_id, "requests": rows, "done": done, "error": error}
    return aiohttp_jinja2.render_template("privacy_erase.html", request, context, status=status)


@routes.get("/conversations/{conversation_id}/privacy", name="privacy_erase")
async def privacy_erase_page(request: web.Request) -> web.Response:
    require_admin(request)
    return await _page(request)


@routes.post("/conversations/{conversation_id}/privacy", name="privacy_erase_do")
async def privacy_erase(request: web.Request) -> web.Response:
    admin = require_admin(request)
    form = await request.post()
    if form.get("confirm") != "1":
        return await _page(request, error="请勾选确认：删除后无法恢复。", status=422)
    reason = str(form.get("reason", "")).strip()[:MAX_REASON_CHARS] or DEFAULT_REASON
    conversation_id = request.match_info["conversation_id"]
    result = await run_sync(
        lambda: erase_conversation(
            request.app[SESSIONMAKER_KEY],
            request.app[TRACKER_ENGINE_KEY],
            conversation_id,
            actor=admin.username,
            reason=reason,
        )
    )
    done = f"已删除：{len(result.refs)}份需求单的联系方式已清除，对话记录中的个人信息已隐去（{result.events_rewritten}条记录）。"
    return await _page(request, done=done)


async def retention_ctx(app: web.Application) -> AsyncIterator[None]:
    """Runs the retention job (chanyan privacy purge) once a day while the console is up."""
    settings = Settings.from_env()

    async def loop() -> None:
        await asyncio.sleep(FIRST_PURGE_AFTER_S)
        while True:
            try:
                job = functools.partial(
                    purge_expired,
                    app[SESSIONMAKER_KEY],
                    app[TRACKER_ENGINE_KEY],
                    retention_days=settings.retention_days,
                    now=datetime.now(timezone.utc).replace(tzinfo=None),
                )
                refs = await run_sync(job)
                if refs:
                    logger.info("retention: erased the contact data of %d closed requests", len(refs))
            except Exception:
                logger.exception("the retention job failed; it runs again tomorrow")
            await asyncio.sleep(PURGE_EVERY_S)

    task = asyncio.get_running_loop().create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
