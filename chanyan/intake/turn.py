"""The interview logic: read one user message whole, then decide what it changes.

Framework-free: the Rasa validation action hands over the message text, the intent, the extraction result, the
current slots and the earlier user messages, and carries out what `process_turn` returns (slots to set, responses
to say, the question to ask next, or a stop such as pause or cancel). Wording stays in the Rasa domain; this module
only returns slot values, response names and reason codes.

A turn is read in this order: what kind of turn it is (an answer, a correction of a named field, a question, a
request for a person, a pause, a cancel, a request the platform does not handle ...), which values it carries for
which fields wherever they are in the message, and only then which slots change. A value goes into a field only
when it is that kind of thing; conversation talk is stripped; a field already known is never asked again.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chanyan.domain.labelled_form import parse_labelled
from chanyan.domain.schema import REQUIRED_SLOTS, SKIPPED, SLOT_LABELS, SLOT_NAMES
from chanyan.domain.validation import clip, find_emails, find_phones, has_meaningful_text, normalize_text
from chanyan.intake import acts
from chanyan.intake.answers import AnswerError, parse_answer, partner_of
from chanyan.intake.corrections import edit_spans, explicit_edits, find_corrections
from chanyan.intake.normalise import reading_form
from chanyan.intake.own import PENDING_SLOT as OWN_PENDING_SLOT
from chanyan.intake.own import OwnRequestAct, read_own_request
from chanyan.intake.people import find_organisation, find_person, parse_contact
from chanyan.intake.protocol import text_extractor
from chanyan.intake.talk import is_deferral, is_only_back_reference, strip_talk
from chanyan.intake.targets import find_targets
from chanyan.intake.titles import propose_title

# A repeated miss on the same question makes the bot explain the question once more, with examples.
EXPLAIN_AFTER_FAILURES = 2
# An optional question missed this many times is skipped; a required one gets a way on instead of a loop.
OPTIONAL_GIVE_UP_AFTER = 2
REQUIRED_WAY_ON_AFTER = 3

REVIEW_SLOT = "summary_confirmed"
FORM_SLOTS: tuple[str, ...] = (*SLOT_NAMES, REVIEW_SLOT)
CONTACT_SLOTS: tuple[str, ...] = ("enterprise_name", "contact_name", "contact_phone", "contact_email")
# Bookkeeping slots the turn may set besides the form's own.
STOP_SLOT = "intake_stop"
HANDOFF_PENDING_SLOT = "handoff_pending"

TARGETS_HINT_SLOT = "targets_hint"
# Questions asked as one while the other fields are still open ("多少资金、什么时候完成？"; how to cooperate, who owns
# the IP, which partner): people answer them in one reply, and a field the reply leaves out gets its own question.
ASKED_TOGETHER: dict[str, tuple[str, ...]] = {
    "budget": ("timeline",),
    "coop_mode": ("ip_preference", "partner_preference"),
}
_CLAUSES = re.compile(r"[，,；;。、\s]+")
# Slots whose value means an unfinished draft is waiting ("继续刚才的需求" resumes it).
DRAFT_SLOTS: tuple[str, ...] = ("need_description", "budget", "timeline", "coop_mode", "tech_domain")
# A domain proposed this surely is taken without asking (the summary shows it and the user may change it).
DOMAIN_SURE_SCORE = 0.73
DOMAIN_SURE_GAP = 0.6
_TARGETS_KEPT = re.compile(
    r"^(?:就这些|就这个|就这|没有了|没了|没别的|没有别的|没有其他|其他没有|就上面|上面那些|上面的|都说了|就那些)"
)

# Stops: the form ends and the end-of-interview action carries them out.
PAUSE, CANCEL, RESTART, DECLINE, AMEND = "pause", "cancel", "restart", "decline", "amend"

_EMAIL_DECLINED = re.compile(
    r"(?:邮箱|邮件|email|e-mail)(?:就|也|的话)?(?:不留|不用|没有|没得|莫得|不给|不填|没|暂无|跳过|先不|不方便)|"
    r"(?:不留|没有|没得|莫得|不用|跳过)(?:邮箱|邮件|email)",
    re.I,
)
# Something typed as an e-mail address that is not one ("wang@abc", "邮箱 wang.abc.com").
_EMAIL_ATTEMPT = re.compile(
    r"[A-Za-z0-9._-]+@[A-Za-z0-9._-]*|(?:邮箱|邮件|email|e-mail)(?:是|为)?[:：\s]*[A-Za-z0-9][A-Za-z0-9._-]{2,}",
    re.I,
)
_REPEAT = re.compile(
    r"再说一遍|再说一次|重复一下|没看清|没看到|刚才(?:那个)?问(?:题|的)是?(?:啥|什么)|问的(?:是)?啥|你问(?:的)?什么|"
    r"再问一(?:遍|次|下)|重新问一?下|没听清|你说(?:的)?啥|问(?:的)?(?:啥|什么)来着|(?:啥|什么)问题来着|上一?个问题是(?:啥|什么)"
)
# A budget the extraction found counts as the project's funds only when money is said around it.
_MONEY_WORDS = re.compile(r"[万元块圆wWkK]|美元|美金|刀|欧元|RMB|rmb|人民币|预算|经费|资金|投入|费用|拿出")
_NEED_CUE = re.compile(
    r"想(?:要|搞|做|找|把|让|改|弄|整|提高|降低|解决|优化|开发)|需要|希望|求助|攻关|研发|找(?:专家|团队|高校|院所|人)"
)
_PROBLEM_CUE = re.compile(
    r"问题|不够|不行|不透|不稳|不准|太(?:高|低|慢|快|多|大|小|差)|老是|总是|经常|常常|容易|超标|故障|开裂|断|裂|漏|堵|"
    r"慢|难|差|低|高|改进|优化|提高|提升|降低|减少|工艺|设备|系统|配方|技术|机器"
    r"|全靠|靠人工|(?:招|请|找)不到(?:人|工人|年轻人|后生)"  # work done by hand, for want of hands
)
# Messages that open the interview without saying the need ("我要提交一个技术需求").
_ONLY_OPENING = re.compile(
    r"^(?:你好|您好|hi|hello|在吗)?[,，。!！\s]*(?:我|我们)?(?:还)?(?:想|要|需要)?(?:再|重新)?(?:提交|发布|提|登记|填|报)(?:一个|个|一下|一条)?(?:新的?)?(?:技术)?需求[吧。.!！]*$",
    re.I,
)


@dataclass
class TurnResult:
    """What one message changes: slots to set, responses to say, and how the interview goes on."""

    slots: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # reason code for the requested slot, e.g. "phone_invalid"
    explain: bool = False  # the same question failed twice in a row: explain it with examples
    interruption: bool = False  # kept for adapters: the message was not an answer (it was answered here)
    failures: dict[str, int] = field(default_factory=dict)
    say: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (response name, template values)
    ask: str | None = None  # the slot to ask next when it is not simply the next empty one
    stop: str | None = None  # PAUSE, CANCEL, RESTART, DECLINE or AMEND: the form ends
    detail: str | None = None  # for DECLINE: loan / hiring / selling
    handoff: bool = False  # hand over to staff now (they can reach the user)
    changed: list[str] = field(default_factory=list)  # fields a correction changed, for the acknowledgement
    own: OwnRequestAct | None = (
        None  # about a filed request (status, withdrawal): answered, then the question
    )


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
    history: list[str] | tuple[str, ...] = (),
) -> TurnResult:
    """Interpret one user message during the intake form.

    Args:
        text: the user's message as typed (may be empty, emoji, very long).
        requested_slot: the slot the bot just asked for, None when the form is being activated.
        slots: current values of the form slots (and bookkeeping such as `domain_candidates`).
        intent, intent_confidence: the NLU's reading of the message.
        extraction: design.md's extraction dict for the message, when the NLU component produced it.
        choice: the value of a clicked quick-reply button, when the message is one.
        failures: consecutive misses per slot so far.
        now: the message time, for relative dates.
        history: the user's earlier messages in this conversation, oldest first ("刚才说了" looks there).
    """
    result = TurnResult(failures=dict(failures or {}))
    raw = clip(normalize_text(text))
    read = reading_form(raw)
    if not slots.get("draft_id"):
        result.slots["draft_id"] = new_draft_id()
    if choice is not None:
        return _button_turn(choice, requested_slot, slots, result, now=now)
    own = _own_request_act(raw, read, slots, intent, intent_confidence, in_form=True)
    if own is not None:
        result.own = own
        result.interruption = True
        _ask_again(requested_slot, result)
        return result
    if slots.get(OWN_PENDING_SLOT):
        result.slots[OWN_PENDING_SLOT] = None  # the message answers something else: the question lapses
    if raw.startswith("/") and intent:
        return _payload_turn(intent, requested_slot, slots, result)
    if requested_slot == REVIEW_SLOT:
        return _review_turn(raw, read, slots, result, extraction=extraction, now=now)
    if slots.get("amend_pending") and not requested_slot:
        result.stop = AMEND
        return result

    extractor = text_extractor()
    if extraction is None and has_meaningful_text(read):
        extraction = extractor.extract(read, now=now)
    values = _values_in(raw, read, requested_slot, slots, extraction or {}, now=now)
    if acts.is_open_question(read) and not explicit_edits(read):
        if acts.CLARIFY.search(read):
            values = {}  # "合作开发和委托开发有啥区别？" asks what the words mean; it answers nothing
        for slot in ("enterprise_name", "contact_name", "partner_preference"):
            if slot != requested_slot or _ASKING_WORD.search(read):
                values.pop(slot, None)  # "专家是哪些学校的？" names no organisation of the user's
    answers_asked = (
        requested_slot in _CLAUSE_READ_SLOTS
        and requested_slot not in values
        and _clause_answer(requested_slot, read, slots, now=now) is not None
    )
    act = acts.classify(
        read, intent=intent, confidence=intent_confidence, has_values=bool(values) or answers_asked
    )

    if (
        act.kind == acts.SOCIAL
        and act.detail == "chitchat"
        and requested_slot
        and _answers_beside_remark(acts.without_chitchat(read), requested_slot, slots, now=now)
    ):
        act = acts.Act(acts.ANSWER)  # "哈哈，那就委托开发吧": the remark is beside an answer

    if (
        act.kind == acts.QUESTION
        and act.detail == "landline"
        and requested_slot == "contact_phone"
        and _parses_as(requested_slot, read, slots, now=now)
    ):
        act = acts.Act(acts.ANSWER)  # "座机可以吗 0531-88886666": the question carries its answer

    opening = ""
    if act.kind in (acts.RESTART, acts.CANCEL) and not requested_slot:
        opening = acts.after_stop_words(read)
        if _carries_need(opening):
            act = acts.Act(acts.ANSWER)  # "还是提吧，重新开始：<the need>" opens the interview with that need
        else:
            opening = ""

    if act.kind in (acts.RESTART, acts.CANCEL, acts.PAUSE):
        result.stop = {acts.RESTART: RESTART, acts.CANCEL: CANCEL, acts.PAUSE: PAUSE}[act.kind]
        return result
    if act.kind == acts.AMEND_FILED and slots.get("last_request_ref") and not requested_slot:
        result.stop = AMEND
        return result
    if act.kind == acts.NON_TECHNICAL and not _has_technical_draft(slots):
        result.stop = DECLINE
        result.detail = act.detail
        return result

    if (
        act.kind == acts.ANSWER
        and requested_slot in _NOTED_QUESTION_SLOTS
        and acts.is_open_question(read)
        and not acts.CLARIFY.search(read)
        and not _REPEAT.search(read)
        and not explicit_edits(read)
        # it says nothing new ("合作开发的话一般要多久？")
        and not any(not slots.get(s) for s in values if s != requested_slot)
        and (
            # "我们是苏州精工机械有限公司，可以吗？" answers; "专家是哪些学校的？" does not
            requested_slot not in values
            if requested_slot in ("enterprise_name", "contact_name")
            else not _parses_as(requested_slot, read, slots, now=now)  # "清华可以吗？" answers
        )
    ):
        act = acts.Act(acts.QUESTION, "other")  # a question no FAQ covers: noted, then the question again
        values.pop(requested_slot, None)
    if requested_slot and requested_slot in values and _only_edits_of_others(read, requested_slot):
        # "合作方式不是委托开发，是合作开发，我们的老师傅也一起弄" while the partner is asked: a correction only.
        values.pop(requested_slot)
    _fill_empty(values, slots, result)
    if act.kind == acts.HANDOFF:
        _handoff(slots, result)
        return _finish(result, slots, requested_slot)
    if slots.get(HANDOFF_PENDING_SLOT) and _reachable({**slots, **result.slots}):
        result.handoff = True
        result.slots[HANDOFF_PENDING_SLOT] = None
    if act.kind in (acts.QUESTION, acts.NON_TECHNICAL, acts.SOCIAL):
        result.interruption = True
        result.say.append(_answer_to(act))
        _ask_again(requested_slot, result)
        if not requested_slot and act.kind == acts.QUESTION:
            # "先问一句，能签保密协议吗？我们是做原料药的……": the need around the question opens the interview.
            rest = _without_questions(raw)
            if rest and _opens_with_need(reading_form(rest), None, {}, slots) and len(rest) >= 12:
                result.slots["need_description"] = strip_talk(rest)
        return _finish(result, slots, requested_slot)
    if (
        requested_slot
        and acts.CLARIFY.search(read)
        and (acts.is_question(read) or len(read) <= 14)
        # "设备说明书看不太懂" answers the description question; "你给举个例子" asks about it
        and not (
            requested_slot in ("need_description", "tech_targets")
            and not acts.is_question(read)
            and (_PROBLEM_CUE.search(read) or find_targets(read))
        )
        and not values
        and not any(v and not acts.CLARIFY.search(v) for _s, v, _w in edit_spans(read))
    ):
        result.interruption = True
        named = _named_slot(read) or requested_slot
        result.say.append((f"utter_explain_{named}", {}))
        _ask_again(requested_slot, result)
        return _finish(result, slots, requested_slot)
    if requested_slot and _REPEAT.search(read) and not values:
        result.interruption = True
        _ask_again(requested_slot, result)
        return _finish(result, slots, requested_slot)

    _corrections_of_other_fields(read, requested_slot, slots, result, now=now)
    if not result.changed:
        _unnamed_corrections_of_filled(read, requested_slot, slots, values, result)
    if requested_slot:
        before = (dict(result.failures), list(result.say))
        _answer_requested(raw, read, requested_slot, slots, result, history=history, now=now)
        if (
            _answer_asked_together(read, requested_slot, slots, result, now=now)
            and result.error
            and requested_slot not in result.slots
        ):
            # Only the second field of the paired question was answered: not a miss of the first, which is asked
            # on its own next.
            result.failures, result.say = before
            result.error, result.explain = None, False
    elif "need_description" not in result.slots and _opens_with_need(read, intent, values, slots):
        description = _description_of(raw[len(raw) - len(opening) :] if opening else raw)
        if description:
            result.slots["need_description"] = description
    return _finish(result, slots, requested_slot)


# --- reading values ---------------------------------------------------------------------------------------


def _payload_turn(
    intent: str, requested: str | None, slots: dict[str, Any], result: TurnResult
) -> TurnResult:
    """A menu click mid-interview ("/handoff", "/faq_process"): never an answer; done, then the question again."""
    result.interruption = True
    key = intent.removeprefix("faq_")
    if intent == "handoff":
        _handoff(slots, result)
    elif intent.startswith("faq_") and key in acts.FAQ_KEYS:
        result.say.append((f"utter_faq_{key}", {}))
    if not result.ask:
        _ask_again(requested, result)
    return result


def _own_request_act(
    raw: str, read: str, slots: dict[str, Any], intent: str | None, confidence: float, *, in_form: bool
) -> OwnRequestAct | None:
    return read_own_request(
        raw,
        read,
        slots.get(OWN_PENDING_SLOT),
        intent=intent,
        confidence=confidence,
        in_form=in_form,
        has_filed=bool(slots.get("last_request_ref")),
    )


def _values_in(
    raw: str,
    read: str,
    requested: str | None,
    slots: dict[str, Any],
    extraction: dict,
    *,
    now: datetime | None,
) -> dict[str, Any]:
    """Every field value the message carries, wherever it is, each checked to be that kind of thing."""
    found: dict[str, Any] = {}
    labelled = parse_labelled(read)
    for slot, text in labelled.items():
        try:
            found[slot] = parse_answer(slot, _as_typed(raw, read, text), slots, now=now)
        except (AnswerError, KeyError):
            continue
    # "预算60万上下，国庆前后交机" while the targets are asked names no target: it answers budget and time.
    answer_is_targets = requested == "tech_targets" and not _only_budget_or_time(read, extraction)
    budget = extraction.get("budget")
    if budget and not answer_is_targets and "budget" not in found and _money_meant(read, budget):
        found["budget"] = budget
    timeline = extraction.get("timeline")
    if (
        timeline
        and not answer_is_targets
        and "timeline" not in found
        and (requested == "timeline" or _time_meant(read, timeline))
    ):
        found["timeline"] = timeline
    if (
        extraction.get("coop_modes")
        and "coop_mode" not in found
        and requested != "coop_mode"  # the answer itself is read whole by its parser
        and _COOP_NAMED.search(read)
    ):
        found["coop_mode"] = list(extraction["coop_modes"])
    if (
        extraction.get("ip_preference")
        and "ip_preference" not in found
        and (requested == "ip_preference" or _IP_NAMED.search(read) or re.search(r"归|共有|共享", read))
    ):  # "都可以，你们看着办" answering the cooperation says nothing about the IP
        found["ip_preference"] = extraction["ip_preference"]
    partner = extraction.get("partner") or {}
    said_partner = (
        any(partner.get(k) for k in ("types", "names", "regions")) and "partner_preference" not in found
    )
    if said_partner and (requested == "partner_preference" or (not labelled and _partner_meant(read))):
        preference = partner_of(read, slots)
        if any(preference.values()):  # "全靠老师傅" names a skilled worker, no partner: the question stays
            found["partner_preference"] = preference
    phones = find_phones(read)
    if phones and "contact_phone" not in found:
        found["contact_phone"] = phones[0]
    emails = find_emails(read)
    if emails and "contact_email" not in found:
        found["contact_email"] = emails[0]
    if "enterprise_name" not in found:
        org = find_organisation(read, own=True)
        if org:
            found["enterprise_name"] = _as_typed(raw, read, org)
    if "contact_name" not in found and requested != "contact_name":
        person = find_person(read, explicit=True)
        if person and not person.endswith("先生/女士"):
            found["contact_name"] = _as_typed(raw, read, person)
    if requested in (None, "need_description") and "tech_targets" not in found:
        targets = find_targets(raw)
        if targets and "，" in targets:
            found["tech_targets"] = targets  # several targets: the description says them all
        elif targets:
            found[TARGETS_HINT_SLOT] = targets  # one: asked with it, so the user can add the others
    return found


# A cooperation mode said in passing counts only when named ("能出方案就行" in a timeline answer is not 技术咨询).
_COOP_NAMED = re.compile(
    r"委托|合作开发|联合开发|共同开发|转让|技术许可|许可使用|技术咨询|咨询(?:服务|为主|就行|就可以|即可)|技术服务|外包|"
    r"合作方式|合作模式"
)  # "想咨询一下" asks a question; it names no mode
_IP_NAMED = re.compile(r"知识产权|产权|专利|成果|归属|IP|跳过")
_PARTNER_NONE = re.compile(r"不限|合作方|合作单位|跳过")
# Questions a user may ask instead of answering these (they are noted and the question is asked again).
_NOTED_QUESTION_SLOTS = frozenset(
    {
        "budget",
        "timeline",
        "coop_mode",
        "ip_preference",
        "partner_preference",
        "enterprise_name",
        "contact_name",
        "contact_phone",
        "contact_email",
    }
)

_COUNTED = re.compile(
    r"^(?:多|来|余)?(?:步|人|头|只|台|件|个|次|吨|亩|平|米|公里|字|条|张|套|户|家|株|粒|方|度|小时|天|年)"
)
_BUDGET_WORDS = re.compile(
    r"预算|经费|资金|投入|拿出|出资|花|钱好说|钱不是问题|能给|可以给|budget|Budget|左右|以内|封顶"
)
SMALL_SUM_CNY = 10_000
_CURRENCY = re.compile(r"[元块圆wWkK]|美元|美金|刀|欧元|RMB|rmb|人民币")
_TIME_MEANT = re.compile(
    r"前|内|底|完成|上线|交付|搞定|出|截止|之前|以前|开始|起|见效|落地|验收|结题|半年|季度|Q[1-4]|月份?|年"
)


def _only_budget_or_time(read: str, extraction: dict) -> bool:
    """Whether the message says a budget or a time limit and no technical target."""
    if find_targets(read):
        return False
    budget, timeline = extraction.get("budget"), extraction.get("timeline")
    if budget and _money_meant(read, budget):
        return True
    return bool(timeline and timeline.get("deadline") and _time_meant(read, timeline))


def _money_meant(read: str, budget: dict) -> bool:
    """ "存栏三千来头", "一天要走三万多步" are not money; "50w", "两三百万", "预算三千" are."""
    said = str(budget.get("text") or "")
    if not said:
        return True
    where = read.find(said)
    if where < 0:
        return True
    after = read[where + len(said) : where + len(said) + 3]
    if _COUNTED.match(after):
        return False
    context = read[max(0, where - 8) : where] + after
    if not _BUDGET_WORDS.search(read[max(0, where - 10) : where + len(said) + 6]):
        # No word of funds around it: a small sum ("一个棚糟蹋两三千块钱的果子") is a loss or a price, not the budget.
        top = budget.get("max_cny") or budget.get("min_cny") or 0
        if top and top < SMALL_SUM_CNY:
            return False
    return bool(_CURRENCY.search(said) or _MONEY_WORDS.search(context) or said.endswith("万"))


def _time_meant(read: str, timeline: dict) -> bool:
    """ "一天要走三万多步" is not a deadline; "明年6月前", "半年内" are."""
    said = str(timeline.get("text") or "")
    where = read.find(said) if said else -1
    if where < 0:
        return True
    return bool(_TIME_MEANT.search(said + read[where + len(said) : where + len(said) + 3]))


def _partner_meant(read: str) -> bool:
    """Whether a message that answers something else also says who the partner should be."""
    read = re.sub(r"合作(?:方式|开发|模式|形式)", "", read)
    return bool(re.search(r"找|合作方|对接|优先|最好是|最好找|希望是|本地的|附近的", read))


def _as_typed(raw: str, read: str, value: str) -> str:
    """`value` found in the reading form, as the user typed it (traditional script kept for names)."""
    if len(raw) == len(read):
        where = read.find(value)
        if where >= 0:
            return raw[where : where + len(value)]
    return value


def _fill_empty(values: dict[str, Any], slots: dict[str, Any], result: TurnResult) -> None:
    """Values found in passing fill empty fields only; they never overwrite what the user answered."""
    for slot, value in values.items():
        if not slots.get(slot) and slot not in result.slots:
            result.slots[slot] = value


def _has_technical_draft(slots: dict[str, Any]) -> bool:
    return bool(slots.get("need_description") and slots.get("tech_domain"))


def _opens_with_need(read: str, intent: str | None, values: dict, slots: dict[str, Any]) -> bool:
    if slots.get("need_description") or not has_meaningful_text(read) or _ONLY_OPENING.match(read):
        return False
    if intent == "request_filing" and len(read) < 15:
        return False
    return intent == "describe_need" or len(read) >= 12 or bool(values)


def _without_questions(raw: str) -> str:
    """The sentences of `raw` that are not questions to the platform."""
    sentences = re.split(r"(?<=[？?。！!])", raw)
    return "".join(s for s in sentences if s.strip() and not acts.faq_key(reading_form(s))).strip()


def _description_of(raw: str) -> str:
    """The need in the user's words: a greeting before it is kept (it harms no one), talk is stripped."""
    return strip_talk(raw)


# --- acts other than answers -----------------------------------------------------------------------------


def _answer_to(act: acts.Act) -> tuple[str, dict[str, Any]]:
    if act.kind == acts.QUESTION:
        return (f"utter_faq_{act.detail}", {})
    if act.kind == acts.NON_TECHNICAL:
        return (f"utter_decline_{act.detail or 'other'}", {})
    social = {"greet": "utter_continue_form", "thanks": "utter_thanks", "chitchat": "utter_chitchat"}
    return (social.get(act.detail or "", "utter_iamabot"), {})


def _handoff(slots: dict[str, Any], result: TurnResult) -> None:
    """转人工: hand over when staff can reach the user; otherwise ask for a phone first."""
    if _reachable({**slots, **result.slots}):
        result.handoff = True
        return
    result.slots[HANDOFF_PENDING_SLOT] = True
    result.say.append(("utter_handoff_ask_contact", {}))
    result.ask = "contact_phone"


def _reachable(slots: dict[str, Any]) -> bool:
    return any(slots.get(s) and slots.get(s) != SKIPPED for s in ("contact_phone", "contact_email"))


def _ask_again(requested: str | None, result: TurnResult) -> None:
    if requested and requested != REVIEW_SLOT:
        result.ask = requested


def _named_slot(read: str) -> str | None:
    for slot, _value, _wrong in edit_spans(read):
        return slot
    for slot, label in SLOT_LABELS.items():
        if label in read:
            return slot
    if "知识产权" in read or "产权" in read:
        return "ip_preference"
    if _COOP_NAMED.search(read):
        return "coop_mode"
    return None


# --- answers and corrections -------------------------------------------------------------------------------


def _corrections_of_other_fields(
    read: str, requested: str | None, slots: dict[str, Any], result: TurnResult, *, now: datetime | None
) -> None:
    """ "预算还是按100万吧" while the company is asked: a correction of 预算, not the company's name."""
    spans = [(slot, value, wrong) for slot, value, wrong in explicit_edits(read) if slot != requested]
    if not spans:
        return
    text = "，".join(f"{SLOT_LABELS[slot]}改成{value}" for slot, value, _ in spans if value)
    if not text:
        return
    corrections = find_corrections(text, {**slots, **result.slots}, now=now)
    for slot, value in corrections.updates.items():
        if slot == requested:
            continue
        previous = slots.get(slot)
        result.slots[slot] = value
        if previous and previous != value:
            result.changed.append(slot)
    if result.changed:
        result.say.append(("utter_changed", {"fields": "、".join(SLOT_LABELS[s] for s in result.changed)}))
        if requested and requested != REVIEW_SLOT and _only_edits(read):
            result.ask = requested  # the message was the correction only: the pending question again


# A change said without naming the field ("哦不对，还是合作开发吧", "不是50万，是80万"): the value names the field.
_CHANGE_CUE = re.compile(r"不对|错了|说错|写错|改成|改为|换成|还是|应该是|不是.{1,12}(?:而)?是|算了")
_DENIED_THEN_NEW = re.compile(
    r"不是(?P<old>[^，,。；;]{1,12}?)[，,\s]*(?:而|应该|其实)?是(?P<new>[^，,。；;]+)"
)
# Fields whose values say what they are (a mode, an amount, a date, an IP class, a phone, an e-mail).
_SELF_NAMING = ("coop_mode", "budget", "timeline", "ip_preference", "contact_phone", "contact_email")


def _unnamed_corrections_of_filled(
    read: str,
    requested: str | None,
    slots: dict[str, Any],
    values: dict[str, Any],
    result: TurnResult,
    *,
    at_summary: bool = False,
) -> None:
    """A correction of an answered field that does not name it: its value, said with a change cue (at the
    summary any value will do), replaces the earlier answer."""
    if not at_summary and (not requested or requested == REVIEW_SLOT or not _CHANGE_CUE.search(read)):
        return
    denied = _DENIED_THEN_NEW.search(read)
    if denied:
        # "不是40万，是80万": the new value alone says which field it is.
        for slot in ("budget", "timeline", "coop_mode", "ip_preference"):
            try:
                values = {**values, slot: parse_answer(slot, denied.group("new"), slots)}
                break
            except AnswerError:
                continue
    for slot in _SELF_NAMING:
        if slot == requested or slot not in values or not slots.get(slot):
            continue
        if _same_value(slots[slot], values[slot]):
            continue
        result.slots[slot] = values[slot]
        result.changed.append(slot)
    if result.changed:
        result.say.append(("utter_changed", {"fields": "、".join(SLOT_LABELS[s] for s in result.changed)}))


def _same_value(old: Any, new: Any) -> bool:
    if isinstance(old, dict) and isinstance(new, dict):
        keys = ("min_cny", "max_cny", "kind", "deadline", "months", "days")
        return all(old.get(k) == new.get(k) for k in keys)
    if isinstance(old, list) and isinstance(new, list):
        return set(old) == set(new)
    return old == new


def _only_edits_of_others(read: str, requested: str) -> bool:
    """Whether the message only corrects fields other than `requested`."""
    spans = explicit_edits(read)
    return bool(spans) and all(slot != requested for slot, _v, _w in spans) and _only_edits(read)


def _only_edits(read: str) -> bool:
    """Whether the message is nothing but edits (what comes before the first named field is talk)."""
    spans = explicit_edits(read)
    if not spans:
        return False
    first_word = spans[0][0]
    from chanyan.intake.corrections import first_field_at

    start = first_field_at(read)
    if start is None or not first_word:
        return False
    before = _DISCOURSE.sub("", strip_talk(read[:start]))
    return not has_meaningful_text(before)


# Words that open a correction and carry nothing ("算了，预算还是写60万吧", "哦对了，…", "等一下，…").
_DISCOURSE = re.compile(
    r"(?:算了|哦|噢|喔|啊|呃|嗯|对了|等下|等一下|等等|不对|哦不对|还有|另外|那个|就是|然后|我想|我再|再说一下|补充一下|"
    r"老板(?:刚|又)?(?:说|讲)了?|刚想起来|差点忘了|忘了说)[,，、。!！\s…]*"
)


def _answer_requested(
    raw: str,
    read: str,
    requested: str,
    slots: dict[str, Any],
    result: TurnResult,
    *,
    history: list[str] | tuple[str, ...],
    now: datetime | None,
) -> None:
    if requested in result.slots and requested not in CONTACT_SLOTS:
        result.failures.pop(requested, None)
        return  # a labelled line or a correction already answered it
    if result.ask == requested:
        return  # the message corrected another field; the pending question is asked again
    if (
        requested in ("enterprise_name", "contact_name")
        and acts.is_open_question(read)
        and not (find_phones(read) or find_emails(read))  # "王工，139…，可以吗？" is the contact block
    ):
        # "委托开发可以吗？" while the company is asked: what it answers is kept, the question is no name.
        answered = [s for s in result.slots if s in SLOT_NAMES and s != requested]
        if answered:
            result.say.append(("utter_noted", {"fields": "、".join(SLOT_LABELS[s] for s in answered)}))
            result.ask = requested
            return
    text = _answer_text(raw, read, requested)
    hint = slots.get(TARGETS_HINT_SLOT)
    if requested == "tech_targets":
        answered_other = [s for s in ("budget", "timeline") if s in result.slots and s not in result.changed]
        if answered_other and not find_targets(read):
            result.say.append(("utter_noted", {"fields": "、".join(SLOT_LABELS[s] for s in answered_other)}))
            result.ask = requested
            return
        if result.changed and not find_targets(read):
            # "哦不对，五一太赶了，国庆前就行": a change of an answered field, acknowledged; no target in it
            result.ask = requested
            return
    if (
        requested == "tech_targets"
        and hint
        and (
            is_only_back_reference(read)
            or acts.is_yes(read)
            or _TARGETS_KEPT.match(read)
            or not has_meaningful_text(text)
        )
    ):
        result.slots["tech_targets"] = hint
        return
    if is_only_back_reference(read) or not has_meaningful_text(text):
        found = _look_back(requested, history, {**slots, **result.slots}, now=now)
        if found is not None:
            result.slots[requested] = found
            result.failures.pop(requested, None)
            return
        if is_only_back_reference(read):
            _miss(requested, "look_back_missing", result)
            return
    if requested in CONTACT_SLOTS:
        contact = parse_contact(read, asked=requested).as_slots()
        if "contact_email" not in contact and _EMAIL_DECLINED.search(read):
            contact["contact_email"] = SKIPPED
        elif (
            "contact_email" not in contact
            and not slots.get("contact_email")
            and requested != "contact_email"
            and _EMAIL_ATTEMPT.search(read)
        ):
            # "…，邮箱 wang@abc" in the contact block: a first miss of the optional e-mail (two and it is skipped).
            result.failures["contact_email"] = result.failures.get("contact_email", 0) + 1
            result.say.append(("utter_invalid_email_invalid", {}))
        for slot, value in contact.items():
            if slot in ("enterprise_name", "contact_name"):
                value = _as_typed(raw, read, value)
            if slot == requested or not slots.get(slot):
                result.slots[slot] = value
        if requested in result.slots:
            result.failures.pop(requested, None)
            return
    try:
        value = parse_answer(requested, text, {**slots, **result.slots}, now=now)
    except AnswerError as err:
        value = _clause_answer(requested, read, {**slots, **result.slots}, now=now)
        if value is not None:
            result.slots[requested] = value
            result.failures.pop(requested, None)
            return
        if err.candidates is not None:
            result.slots["domain_candidates"] = err.candidates
        answered_other = [
            s for s in result.slots if s in SLOT_NAMES and s != requested and s not in result.changed
        ]
        if result.changed and not answered_other and err.code not in ("domain_unclear", "domain_other"):
            result.ask = requested  # a correction only (acknowledged): the pending question again
            return
        if answered_other and err.code not in ("domain_unclear", "domain_other"):
            # The user answered another question than the one asked: keep that, ask this one again.
            result.say.append(("utter_noted", {"fields": "、".join(SLOT_LABELS[s] for s in answered_other)}))
            result.ask = requested
            return
        _miss(requested, err.code, result)
        return
    if requested in ("enterprise_name", "contact_name"):
        value = _as_typed(raw, read, value)
    if requested == "tech_targets" and hint and value != SKIPPED and not _same_numbers(str(hint), str(value)):
        value = f"{hint}；{value}"
    if requested == "tech_targets" and hint and value == SKIPPED:
        value = hint
    result.slots[requested] = value
    result.failures.pop(requested, None)


def _parses_as(slot: str, read: str, slots: dict[str, Any], *, now: datetime | None) -> bool:
    """Whether the message, without its question tail ("可以吗？"), reads as an answer to `slot`."""
    if _ASKING_WORD.search(read):
        return False  # "专家是哪些学校的？" asks; "清华可以吗？" answers
    text = _TENTATIVE.sub("", read)
    try:
        parse_answer(slot, text or read, slots, now=now)
    except AnswerError:
        return False
    return True


_ASKING_WORD = re.compile(r"哪|什么|啥|谁|多少|几|怎么|为什么|为啥|是否|有没有|能不能|可不可以")
_TENTATIVE = re.compile(r"[,，\s]*(?:可以|行|能|好|合适|对)?(?:吗|不|么|吧)?[?？。.!！\s]*$")


# Slots whose answer may come with a remark around it ("那先面议吧，回头跟专员细聊"): read clause by clause too.
_CLAUSE_READ_SLOTS = frozenset({"budget", "timeline"})


def _answers_beside_remark(rest: str, slot: str, slots: dict[str, Any], *, now: datetime | None) -> bool:
    """Whether what a remark leaves of a message answers `slot` (free text must say a target or a need)."""
    if not has_meaningful_text(rest):
        return False
    if slot == "tech_targets":
        return bool(find_targets(rest)) or acts.is_yes(rest) or is_deferral(rest)
    if slot in ("need_description", "need_title"):
        return len(rest) >= 8 and bool(_NEED_CUE.search(rest) or _PROBLEM_CUE.search(rest))
    if slot == REVIEW_SLOT or slot not in SLOT_NAMES:
        return False
    return _parses_as(slot, rest, slots, now=now)


def _clause_answer(slot: str, read: str, slots: dict[str, Any], *, now: datetime | None) -> Any:
    """The value of `slot` in the whole message, else in its first clause that is one; None when none is."""
    for text in (read, *_CLAUSES.split(read)):
        if not text:
            continue
        try:
            return parse_answer(slot, text, slots, now=now)
        except AnswerError:
            continue
    return None


def _answer_asked_together(
    read: str, requested: str, slots: dict[str, Any], result: TurnResult, *, now: datetime | None
) -> bool:
    """The other fields of a grouped question, each from the clauses of the reply that answer it ("面议，不急";
    "委托开发，双方共有，清华或者浙大"); whether any was answered."""
    open_fields = [s for s in ASKED_TOGETHER.get(requested, ()) if not slots.get(s) and s not in result.slots]
    if not open_fields:
        return False
    first = result.slots.get(requested)
    used = str(first.get("text") or "") if isinstance(first, dict) else ""
    merged = {**slots, **result.slots}
    clauses = [
        c
        for c in _CLAUSES.split(read)
        if c
        and not (used and (used in c or c in used))
        # "委托开发或者合作开发都可以" answers the cooperation, not the IP or the partner
        and not (requested == "coop_mode" and _COOP_NAMED.search(c))
    ]
    answered = False
    for second in open_fields:
        if second == "partner_preference":
            # A partner is often a list ("清华、浙大"): read from what the other fields left, as one text.
            rest = "，".join(clauses)
            value = None
            if rest and (
                partner_of(rest, merged, answer=True) != {"types": [], "names": [], "regions": []}
                or _PARTNER_NONE.search(rest)
            ):
                try:
                    value = parse_answer(second, rest, merged, now=now)
                except AnswerError:
                    value = None
            if value is not None:
                result.slots[second] = value
                result.failures.pop(second, None)
                answered = True
            continue
        read_clauses: list[tuple[str, Any]] = []
        for clause in clauses:
            try:
                read_clauses.append((clause, parse_answer(second, clause, merged, now=now)))
            except AnswerError:
                continue
        # A clause naming a class wins over a bare "无所谓" ("…，无所谓，可以商量" is 协商确定).
        read_clauses.sort(key=lambda cv: cv[1] in (SKIPPED, "无要求"))
        for clause, value in read_clauses:
            if (
                second == "ip_preference"
                and value in (SKIPPED, "无要求")
                and not _IP_NAMED.search(clause)
                and not _partner_elsewhere(clause, clauses, merged)
            ):
                continue  # "都行" beside a cooperation mode is not "no IP preference"
            result.slots[second] = value
            result.failures.pop(second, None)
            clauses.remove(clause)
            answered = True
            break
    return answered


def _partner_elsewhere(clause: str, clauses: list[str], slots: dict[str, Any]) -> bool:
    """Whether the partner is answered apart from `clause` (known already, or named in the other clauses): then
    "委托开发，无所谓，清华的老师" says no preference about the IP, the one field left between them."""
    if slots.get("partner_preference"):
        return True
    rest = "，".join(c for c in clauses if c != clause)
    return bool(rest) and (
        any(partner_of(rest, slots, answer=True).values()) or bool(_PARTNER_NONE.search(rest))
    )


def _same_numbers(hint: str, answer: str) -> bool:
    """Whether the answer restates the hint (its numbers are all in the answer)."""
    numbers = re.findall(r"\d+(?:\.\d+)?", hint)
    return bool(numbers) and all(n in answer for n in numbers)


def _answer_text(raw: str, read: str, requested: str) -> str:
    """The part of the message that answers `requested`: its own edit span when it names the field."""
    for slot, value, _wrong in edit_spans(read):
        if slot == requested and value:
            return _as_typed(raw, read, value)
    stripped = strip_talk(read)
    if requested in ("need_description", "need_title", "tech_targets", "ip_preference"):
        return _as_typed(raw, read, stripped) if len(raw) == len(read) else strip_talk(raw)
    return stripped or read


def _look_back(requested: str, history, slots: dict[str, Any], *, now: datetime | None) -> Any:
    """ "刚才说了": the value of `requested` in the user's earlier messages, latest first, or None."""
    extractor = text_extractor()
    for text in reversed(list(history)):
        read = reading_form(normalize_text(text))
        labelled = parse_labelled(read)
        if requested in labelled:
            try:
                return parse_answer(requested, labelled[requested], slots, now=now)
            except AnswerError:
                pass
        if requested == "budget":
            budget = extractor.parse_budget(read)
            if budget and _money_meant(read, budget):
                return budget
        elif requested == "timeline":
            found = extractor.parse_timeline(read, now=now)
            if found:
                return found
        elif requested == "tech_targets":
            found = find_targets(text)
            if found:
                return found
        elif requested in CONTACT_SLOTS:
            found = parse_contact(read).as_slots().get(requested)
            if found:
                return found
        elif requested == "coop_mode":
            found = extractor.parse_coop_modes(read)
            if found:
                return found
        elif requested == "need_title" and slots.get("need_description"):
            return propose_title(str(slots["need_description"]))
    return None


def _miss(requested: str, code: str, result: TurnResult) -> None:
    """A miss on the pending question: re-ask with the reason; skip an optional one, offer a way on."""
    count = result.failures.get(requested, 0) + 1
    result.failures[requested] = count
    optional = requested not in REQUIRED_SLOTS and requested != REVIEW_SLOT
    if optional and count >= OPTIONAL_GIVE_UP_AFTER:
        result.slots[requested] = SKIPPED
        result.failures.pop(requested, None)
        result.say.append(("utter_skipped_optional", {"field": SLOT_LABELS.get(requested, requested)}))
        return
    result.error = code
    result.explain = count == EXPLAIN_AFTER_FAILURES
    if not optional and count >= REQUIRED_WAY_ON_AFTER:
        result.say.append(
            (f"utter_way_on_{requested}" if requested == "contact_phone" else "utter_way_on", {})
        )


def _finish(result: TurnResult, slots: dict[str, Any], requested: str | None) -> TurnResult:
    """Derived slots: a proposed title, targets said in the description, domain candidates."""
    merged = {**slots, **result.slots}
    if merged.get("need_description") and not merged.get("need_title"):
        result.slots["need_title"] = propose_title(str(merged["need_description"]))
    changed = {"need_description", "tech_targets", "need_title"} & set(result.slots)
    if changed and not merged.get("tech_domain"):
        basis = " ".join(
            str(merged.get(s)) for s in ("need_title", "need_description", "tech_targets") if merged.get(s)
        )
        candidates = text_extractor().rank_domains(basis, top_k=3)
        result.slots["domain_candidates"] = candidates
        sure = _sure_domain(candidates)
        if sure and requested != "tech_domain":
            result.slots["tech_domain"] = sure
    return result


def _sure_domain(candidates: list[dict]) -> str | None:
    """The top candidate's code when it is far ahead of the others (then the domain is not asked)."""
    if not candidates or not candidates[0].get("sub_code"):
        return None
    top = float(candidates[0].get("score") or 0.0)
    second = float(candidates[1].get("score") or 0.0) if len(candidates) > 1 else 0.0
    if top >= DOMAIN_SURE_SCORE and top - second >= DOMAIN_SURE_GAP:
        return str(candidates[0]["sub_code"])
    return None


def question_for(slot: str, slots: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The response that asks `slot` and its template values: the targets question shows the target the
    description already states; every other question is utter_ask_<slot> (the contact block is
    utter_ask_enterprise_name: one question, one reply)."""
    if slot == "tech_targets" and slots.get(TARGETS_HINT_SLOT):
        return "utter_ask_tech_targets_hint", {"hint": slots[TARGETS_HINT_SLOT]}
    open_fields = [s for s in ASKED_TOGETHER.get(slot, ()) if not slots.get(s)]
    if open_fields:
        return f"utter_ask_{slot}_and_{'_and_'.join(open_fields)}", {}
    return f"utter_ask_{slot}", {}


def _button_turn(
    choice: str, requested: str | None, slots: dict[str, Any], result: TurnResult, *, now: datetime | None
) -> TurnResult:
    if requested == REVIEW_SLOT:
        if choice == "confirm" or acts.is_yes(reading_form(choice)):
            result.slots[REVIEW_SLOT] = True
        else:
            result.error = "review_which_field"
        return result
    if not requested:
        return result
    try:
        result.slots[requested] = parse_answer(requested, choice, slots, now=now)
        result.failures.pop(requested, None)
    except AnswerError as err:
        if err.candidates is not None:
            result.slots["domain_candidates"] = err.candidates
        _miss(requested, err.code, result)
    return _finish(result, slots, requested)


def _review_turn(
    raw: str,
    read: str,
    slots: dict[str, Any],
    result: TurnResult,
    *,
    extraction: dict | None,
    now: datetime | None,
) -> TurnResult:
    """The user answers the summary (确认单): confirm, or correct one or more fields in natural language."""
    if acts.is_yes(read):
        result.slots[REVIEW_SLOT] = True
        return result
    act = acts.classify(read, has_values=bool(edit_spans(read)))
    if act.kind in (acts.CANCEL, acts.RESTART, acts.PAUSE):
        result.stop = {acts.RESTART: RESTART, acts.CANCEL: CANCEL, acts.PAUSE: PAUSE}[act.kind]
        return result
    if act.kind == acts.HANDOFF:
        _handoff(slots, result)
        return result
    if act.kind == acts.QUESTION:
        result.say.append(_answer_to(act))
        return result
    corrections = find_corrections(read, slots, extraction=extraction, now=now)
    if corrections.updates or corrections.cleared:
        for slot, value in corrections.updates.items():
            if isinstance(value, str):
                value = _as_typed(raw, read, value)
            result.slots[slot] = value
            result.changed.append(slot)
        for slot in corrections.cleared:
            result.slots[slot] = None  # the form asks for it again, then shows the summary again
        if "tech_domain" in corrections.cleared and corrections.candidates is not None:
            result.slots["domain_candidates"] = corrections.candidates
        if result.changed:
            result.say.append(
                ("utter_changed", {"fields": "、".join(SLOT_LABELS[s] for s in result.changed)})
            )
        # "联系人改成王工，其他没问题，提交吧": the edits, then the submission the message ends with.
        submitted = result.changed and not corrections.cleared and _ends_with_submit(read)
        result.slots[REVIEW_SLOT] = True if submitted else None
        return result
    if not acts.is_no(read) and has_meaningful_text(read):
        # "还是合作开发吧", "不是40万，是80万": a value that names its field.
        extraction = extraction or text_extractor().extract(read, now=now)
        values = _values_in(raw, read, REVIEW_SLOT, slots, extraction, now=now)
        _unnamed_corrections_of_filled(read, REVIEW_SLOT, slots, values, result, at_summary=True)
        if result.changed:
            result.slots[REVIEW_SLOT] = None
            return result
    result.error = "review_which_field" if acts.is_no(read) else "review_unclear"
    return result


_SUBMIT_WORD = re.compile(r"提交|确认|交吧|报吧|发吧|报上去|交上去")


def _ends_with_submit(read: str) -> bool:
    """Whether the message's last clause is a yes that submits ("…，提交吧", "… 确认")."""
    clauses = [c for c in _CLAUSES.split(read) if c]
    return bool(clauses) and _SUBMIT_WORD.search(clauses[-1]) is not None and acts.is_yes(clauses[-1])


# --- outside the interview ----------------------------------------------------------------------------------


@dataclass
class OutsideResult:
    """What a message outside the interview gets: responses, slots, and whether the interview starts."""

    say: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    start_form: bool = False
    handoff: bool = False
    amend: dict[str, Any] | None = None  # slot updates for the request filed last
    clear_draft: bool = False
    own: OwnRequestAct | None = None  # about a filed request: its status, an addition, a withdrawal


_SOCIAL_RESPONSES = {
    "greet": "utter_greet",
    "thanks": "utter_thanks",
    "goodbye": "utter_goodbye",
    "chitchat": "utter_chitchat",
    "bot_challenge": "utter_iamabot",
    "affirm": "utter_anything_else",
    "deny": "utter_anything_else",
    "choose": "utter_anything_else",
    "pause": "utter_paused",
}
_RESUME = re.compile(
    r"继续|接着(?:填|来|刚才|弄|问|搞|整|聊)|接着说|我回来了|回来了|上来了|开完会了|忙完了|刚才(?:到|问到|填到)哪(?:了|儿)?|"
    r"(?:刚才|之前|上次)(?:的|那个|填的)?需求还在"
)
_FAQ_INTENTS = {"faq_platform", "faq_cost", "faq_response_time", "faq_privacy", "faq_process"}


def outside_turn(
    text: str | None,
    slots: dict[str, Any],
    *,
    intent: str | None = None,
    intent_confidence: float = 0.0,
    now: datetime | None = None,
) -> OutsideResult:
    """A message while no interview is running: answer it, or start the interview when it carries a need."""
    out = OutsideResult()
    raw = clip(normalize_text(text))
    read = reading_form(raw)
    out.own = _own_request_act(raw, read, slots, intent, intent_confidence, in_form=False)
    if out.own is not None:
        return out
    if slots.get(OWN_PENDING_SLOT):
        out.slots[OWN_PENDING_SLOT] = None  # the message answers something else: the question lapses
    if raw.startswith("/"):  # a button's payload: its intent says it all
        out.say.append((_SOCIAL_RESPONSES.get(intent or "", "utter_anything_else"), {}))
        return out
    if slots.get("amend_pending") or (
        slots.get("last_request_ref") and acts.classify(read).kind == acts.AMEND_FILED
    ):
        return _amend_turn(read, slots, out, now=now)
    has_draft = any(slots.get(s) for s in DRAFT_SLOTS)
    needs = _carries_need(read)
    act = acts.classify(read, intent=intent, confidence=intent_confidence, has_values=needs)
    if has_draft and _RESUME.search(read) and len(read) <= 20 and act_is_not_pause(read):
        out.say.append(("utter_resume", {}))
        out.start_form = True
        return out
    if act.kind in (acts.CANCEL, acts.RESTART) and _carries_need(acts.after_stop_words(read)):
        out.clear_draft = has_draft
        out.start_form = True  # "算了还是提吧，重新开始：<the need>": a new interview with that need
        return out
    if act.kind in (acts.CANCEL, acts.RESTART):
        out.clear_draft = has_draft
        out.say.append(("utter_cancelled" if has_draft else "utter_anything_else", {}))
        return out
    if act.kind == acts.AMEND_FILED:
        out.say.append(("utter_amend_nothing", {}))
        return out
    if act.kind == acts.HANDOFF or (
        slots.get(HANDOFF_PENDING_SLOT) and (find_phones(read) or find_emails(read))
    ):
        return handoff_turn(raw, slots)
    if act.kind == acts.NON_TECHNICAL:
        out.say.append((f"utter_decline_{act.detail or 'other'}", {}))
        return out
    if act.kind == acts.QUESTION:
        out.start_form = needs
        if not needs:  # with a need, the interview starts and answers the question itself
            out.say.append((f"utter_faq_{act.detail}", {}))
        return out
    if needs or intent in ("describe_need", "inform", "request_filing") or _ONLY_OPENING.match(read):
        out.start_form = True
        return out
    if intent in _FAQ_INTENTS and intent_confidence >= acts.INTENT_CONFIDENCE:
        out.say.append((f"utter_{intent}", {}))
        return out
    if intent == "greet" or act.detail == "greet" or acts.GREETING.match(read):
        out.say.append(("utter_greet_returning" if has_draft else "utter_greet", {}))
        return out
    if intent in _SOCIAL_RESPONSES and intent_confidence >= acts.INTENT_CONFIDENCE:
        out.say.append((_SOCIAL_RESPONSES[intent], {}))
        return out
    if acts.is_yes(read) or acts.is_no(read):
        out.say.append(("utter_anything_else", {}))
        return out
    out.say.append(("utter_default", {}))
    return out


def handoff_turn(text: str | None, slots: dict[str, Any]) -> OutsideResult:
    """转人工 outside the interview: hand over when staff can reach the user, else ask for a phone first."""
    out = OutsideResult()
    read = reading_form(clip(normalize_text(text)))
    contact = {
        k: v for k, v in parse_contact(read, asked="contact_phone").as_slots().items() if not slots.get(k)
    }
    contact.pop("enterprise_name", None)
    name = contact.get("contact_name")
    if name and not name.endswith("先生/女士") and not find_person(read, explicit=True):
        contact.pop("contact_name")  # only a name the user gives as theirs
    out.slots.update(contact)
    if _reachable({**slots, **contact}):
        out.handoff = True
        out.slots[HANDOFF_PENDING_SLOT] = None
        out.say.append(("utter_handoff", {}))
    else:
        out.slots[HANDOFF_PENDING_SLOT] = True
        out.say.append(("utter_handoff_ask_contact", {}))
    return out


def act_is_not_pause(read: str) -> bool:
    return acts.classify(read).kind != acts.PAUSE


def _carries_need(read: str) -> bool:
    """A message that describes a technical need (or pastes a form), as opposed to talk about the platform."""
    if not has_meaningful_text(read) or _ONLY_OPENING.match(read) or len(read) < 8:
        return False
    if parse_labelled(read):
        return True
    extraction = text_extractor().extract(read)
    if extraction.get("domains") or extraction.get("keywords"):
        return len(read) >= 10
    # No term of the taxonomy in it ("萎凋不透，想搞一套控温控湿的设备"): a long message saying a problem and a wish.
    return len(read) >= 20 and bool(_NEED_CUE.search(read)) and bool(_PROBLEM_CUE.search(read))


# "上一个需求的…", "我刚刚报的那个需求…": the reference to the filed request, before its edits.
_FILED_REFERENCE = re.compile(
    r"^.{0,12}?(?:提交|提|报|发|填)?(?:了|过)?的?(?:那个|那份|那条|那一?个)?需求(?:的|里的?|中的?|[,，：:\s])*"
)


def _amend_turn(
    read: str, slots: dict[str, Any], out: OutsideResult, *, now: datetime | None
) -> OutsideResult:
    """Editing the request filed last: apply the edits the message names, or ask which and to what."""
    if not slots.get("last_request_ref"):
        out.slots["amend_pending"] = None
        out.say.append(("utter_amend_nothing", {}))
        return out
    corrections = find_corrections(_FILED_REFERENCE.sub("", read), {}, now=now)
    if corrections.updates:
        out.amend = dict(corrections.updates)
        out.slots["amend_pending"] = None
        return out
    if slots.get("amend_pending"):
        # Asked once already and still no edit: leave it to the user (or staff) rather than loop.
        out.slots["amend_pending"] = None
        out.say.append(("utter_way_on", {}))
        return out
    out.slots["amend_pending"] = True
    out.say.append(("utter_amend_ask", {}))
    return out
