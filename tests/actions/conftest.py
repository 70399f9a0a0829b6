"""Action tests: trackers built like the ones Rasa sends, a CollectingDispatcher, and a temp database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.postgres import BACKENDS, empty_database

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"
if str(BOT_DIR) not in sys.path:
    sys.path.insert(0, str(BOT_DIR))  # the action server runs from bot/ and imports the `actions` package


@pytest.fixture(params=BACKENDS)
def action_db(request, tmp_path, monkeypatch):
    """A migrated database that the actions' runtime opens (its caches are reset around the test): SQLite,
    and a fresh PostgreSQL database (dropped afterwards; skipped when the server is unreachable)."""
    for url in empty_database(request.param, tmp_path / "actions.db", "chanyan_actions"):
        yield from _action_db(url, monkeypatch)


def _action_db(url: str, monkeypatch):
    from actions import runtime
    from chanyan.store.migrate import upgrade

    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TRACKER_DB_URL", url)
    runtime.settings.cache_clear()
    runtime.session_factory.cache_clear()
    runtime.tracker_engine.cache_clear()
    yield url
    if runtime.session_factory.cache_info().currsize:
        runtime.session_factory().kw["bind"].dispose()
    runtime.session_factory.cache_clear()
    runtime.tracker_engine.cache_clear()
    runtime.settings.cache_clear()
