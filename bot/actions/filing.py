"""Filing the confirmed request (需求单): exactly once per draft, with the truth told when it fails."""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.runtime import current_slots, input_channel, session_factory
from chanyan.domain.validation import mask_text
from chanyan.followup.filing import file_request
from chanyan.intake.turn import REVIEW_SLOT, new_draft_id
from chanyan.partners.shortlist import shortlist_on_filing
from chanyan.requests.notify import notify_new_request
from chanyan.requests.records import request_fields, request_record

logger = logging.getLogger(__name__)

# Cleared after filing so that the next need starts fresh; who the user is stays for the next request.
NEED_SLOTS = (
    "need_description",
    "need_title",
    "tech_targets",
    "tech_domain",
    "budget",
    "timeline",
    "coop_mode",
    "ip_preference",
    "partner_preference",
    REVIEW_SLOT,
    "domain_candidates",
    "intake_failures",
    "targets_hint",
    "intake_stop",
    "intake_stop_detail",
)


class ActionFileRequest(Action):
    """Writes the request, tells the user its reference number, and clears the need for the next one."""

    def name(self) -> str:
        return "action_file_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slots = current_slots(tracker)
        draft_id = slots.get("draft_id") or new_draft_id()
        fields = request_fields(
            slots, conversation_id=tracker.sender_id, channel=input_channel(tracker), draft_id=draft_id
        )
        try:
            request, created = await asyncio.to_thread(file_request, session_factory(), fields)
        except SQLAlchemyError:
            logger.exception("filing failed for conversation %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_filing_failed")
            # Back to the summary question: the next "确认" files it; nothing given is lost. Listen now:
            # otherwise the reactivated form re-reads this same "确认" and files again, in a loop that only
            # Rasa's circuit breaker ends.
            return [
                SlotSet("draft_id", draft_id),
                SlotSet(REVIEW_SLOT, None),
                ActiveLoop("intake_form"),
                SlotSet("requested_slot", REVIEW_SLOT),
                FollowupAction("action_listen"),
            ]
        logger.info("filed %s (new=%s) for conversation %s", request.ref, created, tracker.sender_id)
        if created:
            _announce(request)
            shortlist_on_filing(session_factory(), request.id)  # in the background; never raises
            dispatcher.utter_message(
                response="utter_filed",
                ref=request.ref,
                contact_name=request.contact_name,
                phone_masked=mask_text(request.contact_phone),
            )
        else:
            dispatcher.utter_message(response="utter_filed_before", ref=request.ref)
        return [SlotSet(name, None) for name in NEED_SLOTS] + [
            SlotSet("draft_id", None),
            SlotSet("last_request_ref", request.ref),
        ]


def _announce(request) -> None:
    """Tell staff about the new request (webhook / e-mail), without delaying the user."""
    try:
        record = request_record(request)
    except Exception:  # a notification problem must never undo or hide a filing
        logger.exception("could not build the notification for %s", request.ref)
        return
    notify_new_request(record)  # queues in the background; never raises
