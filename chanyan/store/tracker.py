"""Rasa's SQL tracker store table, read by the console and rewritten to erase personal data.

Not ours: Rasa creates it (never our migrations). Each row holds one event as JSON in `data`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, inspect, select, update
from sqlalchemy.engine import Engine

_metadata = MetaData()
EVENTS = Table(
    "events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


def has_events_table(engine: Engine) -> bool:
    """Whether Rasa has created its table in this database yet."""
    return inspect(engine).has_table(EVENTS.name)


def conversation_events(engine: Engine, sender_id: str) -> list[dict[str, Any]]:
    """The stored events of one conversation, oldest first (decoded)."""
    if not has_events_table(engine):
        return []
    query = select(EVENTS.c.data).where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.id)
    with engine.connect() as connection:
        return [json.loads(raw) for (raw,) in connection.execute(query) if raw]


def rewrite_events(
    engine: Engine, sender_id: str, rewrite: Callable[[dict[str, Any]], dict[str, Any]]
) -> int:
    """Replace each stored event of a conversation with `rewrite(event)`, in place (ids, order and count stay,
    so Rasa appends the next turn's events as before). Returns how many rows changed."""
    if not has_events_table(engine):
        return 0
    changed = 0
    with engine.begin() as connection:
        rows = connection.execute(
            select(EVENTS.c.id, EVENTS.c.data).where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.id)
        ).all()
        for row_id, raw in rows:
            if not raw:
                continue
            event = json.loads(raw)
            new = rewrite(event)
            if new != event:
                connection.execute(update(EVENTS).where(EVENTS.c.id == row_id).values(data=json.dumps(new)))
                changed += 1
    return changed
