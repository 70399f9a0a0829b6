"""Progress notifications while the console runs: the queued notices are routed every few seconds (to the
enterprise's channel or e-mail, chanyan.requests.progress); each outcome shows on the request's page."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from chanyan.console.db import run_sync
from chanyan.console.keys import OUTBOUND_KEY, PROGRESS_DELIVERY_KEY, SESSIONMAKER_KEY
from chanyan.requests.notify import get_notifier
from chanyan.requests.progress import outbound_delivery, route_pending

logger = logging.getLogger(__name__)

PROGRESS_POLL_S = 3.0


async def route_now(app: web.Application) -> int:
    """Route the pending progress notices once."""
    notifier = get_notifier()
    job = functools.partial(
        route_pending,
        app[SESSIONMAKER_KEY],
        notifier.settings,
        deliver=_channel_delivery(app),
        wake_email=notifier.wake,
    )
    return await run_sync(job)


def _channel_delivery(app: web.Application):
    """Notices go into the conversations through the console's outbound delivery service (live_views), unless a
    test set PROGRESS_DELIVERY_KEY (None: e-mail only)."""
    if PROGRESS_DELIVERY_KEY in app:
        return app[PROGRESS_DELIVERY_KEY]
    service = app.get(OUTBOUND_KEY)
    return outbound_delivery(service) if service is not None else None


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
