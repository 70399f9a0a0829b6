"""The intake form: every message is read by the core (chanyan.intake.turn), and the questions it words."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import hand_over, handoff_reply
from actions.own_requests import answer_own_request
from actions.runtime import current_slots, earlier_user_texts, message_time, off_loop, say
from chanyan.domain.display import summary_values
from chanyan.extraction import from_entities, get_extractor
from chanyan.intake.turn import REVIEW_SLOT, STOP_SLOT, process_turn, question_for

TOP_LEVEL_DOMAIN_COUNT = 8
# Intents the privacy rules answer (bot/data/privacy.yml): the form rejects them so that those rules run, unless
# the core read the message as a stop of its own ("重新开始" typed mid-interview starts the need over).
LEFT_TO_RULES = frozenset({"delete_my_data", "confirm_delete", "new_conversation"})
LEFT_TO_RULES_CONFIDENCE = 0.6


def _choice(entities: list[dict]) -> str | None:
    return next((str(e["value"]) for e in entities if e.get("entity") == "choice" and e.get("value")), None)


def choice_payload(value: str) -> str:
    """The payload a quick-reply button sends: the `choose` intent with the chosen value."""
    return "/choose" + json.dumps({"choice": value}, ensure_ascii=False)


class ValidateIntakeForm(FormValidationAction):
    """Hands each message to the core and carries out its reading: slots, responses, next question, stops."""

    def name(self) -> str:
        return "validate_intake_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        entities = latest.get("entities") or []
        intent = latest.get("intent") or {}
        requested = tracker.get_slot("requested_slot")
        slots = current_slots(tracker)
        # The reading is CPU-bound (jieba, spaCy, JioNLP): off the event loop, so other conversations go on.
        result = await off_loop(
            process_turn,
            latest.get("text"),
            requested,
            slots,
            intent=intent.get("name"),
            intent_confidence=float(intent.get("confidence") or 0.0),
            extraction=from_entities(entities),
            choice=_choice(entities),
            failures=slots.get("intake_failures") or {},
            now=message_time(tracker),
            history=earlier_user_texts(tracker),
        )
        if (
            intent.get("name") in LEFT_TO_RULES
            and float(intent.get("confidence") or 0.0) >= LEFT_TO_RULES_CONFIDENCE
            and not result.stop
        ):
            return []
        events: list[EventType] = [SlotSet(name, value) for name, value in result.slots.items()]
        events.append(SlotSet("intake_failures", result.failures or None))
        if result.stop:
            # The form ends here; the end-of-interview action carries the stop out (pause, cancel, ...).
            return [
                *events,
                SlotSet(STOP_SLOT, result.stop),
                SlotSet("intake_stop_detail", result.detail),
                SlotSet("requested_slot", None),
                FollowupAction("action_end_intake"),
            ]
        say(dispatcher, result.say)
        if result.own is not None:
            # A question about a filed request mid-interview: answered, then the pending question again.
            responses, own_events = await answer_own_request(tracker, result.own)
            say(dispatcher, responses)
            events += own_events
        if result.handoff:
            await hand_over(tracker)
            response, values = handoff_reply()
            dispatcher.utter_message(response=response, **values)
        if result.error and requested:
            dispatcher.utter_message(response=f"utter_invalid_{result.error}")
            if result.explain and requested != REVIEW_SLOT:
                dispatcher.utter_message(response=f"utter_explain_{requested}")
            if requested not in result.slots:
                events.append(SlotSet(requested, None))
        if result.ask:
            events.append(SlotSet("requested_slot", result.ask))
        return events


class ActionAskIntakeQuestion(Action):
    """Asks a question whose wording depends on what is known (targets the description already states). The
    contact questions are bot/actions/privacy.py's: the privacy notice comes before the first of them."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        response, values = question_for(self.slot, current_slots(tracker))
        dispatcher.utter_message(response=response, **values)
        return []


class ActionAskTechTargets(ActionAskIntakeQuestion):
    slot = "tech_targets"


class ActionAskBudget(ActionAskIntakeQuestion):
    """The budget, with the timeline in the same question while it is open."""

    slot = "budget"


class ActionAskCoopMode(ActionAskIntakeQuestion):
    """The cooperation mode, with the IP preference in the same question while it is open."""

    slot = "coop_mode"


class ActionAskTechDomain(Action):
    """Proposes the ranked domains as quick replies (top three, or all eight when none fits)."""

    def name(self) -> str:
        return "action_ask_tech_domain"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        candidates: list[dict[str, Any]] = tracker.get_slot("domain_candidates") or []
        events: list[EventType] = []
        if not candidates:
            basis = " ".join(
                str(tracker.get_slot(s) or "") for s in ("need_title", "need_description", "tech_targets")
            )
            candidates = await off_loop(get_extractor().rank_domains, basis, top_k=3)
            events.append(SlotSet("domain_candidates", candidates))
        all_domains = len(candidates) >= TOP_LEVEL_DOMAIN_COUNT or not candidates
        if not candidates:
            candidates = [
                {"code": d["code"], "name": d["name"], "sub_code": None, "sub_name": None}
                for d in get_extractor().taxonomy.domains
            ]
            events.append(SlotSet("domain_candidates", candidates))
        buttons = [
            {
                "title": f"{c['name']} / {c['sub_name']}" if c.get("sub_name") else c["name"],
                "payload": choice_payload(str(c.get("sub_code") or c["code"])),
            }
            for c in candidates
        ]
        if not all_domains:
            buttons.append({"title": "其他领域", "payload": choice_payload("其他")})
        response = "utter_ask_tech_domain_all" if all_domains else "utter_ask_tech_domain"
        dispatcher.utter_message(response=response, buttons=buttons)
        return events


class ActionAskSummaryConfirmed(Action):
    """Reads back the summary (确认单) of everything collected."""

    def name(self) -> str:
        return f"action_ask_{REVIEW_SLOT}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        values = summary_values(current_slots(tracker), get_extractor().taxonomy.find)
        dispatcher.utter_message(response="utter_summary", **values)
        return []
