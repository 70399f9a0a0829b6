"""转人工: mark the conversation for a person and tell the user when staff will answer."""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.runtime import input_channel, session_factory
from chanyan.requests.notify import notify_handoff
from chanyan.store.requests import record_handoff

logger = logging.getLogger(__name__)


def _record(conversation_id: str, channel: str, message: str | None) -> None:
    with session_factory()() as session, session.begin():
        record_handoff(session, conversation_id, channel, message)


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text")
        channel = input_channel(tracker)
        try:
            await asyncio.to_thread(_record, tracker.sender_id, channel, text)
        except SQLAlchemyError:
            logger.exception("could not record the handoff of %s", tracker.sender_id)
        else:
            notify_handoff(tracker.sender_id, channel, text)  # queues in the background; never raises
        dispatcher.utter_message(response="utter_handoff")
        return []
