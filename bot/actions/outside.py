"""The interview's ends and what comes outside it: stops the core asked for, messages while no form runs,
and edits of a request already filed."""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.filing import NEED_SLOTS
from actions.handoff import hand_over, with_handoff_reply
from actions.own_requests import answer_own_request
from actions.runtime import current_slots, message_time, off_loop, say, session_factory
from chanyan.domain.schema import SLOT_LABELS
from chanyan.extraction import get_extractor
from chanyan.intake.turn import CANCEL, DECLINE, PAUSE, RESTART, STOP_SLOT, outside_turn
from chanyan.requests.amend import AmendError, amend_request

logger = logging.getLogger(__name__)

# Cleared when the user cancels or starts over; who the user is stays.
CLEARED_SLOTS = (*NEED_SLOTS, "draft_id", "handoff_pending")


def _clear_draft() -> list[EventType]:
    return [SlotSet(name, None) for name in CLEARED_SLOTS]


class ActionEndIntake(Action):
    """Carries out the stop the interview core read in a message: pause, cancel, restart, decline, amend."""

    def name(self) -> str:
        return "action_end_intake"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        stop = tracker.get_slot(STOP_SLOT)
        events: list[EventType] = [SlotSet(STOP_SLOT, None), SlotSet("intake_stop_detail", None)]
        if stop == PAUSE:
            dispatcher.utter_message(response="utter_paused")
        elif stop == CANCEL:
            dispatcher.utter_message(response="utter_cancelled")
            events += _clear_draft()
        elif stop == RESTART:
            dispatcher.utter_message(response="utter_restarted")
            events += _clear_draft()
        elif stop == DECLINE:
            detail = tracker.get_slot("intake_stop_detail") or "other"
            dispatcher.utter_message(response=f"utter_decline_{detail}")
            events += _clear_draft()
        else:
            events += await _outside(dispatcher, tracker, start_allowed=False)
        return [*events, FollowupAction("action_listen")]


class ActionReadOutsideForm(Action):
    """A message while no interview runs: the core answers it, or the interview starts with it."""

    def name(self) -> str:
        return "action_read_outside_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await _outside(dispatcher, tracker, start_allowed=True)


async def _outside(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, start_allowed: bool
) -> list[EventType]:
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    result = await off_loop(
        outside_turn,
        latest.get("text"),
        current_slots(tracker),
        intent=intent.get("name"),
        intent_confidence=float(intent.get("confidence") or 0.0),
        now=message_time(tracker),
    )
    events: list[EventType] = [SlotSet(name, value) for name, value in result.slots.items()]
    if result.own is not None:
        responses, own_events = await answer_own_request(tracker, result.own)
        say(dispatcher, responses)
        return events + own_events
    if result.clear_draft:
        events += _clear_draft()
    if result.handoff:
        await hand_over(tracker)
    if result.amend:
        result.say += await _amend(tracker, result.amend)
    say(dispatcher, with_handoff_reply(result.say))
    if result.start_form and start_allowed:
        events.append(FollowupAction("intake_form"))
    return events


async def _amend(tracker: Tracker, updates: dict) -> list[tuple[str, dict]]:
    ref = tracker.get_slot("last_request_ref")
    domain = (
        get_extractor().taxonomy.find(str(updates["tech_domain"])) if updates.get("tech_domain") else None
    )

    def apply() -> list[str]:
        with session_factory()() as session, session.begin():
            return amend_request(session, tracker.sender_id, ref, updates, domain=domain)

    try:
        changed = await asyncio.to_thread(apply)
    except AmendError:
        return [("utter_amend_nothing", {})]
    except SQLAlchemyError:
        logger.exception("could not amend %s for %s", ref, tracker.sender_id)
        return [("utter_amend_failed", {})]
    if not changed:
        return [("utter_amend_ask", {})]
    return [("utter_amended", {"ref": ref, "fields": "、".join(SLOT_LABELS[s] for s in changed)})]
