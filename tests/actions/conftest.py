"""Action tests: trackers built like the ones Rasa sends, a CollectingDispatcher, and a temp database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"
if str(BOT_DIR) not in sys.path:
    sys.path.insert(0, str(BOT_DIR))  # the action server runs from bot/ and imports the `actions` package


@pytest.fixture
def action_db(tmp_path, monkeypatch):
    """A migrated SQLite database that the actions' runtime opens (its caches are reset around the test)."""
    from actions import runtime
    from chanyan.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'actions.db'}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    runtime.settings.cache_clear()
    runtime.session_factory.cache_clear()
    yield url
    runtime.session_factory.cache_clear()
    runtime.settings.cache_clear()
