"""Edits in natural language: "预算改成80万", "联系人换成李经理", "领域不对，应该是新材料", several per message.

A message is cut into edits where a field is named ("单位改成… 联系人改成… 预算改成…", separated by commas, semicolons
or spaces); each edit keeps its whole value up to the next named field, commas included ("技术指标改成：A，B，C").
Edit commands on the current value ("需求名称去掉前面的冒号") are applied to it, not stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chanyan.intake.acts import is_yes
from chanyan.intake.answers import AnswerError, parse_answer
from chanyan.intake.talk import strip_talk

# Field words, most specific first: "联系人电话" must mean the phone, not the contact's name.
FIELD_WORDS: tuple[tuple[str, str], ...] = (
    ("contact_phone", r"联系电话|手机号码|手机号|手机|电话号码|电话|号码"),
    ("contact_email", r"电子邮箱|邮箱|邮件|e-mail|email"),
    ("contact_name", r"联系人姓名|联系人名字|联系人|姓名|名字|称呼"),
    ("enterprise_name", r"单位名称|单位全称|公司名称|公司名字|公司名|企业名称|单位名|单位|厂名"),
    ("need_title", r"需求名称|需求标题|项目名称|标题|题目|名称"),
    ("need_description", r"需求描述|问题描述|主要问题|描述"),
    ("tech_targets", r"技术关键/指标|技术指标|技术关键|关键指标|指标|技术要求"),
    ("tech_domain", r"所属领域|技术领域|领域|行业分类"),
    ("budget", r"拟投入资金|预算|资金|经费|投入|金额|钱的话|钱"),
    ("timeline", r"需求时限|完成时间|时限|期限|截止时间|截止日期|工期|时间|日期"),
    ("coop_mode", r"合作方式|合作模式|合作形式"),
    ("ip_preference", r"知识产权归属|知识产权|产权|专利归属|IP归属|IP|成果归属"),
    ("partner_preference", r"意向合作方|合作方|合作单位|合作伙伴"),
)
_WORDS = sorted(
    ((w, slot) for slot, words in FIELD_WORDS for w in words.split("|")), key=lambda p: -len(p[0])
)
_FIELD = re.compile("|".join(re.escape(w) for w, _ in _WORDS), re.I)
_SLOT_OF_WORD = {w.lower(): slot for w, slot in _WORDS}
# An edit starts at a field word at the message start or after a separator ("把" and "再" may come first).
_START_BEFORE = re.compile(
    r"(?:^|[,，;；。\n\s、!！?？…]|另外|还有|然后|再|把|那个|就是|我填错了|填错了|写错了)$"
)
# What comes between the field word and the new value.
_MARK = re.compile(
    r"^\s*(?:的话|那个|那栏|这一?项|这栏|一栏)?\s*(?:也|还是|再)?(?:不对|错了|写错了|填错了|有误|搞错了|弄错了|不准确|要改一下|改一下|换一下|要改|改改)?[,，\s]*"
    r"(?:帮我|请|麻烦)?(?:改成|改为|改到|换成|换为|变成|更正为|更改为|修改为|调整为|调整到|调到|应该是|应为|应是|写成|填成|按|就写|就填|写|填|是|为)?\s*[:：]?\s*"
)
_WRONG = re.compile(r"不对|错了|有误|搞错|弄错|不准确|要改|改一下|重新")
_REMOVE = re.compile(
    r"^(?:把)?(?:去掉|删掉|删除|删去|拿掉)(.+?)$|^(?:把)?(.+?)(?:去掉|删掉|删除|拿掉)(?:吧)?$"
)
# "不是40万，是封顶35万", "不是委托开发而是合作开发": the old value denied, the new one after 是.
_NOT_BUT = re.compile(
    r"^(?:也)?(?:不是|并不是|不是说)(?P<old>.+?)[,，;；\s]*(?:而|应该|其实|实际上|就)?是(?P<new>.+)$"
)
_PUNCT_WORDS = (
    ("冒号", ":："),
    ("逗号", ",，"),
    ("句号", "。."),
    ("引号", "\"“”'‘’"),
    ("空格", " "),
    ("标点", ':：,，。.;；!！?？"“”'),
)
_TRAIL = re.compile(
    r"[,，;；。\s]*(?:后面(?:那些|的)?(?:都)?不要了?|其他不变|别的不变|就行了?|就可以了?|谢谢)?[,，;；。!！\s]*$"
)


@dataclass
class Corrections:
    """Slot updates found in a correction message; `cleared` slots are asked again by the form."""

    updates: dict[str, Any] = field(default_factory=dict)
    cleared: list[str] = field(default_factory=list)
    candidates: list[dict] | None = None


def slot_of_word(word: str) -> str | None:
    return _SLOT_OF_WORD.get(word.lower())


_CHANGE = re.compile(
    r"改成|改为|改到|换成|换为|变成|更正|更改|修改|调整|应该是|应为|还是按|还是|说错|写错|填错|打错|搞错|弄错|不对|错了|改一下|有误|重新"
)


def explicit_edits(text: str) -> list[tuple[str, str, bool]]:
    """The edits of `text` said as changes ("预算还是按100万吧", "时间应该是…"): mid-interview a field word
    alone ("单位产气电耗降低20%") is not an edit."""
    out = []
    for slot, value, wrong, context in _spans(text):
        if wrong or _CHANGE.search(context):
            out.append((slot, value, wrong))
    return out


def edit_spans(text: str) -> list[tuple[str, str, bool]]:
    """(slot, raw value, said-it-was-wrong) for each field named as the start of an edit, in order."""
    return [(slot, value, wrong) for slot, value, wrong, _context in _spans(text)]


def _spans(text: str) -> list[tuple[str, str, bool, str]]:
    starts: list[tuple[int, int, str]] = []
    for match in _FIELD.finditer(text):
        if _START_BEFORE.search(text[: match.start()]) and not _inside_word(text, match):
            slot = slot_of_word(match.group(0))
            if slot:
                starts.append((match.start(), match.end(), slot))
    spans = []
    for index, (_start, end, slot) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        tail = text[end:stop]
        mark = _MARK.match(tail)
        value = tail[mark.end() :] if mark else tail
        wrong = bool(_WRONG.search(tail[: (mark.end() if mark else 0)] or tail[:6]))
        denied = _NOT_BUT.match(value.strip())
        if denied:
            value, wrong = denied.group("new"), True
        before = text[max(0, _start - 8) : _start]
        context = before + tail[: (mark.end() if mark else 0) + 2]
        spans.append((slot, _TRAIL.sub("", value).strip(" ,，;；。"), wrong, context))
    return spans


def _inside_word(text: str, match: re.Match) -> bool:
    # "合作方式" inside "合作方式…" is fine; "时间" in "多长时间" or "投入" in "投入使用" is not a field name.
    after = text[match.end() : match.end() + 2]
    return match.group(0) in ("投入", "时间", "日期", "名称", "号码", "钱") and bool(
        re.match(r"使用|生产|运行|内|段", after)
    )


def find_corrections(
    text: str, slots: dict[str, Any], *, extraction: dict | None = None, now: datetime | None = None
) -> Corrections:
    """Find the fields a message corrects and their new values.

    A field named without a usable value ("领域不对") is cleared so that the form asks for it again. A message
    that names no field but carries an unmistakable value (a phone number, an e-mail, an amount of money, a
    deadline) corrects that field.
    """
    result = Corrections()
    for slot, raw, wrong in edit_spans(text):
        value = strip_talk(raw) if raw else ""
        if value and is_yes(value) and (wrong or _SUBMITS.search(value)):
            # "领域不对 提交": the yes after a field said to be wrong is the submission, not the field's value.
            if slot not in result.updates and slot not in result.cleared:
                result.cleared.append(slot)
            continue
        if value:
            edited = _apply_command(slot, value, slots)
            if edited is not None:
                result.updates[slot] = edited
                continue
            try:
                result.updates[slot] = _added(slot, value, parse_answer(slot, value, slots, now=now), slots)
                result.cleared = [s for s in result.cleared if s != slot]
                continue
            except AnswerError as err:
                if err.candidates is not None:
                    result.candidates = err.candidates
        if (wrong or not value) and slot not in result.updates and slot not in result.cleared:
            result.cleared.append(slot)
    if result.updates or result.cleared:
        return result
    return _unnamed_corrections(extraction, result)


_SUBMITS = re.compile(r"提交|确认|交吧|报吧|发吧")
# "合作方式再加一个技术咨询", "合作方加上浙大": the new value joins the current ones instead of replacing them.
_ADD = re.compile(r"^(?:再|也|还)?(?:加上?|增加|添加|补充|外加|多加|还要|也要)(?:一个|一项|个|上)?")


def _added(slot: str, value: str, parsed: Any, slots: dict[str, Any]) -> Any:
    current = slots.get(slot)
    if not _ADD.match(value):
        return parsed
    if slot == "coop_mode" and isinstance(current, list) and isinstance(parsed, list):
        return list(dict.fromkeys([*current, *parsed]))
    if slot == "partner_preference" and isinstance(current, dict) and isinstance(parsed, dict):
        merged = {k: list(dict.fromkeys([*(current.get(k) or []), *(parsed.get(k) or [])])) for k in parsed}
        if len(merged.get("types") or []) > 1:
            merged["types"] = [t for t in merged["types"] if t != "不限"]
        return merged
    return parsed


def _apply_command(slot: str, value: str, slots: dict[str, Any]) -> str | None:
    """ "去掉前面的冒号" applied to the current text value of `slot`; None when `value` is not such a command."""
    command = _REMOVE.match(value)
    current = slots.get(slot)
    if not command or not isinstance(current, str):
        return None
    target = (command.group(1) or command.group(2) or "").strip()
    for word, chars in _PUNCT_WORDS:
        if word in target:
            if re.search(r"前面|开头|最前", target):
                return current.lstrip(chars + " ")
            if re.search(r"后面|结尾|最后", target):
                return current.rstrip(chars + " ")
            return "".join(ch for ch in current if ch not in chars)
    target = re.sub(r"^(?:前面的|后面的|开头的|结尾的|那个|的)", "", target).strip("“”\"'")
    if target and target in current:
        return current.replace(target, "").strip(" ,，;；")
    return None


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


def first_field_at(text: str) -> int | None:
    """Where the first edit of `text` names its field, or None."""
    for match in _FIELD.finditer(text):
        if _START_BEFORE.search(text[: match.start()]) and not _inside_word(text, match):
            return match.start()
    return None
