"""Build rasa-sdk trackers the way Rasa serializes them to the action server."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

TIMESTAMP = 1_795_600_000.0  # 2026-11-25 in China


def tracker(
    text: str,
    *,
    slots: dict[str, Any] | None = None,
    intent: str = "inform",
    confidence: float = 0.9,
    entities: list[dict] | None = None,
    requested_slot: str | None = None,
    channel: str = "rest",
    sender: str = "conv-actions",
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
    }
    events = [
        {"event": "action", "name": "action_listen", "timestamp": TIMESTAMP - 1},
        {
            "event": "user",
            "text": text,
            "timestamp": TIMESTAMP,
            "parse_data": latest,
            "input_channel": channel,
        },
    ]
    return Tracker(
        sender_id=sender,
        slots={**(slots or {}), "requested_slot": requested_slot},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "intake_form"} if requested_slot else {},
        latest_action_name="action_listen",
    )


def slot_events(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
