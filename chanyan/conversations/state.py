"""A conversation's state as Rasa's tracker events show it: its channel, the user's last message, who holds it."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

# Events after which Rasa's tracker is no longer paused (a restart or a new session resets it).
_UNPAUSING = ("resume", "restart", "session_started")
# Marks the pause a new session re-applies for a conversation staff still hold (with the hold's first moment):
# the transcript shows one hold, and "held since" stays when staff took it.
CARRIED_OVER = "carried_over"
HELD_SINCE = "held_since"
DEFAULT_HOLDER = "对接专员"  # a hold whose pause names no staff member


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
    channel = last_user = hold = None
    exists = False
    for event in events:
        exists = True
        if event.get("event") == "user":
            # Every user event counts, commands included: WeChat opens the window for a menu click as well.
            channel = event.get("input_channel") or channel
            last_user = utc(event.get("timestamp")) or last_user
        hold = _hold_after(hold, event)
    if hold is None:
        return ConversationState(conversation_id, channel, last_user, exists=exists)
    metadata = hold.get("metadata") or {}
    held_by = str(metadata.get("staff") or DEFAULT_HOLDER)
    held_since = utc(metadata.get(HELD_SINCE) or hold.get("timestamp"))
    return ConversationState(conversation_id, channel, last_user, held_by, held_since, exists)


def _hold_after(hold: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any] | None:
    """The pause event of the hold still open after `event`, given the one open before it (None: no hold)."""
    kind = event.get("event")
    if kind == "pause":
        return event
    return None if kind in _UNPAUSING else hold


def session_start_events(
    events: Iterable[dict[str, Any]], slots: dict[str, Any], *, carry_over_slots: bool = True
) -> list[dict[str, Any]]:
    """The events that open a new session of a conversation (Rasa's `action_session_start`).

    As Rasa's own: the session marker, the slots given so far (when the domain carries them over) and a listen.
    Unlike Rasa's own, a conversation that staff hold stays held: a new session resets Rasa's pause, and the bot
    would otherwise answer the user in the middle of a staff member's conversation.
    """
    opened: list[dict[str, Any]] = [{"event": "session_started"}]
    if carry_over_slots:
        opened += [
            {"event": "slot", "name": name, "value": value}
            for name, value in slots.items()
            if value is not None
        ]
    hold = functools.reduce(_hold_after, events, None)
    if hold is not None:
        metadata = dict(hold.get("metadata") or {})
        metadata.setdefault("staff", DEFAULT_HOLDER)
        metadata.setdefault(HELD_SINCE, hold.get("timestamp"))
        metadata[CARRIED_OVER] = True
        opened.append({"event": "pause", "metadata": metadata})
    opened.append({"event": "action", "name": "action_listen"})
    return opened
