"""转人工: mark the conversation for a person once staff can reach the user, and tell the user when they answer."""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.runtime import current_slots, input_channel, say, session_factory
from chanyan.intake.turn import handoff_turn
from chanyan.requests.notify import notify_handoff
from chanyan.store.requests import record_handoff

logger = logging.getLogger(__name__)


def _record(conversation_id: str, channel: str, message: str | None) -> None:
    with session_factory()() as session, session.begin():
        record_handoff(session, conversation_id, channel, message)


async def hand_over(tracker: Tracker) -> None:
    """Record the handoff and notify staff (a failure is logged; the user is told either way)."""
    text = (tracker.latest_message or {}).get("text")
    channel = input_channel(tracker)
    phone = tracker.get_slot("contact_phone") or tracker.get_slot("contact_email")
    message = f"{text}（联系方式：{phone}）" if phone and text and phone not in text else text
    try:
        await asyncio.to_thread(_record, tracker.sender_id, channel, message)
    except SQLAlchemyError:
        logger.exception("could not record the handoff of %s", tracker.sender_id)
    else:
        notify_handoff(tracker.sender_id, channel, message)  # queues in the background; never raises


class ActionHandoff(Action):
    """转人工 outside the interview: hand over when a phone or e-mail is known, else ask for one first."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        result = handoff_turn((tracker.latest_message or {}).get("text"), current_slots(tracker))
        if result.handoff:
            await hand_over(tracker)
        say(dispatcher, result.say)
        return [SlotSet(name, value) for name, value in result.slots.items()]
