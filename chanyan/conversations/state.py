"""A conversation's state as Rasa's tracker events show it: its channel, the user's last message, who holds it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

# Events after which Rasa's tracker is no longer paused (a restart or a new session resets it).
_UNPAUSING = ("resume", "restart", "session_started")


@dataclass(frozen=True)
class ConversationState:
    """What the tracker says about a conversation.

    Attributes:
        channel: the input channel of the user's latest message (None: no user message yet).
        last_user_message_at: naive UTC.
        held_by: the staff member holding it (the bot is paused), or None.
        held_since: naive UTC.
        exists: whether the tracker has any event for it.
    """

    conversation_id: str
    channel: str | None = None
    last_user_message_at: datetime | None = None
    held_by: str | None = None
    held_since: datetime | None = None
    exists: bool = False

    @property
    def held(self) -> bool:
        return self.held_by is not None


def utc(timestamp: Any) -> datetime | None:
    """An event's epoch timestamp as naive UTC."""
    if not isinstance(timestamp, (int, float)):
        return None
    return datetime.fromtimestamp(float(timestamp), timezone.utc).replace(tzinfo=None)


def read_state(conversation_id: str, events: Iterable[dict[str, Any]]) -> ConversationState:
    """The state after `events` (decoded tracker events, oldest first)."""
    channel = last_user = held_by = held_since = None
    exists = False
    for event in events:
        exists = True
        kind = event.get("event")
        if kind == "user":
            # Every user event counts, commands included: WeChat opens the window for a menu click as well.
            channel = event.get("input_channel") or channel
            last_user = utc(event.get("timestamp")) or last_user
        elif kind == "pause":
            held_by = str((event.get("metadata") or {}).get("staff") or "对接专员")
            held_since = utc(event.get("timestamp"))
        elif kind in _UNPAUSING:
            held_by = held_since = None
    return ConversationState(conversation_id, channel, last_user, held_by, held_since, exists)
