"""The database engine's lifetime (cleanup_ctx) and running query functions off the event loop."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.orm import Session

from chanyan.console.keys import ENGINE_KEY, SESSIONMAKER_KEY, SETTINGS_KEY, TAXONOMY_KEY, TRACKER_ENGINE_KEY
from chanyan.store.session import make_engine, make_sessionmaker

T = TypeVar("T")


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the engines when the app starts and dispose of them when it stops."""
    settings = app[SETTINGS_KEY]
    engine = make_engine(settings.database_url)
    tracker = engine if settings.tracker_url == settings.database_url else make_engine(settings.tracker_url)
    app[ENGINE_KEY] = engine
    app[TRACKER_ENGINE_KEY] = tracker
    app[SESSIONMAKER_KEY] = make_sessionmaker(engine)
    app[TAXONOMY_KEY] = await asyncio.get_running_loop().run_in_executor(None, load_taxonomy)
    yield
    if tracker is not engine:
        tracker.dispose()
    engine.dispose()


def load_taxonomy() -> Any:
    """The domain taxonomy: the extractor's, or the data file's when extraction is not available."""
    try:
        from chanyan.extraction import get_extractor

        return get_extractor().taxonomy
    except ImportError:
        from chanyan.extraction.taxonomy import Taxonomy

        return Taxonomy.load()


async def run_db(app: web.Application, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `fn(session, *args, **kwargs)` in one transaction on a worker thread.

    SQLite waits up to 15 s for a lock held by Rasa or the action server; that wait must not stall the loop.
    """
    maker = app[SESSIONMAKER_KEY]

    def work() -> T:
        session: Session
        with maker() as session, session.begin():
            return fn(session, *args, **kwargs)

    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(work))


async def run_sync(fn: Callable[..., T], *args: Any) -> T:
    """Run a blocking function (argon2, the tracker store) on a worker thread."""
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(fn, *args))
