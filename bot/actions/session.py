"""A new session of a conversation (after `session_expiration_time` of silence, or on request)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from chanyan.conversations.state import session_start_events


class ActionSessionStart(Action):
    """Rasa's session start, keeping a staff member's hold on the conversation (the core decides the events)."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        carry_over = bool((domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True))
        return session_start_events(tracker.events, tracker.slots, carry_over_slots=carry_over)
