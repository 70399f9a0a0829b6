"""Progress notifications while the console runs: the queued notices are routed every few seconds (to the
enterprise's channel or e-mail, chanyan.requests.progress); each outcome shows on the request's page."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from chanyan.console.db import run_db
from chanyan.console.keys import PROGRESS_DELIVERY_KEY
from chanyan.requests.notify import get_notifier
from chanyan.requests.progress import route_pending

logger = logging.getLogger(__name__)

PROGRESS_POLL_S = 3.0


async def route_now(app: web.Application) -> int:
    """Route the pending progress notices once (also called right after a staff change)."""
    notifier = get_notifier()
    return await run_db(
        app,
        route_pending,
        notifier.settings,
        deliver=app.get(PROGRESS_DELIVERY_KEY),
        wake_email=notifier.wake,
    )


async def progress_ctx(app: web.Application) -> AsyncIterator[None]:
    """Routes progress notices in the background while the console is up."""

    async def loop() -> None:
        while True:
            try:
                await route_now(app)
            except Exception:
                logger.exception("routing progress notices failed; retrying at the next poll")
            await asyncio.sleep(PROGRESS_POLL_S)

    task = asyncio.get_running_loop().create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
