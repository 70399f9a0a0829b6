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
from chanyan.console.keys import PROGRESS_DELIVERY_KEY, SESSIONMAKER_KEY, TRACKER_ENGINE_KEY
from chanyan.requests.notify import get_notifier
from chanyan.requests.progress import outbound_delivery, route_pending
from chanyan.settings import Settings

logger = logging.getLogger(__name__)

PROGRESS_POLL_S = 3.0


async def route_now(app: web.Application) -> int:
    """Route the pending progress notices once (also called right after a staff change)."""
    notifier = get_notifier()
    job = functools.partial(
        route_pending,
        app[SESSIONMAKER_KEY],
        notifier.settings,
        deliver=app.get(PROGRESS_DELIVERY_KEY),
        wake_email=notifier.wake,
    )
    return await run_sync(job)


def _channel_delivery(app: web.Application):
    """Notices go into the conversations through the outbound delivery service (Rasa's HTTP API)."""
    from chanyan.conversations.outbound import OutboundService
    from chanyan.conversations.rasa import RasaClient

    settings = Settings.from_env()
    service = OutboundService(
        app[SESSIONMAKER_KEY], app[TRACKER_ENGINE_KEY], RasaClient(settings.rasa_url, settings.rasa_token)
    )
    return outbound_delivery(service)


async def progress_ctx(app: web.Application) -> AsyncIterator[None]:
    """Routes progress notices in the background while the console is up (after database_ctx: the channel
    delivery needs the engines; a test may set PROGRESS_DELIVERY_KEY first, None for e-mail only)."""
    if PROGRESS_DELIVERY_KEY not in app:
        app[PROGRESS_DELIVERY_KEY] = _channel_delivery(app)

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
