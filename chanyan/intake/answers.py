"""Parse the answer to one interview question into the slot's normalized value.

`parse_answer(slot, text, slots)` returns the value or raises `AnswerError` with a reason code that the bot turns
into a courteous re-ask (the wording is in the Rasa domain, keyed by the code).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chanyan.domain.numerals import read_int
from chanyan.domain.schema import COOP_MODES, SKIPPED, SLOT_MAX_CHARS
from chanyan.domain.validation import (
    clip,
    find_emails,
    find_phones,
    has_meaningful_text,
    is_skip,
    normalize_email,
    normalize_phone,
    normalize_text,
)
from chanyan.intake.protocol import text_extractor

DESCRIPTION_MIN_CHARS = 4

# Why a message did not answer the pending question. The bot words each code in its domain as
# utter_invalid_<code> (the architecture test checks that every code has its response).
REASON_CODES: tuple[str, ...] = (
    "empty",
    "too_short",
    "name_too_long",
    "phone_invalid",
    "email_invalid",
    "budget_unparsed",
    "timeline_unparsed",
    "coop_unparsed",
    "domain_unclear",
    "domain_other",
    "review_which_field",
    "review_unclear",
)
PERSON_MAX_CHARS = 20

_INDEX = re.compile(r"^(?:第)?([1-9一二三四五六七八九])(?:个|项|号)?[。.]?$")
_YES = re.compile(
    r"^(?:是的?|对的?|没错|确认|正确|可以|好的?|嗯+|就是(?:这个|它)?|第一个|ok|yes)[。.!！]*$", re.I
)
_OTHER = re.compile(r"(?:其他|其它|都不是|都不对|不是这些|别的|另外的)")
_NAME_PREFIX = re.compile(
    r"^(?:我们?(?:公司|单位)?(?:是|叫)|我司(?:是|叫)?|公司(?:名称?)?(?:是|叫)|单位(?:名称)?(?:是|叫)?|名称是|我叫|我是|联系人(?:是|为)?|本人)[:：]?\s*"
)
_NOT_LIMITED = re.compile(r"(?:不限|都可以|都行|无所谓|没要求|没有要求|随便|均可)")


class AnswerError(ValueError):
    """The message does not answer the question; `code` names why (e.g. "phone_invalid")."""

    def __init__(self, code: str, candidates: list[dict] | None = None) -> None:
        if code not in REASON_CODES:
            raise ValueError(f"unknown reason code {code!r}")
        super().__init__(code)
        self.code = code
        # For the domain question: new candidates to offer as buttons.
        self.candidates = candidates


def parse_answer(slot: str, text: str, slots: dict[str, Any], *, now: datetime | None = None) -> Any:
    """The normalized value of `text` as the answer to `slot`, or raise AnswerError."""
    cleaned = clip(normalize_text(text))
    if not has_meaningful_text(cleaned):
        raise AnswerError("empty")
    parser = _PARSERS.get(slot)
    if parser is None:
        raise KeyError(f"no parser for slot {slot!r}")
    return parser(cleaned, slots, now)


def _need_description(text: str, _slots: dict, _now) -> str:
    if len(text) < DESCRIPTION_MIN_CHARS:
        raise AnswerError("too_short")
    return text


def _need_title(text: str, _slots: dict, _now) -> str:
    return text[: SLOT_MAX_CHARS["need_title"]]


def _optional_text(text: str, _slots: dict, _now) -> str:
    return SKIPPED if is_skip(text) else text


def _tech_domain(text: str, slots: dict, _now) -> str:
    extractor = text_extractor()
    candidates = slots.get("domain_candidates") or []
    index = _INDEX.match(text)
    if index:
        number = index.group(1)
        position = read_int(number) or 0
        if 1 <= position <= len(candidates):
            return _domain_code(candidates[position - 1])
        raise AnswerError("domain_unclear", candidates=candidates or _top_level(extractor))
    if _YES.match(text):
        if candidates:
            return _domain_code(candidates[0])
        raise AnswerError("domain_unclear", candidates=_top_level(extractor))
    found = extractor.taxonomy.find(text)
    if found:
        return _domain_code(found)
    if _OTHER.search(text) and len(text) <= 8:
        raise AnswerError("domain_other", candidates=_top_level(extractor))
    ranked = extractor.rank_domains(text, top_k=3)
    raise AnswerError("domain_unclear", candidates=ranked or _top_level(extractor))


def _domain_code(entry: dict) -> str:
    return str(entry.get("sub_code") or entry["code"])


def _top_level(extractor) -> list[dict]:
    return [
        {"code": d["code"], "name": d["name"], "sub_code": None, "sub_name": None, "score": 0.0}
        for d in extractor.taxonomy.domains
    ]


def _budget(text: str, _slots: dict, _now) -> dict:
    budget = text_extractor().parse_budget(text)
    if not budget:
        raise AnswerError("budget_unparsed")
    return budget


def _timeline(text: str, _slots: dict, now: datetime | None) -> dict:
    timeline = text_extractor().parse_timeline(text, now=now)
    if not timeline:
        raise AnswerError("timeline_unparsed")
    return timeline


def _coop_mode(text: str, _slots: dict, _now) -> list[str]:
    if text in COOP_MODES:
        return [text]
    modes = text_extractor().parse_coop_modes(text)
    if modes:
        return modes
    if _OTHER.search(text):
        return ["其他"]
    raise AnswerError("coop_unparsed")


def _ip_preference(text: str, _slots: dict, _now) -> str:
    if is_skip(text):
        return SKIPPED
    return text_extractor().parse_ip_preference(text) or text[:200]


def _partner_preference(text: str, _slots: dict, _now) -> dict | str:
    if is_skip(text):
        return SKIPPED
    partner = text_extractor().parse_partner(text)
    if not any(partner.get(k) for k in ("types", "names", "regions")) or _NOT_LIMITED.search(text):
        types = list(partner.get("types") or [])
        if "不限" not in types and (_NOT_LIMITED.search(text) or not types):
            types.append("不限")
        partner = {**partner, "types": types}
    return {
        "types": partner.get("types", []),
        "names": partner.get("names", []),
        "regions": partner.get("regions", []),
    }


def _enterprise_name(text: str, _slots: dict, _now) -> str:
    name = _NAME_PREFIX.sub("", text).strip(" 。.,，")
    if len(name) < 2:
        raise AnswerError("too_short")
    return name[: SLOT_MAX_CHARS["enterprise_name"]]


def _contact_name(text: str, _slots: dict, _now) -> str:
    # "张工 13912345678" answers two questions: keep the name part here; the phone is extracted separately.
    for found in (*find_phones(text), *find_emails(text)):
        text = text.replace(found, " ")
    text = re.sub(r"(?:\+?86)?[\d\s\-]{7,}", " ", text)
    name = _NAME_PREFIX.sub("", normalize_text(text)).strip(" 。.,，;；")
    name = re.split(r"[,，;；\s]|手机|电话|邮箱", name)[0]
    if not has_meaningful_text(name):
        raise AnswerError("empty")
    if len(name) > PERSON_MAX_CHARS:
        raise AnswerError("name_too_long")
    return name


def _contact_phone(text: str, _slots: dict, _now) -> str:
    phone = normalize_phone(text)
    if phone:
        return phone
    phones = find_phones(text)
    if phones:
        return phones[0]
    raise AnswerError("phone_invalid")


def _contact_email(text: str, _slots: dict, _now) -> str:
    if is_skip(text):
        return SKIPPED
    email = normalize_email(text)
    if not email:
        raise AnswerError("email_invalid")
    return email


_PARSERS = {
    "need_description": _need_description,
    "need_title": _need_title,
    "tech_targets": _optional_text,
    "tech_domain": _tech_domain,
    "budget": _budget,
    "timeline": _timeline,
    "coop_mode": _coop_mode,
    "ip_preference": _ip_preference,
    "partner_preference": _partner_preference,
    "enterprise_name": _enterprise_name,
    "contact_name": _contact_name,
    "contact_phone": _contact_phone,
    "contact_email": _contact_email,
}
