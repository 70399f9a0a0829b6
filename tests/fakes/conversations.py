"""Rasa's HTTP API and a clock, faked for the conversation service's tests (unit and console)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import text

from chanyan.conversations.rasa import RasaError


class FakeClock:
    """Naive UTC, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc).replace(tzinfo=None)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class FakeRasa:
    """Rasa's HTTP API as far as the service uses it: events land in the events table, bot messages are
    "delivered" to `sent` unless `fail_with` says otherwise."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.sent: list[tuple[str, str, dict]] = []
        self.executed: list[tuple[str, str, str | None]] = []
        self.connected: set[str] = set()
        self.fail_with: RasaError | None = None

    def add(self, conversation_id: str, event: dict[str, Any]) -> None:
        event.setdefault("timestamp", datetime.now(timezone.utc).timestamp())
        with self.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :t, :ts, :d)"),
                {"s": conversation_id, "t": event["event"], "ts": event["timestamp"], "d": json.dumps(event)},
            )

    def user_says(self, conversation_id: str, said: str, channel: str, at: datetime | None = None) -> None:
        stamp = (
            (at or datetime.now(timezone.utc).replace(tzinfo=None)).replace(tzinfo=timezone.utc).timestamp()
        )
        self.add(
            conversation_id, {"event": "user", "text": said, "input_channel": channel, "timestamp": stamp}
        )

    def append_events(self, conversation_id, events, *, output_channel=None) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        for event in events:
            if event["event"] == "bot" and output_channel:
                self.sent.append((conversation_id, event["text"], event.get("metadata") or {}))
            self.add(conversation_id, dict(event))

    def execute(self, conversation_id, action, *, output_channel=None) -> None:
        self.executed.append((conversation_id, action, output_channel))

    def widget_connected(self, conversation_id) -> bool | None:
        return conversation_id in self.connected
