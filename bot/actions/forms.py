"""The intake form: validation of every message, and the two questions that need dynamic content."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.runtime import current_slots, message_time
from chanyan.domain.display import summary_values
from chanyan.extraction import from_entities, get_extractor
from chanyan.intake.turn import REVIEW_SLOT, process_turn

TOP_LEVEL_DOMAIN_COUNT = 8


def _choice(entities: list[dict]) -> str | None:
    return next((str(e["value"]) for e in entities if e.get("entity") == "choice" and e.get("value")), None)


def choice_payload(value: str) -> str:
    """The payload a quick-reply button sends: the `choose` intent with the chosen value."""
    return "/choose" + json.dumps({"choice": value}, ensure_ascii=False)


class ValidateIntakeForm(FormValidationAction):
    """Reads each message in full: answers the pending question and fills whatever else it contains."""

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
        result = process_turn(
            latest.get("text"),
            requested,
            slots,
            intent=intent.get("name"),
            intent_confidence=float(intent.get("confidence") or 0.0),
            extraction=from_entities(entities),
            choice=_choice(entities),
            failures=slots.get("intake_failures") or {},
            now=message_time(tracker),
        )
        if result.interruption:
            return []  # the form rejects; rules answer the question and come back to the form
        events: list[EventType] = [SlotSet(name, value) for name, value in result.slots.items()]
        if result.error and requested:
            dispatcher.utter_message(response=f"utter_invalid_{result.error}")
            if result.explain:
                dispatcher.utter_message(response=f"utter_explain_{requested}")
            if requested not in result.slots:
                events.append(SlotSet(requested, None))
        events.append(SlotSet("intake_failures", result.failures or None))
        return events


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
            candidates = get_extractor().rank_domains(basis, top_k=3)
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
