"""Process-wide resources of the action server, created once on first use (never at import time)."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, TypeVar

from rasa_sdk import Tracker
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from chanyan import clock
from chanyan.intake.turn import FORM_SLOTS
from chanyan.settings import Settings
from chanyan.store.session import make_engine, make_sessionmaker

T = TypeVar("T")

# Threads that run the CPU-bound reading of a message (jieba, spaCy, JioNLP) off the event loop, so that one long
# extraction does not hold up every other conversation's action call (ACTION_NLP_THREADS).
DEFAULT_NLP_THREADS = 4

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


@functools.cache
def nlp_pool() -> ThreadPoolExecutor:
    """The one pool for CPU-bound NLP in this process, sized by ACTION_NLP_THREADS."""
    raw = os.environ.get("ACTION_NLP_THREADS", "").strip()
    threads = int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_NLP_THREADS
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="nlp")


async def off_loop(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run `function(*args, **kwargs)` in the NLP pool and await its result (the event loop keeps serving)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(nlp_pool(), functools.partial(function, *args, **kwargs))


WARM_UP_MESSAGE = "我们想用机器视觉检测零件表面划痕，预算50万左右，明年6月前完成"


def warm_up() -> None:
    """Load what the first action call would (the extractor with spaCy and jieba, the database engine) and read
    one message through the core, so that the first real conversation is as fast as any other."""
    from chanyan.extraction import from_entities, get_extractor, to_entities
    from chanyan.intake.turn import process_turn

    extractor = get_extractor()
    now = datetime.now(clock.zone(settings().timezone))
    # The way a real turn goes: the extraction arrives as Rasa entities (the NLU component's) and is read back.
    extraction = from_entities(to_entities(extractor.extract(WARM_UP_MESSAGE, now=now)))
    process_turn(WARM_UP_MESSAGE, "need_description", {}, extraction=extraction, now=now)
    with session_factory()() as session:
        session.connection()


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
