"""The interview logic: turn one user message into slot updates for the intake form.

Framework-free: the Rasa validation action hands over the message text, the intent, the extraction result and
the current slots, and sets whatever `process_turn` returns. Wording stays in the Rasa domain; this module only
returns slot values and reason codes.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chanyan.domain.schema import SLOT_NAMES
from chanyan.domain.validation import clip, has_meaningful_text, normalize_text
from chanyan.intake.answers import AnswerError, parse_answer
from chanyan.intake.protocol import text_extractor
from chanyan.intake.titles import propose_title

# Intents that mean "this is not an answer to your question" when the classifier is sure enough.
INTERRUPTION_INTENTS = frozenset(
    {
        "faq_platform",
        "faq_cost",
        "faq_response_time",
        "faq_privacy",
        "faq_process",
        "chitchat",
        "bot_challenge",
        "out_of_scope",
        "handoff",
        "pause",
        "greet",
        "goodbye",
        "thanks",
        # Personal data and the widget's 新对话 (bot/domain/privacy.yml): never an answer to a question.
        "delete_my_data",
        "confirm_delete",
        "new_conversation",
    }
)
INTERRUPTION_CONFIDENCE = 0.6
# Slots whose answer is free text: any non-empty text is a valid answer, so the intent decides.
FREE_TEXT_SLOTS = frozenset(
    {"need_description", "need_title", "tech_targets", "enterprise_name", "contact_name", "ip_preference"}
)
# A repeated miss on the same question makes the bot explain the question once more, with examples.
EXPLAIN_AFTER_FAILURES = 2

REVIEW_SLOT = "summary_confirmed"
FORM_SLOTS: tuple[str, ...] = (*SLOT_NAMES, REVIEW_SLOT)

_ENTERPRISE = re.compile(
    r"(?:我们是|我们这边是|我司是|我司|我们公司是|我们公司叫|公司名(?:称)?是?|单位是|单位名称是?|我是|这里是|来自)"
    r"[:：]?\s*([\u4e00-\u9fa5A-Za-z0-9()（）·]{2,40}?"
    r"(?:有限责任公司|股份有限公司|有限公司|集团|公司|研究院|研究所|厂|中心|医院|学校|工作室|合作社))"
)
_CONTACT = re.compile(
    r"(?:联系人(?:是|为)?|我叫|我是|本人|找)[:：]?\s*([\u4e00-\u9fa5]{1,3}(?:经理|总|工|先生|女士|老师|主任|博士)|[\u4e00-\u9fa5]{2,3})"
    r"(?=[,，。.;；\s]|电话|手机|$)"
)
_SURNAME_ONLY = re.compile(r"(?:我姓|免贵姓)([\u4e00-\u9fa5])")
_AFFIRM = re.compile(
    r"^(?:确认|确认无误|确定|提交|确认提交|没问题|没错|对的?|是的?|好的?|可以|行|ok|OK|yes|嗯+|都对|正确|无误|就这样)"
    r"(?:的|了|吧|呢|啊|，?提交吧?|，?没问题)?[。.!！~～]*$"
)
_DENY = re.compile(
    r"^(?:不对|不是|错了|有误|有问题|不正确|要改|需要修改|修改|改一下|不行|no)[。.!！~～]*$", re.I
)


@dataclass
class TurnResult:
    """What one message changes: slot values to set, and why the pending question was not answered."""

    slots: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # reason code for the requested slot, e.g. "phone_invalid"
    explain: bool = False  # the same question failed twice in a row: explain it with examples
    interruption: bool = False  # not an answer: let the dialogue answer it and ask again
    failures: dict[str, int] = field(default_factory=dict)


def new_draft_id() -> str:
    """A fresh id for the draft being collected (makes filing idempotent)."""
    return uuid.uuid4().hex


def process_turn(
    text: str | None,
    requested_slot: str | None,
    slots: dict[str, Any],
    *,
    intent: str | None = None,
    intent_confidence: float = 0.0,
    extraction: dict | None = None,
    choice: str | None = None,
    failures: dict[str, int] | None = None,
    now: datetime | None = None,
) -> TurnResult:
    """Interpret one user message during the intake form.

    Args:
        text: the user's message as typed (may be empty, emoji, very long).
        requested_slot: the slot the bot just asked for, None when the form is being activated.
        slots: current values of the form slots (and `domain_candidates`).
        intent, intent_confidence: the NLU's reading of the message.
        extraction: design.md's extraction dict for the message, when the NLU component produced it.
        choice: the value of a clicked quick-reply button, when the message is one.
        failures: consecutive misses per slot so far.
        now: the message time, for relative dates.
    """
    result = TurnResult(failures=dict(failures or {}))
    cleaned = clip(normalize_text(text))
    if requested_slot == REVIEW_SLOT:
        return _review_turn(cleaned, slots, result, choice=choice, extraction=extraction, now=now)

    if (
        requested_slot
        and choice is None
        and _is_interruption(requested_slot, cleaned, intent, intent_confidence)
    ):
        result.interruption = True
        return result

    extractor = text_extractor()
    if extraction is None and has_meaningful_text(cleaned):
        extraction = extractor.extract(cleaned, now=now)

    answered = False
    if requested_slot:
        try:
            value = parse_answer(requested_slot, choice or cleaned, slots, now=now)
        except AnswerError as err:
            result.error = err.code
            count = result.failures.get(requested_slot, 0) + 1
            result.failures[requested_slot] = count
            result.explain = count >= EXPLAIN_AFTER_FAILURES
            if err.candidates is not None:
                result.slots["domain_candidates"] = err.candidates
        else:
            answered = True
            result.slots[requested_slot] = value
            result.failures.pop(requested_slot, None)
    elif intent == "describe_need" and not slots.get("need_description") and has_meaningful_text(cleaned):
        # The message that opened the interview describes the need itself.
        result.slots["need_description"] = cleaned
        answered = True

    if extraction and (answered or not requested_slot or requested_slot not in FREE_TEXT_SLOTS):
        _fill_from_extraction(extraction, cleaned, slots, result)

    merged = {**slots, **result.slots}
    if merged.get("need_description") and not merged.get("need_title"):
        result.slots["need_title"] = propose_title(merged["need_description"])
    description_changed = "need_description" in result.slots or "tech_targets" in result.slots
    if description_changed and not merged.get("tech_domain"):
        basis = " ".join(
            str(merged.get(s)) for s in ("need_title", "need_description", "tech_targets") if merged.get(s)
        )
        result.slots["domain_candidates"] = extractor.rank_domains(basis, top_k=3)
    if not slots.get("draft_id"):
        result.slots["draft_id"] = new_draft_id()
    return result


def _is_interruption(requested_slot: str, text: str, intent: str | None, confidence: float) -> bool:
    if not has_meaningful_text(text):
        return False  # an empty or emoji-only answer is re-asked with a reason, not treated as a question
    if intent not in INTERRUPTION_INTENTS or confidence < INTERRUPTION_CONFIDENCE:
        return False
    if requested_slot in FREE_TEXT_SLOTS:
        return True
    # A closed question: a message that parses as an answer is an answer, whatever the classifier says.
    try:
        parse_answer(requested_slot, text, {}, now=None)
    except AnswerError:
        return True
    return False


def _fill_from_extraction(extraction: dict, text: str, slots: dict[str, Any], result: TurnResult) -> None:
    """Fill still-empty slots with what the extraction found in the message (never overwrite an answer)."""

    def empty(slot: str) -> bool:
        return not slots.get(slot) and slot not in result.slots

    if empty("budget") and extraction.get("budget"):
        result.slots["budget"] = extraction["budget"]
    if empty("timeline") and extraction.get("timeline"):
        result.slots["timeline"] = extraction["timeline"]
    if empty("coop_mode") and extraction.get("coop_modes"):
        result.slots["coop_mode"] = list(extraction["coop_modes"])
    if empty("ip_preference") and extraction.get("ip_preference"):
        result.slots["ip_preference"] = extraction["ip_preference"]
    partner = extraction.get("partner") or {}
    if empty("partner_preference") and any(partner.get(k) for k in ("types", "names", "regions")):
        result.slots["partner_preference"] = partner
    if empty("contact_phone") and extraction.get("phones"):
        result.slots["contact_phone"] = extraction["phones"][0]
    if empty("contact_email") and extraction.get("emails"):
        result.slots["contact_email"] = extraction["emails"][0]
    if empty("enterprise_name"):
        match = _ENTERPRISE.search(text)
        if match:
            result.slots["enterprise_name"] = match.group(1)
    if empty("contact_name"):
        match = _CONTACT.search(text)
        if match and not _ENTERPRISE.search(match.group(1)):
            result.slots["contact_name"] = match.group(1)
        else:
            surname = _SURNAME_ONLY.search(text)
            if surname:
                result.slots["contact_name"] = f"{surname.group(1)}先生/女士"


def _review_turn(
    text: str,
    slots: dict[str, Any],
    result: TurnResult,
    *,
    choice: str | None,
    extraction: dict | None,
    now: datetime | None,
) -> TurnResult:
    """The user answers the summary (确认单): confirm, or correct one or more fields in natural language."""
    from chanyan.intake.corrections import find_corrections

    answer = (choice or text).strip()
    if answer == "confirm" or _AFFIRM.match(answer):
        result.slots[REVIEW_SLOT] = True
        return result
    corrections = find_corrections(answer, slots, extraction=extraction, now=now)
    if corrections.updates or corrections.cleared:
        result.slots.update(corrections.updates)
        for slot in corrections.cleared:
            result.slots[slot] = None  # the form asks for it again, then shows the summary again
        if "tech_domain" in corrections.cleared and corrections.candidates is not None:
            result.slots["domain_candidates"] = corrections.candidates
        result.slots[REVIEW_SLOT] = None
        return result
    result.error = "review_which_field" if (answer == "edit" or _DENY.match(answer)) else "review_unclear"
    return result
