"""Conversation files of the dialogue test set: loading and checking them (the format is in README.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
SPLITS = ("dev", "heldout")

# The interview slots a scripted user can be asked (design.md); the names are the bot's interface.
SLOTS = (
    "need_description",
    "need_title",
    "tech_targets",
    "tech_domain",
    "budget",
    "timeline",
    "coop_mode",
    "ip_preference",
    "partner_preference",
    "enterprise_name",
    "contact_name",
    "contact_phone",
    "contact_email",
)
CONTACT_SLOTS = ("enterprise_name", "contact_name", "contact_phone", "contact_email")
# Every slot a filed conversation must be able to answer when asked (the domain step has its own block).
ANSWERED_SLOTS = tuple(s for s in SLOTS if s != "tech_domain")

# Rasa's conversation-repair patterns, the styles of the trial users and the failure classes of the trial.
REPAIR_TAGS = (
    "interruption",
    "correction",
    "cancellation",
    "skip",
    "chitchat",
    "clarification",
    "cannot_handle",
    "handoff",
    "repeat",
)
STYLE_TAGS = (
    "terse",
    "chatty",
    "dialect",
    "english_mix",
    "traditional",
    "pasted_form",
    "voice",
    "typos",
    "formal",
    "button_clicks",
)
CLASS_TAGS = (
    "all_in_one",
    "mind_change",
    "other_answer",
    "already_said",
    "side_remark",
    "mid_form_question",
    "non_budget_number",
    "summary_edits",
    "natural_confirm",
    "non_technical",
    "pause_resume",
    "contact_in_one",
    "optional_misses",
    "post_filing_edit",
    "domain_natural",
    "name_in_sentence",
    "relative_date",
)
TAGS = REPAIR_TAGS + STYLE_TAGS + CLASS_TAGS

# Reply classes a conversation or one of its messages may expect (defined in scoring.REPLY_CLASSES).
REPLY_CLASS_NAMES = ("declines_non_technical", "cancel_acknowledged", "handoff_asks_contact")

TOP_KEYS = {
    "id",
    "persona",
    "tags",
    "note",
    "opening",
    "answers",
    "contact",
    "domain",
    "already_said",
    "interjections",
    "summary",
    "after_filed",
    "idle",
    "unscripted",
    "expect",
}
ANSWER_KEYS = {"say", "again", "given"}
MESSAGE_KEYS = {"say", "reply_any", "reply_repeats", "reply_class"}
INTERJECTION_KEYS = MESSAGE_KEYS | {"when_asked", "at_turn", "leave"}
DOMAIN_KEYS = {"want", "first", "pick", "otherwise"}
EXPECT_KEYS = {
    "filed",
    "reply",
    "handoff",
    "enterprise_name",
    "contact_name",
    "contact_phone",
    "contact_email",
    "domain",
    "budget",
    "timeline",
    "coop_mode",
    "ip_preference",
    "partner",
    "need_title",
    "need_description",
    "tech_targets",
}
FILED_FIELDS = EXPECT_KEYS - {"filed", "reply", "handoff"}
TEXT_CHECK_KEYS = {"must_contain", "must_not_contain", "max_chars"}
DEFAULT_ALREADY_SAID = "刚才说了，{value}"


@dataclass
class Conversation:
    """One scripted user and the record its conversation must file (or not)."""

    id: str
    split: str
    path: Path
    data: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    @property
    def expect(self) -> dict[str, Any]:
        return self.data.get("expect") or {}

    @property
    def filed_expected(self) -> bool:
        return bool(self.expect.get("filed", True))

    @property
    def tags(self) -> list[str]:
        return list(self.data.get("tags") or [])


def message_text(item: Any) -> list[str]:
    """The texts of an opening/interjection item: a string, or a mapping whose `say` is a string or a list."""
    if isinstance(item, str):
        return [item]
    say = item.get("say") if isinstance(item, dict) else None
    if isinstance(say, str):
        return [say]
    if isinstance(say, list):
        return [str(s) for s in say]
    return []


def _check_message(item: Any, where: str, allowed: set[str], problems: list[str]) -> None:
    if isinstance(item, str):
        if not item.strip():
            problems.append(f"{where}: empty message")
        return
    if not isinstance(item, dict):
        problems.append(f"{where}: a message is a string or a mapping with `say`")
        return
    unknown = set(item) - allowed
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    if not message_text(item):
        problems.append(f"{where}: no `say`")
    reply_class = item.get("reply_class")
    if reply_class is not None and reply_class not in REPLY_CLASS_NAMES:
        problems.append(f"{where}: unknown reply_class {reply_class!r}")
    reply_any = item.get("reply_any")
    if reply_any is not None and not (isinstance(reply_any, list) and all(reply_any)):
        problems.append(f"{where}: reply_any is a list of key words")


def _check_answers(data: dict, problems: list[str]) -> None:
    answers = data.get("answers") or {}
    if not isinstance(answers, dict):
        problems.append("answers: a mapping slot -> answer")
        return
    for slot, spec in answers.items():
        if slot not in ANSWERED_SLOTS:
            problems.append(f"answers: unknown slot {slot!r}")
            continue
        if isinstance(spec, str):
            continue
        if (
            not isinstance(spec, dict)
            or not (set(spec) <= ANSWER_KEYS)
            or not (spec.get("say") or spec.get("given"))
        ):
            problems.append(f"answers.{slot}: a string or a mapping with say/given (and optional again)")
            continue
        again = spec.get("again")
        texts = [spec.get("say"), spec.get("given"), *(again if isinstance(again, list) else [again])]
        if not all(isinstance(t, str) for t in texts if t is not None):
            problems.append(f"answers.{slot}: every answer is text (quote numbers and yes/no)")
    if data.get("expect", {}).get("filed", True):
        missing = [s for s in ANSWERED_SLOTS if s not in answers]
        if missing:
            problems.append(f"answers: a filed conversation answers every slot; missing {missing}")
        if not isinstance(data.get("domain"), dict) or not data["domain"].get("want"):
            problems.append("domain: a filed conversation says which domain it wants (domain.want)")


def _check_expect(data: dict, problems: list[str]) -> None:
    expect = data.get("expect")
    if not isinstance(expect, dict):
        problems.append("expect: missing")
        return
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        problems.append(f"expect: unknown keys {sorted(unknown)}")
    if not expect.get("filed", True):
        if not expect.get("reply") and not expect.get("handoff"):
            problems.append("expect: a conversation that files nothing names the reply class it expects")
        if set(expect) & FILED_FIELDS:
            problems.append("expect: field values on a conversation that files nothing")
        if expect.get("reply") and expect["reply"] not in REPLY_CLASS_NAMES:
            problems.append(f"expect.reply: unknown class {expect['reply']!r}")
        return
    missing = sorted(FILED_FIELDS - set(expect))
    if missing:
        problems.append(f"expect: a filed conversation states every field; missing {missing}")
    for name in ("need_title", "need_description"):
        check = expect.get(name)
        if not isinstance(check, dict) or not check.get("must_contain"):
            problems.append(f"expect.{name}: a mapping with must_contain")
    for name in ("need_title", "need_description", "tech_targets"):
        check = expect.get(name)
        if isinstance(check, dict) and set(check) - TEXT_CHECK_KEYS:
            problems.append(f"expect.{name}: unknown keys {sorted(set(check) - TEXT_CHECK_KEYS)}")
        if isinstance(check, dict):
            items = [*(check.get("must_contain") or []), *(check.get("must_not_contain") or [])]
            flat = [a for i in items for a in (i if isinstance(i, list) else [i])]
            if not all(isinstance(a, str) and a for a in flat):
                problems.append(f"expect.{name}: must_contain items are text (quote numbers)")
    if "contact_phone" in expect and not (
        isinstance(expect["contact_phone"], str) and expect["contact_phone"].isdigit()
    ):
        problems.append("expect.contact_phone: 11 digits as a quoted string")
    domains = expect.get("domain")
    for alt in domains if isinstance(domains, list) else [domains]:
        if not isinstance(alt, dict) or not isinstance(alt.get("code"), str):
            problems.append("expect.domain: {code: '80', sub_code: ['803']} (or a list of such)")


def check(data: Any) -> list[str]:
    """Everything wrong with one conversation file's content (an empty list when it is well-formed)."""
    if not isinstance(data, dict):
        return ["the file is not a mapping"]
    problems: list[str] = []
    unknown = set(data) - TOP_KEYS
    if unknown:
        problems.append(f"unknown keys {sorted(unknown)}")
    opening = data.get("opening")
    if not isinstance(opening, list) or not opening:
        problems.append("opening: a non-empty list of messages")
    else:
        for i, item in enumerate(opening):
            _check_message(item, f"opening[{i}]", MESSAGE_KEYS, problems)
    tags = data.get("tags")
    if not isinstance(tags, list) or not tags:
        problems.append("tags: a non-empty list")
    else:
        problems.extend(f"tags: unknown tag {t!r}" for t in tags if t not in TAGS)
    for i, item in enumerate(data.get("interjections") or []):
        _check_message(item, f"interjections[{i}]", INTERJECTION_KEYS, problems)
        if isinstance(item, dict):
            when = item.get("when_asked")
            if (when is None) == (item.get("at_turn") is None):
                problems.append(f"interjections[{i}]: exactly one of when_asked / at_turn")
            elif when is not None and not set(when if isinstance(when, list) else [when]) <= {
                *SLOTS,
                "summary",
                "contact",
            }:
                problems.append(f"interjections[{i}]: when_asked {when!r} names no slot, summary or contact")
    domain = data.get("domain")
    if domain is not None and (not isinstance(domain, dict) or set(domain) - DOMAIN_KEYS):
        problems.append(f"domain: keys are {sorted(DOMAIN_KEYS)}")
    for key in ("summary", "after_filed", "idle", "unscripted"):
        value = data.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) and v for v in value)
        ):
            problems.append(f"{key}: a list of messages")
    if data.get("expect", {}).get("filed", True) and not data.get("summary"):
        problems.append("summary: a filed conversation says what the user answers at the summary")
    template = data.get("already_said", DEFAULT_ALREADY_SAID)
    if "{value}" not in str(template):
        problems.append("already_said: a template with {value}")
    _check_answers(data, problems)
    _check_expect(data, problems)
    return problems


def load_file(path: Path, split: str) -> Conversation:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    conv_id = str((data or {}).get("id") or path.stem) if isinstance(data, dict) else path.stem
    conversation = Conversation(conv_id, split, path, data if isinstance(data, dict) else {})
    conversation.problems = check(data)
    return conversation


def load(split: str = "all", root: Path = HERE) -> list[Conversation]:
    """The conversations of one split (dev, heldout) or of both, in file-name order."""
    splits = SPLITS if split == "all" else (split,)
    found: list[Conversation] = []
    for name in splits:
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}; one of {SPLITS} or all")
        found.extend(load_file(p, name) for p in sorted((root / name).glob("*.yml")))
    return found
