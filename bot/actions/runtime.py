"""Process-wide resources of the action server, created once on first use (never at import time)."""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from chanyan import clock
from chanyan.intake.turn import FORM_SLOTS
from chanyan.settings import Settings
from chanyan.store.session import make_engine, make_sessionmaker

BOOKKEEPING_SLOTS = (
    "domain_candidates",
    "draft_id",
    "intake_failures",
    "intake_stop",
    "handoff_pending",
    "targets_hint",
    "amend_pending",
    "last_request_ref",
    "own_request_pending",
)


@functools.cache
def settings() -> Settings:
    return Settings.from_env()


@functools.cache
def session_factory() -> sessionmaker:
    """One engine per action-server process."""
    return make_sessionmaker(make_engine(settings().database_url))


@functools.cache
def tracker_engine() -> Engine:
    """Rasa's tracker store (the requests database's engine when they are one database)."""
    if settings().tracker_db_url == settings().database_url:
        return session_factory().kw["bind"]
    return make_engine(settings().tracker_db_url)


def current_slots(tracker: Tracker) -> dict[str, Any]:
    """The form's slots and its bookkeeping slots."""
    return {name: tracker.get_slot(name) for name in (*FORM_SLOTS, *BOOKKEEPING_SLOTS)}


def message_time(tracker: Tracker) -> datetime:
    """When the latest user message arrived, in the platform's time zone (for 明年/年底 and the like)."""
    tz = clock.zone(settings().timezone)
    for event in reversed(tracker.events):
        if event.get("event") == "user" and event.get("timestamp"):
            return datetime.fromtimestamp(float(event["timestamp"]), tz=timezone.utc).astimezone(tz)
    return datetime.now(tz)


def earlier_user_texts(tracker: Tracker, limit: int = 30) -> list[str]:
    """The user's messages before the latest one, oldest first (for "刚才说了")."""
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return [t for t in texts[:-1] if t][-limit:]


def say(dispatcher, responses) -> None:
    """Utter the core's (response, template values) pairs in order (the privacy FAQ gets its own values)."""
    for name, values in responses:
        if name == "utter_faq_privacy":
            from actions.privacy import privacy_values

            values = {**privacy_values(), **values}
        dispatcher.utter_message(response=name, **values)


def input_channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"
