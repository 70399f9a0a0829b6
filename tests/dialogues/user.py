"""The scripted user: a policy that decides its next message from what the bot just asked.

The bot's question order may change when the bot is redesigned, so a conversation file does not list the turns;
it says what this user answers to each question, what it interjects and when, and how it treats the summary.

When the bot asks the same question again, the user does what people do: the first time it repeats itself
("刚才说了，…" or its scripted `again`), after that it falls back to the plainest form the bot's own example
suggests (a quick-reply button, "80万左右", "2027年6月30日前", the bare name). Those fallback messages count as
repairs by the user. After MAX_ASKS answers to one question the user gives up and leaves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from tests.dialogues.scoring import resolve_date
from tests.dialogues.script import CONTACT_SLOTS, DEFAULT_ALREADY_SAID, SLOTS, Conversation, message_text

ROOT = Path(__file__).resolve().parents[2]
TAXONOMY = ROOT / "chanyan" / "taxonomy" / "taxonomy.yml"

REF = re.compile(r"XQ-\d{8}-\d{4}")
# requested_slot values the runner understands beyond the interview slots: a redesigned bot may ask the
# contact block as one question under one of these names; the summary is read back under summary_confirmed.
SUMMARY_SLOTS = frozenset({"summary_confirmed"})
DOMAIN_SLOTS = frozenset({"tech_domain"})
CONTACT_BLOCK_SLOTS = frozenset({"contact", "contact_block", "contact_details", "contact_info"})
SUMMARY_CUE = re.compile(r"请核对|核对.{0,6}需求单|确认单")
# A question about one contact slot is the contact block when it asks for two or more of these at once.
CONTACT_CUES = (re.compile(r"单位|公司"), re.compile(r"联系人|称呼|姓名"), re.compile(r"手机|电话"))
# A question that also asks another field (the budget with the timeline, the cooperation with the IP): the user
# answers both in one reply.
ALSO_ASKED = {
    "timeline": re.compile(r"什么时候|何时|多久|时限"),
    "ip_preference": re.compile(r"知识产权|产权归属"),
    "partner_preference": re.compile(r"什么样的合作方|意向合作方|哪类合作方|合作方有(?:偏好|要求)"),
}
CONFIRM_RETRY = "确认"
MAX_CONFIRM_RETRIES = 2
MAX_ASKS = 5  # answers to one question before the user gives up
IDLE_START = "我要提交一个技术需求"  # the bot asks nothing and nothing was asked yet
IDLE_RESUME = "继续"  # the bot asks nothing after the form was under way (e.g. it paused)
MAX_IDLE = 3
CN_ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
CHOICE = re.compile(r'"choice"\s*:\s*"([^"]+)"')
# What a user taps for an IP preference, by the class it means.
IP_BUTTONS = {
    "归企业所有": "归我方所有",
    "双方共有": "双方共有",
    "协商确定": "可以协商",
    "无要求": "跳过",
    None: "跳过",
}
SKIP = "跳过"


@dataclass
class BotTurn:
    """What the bot did after one user message: its texts and buttons, and its state from the tracker."""

    texts: list[str] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)
    requested_slot: str | None = None
    active_loop: str | None = None

    @property
    def filed_ref(self) -> str | None:
        return next((m.group(0) for t in self.texts for m in [REF.search(t)] if m), None)

    @classmethod
    def from_rest(cls, replies: list[dict], tracker: dict | None) -> BotTurn:
        texts = [r["text"] for r in replies if r.get("text")]
        buttons = [b for r in replies for b in (r.get("buttons") or [])]
        slots = (tracker or {}).get("slots") or {}
        loop = ((tracker or {}).get("active_loop") or {}).get("name")
        return cls(texts, buttons, slots.get("requested_slot"), loop)


@dataclass
class Message:
    """One user message and why it was said. kind: opening, answer, already_said, contact, domain, summary,
    interjection, after_filed, idle, unscripted, or repair (a fallback after the bot asked again)."""

    text: str
    kind: str
    slot: str | None = None
    checks: dict[str, Any] = field(default_factory=dict)
    leave: bool = False


def step_of(turn: BotTurn) -> tuple[str, str | None]:
    """What the bot is asking: ("summary"|"domain"|"contact"|"slot"|"idle", slot name or None)."""
    slot = turn.requested_slot
    last = turn.texts[-1] if turn.texts else ""
    if slot in SUMMARY_SLOTS or (slot is None and any(SUMMARY_CUE.search(t) for t in turn.texts)):
        return "summary", slot
    if slot in DOMAIN_SLOTS:
        return "domain", slot
    if slot in CONTACT_BLOCK_SLOTS:
        return "contact", slot
    if slot in CONTACT_SLOTS and sum(bool(c.search(last)) for c in CONTACT_CUES) >= 2:
        return "contact", slot
    if slot in SLOTS:
        return "slot", slot
    if slot and "contact" in slot:
        return "contact", slot
    if slot:
        return "slot", slot
    return "idle", None


@lru_cache(maxsize=1)
def domain_names() -> dict[str, str]:
    """Taxonomy names → codes (both levels), for buttons that carry no code."""
    with open(TAXONOMY, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    names: dict[str, str] = {}
    for domain in data["domains"]:
        names[domain["name"]] = str(domain["code"])
        for sub in domain.get("subcategories") or []:
            names[sub["name"]] = str(sub["code"])
    return names


def domain_name(code: str) -> str:
    return next((n for n, c in domain_names().items() if c == code), code)


def button_code(button: dict[str, str]) -> str | None:
    """The taxonomy code a domain button stands for: from its payload, else from its title's last part."""
    payload = str(button.get("payload") or "")
    found = CHOICE.search(payload)
    if found:
        return found.group(1)
    if payload.isdigit():
        return payload
    title = str(button.get("title") or "").split("/")[-1].strip()
    return domain_names().get(title)


def _first(expected: Any) -> Any:
    """The first acceptable alternative of an expected value."""
    return expected[0] if isinstance(expected, list) and expected else expected


def _wan(cny: int) -> str:
    return f"{cny / 10000:g}万" if cny >= 10000 else f"{cny}元"


def plain_budget(expected: Any) -> str | None:
    budget = _first(expected)
    if not isinstance(budget, dict):
        return None
    kind = _first(budget.get("kind"))
    low, high = budget.get("min_cny"), budget.get("max_cny")
    if kind == "negotiable":
        return "面议"
    if kind == "unknown":
        return "暂不确定"
    if kind == "upper_bound" and high:
        return f"{_wan(high)}以内"
    if kind == "range" and low and not high:
        return f"{_wan(low)}以上"
    if kind == "range" and low and high:
        return f"{_wan(low).rstrip('万')}-{_wan(high)}"
    if low:
        return _wan(low) + ("左右" if kind == "approx" else "")
    return None


def plain_timeline(expected: Any, today: date) -> str | None:
    timeline = _first(expected)
    if not isinstance(timeline, dict):
        return None
    if timeline.get("open"):
        return "不急"
    if timeline.get("months"):
        return f"{timeline['months']}个月内"
    deadline = timeline.get("deadline") or (timeline.get("deadline_between") or [None])[-1]
    if deadline:
        day = date.fromisoformat(resolve_date(str(deadline), today))
        return f"{day.year}年{day.month}月{day.day}日前"
    return None


def plain_coop(expected: Any) -> list[str]:
    options = expected["any_of"] if isinstance(expected, dict) and "any_of" in expected else [expected]
    return list(options[0] or []) if options else []


def plain_partner(expected: Any) -> str:
    partner = _first(expected) or {}
    parts = [t for t in partner.get("types") or [] if t != "不限"]
    parts += list(partner.get("names") or []) + list(partner.get("regions") or [])
    return "，".join(parts) if parts else "不限"


def _answer_spec(spec: Any) -> dict[str, Any]:
    return {"say": spec} if isinstance(spec, str) else dict(spec or {})


def _tap(buttons: list[dict[str, str]], *wanted: str) -> str | None:
    """The payload of the first button whose payload or title is one of `wanted`."""
    for value in wanted:
        for button in buttons:
            if value in (button.get("payload"), button.get("title")):
                return str(button.get("payload") or button.get("title"))
    return None


class ScriptedUser:
    """Plays one conversation file: call `next_message(turn)` with the bot's last turn until it returns None."""

    def __init__(self, conversation: Conversation, today: date | None = None):
        data = conversation.data
        self.data = data
        self.expect = conversation.expect
        self.today = today or date.today()
        self.opening = list(data.get("opening") or [])
        self.answers = {k: _answer_spec(v) for k, v in (data.get("answers") or {}).items()}
        self.already = str(data.get("already_said") or DEFAULT_ALREADY_SAID)
        self.domain = dict(data.get("domain") or {})
        self.summary = list(data.get("summary") or [])
        self.after_filed = list(data.get("after_filed") or [])
        self.unscripted = list(data.get("unscripted") or [])
        # With no `idle` list, a user with unscripted lines uses them when the bot asks nothing, too.
        self.idle = list(data["idle"]) if data.get("idle") is not None else None
        self.interjections = [dict(i) for i in data.get("interjections") or []]
        self.used_interjections: set[int] = set()
        self.queue: list[Message] = []
        self.answered: dict[str, int] = {}
        self.turns = 0
        self.repairs = 0
        self.confirm_retries = 0
        self.idle_used = 0
        self.unscripted_used = 0
        self.domain_otherwise_used = 0
        self.filed_ref: str | None = None
        self.leaving = False
        self.gave_up = False

    # --- the policy ---
    def next_message(self, turn: BotTurn | None) -> Message | None:
        """The user's next message after the bot's `turn` (None before the first message); None: the user stops."""
        message = self._decide(turn)
        if message is not None:
            self.turns += 1
            self.repairs += message.kind == "repair"
            self.leaving = self.leaving or message.leave
        return message

    def _decide(self, turn: BotTurn | None) -> Message | None:
        if self.leaving:
            return None
        if turn is not None and turn.filed_ref and not self.filed_ref:
            self.filed_ref = turn.filed_ref
            self.queue.clear()
        if self.filed_ref:
            return Message(self.after_filed.pop(0), "after_filed") if self.after_filed else None
        if self.queue:
            return self.queue.pop(0)
        scheduled = self._interjection(turn, at_turn_only=True)
        if scheduled is not None:
            return scheduled
        if self.opening:
            return self._from_item(self.opening.pop(0), "opening")
        scheduled = self._interjection(turn)
        if scheduled is not None:
            return scheduled
        turn = turn or BotTurn()
        step, slot = step_of(turn)
        if step == "summary":
            return self._summary()
        if step == "domain" and self.domain.get("want"):
            return self._domain(turn)
        if step == "contact" and self.answers:
            return self._contact()
        if step == "slot" and slot in self.answers:
            return self._answer(slot, turn)
        if step == "idle":
            return self._idle()
        return self._unscripted(slot)

    def _give_up(self) -> None:
        self.gave_up = True
        self.leaving = True

    def _from_item(self, item: Any, kind: str, slot: str | None = None) -> Message:
        texts = message_text(item)
        checks = {}
        leave = False
        if isinstance(item, dict):
            checks = {k: item[k] for k in ("reply_any", "reply_repeats", "reply_class") if item.get(k)}
            leave = bool(item.get("leave"))
        messages = [Message(t, kind, slot) for t in texts]
        # Reply checks look at what the bot says to the last message of a multi-message item.
        messages[-1].checks = checks
        messages[-1].leave = leave
        self.queue = messages[1:] + self.queue
        return messages[0]

    def _interjection(self, turn: BotTurn | None, at_turn_only: bool = False) -> Message | None:
        """An interjection due now: at its user turn number, or the first time its question is asked."""
        step, slot = step_of(turn) if turn is not None else ("idle", None)
        target = {"summary": "summary", "domain": "tech_domain", "contact": "contact"}.get(step, slot)
        last = turn.texts[-1] if turn is not None and turn.texts else ""
        targets = {target} | {
            other for other, cue in ALSO_ASKED.items() if step == "slot" and cue.search(last)
        }
        for index, item in enumerate(self.interjections):
            if index in self.used_interjections:
                continue
            at_turn = item.get("at_turn")
            due_by_turn = at_turn is not None and at_turn == self.turns + 1
            asked = item.get("when_asked")
            due_by_question = not at_turn_only and bool(
                targets & set(asked if isinstance(asked, list) else [asked])
            )
            if due_by_turn or due_by_question:
                self.used_interjections.add(index)
                return self._from_item(item, "interjection", slot)
        return None

    def _summary(self) -> Message | None:
        if self.summary:
            return Message(self.summary.pop(0), "summary", "summary")
        if self.confirm_retries < MAX_CONFIRM_RETRIES:
            self.confirm_retries += 1
            return Message(CONFIRM_RETRY, "repair", "summary")
        self._give_up()
        return None

    def _value(self, slot: str) -> str:
        spec = self.answers.get(slot) or {}
        return str(spec.get("given") or spec.get("say") or "")

    def _answer(self, slot: str, turn: BotTurn) -> Message | None:
        spec = self.answers[slot]
        count = self.answered.get(slot, 0)
        self.answered[slot] = count + 1
        if count >= MAX_ASKS:
            self._give_up()
            return None
        if count == 0 and spec.get("given"):
            return Message(self.already.format(value=spec["given"]), "already_said", slot)
        if count == 0:
            return Message("，".join([str(spec["say"]), *self._also_answered(slot, turn)]), "answer", slot)
        again = spec.get("again")
        scripted = again if isinstance(again, list) else ([again] if again else [])
        if count - 1 < len(scripted):
            return Message(str(scripted[count - 1]), "answer", slot)
        if count == 1:
            return Message(self.already.format(value=self._value(slot)), "already_said", slot)
        plain = self._plain(slot, turn.buttons)
        if plain:
            return Message(plain, "repair", slot)
        return Message(self.already.format(value=self._value(slot)), "already_said", slot)

    def _also_answered(self, slot: str, turn: BotTurn) -> list[str]:
        """First answers to the other fields the question also asks (marked as answered)."""
        last = turn.texts[-1] if turn.texts else ""
        said = []
        for other, cue in ALSO_ASKED.items():
            spec = self.answers.get(other) or {}
            if other != slot and spec.get("say") and not self.answered.get(other) and cue.search(last):
                self.answered[other] = 1
                said.append(str(spec["say"]))
        return said

    def _plain(self, slot: str, buttons: list[dict[str, str]]) -> str | None:
        """The plainest answer the bot's question invites: a button to tap, or the bare value."""
        expect = self.expect
        if slot not in expect and slot != "partner_preference":
            return None
        expected = expect.get(slot)
        if slot in ("tech_targets", "contact_email", "ip_preference") and (
            expected is None or (isinstance(expected, list) and None in expected)
        ):
            return _tap(buttons, SKIP) or SKIP
        if slot == "ip_preference":
            label = IP_BUTTONS.get(_first(expected), SKIP)
            return _tap(buttons, label) or label
        if slot == "coop_mode":
            modes = plain_coop(expected)
            tapped = _tap(buttons, *modes)
            return tapped or "、".join(m.replace("技术开发(", "").rstrip(")") for m in modes) or None
        if slot == "partner_preference":
            text = plain_partner(expect.get("partner"))
            return _tap(buttons, text) or text
        if slot == "budget":
            text = plain_budget(expected)
            return (_tap(buttons, text) if text else None) or text
        if slot == "timeline":
            return plain_timeline(expected, self.today)
        if slot in CONTACT_SLOTS:
            return None if _first(expected) is None else str(_first(expected))
        return None

    def _contact(self) -> Message | None:
        count = self.answered.get("contact", 0)
        self.answered["contact"] = count + 1
        for slot in CONTACT_SLOTS:
            self.answered[slot] = max(self.answered.get(slot, 0), 1)
        text = self.data.get("contact") or "，".join(
            self._value(s) for s in CONTACT_SLOTS if s in self.answers and self._value(s)
        )
        if count >= MAX_ASKS:
            self._give_up()
            return None
        if count == 0:
            return Message(str(text), "contact", "contact")
        if count == 1:
            return Message(self.already.format(value=text), "already_said", "contact")
        plain = [self._plain(s, []) for s in CONTACT_SLOTS]
        return Message("，".join(p for p in plain if p and p != SKIP), "repair", "contact")

    def _domain(self, turn: BotTurn) -> Message | None:
        count = self.answered.get("tech_domain", 0)
        self.answered["tech_domain"] = count + 1
        if count >= MAX_ASKS:
            self._give_up()
            return None
        want = [str(c) for c in self.domain.get("want") or []]
        codes = [button_code(b) for b in turn.buttons]
        found = next(((codes.index(c), c) for c in want if c in codes), None)
        if found is not None:
            index, _code = found
            button = turn.buttons[index]
            tap = str(button.get("payload") or button.get("title"))
            if count > 0:
                return Message(tap, "repair", "tech_domain")  # the words did not work: the user taps
            pick = str(self.domain.get("pick") or "第{ordinal}个")
            if index == 0 and self.domain.get("first"):
                pick = str(self.domain["first"])
            if pick == "@button":
                return Message(tap, "domain", "tech_domain")
            title = str(button.get("title") or "")
            text = pick.format(
                n=index + 1,
                ordinal=CN_ORDINALS[index] if index < len(CN_ORDINALS) else str(index + 1),
                title=title,
                name=title.split("/")[-1].strip(),
            )
            return Message(text, "domain", "tech_domain")
        otherwise = list(self.domain.get("otherwise") or [])
        if self.domain_otherwise_used < len(otherwise):
            self.domain_otherwise_used += 1
            return Message(otherwise[self.domain_otherwise_used - 1], "domain", "tech_domain")
        return Message(domain_name(want[0]), "repair", "tech_domain")

    def _idle(self) -> Message | None:
        if self.idle is not None:
            if self.idle_used < len(self.idle):
                self.idle_used += 1
                return Message(self.idle[self.idle_used - 1], "idle")
            return self._unscripted(None)
        if self.unscripted:
            return self._unscripted(None)
        if self.idle_used >= MAX_IDLE:
            self._give_up()
            return None
        self.idle_used += 1
        return Message(IDLE_RESUME if self.answered else IDLE_START, "idle")

    def _unscripted(self, slot: str | None) -> Message | None:
        if self.unscripted_used < len(self.unscripted):
            self.unscripted_used += 1
            return Message(self.unscripted[self.unscripted_used - 1], "unscripted", slot)
        return None
