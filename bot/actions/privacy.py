"""Personal data (个人信息保护法): the notice before the first personal question, the privacy FAQ with the real
retention period, "删除我的信息" (asked, confirmed, done), and the widget's 新对话 that keeps the draft."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.greeting import DRAFT_SLOTS
from actions.runtime import input_channel, session_factory, settings, tracker_engine
from chanyan.domain.schema import CONTACT_SLOTS
from chanyan.requests.privacy import erase_conversation

logger = logging.getLogger(__name__)

NOTICE_SLOT = "privacy_notice_shown"
ASK_DELETE = "action_ask_delete_my_data"


def privacy_values() -> dict[str, Any]:
    """What the privacy texts fill in: the retention period and the link to the full text."""
    return {"retention_days": settings().retention_days, "privacy_url": settings().privacy_url}


class _AskPersonal(Action):
    """Asks for one personal slot; the first time in a conversation, the privacy notice comes first."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = []
        if not tracker.get_slot(NOTICE_SLOT):
            dispatcher.utter_message(response="utter_privacy_notice", **privacy_values())
            events.append(SlotSet(NOTICE_SLOT, True))
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return events


class ActionAskEnterpriseName(_AskPersonal):
    slot = "enterprise_name"


class ActionAskContactName(_AskPersonal):
    slot = "contact_name"


class ActionAskContactPhone(_AskPersonal):
    slot = "contact_phone"


class ActionAskContactEmail(_AskPersonal):
    slot = "contact_email"


class ActionFaqPrivacy(Action):
    def name(self) -> str:
        return "action_faq_privacy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_faq_privacy", **privacy_values())
        return []


class ActionAskDeleteMyData(Action):
    """Asks for a confirmation: deleting cannot be undone."""

    def name(self) -> str:
        return ASK_DELETE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_delete_confirm")
        return []


def _confirmation_was_asked(tracker: Tracker) -> bool:
    """Whether the bot's last action before this message asked to confirm the deletion."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name") == ASK_DELETE
    return False


class ActionDeleteMyData(Action):
    """Erases the contact fields of this conversation's requests and masks its transcript, with an audit entry."""

    def name(self) -> str:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not _confirmation_was_asked(tracker):
            dispatcher.utter_message(response="utter_delete_not_asked")
            return []
        names = [str(tracker.get_slot("contact_name") or "")]
        try:
            result = await asyncio.to_thread(
                erase_conversation,
                session_factory(),
                tracker_engine(),
                tracker.sender_id,
                actor=f"user:{input_channel(tracker)}",
                extra_names=names,
            )
        except SQLAlchemyError:
            logger.exception("could not erase the personal data of conversation %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_delete_failed")
            return []
        dispatcher.utter_message(response="utter_deleted", count=len(result.refs))
        return [SlotSet(name, None) for name in CONTACT_SLOTS]


class ActionNewConversation(Action):
    """The widget's 新对话: a fresh start in the same conversation; an unfinished draft stays resumable."""

    def name(self) -> str:
        return "action_new_conversation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        has_draft = any(tracker.get_slot(name) for name in DRAFT_SLOTS)
        dispatcher.utter_message(response="utter_new_conversation_kept" if has_draft else "utter_greet")
        return []
