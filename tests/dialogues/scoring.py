"""Comparing a filed request with a conversation's `expect`, and the reply classes of conversations that file
nothing. Pure functions: the runner hands in the database rows and the transcript."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from tests.dialogues.talk import talk_fields

try:  # both sides of a text check are read in simplified script, so a 繁體 user's words match either way
    from opencc import OpenCC

    _T2S = OpenCC("t2s")

    def simplified(text: str) -> str:
        return _T2S.convert(text)

except ImportError:  # pragma: no cover - opencc is installed with the project

    def simplified(text: str) -> str:
        return text


MISSING = object()
DATE_TOKEN = re.compile(r"\{(Y|YM)([+-]\d+)?\}")

# Reply classes: what the bot must have said somewhere after the user's first message.
DECLINE = re.compile(
    r"不提供|不办理|不能办|无法|帮不上|不做|不负责|不涉及|暂不支持|不支持|不属于|不在.{0,8}范围|没有.{0,6}(?:业务|服务)|只(?:负责|做|帮|受理)"
)
SCOPE = re.compile(r"技术需求|技术难题|技术问题|高校|科研院所|产学研|研发")
CANCEL_ACK = re.compile(r"取消|不填了|放弃|清空|作废|已保存|保存.{0,4}进度|已停止|已结束|重新开始|下次")
HANDOFF_ACK = re.compile(r"专员|人工|客服")
ASKS_CONTACT = re.compile(r"(?:留|提供|告诉|发|请).{0,12}(?:手机|电话|联系方式)")


def resolve_date(template: str, today: date) -> str:
    """An ISO date from a template: {Y}, {Y+1} = this/next year, {YM+2} = year-month two months on; day END =
    the last day of that month. "{Y+1}-06-30", "{YM+2}-END", "2027-09-30"."""

    def token(match: re.Match) -> str:
        kind, shift = match.group(1), int(match.group(2) or 0)
        if kind == "Y":
            return str(today.year + shift)
        months = today.year * 12 + today.month - 1 + shift
        return f"{months // 12:04d}-{months % 12 + 1:02d}"

    text = DATE_TOKEN.sub(token, template)
    if text.endswith("-END"):
        year, month = (int(p) for p in text[:-4].split("-"))
        text = f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
    return date.fromisoformat(text).isoformat()


def _alternatives(expected: Any) -> list[Any]:
    return expected if isinstance(expected, list) else [expected]


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def match_string(expected: Any, got: Any, *, fold_case: bool = False) -> bool:
    """A scalar field: the expected value or any of a list of alternatives (None = empty)."""
    got = _clean(got)
    for alt in _alternatives(expected):
        alt = _clean(alt)
        if alt is None and got is None:
            return True
        if alt is not None and got is not None:
            a, g = str(alt), str(got)
            if fold_case:
                a, g = a.lower(), g.lower()
            if a == g:
                return True
    return False


def match_domain(expected: Any, row: dict) -> bool:
    for alt in _alternatives(expected):
        if str(alt["code"]) != str(row.get("domain_code")):
            continue
        subs = alt.get("sub_code", MISSING)
        if subs is MISSING:
            return True
        subs = [None if s is None else str(s) for s in _alternatives(subs)]
        if (None if row.get("sub_code") is None else str(row["sub_code"])) in subs:
            return True
    return False


def match_budget(expected: Any, got: dict | None) -> bool:
    for alt in _alternatives(expected):
        if alt is None:
            if got is None:
                return True
            continue
        if got is None:
            continue
        kinds = _alternatives(alt.get("kind"))
        if (
            got.get("min_cny") == alt.get("min_cny")
            and got.get("max_cny") == alt.get("max_cny")
            and got.get("kind") in kinds
        ):
            return True
    return False


def match_timeline(expected: Any, got: dict | None, today: date) -> bool:
    for alt in _alternatives(expected):
        if alt is None:
            if got is None:
                return True
            continue
        if got is None:
            continue
        deadline, months = got.get("deadline"), got.get("months")
        if alt.get("open"):
            if deadline is None and months is None and not got.get("days"):
                return True
        elif "deadline" in alt:
            if deadline == resolve_date(str(alt["deadline"]), today):
                return True
        elif "deadline_between" in alt:
            low, high = (resolve_date(str(d), today) for d in alt["deadline_between"])
            if deadline is not None and low <= deadline <= high:
                return True
        elif "months" in alt and months == alt["months"] and deadline is None:
            return True
    return False


def match_set(expected: Any, got: list | None) -> bool:
    options = expected["any_of"] if isinstance(expected, dict) and "any_of" in expected else [expected]
    got_set = set(got or [])
    return any(set(option or []) == got_set for option in options)


def partner_key(partner: dict | None) -> tuple[frozenset, frozenset, frozenset]:
    """types (不限 is the same as no type), names, regions, as sets of simplified-script strings."""
    partner = partner or {}
    types = frozenset(simplified(t) for t in partner.get("types") or [] if t != "不限")
    names = frozenset(simplified(n) for n in partner.get("names") or [])
    return types, names, frozenset(simplified(r) for r in partner.get("regions") or [])


def match_partner(expected: Any, got: dict | None) -> bool:
    return any(partner_key(alt) == partner_key(got) for alt in _alternatives(expected))


def match_text(expected: Any, got: Any) -> bool:
    """A free-text field: null, or {must_contain: [s | [alternatives]], must_not_contain: [...], max_chars}."""
    got = _clean(got)
    if expected is None:
        return got is None
    if got is None:
        return False
    text = simplified(str(got)).lower()
    for item in expected.get("must_contain") or []:
        if not any(simplified(str(alt)).lower() in text for alt in _alternatives(item)):
            return False
    for item in expected.get("must_not_contain") or []:
        if simplified(str(item)).lower() in text:
            return False
    max_chars = expected.get("max_chars")
    return not (max_chars and len(str(got)) > int(max_chars))


TITLE_MAX_CHARS = 30


def compare(expect: dict, row: dict, today: date) -> dict[str, dict[str, Any]]:
    """The fields of a filed `row` that differ from `expect`: {field: {"expected": ..., "got": ...}}."""
    wrong: dict[str, dict[str, Any]] = {}

    def check(field: str, ok: bool, got: Any) -> None:
        if not ok:
            wrong[field] = {"expected": expect[field], "got": got}

    for field in ("enterprise_name", "contact_name", "contact_phone", "ip_preference"):
        if field in expect:
            check(field, match_string(expect[field], row.get(field)), row.get(field))
    if "contact_email" in expect:
        check(
            "contact_email",
            match_string(expect["contact_email"], row.get("contact_email"), fold_case=True),
            row.get("contact_email"),
        )
    if "domain" in expect:
        check(
            "domain",
            match_domain(expect["domain"], row),
            {"code": row.get("domain_code"), "sub_code": row.get("sub_code")},
        )
    if "budget" in expect:
        check("budget", match_budget(expect["budget"], row.get("budget")), row.get("budget"))
    if "timeline" in expect:
        check("timeline", match_timeline(expect["timeline"], row.get("timeline"), today), row.get("timeline"))
    if "coop_mode" in expect:
        check("coop_mode", match_set(expect["coop_mode"], row.get("coop_mode")), row.get("coop_mode"))
    if "partner" in expect:
        check("partner", match_partner(expect["partner"], row.get("partner")), row.get("partner"))
    for field in ("need_title", "need_description", "tech_targets"):
        if field in expect:
            spec = expect[field]
            if field == "need_title" and isinstance(spec, dict) and "max_chars" not in spec:
                spec = {**spec, "max_chars": TITLE_MAX_CHARS}
            check(field, match_text(spec, row.get(field)), row.get(field))
    return wrong


def reply_class_ok(name: str, bot_texts: list[str]) -> bool:
    """Whether the bot's texts (after the user's first message) show the named reply class."""
    if name == "declines_non_technical":
        return any(DECLINE.search(t) and SCOPE.search(t) for t in bot_texts)
    if name == "cancel_acknowledged":
        return any(CANCEL_ACK.search(t) for t in bot_texts)
    if name == "handoff_asks_contact":
        acknowledged = [i for i, t in enumerate(bot_texts) if HANDOFF_ACK.search(t)]
        if not acknowledged:
            return False
        return any(ASKS_CONTACT.search(t) for t in bot_texts[acknowledged[0] :])
    raise ValueError(f"unknown reply class {name!r}")


def message_check_ok(checks: dict, reply_texts: list[str], previous_question: str | None) -> bool:
    """A message's own checks on the bot's reply to it: reply_any key words, reply_repeats, reply_class."""
    ok = True
    if checks.get("reply_any"):
        words = [str(w) for w in checks["reply_any"]]
        ok = ok and any(w in simplified(t) for t in reply_texts for w in words)
    if checks.get("reply_repeats"):
        probe = (previous_question or "").strip()[:12]
        ok = ok and bool(probe) and any(probe in t for t in reply_texts)
    if checks.get("reply_class"):
        ok = ok and reply_class_ok(str(checks["reply_class"]), reply_texts)
    return ok


def score(expect: dict, rows: list[dict], handoffs: int, today: date) -> dict[str, Any]:
    """The verdict on one played conversation from what the database holds for it."""
    filed_expected = bool(expect.get("filed", True))
    result: dict[str, Any] = {
        "filed_expected": filed_expected,
        "filed": bool(rows),
        "filed_count": len(rows),
        "wrong": {},
        "talk": {},
    }
    if rows:
        row = rows[0]
        result["ref"] = row.get("ref")
        result["talk"] = talk_fields(row)
        if filed_expected:
            result["wrong"] = compare(expect, row, today)
            if len(rows) > 1:
                result["wrong"]["filed_count"] = {"expected": 1, "got": len(rows)}
    if expect.get("handoff") and not handoffs:
        result["wrong"]["handoff"] = {"expected": True, "got": False}
    result["fields_right"] = filed_expected and bool(rows) and not result["wrong"]
    return result
