"""The greeting: a returning user with an unfinished draft is offered to continue it."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

DRAFT_SLOTS = ("need_description", "budget", "timeline", "coop_mode", "tech_domain")


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        has_draft = any(tracker.get_slot(name) for name in DRAFT_SLOTS)
        dispatcher.utter_message(response="utter_greet_returning" if has_draft else "utter_greet")
        return []
