"""转人工: mark the conversation for a person once staff can reach the user, and tell the user when they answer;
and take the conversation back when staff hand it over to the bot again."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.runtime import current_slots, input_channel, off_loop, say, session_factory
from chanyan import clock
from chanyan.followup.calendar import (
    describe_moment,
    format_hours,
    load_calendar,
    next_staffed,
    working_hours,
)
from chanyan.intake.turn import handoff_turn
from chanyan.requests.notify import notify_handoff
from chanyan.store.requests import record_handoff

logger = logging.getLogger(__name__)

HANDOFF_RESPONSE = "utter_handoff"
FORM_NAME = "intake_form"


def _record(conversation_id: str, channel: str, message: str | None) -> None:
    with session_factory()() as session, session.begin():
        record_handoff(session, conversation_id, channel, message)


def handoff_reply() -> tuple[str, dict[str, Any]]:
    """What the user is told: staff answer soon, or (outside working hours) when they will."""
    hours = working_hours()
    now = clock.now_local()
    when = next_staffed(now, load_calendar(), hours)
    if when is None:
        return HANDOFF_RESPONSE, {}
    return "utter_handoff_after_hours", {"when": describe_moment(when, now), "hours": format_hours(hours)}


def with_handoff_reply(responses: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """`responses` with the plain handoff reply replaced by the one for the time of day."""
    return [handoff_reply() if name == HANDOFF_RESPONSE else (name, values) for name, values in responses]


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
        result = await off_loop(
            handoff_turn, (tracker.latest_message or {}).get("text"), current_slots(tracker)
        )
        if result.handoff:
            await hand_over(tracker)
        say(dispatcher, with_handoff_reply(result.say))
        return [SlotSet(name, value) for name, value in result.slots.items()]


def _actions_by_name() -> dict[str, Action]:
    found: dict[str, Action] = {}
    pending = list(Action.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        try:
            action = cls()
            found[action.name()] = action
        except Exception:  # abstract bases and validation actions that need arguments
            continue
    return found


class ActionStaffHandback(Action):
    """Staff handed the conversation back (the console ran this after resuming the bot): say so and ask the
    interview's pending question again, so the user carries on where they were."""

    def name(self) -> str:
        return "action_staff_handback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_staff_handback")
        requested = tracker.get_slot("requested_slot")
        if (tracker.active_loop or {}).get("name") != FORM_NAME or not requested:
            dispatcher.utter_message(response="utter_staff_handback_idle")
            return []
        dispatcher.utter_message(response="utter_continue_form")
        ask = _actions_by_name().get(f"action_ask_{requested}")
        if ask is not None:
            return list(await ask.run(dispatcher, tracker, domain) or [])
        dispatcher.utter_message(response=f"utter_ask_{requested}")
        return []
