"""Corrections at the summary (确认单) in natural language: "预算改成80万", "联系人换成李经理",
"领域不对，应该是新材料", "手机号写错了 13912345678"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chanyan.intake.answers import AnswerError, parse_answer

# Field words, most specific first: "联系人电话" must mean the phone, not the contact's name.
FIELD_WORDS: tuple[tuple[str, str], ...] = (
    ("contact_phone", r"手机号?码?|电话号?码?|联系电话|号码|手机"),
    ("contact_email", r"邮箱|邮件|e-?mail|mail"),
    ("contact_name", r"联系人(?:姓名|名字)?|姓名|名字|称呼"),
    ("enterprise_name", r"单位名称|公司名称?|企业名称?|单位|公司名字|厂名"),
    ("need_title", r"需求名称|需求标题|标题|题目|项目名称?"),
    ("need_description", r"需求描述|问题描述|主要问题|描述"),
    ("tech_targets", r"技术指标|技术关键|指标|参数|技术要求"),
    ("tech_domain", r"所属领域|技术领域|领域|方向|行业分类"),
    ("budget", r"预算|资金|经费|投入|费用|金额|价格|多少钱"),
    ("timeline", r"时限|时间|期限|截止|工期|周期|完成时间|交付"),
    ("coop_mode", r"合作方式|合作模式|合作形式"),
    ("ip_preference", r"知识产权|产权|专利归属|IP归属|归属"),
    ("partner_preference", r"意向合作方|合作方|合作单位|合作伙伴|找哪|高校|院所"),
)
_FIELD_PATTERNS = [(slot, re.compile(words, re.I)) for slot, words in FIELD_WORDS]
# What comes after these words is the new value.
_VALUE_MARK = re.compile(
    r"(?:改成|改为|换成|换为|变成|更正为|更改为|修改为|调整为|调整到|调到|改到|应该是|应为|应是|是|为|写|填|:|：)\s*"
)
_CLAUSES = re.compile(r"[，,；;。\n]|(?:另外|还有|并且|而且)")
_NOISE = re.compile(r"^(?:不对|错了|写错了|有误|搞错了|弄错了|不是这个)[,，]?")


@dataclass
class Corrections:
    """Slot updates found in a correction message; `cleared` slots are asked again by the form."""

    updates: dict[str, Any] = field(default_factory=dict)
    cleared: list[str] = field(default_factory=list)
    candidates: list[dict] | None = None


def find_corrections(
    text: str, slots: dict[str, Any], *, extraction: dict | None = None, now: datetime | None = None
) -> Corrections:
    """Find the fields a message corrects and their new values.

    A field named without a usable value ("领域不对") is cleared so that the form asks for it again. A message
    that names no field but carries an unmistakable value (a phone number, an e-mail, an amount of money, a
    deadline) corrects that field.
    """
    result = Corrections()
    pending_slot: str | None = None
    for clause in (c.strip() for c in _CLAUSES.split(text)):
        if not clause:
            continue
        slot, value = _field_and_value(clause)
        if slot is None and pending_slot and clause:
            # "领域不对，应该是新材料": the value comes in the clause after the field word.
            slot, value = pending_slot, _strip_value(clause)
        if slot is None:
            continue
        if value:
            try:
                result.updates[slot] = parse_answer(slot, value, slots, now=now)
                result.cleared = [s for s in result.cleared if s != slot]
                pending_slot = None
                continue
            except AnswerError as err:
                if err.candidates is not None:
                    result.candidates = err.candidates
        if slot not in result.updates and slot not in result.cleared:
            result.cleared.append(slot)
        pending_slot = slot
    if result.updates or result.cleared:
        return result
    return _unnamed_corrections(extraction, result)


def _field_and_value(clause: str) -> tuple[str | None, str]:
    best: tuple[int, str, re.Match] | None = None
    for slot, pattern in _FIELD_PATTERNS:
        match = pattern.search(clause)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), slot, match)
    if best is None:
        return None, ""
    _, slot, match = best
    rest = clause[match.end() :]
    mark = _VALUE_MARK.search(rest)
    value = rest[mark.end() :] if mark else rest
    return slot, _strip_value(value)


def _strip_value(value: str) -> str:
    value = _NOISE.sub("", value.strip())
    value = re.sub(r"^(?:不对|错了|有误|写错了)\s*", "", value)
    value = _VALUE_MARK.sub("", value, count=1) if _VALUE_MARK.match(value) else value
    return value.strip(" 。.!！~～吧啊呀")


def _unnamed_corrections(extraction: dict | None, result: Corrections) -> Corrections:
    if not extraction:
        return result
    if extraction.get("phones"):
        result.updates["contact_phone"] = extraction["phones"][0]
    if extraction.get("emails"):
        result.updates["contact_email"] = extraction["emails"][0]
    if extraction.get("budget"):
        result.updates["budget"] = extraction["budget"]
    if extraction.get("timeline"):
        result.updates["timeline"] = extraction["timeline"]
    return result
