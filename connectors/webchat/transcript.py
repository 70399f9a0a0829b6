"""What the widget shows: chat items built from bot messages and from a conversation's tracker events.

A live bot message and the same message read back from the tracker become the same items with the same ids
(the bot event's timestamp and the part's place), so a client that re-syncs after a reload or a dropped
connection can tell what it already shows. Replayed history masks phone numbers and e-mail addresses: the
transcript comes back to whoever holds the session secret, which may be the next person at a shared PC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from chanyan.domain.validation import mask_text

Item = dict[str, Any]

# The quick-reply payload that starts a new conversation in the widget; history starts after it.
NEW_CONVERSATION = "/new_conversation"
HISTORY_LIMIT = 200


def bot_items(message: dict[str, Any], fallback_id: str) -> list[Item]:
    """The chat items of one bot message, as Rasa's socketio output splits it (text on blank lines).

    Args:
        message: a bot message as an output channel gets it (text, buttons/quick_replies, image,
            attachment, timestamp).
        fallback_id: the id base when the message has no timestamp (e.g. a notice sent by a channel).
    """
    timestamp = message.get("timestamp")
    base = repr(float(timestamp)) if isinstance(timestamp, (int, float)) else fallback_id
    ts = int(float(timestamp) * 1000) if isinstance(timestamp, (int, float)) else None
    items: list[Item] = []
    text = message.get("text")
    buttons = message.get("quick_replies") or message.get("buttons") or []
    if isinstance(text, str) and text.strip():
        parts = text.strip().split("\n\n")
        for index, part in enumerate(parts):
            items.append({"id": f"{base}:{index}", "from": "bot", "text": part})
    elif buttons:
        items.append({"id": f"{base}:0", "from": "bot", "text": ""})
    replies = [
        {"title": str(b["title"]), "payload": str(b.get("payload") or b["title"])}
        for b in buttons
        if isinstance(b, dict) and b.get("title")
    ]
    if replies and items:
        items[-1]["quick_replies"] = replies
    image = message.get("image")
    attachment = message.get("attachment")
    if not image and isinstance(attachment, dict) and attachment.get("type") == "image":
        image = (attachment.get("payload") or {}).get("src")
    if isinstance(image, str) and image:
        items.append({"id": f"{base}:image", "from": "bot", "text": "", "image": image})
    staff = message.get("staff")
    for item in items:
        if ts is not None:
            item["ts"] = ts
        if isinstance(staff, str) and staff:
            item["staff"] = staff  # typed by a staff member in the console, shown with their name
    return items


def user_item(message_id: str, text: str, ts: int) -> Item:
    return {"id": message_id, "from": "user", "text": text, "ts": ts}


def _bot_event_message(event: dict[str, Any]) -> dict[str, Any]:
    """What `BotUttered.message()` gives the output channel, rebuilt from the stored event."""
    message = dict(event.get("data") or {})
    message["text"] = event.get("text")
    message["timestamp"] = event.get("timestamp")
    message.update(event.get("metadata") or {})
    return message


def event_items(events: Iterable[dict[str, Any]]) -> list[Item]:
    """Chat items of stored tracker events (user and bot events only)."""
    items: list[Item] = []
    for event in events:
        kind = event.get("event")
        timestamp = event.get("timestamp")
        if kind == "user":
            text = event.get("text")
            if not isinstance(text, str):
                continue
            ts = int(float(timestamp) * 1000) if isinstance(timestamp, (int, float)) else 0
            items.append(user_item(str(event.get("message_id") or f"u{timestamp!r}"), text, ts))
        elif kind == "bot":
            items.extend(bot_items(_bot_event_message(event), fallback_id=f"b{timestamp!r}"))
    return items


def merge(stored: list[Item], recent: list[Item]) -> list[Item]:
    """Stored items, then the recent ones (not yet in the store) they lack, each id once."""
    seen = {item["id"] for item in stored}
    merged = list(stored)
    for item in recent:
        if item["id"] not in seen:
            seen.add(item["id"])
            merged.append(item)
    return merged


def for_display(
    items: list[Item], *, limit: int = HISTORY_LIMIT, mask: Callable[[str], str] = mask_text
) -> list[Item]:
    """The items a client shows: after the last new-conversation marker, commands hidden, clicked quick replies
    shown by their title, personal data masked, the latest `limit` only."""
    start = 0
    for index, item in enumerate(items):
        if item["from"] == "user" and item["text"].strip() == NEW_CONVERSATION:
            start = index + 1
    shown: list[Item] = []
    titles: dict[str, str] = {}
    for item in items[start:]:
        item = dict(item)
        if item["from"] == "bot":
            titles = {r["payload"]: r["title"] for r in item.get("quick_replies") or []} or titles
        else:
            text = item["text"].strip()
            if text in titles:
                item["text"] = titles[text]
            elif text.startswith("/"):
                continue  # /greet and other commands the widget sends on its own
            titles = {}
        item["text"] = mask(item["text"])
        shown.append(item)
    return shown[-limit:]
